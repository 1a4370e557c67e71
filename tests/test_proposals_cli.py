"""`maeul proposals config` and `maeul proposals export`, as a centre worker runs them."""

from __future__ import annotations

import asyncio
import csv
import io
from datetime import UTC, datetime

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from bot.cli import app
from bot.core.db import create_engine, make_sessionmaker
from bot.proposals import service as domain
from bot.proposals.export import COLUMNS
from bot.proposals.service import Actor
from models import User
from models.proposal import ProposalStatus as S
from tests.cli_helpers import set_cli_env
from tests.conftest import SEOUL

runner = CliRunner()


@pytest.fixture
def db(monkeypatch, tmp_path):
    return set_cli_env(monkeypatch, tmp_path, kb=True)


def seed(url: str) -> None:
    async def go() -> None:
        engine = create_engine(url)
        now = datetime(2026, 11, 22, 1, 0, tzinfo=UTC)
        try:
            async with make_sessionmaker(engine)() as s, s.begin():
                author = User(telegram_id=424242001, first_name="민지", created_at=now)
                s.add(author)
                await s.flush()
                for dong, title in (
                    ("garam", "가람동 가로등"),
                    ("saeteo", '=HYPERLINK("http://x")'),
                    ("saeteo", "놀이터 안전펜스 설치"),
                ):
                    draft = await domain.new_draft(s, author.id, now)
                    await domain.update_draft(
                        s,
                        draft,
                        now,
                        dong_id=dong,
                        category_id="safety",
                        title=title,
                        description="아이들이 다니는 길이라 꼭 필요합니다.\n둘째 줄.",
                    )
                    p = await domain.submit(s, draft, author, now=now, tz=SEOUL, per_day=10)
                cli = Actor(None, "cli:test")
                await domain.change_status(s, p, S.UNDER_REVIEW, actor=cli, now=now)
                await domain.change_status(s, p, S.ACCEPTED, actor=cli, now=now, answer="좋아요")
        finally:
            await engine.dispose()

    asyncio.run(go())


def test_config_shows_and_changes_a_dongs_settings(db):
    result = runner.invoke(app, ["proposals", "config", "saeteo"])
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == (
        f"saeteo: support threshold {domain.DEFAULT_SUPPORT_THRESHOLD} (default), staff chat none"
    )
    result = runner.invoke(
        app, ["proposals", "config", "saeteo", "--threshold", "30", "--staff-chat", "-1001234"]
    )
    assert result.stdout.strip() == "saeteo: support threshold 30, staff chat -1001234"
    result = runner.invoke(app, ["proposals", "config", "saeteo", "--no-staff-chat"])
    assert result.stdout.strip() == "saeteo: support threshold 30, staff chat none"
    result = runner.invoke(app, ["proposals", "config", "saeteo", "--default-threshold"])
    assert "(default)" in result.stdout
    result = runner.invoke(app, ["proposals", "config", "atlantis", "--threshold", "3"])
    assert result.exit_code == 2 and "unknown dong 'atlantis'" in result.stderr
    result = runner.invoke(app, ["proposals", "config", "saeteo", "--threshold", "0"])
    assert result.exit_code == 2


def test_export_csv_and_xlsx(db, tmp_path):
    seed(db)
    result = runner.invoke(app, ["proposals", "export", "--format", "csv"])
    assert result.exit_code == 0, result.output
    raw = result.stdout_bytes
    assert raw.startswith(b"\xef\xbb\xbf")  # Excel opens Korean CSV right with the BOM
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert [r["id"] for r in rows] == ["1", "2", "3"]  # by dong, then id
    assert tuple(rows[0]) == COLUMNS
    assert rows[1]["title"] == '\'=HYPERLINK("http://x")'  # never a formula
    accepted = rows[2]
    assert (accepted["dong"], accepted["theme"], accepted["status"]) == (
        "새터동",
        "안전",
        "accepted",
    )
    assert accepted["answer"] == "좋아요" and accepted["submitted_at"] == "2026-11-22 10:00"
    assert accepted["description"].endswith("둘째 줄.")
    assert "424242001" not in raw.decode("utf-8-sig") and "민지" not in raw.decode("utf-8-sig")

    out = tmp_path / "committee.xlsx"
    result = runner.invoke(
        app,
        [
            "proposals",
            "export",
            "--format",
            "xlsx",
            "--dong",
            "saeteo",
            "--status",
            "accepted",
            "-o",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    sheet = load_workbook(out).active
    values = list(sheet.values)
    assert len(values[0]) == len(COLUMNS) and len(values) == 2  # headers in Korean:
    assert (values[0][7], values[0][8]) == ("상태", "공개 여부")  # tests/test_staff_exports.py
    assert values[1][0] == 3 and values[1][7] == "채택" and values[1][9] == 0

    result = runner.invoke(app, ["proposals", "export", "--status", "nonsense"])
    assert result.exit_code == 2 and "unknown status 'nonsense'" in result.stderr
    result = runner.invoke(app, ["proposals", "export", "--format", "pdf"])
    assert result.exit_code == 2
