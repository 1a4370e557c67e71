"""``maeul ask`` (--json, --batch, --kb) and ``maeul kb unanswered``."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
import yaml

from bench.qa_kbgen import make_kb
from bot.kb.records import demo_kb_path
from tests.cli_helpers import in_db, invoke, set_cli_env

NOW = "2027-03-01T10:00:00+09:00"


@pytest.fixture(autouse=True)
def env(monkeypatch, tmp_path):
    set_cli_env(monkeypatch, tmp_path)


@pytest.fixture
def other_kb(tmp_path):
    path = tmp_path / "dasol.yaml"
    path.write_text(yaml.safe_dump(make_kb(grants=30, faq=10, events=6), allow_unicode=True))
    return path


def test_ask_json_on_a_kb_file_that_is_not_the_demo(other_kb, tmp_path):
    result = invoke("ask", "텃밭 모임 지원사업 마감 언제예요?", "--kb", str(other_kb),
                    "--now", NOW, "--json")  # fmt: skip
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert list(data)[:5] == ["kind", "id", "facet", "text", "alternatives"]
    assert (data["kind"], data["id"], data["facet"]) == ("grant", "g0000-garden", "deadline")
    assert "텃밭 모임 지원사업" in data["text"]
    assert not (tmp_path / "cli.db").exists()  # --kb never touches the database


def test_ask_plain_text_english_and_none(other_kb):
    result = invoke("ask", "How much is the Repair Group Grant?", "--kb", str(other_kb),
                    "--now", NOW)  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "Repair Group Grant" in result.stdout and "₩" in result.stdout
    result = invoke("ask", "오늘 날씨 어때요?", "--kb", str(other_kb), "--now", NOW, "--json")
    data = json.loads(result.stdout)
    assert data["kind"] == "none" and data["id"] is None and "031-777-0100" in data["text"]


def test_batch_from_stdin_and_from_a_file(tmp_path):
    questions = "이웃만들기 신청 언제까지예요?\n\nWhen is the accounting class?\n오늘 날씨 어때요\n"
    result = invoke("ask", "--batch", "-", "--kb", str(demo_kb_path()), "--now", NOW,
                    input=questions)  # fmt: skip
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [(d["kind"], d["id"]) for d in lines] == [
        ("grant", "neighbour-making"), ("event", "accounting-class"), ("none", None),
    ]  # fmt: skip
    assert lines[1]["lang"] == "en"
    path = tmp_path / "questions.txt"
    path.write_text(questions, encoding="utf-8")
    result = invoke("ask", "--batch", str(path), "--kb", str(demo_kb_path()), "--lang", "en",
                    "--now", NOW)  # fmt: skip
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(lines) == 3 and all(d["lang"] == "en" for d in lines)


def test_ask_as_a_resident_of_a_dong():
    question = ("온라인 투표는 언제까지예요?", "--kb", str(demo_kb_path()), "--now", NOW, "--json")
    plain = json.loads(invoke("ask", *question).stdout)
    assert plain["alternatives"][:2] == ["hanbit1-2027", "saeteo-2027"]  # not sure which
    result = invoke("ask", *question, "--dong", "saeteo")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert (data["kind"], data["id"], data["confident"]) == ("assembly", "saeteo-2027", True)
    assert json.loads(invoke("ask", *question, "--dong", "새터동").stdout)["id"] == "saeteo-2027"
    result = invoke("ask", *question, "--dong", "nowhere")
    assert result.exit_code == 2 and "unknown dong 'nowhere'" in result.output
    assert "saeteo (새터동)" in result.output


def test_ask_from_the_database(monkeypatch):
    assert invoke("ask", "이웃만들기 마감", "--now", NOW).exit_code == 1  # nothing imported
    assert invoke("kb", "import", str(demo_kb_path())).exit_code == 0
    monkeypatch.setenv("MAEUL_NOW", "2026-11-22T10:00:00+09:00")  # the bot's clock
    result = invoke("ask", "이웃만들기 신청 언제까지예요?", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["id"] == "neighbour-making" and "D-82" in data["text"]


def test_ask_from_the_database_says_the_vote_as_it_stands(monkeypatch):
    # staff closed the vote early (maeul assembly close): the KB still says 14 June
    assert invoke("kb", "import", str(demo_kb_path())).exit_code == 0
    monkeypatch.setenv("MAEUL_NOW", "2027-06-01T10:00:00+09:00")  # during the vote
    question = "한빛1동 주민총회 온라인 투표 아직 할 수 있어요?"
    before = invoke("ask", question)
    assert "지금 온라인 투표를 할 수 있어요. 마감: 2027년 6월 14일" in before.stdout, before.output
    closed = invoke("assembly", "close", "hanbit1-2027")
    assert closed.exit_code == 0, closed.output
    monkeypatch.setenv("MAEUL_NOW", "2027-06-01T10:05:00+09:00")  # asked a little later
    after = invoke("ask", question)
    assert after.exit_code == 0, after.output
    assert "온라인 투표는 마감되었어요. 마감: 2027년 6월 1일 (화)" in after.stdout, after.stdout
    # from a KB file alone there is no vote but the plan
    planned = invoke("ask", question, "--kb", str(demo_kb_path()))
    assert "마감: 2027년 6월 14일" in planned.stdout, planned.output


def test_bad_arguments_are_refused_clearly(other_kb):
    assert invoke("ask").exit_code == 2
    assert invoke("ask", "q", "--batch", "-").exit_code == 2
    result = invoke("ask", "q", "--lang", "fr", "--kb", str(other_kb))
    assert result.exit_code == 2 and "--lang" in result.output
    result = invoke("ask", "q", "--now", "next tuesday", "--kb", str(other_kb))
    assert result.exit_code == 2 and "--now" in result.output
    result = invoke("ask", "q", "--kb", "missing.yaml")
    assert result.exit_code == 2 and "no such file" in result.output
    bad = other_kb.with_name("bad.yaml")
    bad.write_text("version: 1\nregion: {}\n", encoding="utf-8")
    result = invoke("ask", "q", "--kb", str(bad))
    assert result.exit_code == 2 and "region" in result.output


def test_kb_unanswered_lists_most_frequent_first(tmp_path):
    assert "no unanswered questions" in invoke("kb", "unanswered").stdout
    import asyncio

    from bot.core.config import load_settings
    from bot.core.runtime import Runtime
    from bot.qa import log_unanswered

    async def seed() -> None:
        runtime = Runtime.create(load_settings())
        from bot.core import migrate

        await migrate.upgrade(runtime.engine)
        async with runtime.sessionmaker() as session, session.begin():
            at = datetime(2027, 1, 5, 1, 0, tzinfo=UTC)
            for text in (
                "주차 어디에 해요?",
                "로또 번호",
                "주차 어디에 해요",
                "주차  어디에 해요?",
            ):
                await log_unanswered(session, text, "ko", at)
        await runtime.close()

    asyncio.run(seed())
    result = invoke("kb", "unanswered", "--limit", "5")
    assert result.exit_code == 0, result.output
    rows = result.stdout.splitlines()
    assert rows[1].startswith("3\t2027-01-05\t") and "주차" in rows[1]  # the day only
    assert rows[2].startswith("1\t") and "로또 번호" in rows[2]
    assert invoke("kb", "unanswered", "--limit", "0").exit_code == 2


def test_kb_unanswered_says_which_record_a_follow_up_came_after(monkeypatch, tmp_path):
    url = set_cli_env(monkeypatch, tmp_path, kb=True)
    from bot.qa import log_unanswered

    async def seed(session) -> None:
        at = datetime(2027, 1, 5, 1, 0, tzinfo=UTC)
        await log_unanswered(
            session, "경쟁률은요?", "ko", at, followed=("grant", "neighbour-making")
        )
        await log_unanswered(
            session, "경쟁률은요?", "ko", at, followed=("grant", "neighbour-making")
        )
        await log_unanswered(session, "경쟁률은요?", "ko", at, followed=("event", "gone-event"))
        await log_unanswered(session, "경쟁률은요?", "ko", at)

    in_db(url, seed)
    result = invoke("kb", "unanswered")
    assert result.exit_code == 0, result.output
    rows = result.stdout.splitlines()
    assert rows[0] == "count\tlast asked\tlanguages\tquestion\tasked after"
    assert rows[1] == "2\t2027-01-05\tko\t경쟁률은요?\tgrant neighbour-making: 이웃만들기 지원사업"
    assert sorted(rows[2:]) == [
        "1\t2027-01-05\tko\t경쟁률은요?\t-",
        "1\t2027-01-05\tko\t경쟁률은요?\tevent gone-event (no longer in the knowledge base)",
    ]
