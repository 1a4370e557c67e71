"""``maeul announce``: an operator's notice to subscribers, through the dispatcher.

The audience on both databases (domain functions), the command itself in-process through
typer's runner on SQLite: refused input, the count and the question, durable rows the
dispatcher then sends (once, rendered in each chat's language), the audit entry."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.events import subscriptions as S
from bot.events.announce_cli import Audience, audience, queue
from models import AuditLog, Reminder, User
from tests.cli_helpers import in_db, invoke, set_cli_env
from tests.conftest import TEST_NOW
from tests.test_reminders_support import harness, open_group, open_private_chat

# chat → its subscriptions
SUBSCRIBED = {
    501: [("dong", "hanbit1")],  # everything in Hanbit 1
    502: [("dong", "hanbit1"), ("kind", "trainings")],  # trainings in Hanbit 1
    503: [("kind", "grants")],  # grants anywhere
    504: [("dong", "saeteo")],
    -1_000_000_777: [("dong", "hanbit1"), ("kind", "meetings")],  # a group
    505: [("dong", "hanbit1")],  # blocked the bot: inactive
}


async def subscribe(session, *, inactive: frozenset[int] = frozenset({505})) -> None:
    for chat_id, subs in SUBSCRIBED.items():
        user = None
        if chat_id > 0:
            user = User(
                telegram_id=chat_id,
                first_name="주민",
                created_at=TEST_NOW,
                active=chat_id not in inactive,
                language="en" if chat_id == 502 else "ko",
            )
            session.add(user)
            await session.flush()
        for topic, value in subs:
            await S.toggle(
                session,
                chat_id=chat_id,
                chat_type="private" if chat_id > 0 else "supergroup",
                topic=topic,
                value=value,
                now=TEST_NOW,
                user=user,
                language=None if chat_id > 0 else "ko",
            )
    await session.commit()


@pytest.mark.parametrize(
    ("dong", "kind", "chats"),
    [
        (None, None, {501, 502, 503, 504, -1_000_000_777}),
        (None, "grants", {503}),
        ("hanbit1", None, {501, 502, -1_000_000_777}),
        ("hanbit1", "trainings", {501, 502}),  # the group chose meetings only
        ("hanbit1", "meetings", {501, -1_000_000_777}),
        ("saeteo", "grants", {504}),
        ("garam", None, set()),
    ],
)
async def test_the_audience(session, dong, kind, chats):
    await subscribe(session)
    found = await audience(session, Audience(dong, kind, None))
    assert {t.chat_id for t in found} == chats
    assert len(found) == len(chats)  # once each


async def test_queued_rows_go_out_once_in_each_chats_language(runtime):
    async with runtime.sessionmaker() as s:
        await subscribe(s)
        who = Audience("hanbit1", None, {"ko": "한빛1동", "en": "Hanbit 1-dong"})
        assert await queue(s, who, "물 <공급> 중단", runtime.clock.now(), "t1") == 3
        assert await queue(s, who, "물 <공급> 중단", runtime.clock.now(), "t1") == 3  # again
        await s.commit()
        rows = (await s.execute(select(Reminder))).scalars().all()
    assert len(rows) == 3  # the same announcement id queues once
    async with harness(runtime) as h:
        for chat_id in (501, 502):
            open_private_chat(h.emu, chat_id)
        open_group(h.emu, -1_000_000_777)
        dispatcher = await h.dispatcher()
        await dispatcher.run_pass()
        texts = {e.chat_id: e.text for e in h.sent()}
    assert texts == {
        501: "📢 공지 · 한빛1동\n\n물 <공급> 중단",
        502: "📢 Announcement · Hanbit 1-dong\n\n물 <공급> 중단",
        -1_000_000_777: "📢 공지 · 한빛1동\n\n물 <공급> 중단",
    }


# --- the command -----------------------------------------------------------------------


@pytest.fixture
def cli_db(monkeypatch, tmp_path):
    url = set_cli_env(monkeypatch, tmp_path, now="2026-11-22T10:00:00+09:00", kb=True)
    in_db(url, subscribe)
    return url


def rows(url: str, model):
    async def every(s):
        return list((await s.execute(select(model))).scalars())

    return in_db(url, every)


def test_bad_input_is_refused_and_nothing_is_queued(cli_db):
    cases = [
        (["--text", "hi"], "--all or --dong"),
        (["--all", "--dong", "hanbit1", "--text", "hi"], "--all or --dong"),
        (["--all", "--text", "   "], "the text is empty"),
        (["--all"], "the text is empty"),
        (["--all", "--kind", "parties", "--text", "hi"], "unknown kind 'parties'"),
        (["--dong", "atlantis", "--text", "hi"], "unknown dong 'atlantis'"),
        (["--all", "--text", "가" * 2001], "at most 2000"),
    ]
    for args, said in cases:
        result = invoke("announce", *args)
        assert result.exit_code == 2, (args, result.output)
        assert said in result.output, (args, result.output)
        assert "Traceback" not in result.output
    assert rows(cli_db, Reminder) == []


def test_it_shows_the_count_and_asks_first(cli_db):
    result = invoke("announce", "--dong", "한빛1동", "--text", "내일 물 공급 중단", input="n\n")
    assert result.exit_code == 1
    assert "3 chat(s) will receive it (the subscribers of hanbit1)" in result.output
    assert "내일 물 공급 중단" in result.output and "Nothing was sent." in result.output
    assert rows(cli_db, Reminder) == []

    result = invoke("announce", "--dong", "hanbit1", "--text", "내일 물 공급 중단", input="y\n")
    assert result.exit_code == 0, result.output
    assert "Queued for 3 chat(s)" in result.output
    queued = rows(cli_db, Reminder)
    assert sorted(r.chat_id for r in queued) == [-1_000_000_777, 501, 502]
    assert {r.kind for r in queued} == {"announce"} and {r.status for r in queued} == {"pending"}
    assert all(r.payload["text"] == "내일 물 공급 중단" for r in queued)
    assert all(r.expires_at - r.due_at == timedelta(days=2) for r in queued)
    (entry,) = [a for a in rows(cli_db, AuditLog) if a.action == "announce"]
    assert entry.actor.startswith("cli") and entry.details["chats"] == 3
    assert "물" not in str(entry.details)  # the text itself is not in the audit log


def test_yes_skips_the_question_and_nobody_means_nothing_sent(cli_db):
    result = invoke("announce", "--all", "--kind", "grants", "--text", "새 지원사업", "--yes")
    assert result.exit_code == 0, result.output
    assert "1 chat(s) will receive it (every subscribed chat, kind grants)" in result.output
    assert [r.chat_id for r in rows(cli_db, Reminder)] == [503]

    result = invoke("announce", "--dong", "garam", "--text", "안내", "--yes")
    assert result.exit_code == 0
    assert "No chat would receive it" in result.output
    assert len(rows(cli_db, Reminder)) == 1
