"""Issue 9 §4: a chat subscribed to a dong (and to no kind) hears of a new meeting in that
dong — through /newevent (end to end) and through ``maeul events create``."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from bot.events import subscriptions as S
from models import Reminder
from tests.cli_helpers import in_db, invoke, set_cli_env
from tests.conftest import SEOUL
from tests.e2e import TOKEN, texts
from tests.staff_helpers import draft_event, latest
from tests.test_events import event


async def test_a_dong_subscription_hears_of_a_new_meeting_in_that_dong(bot):
    saeteo = bot.chat(9301, "Sae", "en")  # only the dong, no kind
    await saeteo.send("/subscribe")
    await saeteo.press("Saeteo-dong")
    elsewhere = bot.chat(9302, "Han", "en")  # only another dong
    await elsewhere.send("/subscribe")
    await elsewhere.press("Hanbit 1-dong")

    staff = bot.chat(900, "Staff", "en")
    events = await draft_event(
        staff, "🤝 Meeting", "Saeteo-dong", "Alley clean-up meeting", "2027-03-05 19:00", "2h",
        "Saeteo community room", "12",
    )  # fmt: skip
    assert "Alley clean-up meeting" in latest(events).text
    since = bot.emu.last_seq(TOKEN)
    events = await staff.press("✅ Publish")
    assert "Published. 1 subscribed chat will be told." in texts(events)
    await bot.app.dispatcher.run_pass()
    (news,) = bot.emu.events(TOKEN, chat_id=saeteo.chat_id, since=since, kinds={"message"})
    assert news.text.startswith("🆕 Alley clean-up meeting")
    assert bot.emu.events(TOKEN, chat_id=elsewhere.chat_id, since=since, kinds={"message"}) == []


async def test_who_hears_of_which_event(session):
    now = datetime(2027, 2, 1, 10, 0, tzinfo=SEOUL)
    wishes = {
        1: [("dong", "saeteo")],
        2: [("kind", "meetings")],
        3: [("kind", "meetings"), ("dong", "saeteo")],
        4: [("kind", "meetings"), ("dong", "hanbit1")],
        5: [("kind", "trainings"), ("dong", "saeteo")],
        6: [("dong", "hanbit1")],
    }
    for chat_id, rows in wishes.items():
        for topic, value in rows:
            await S.toggle(
                session, chat_id=chat_id, chat_type="private", topic=topic, value=value, now=now
            )

    async def audience(kind: str, dong: str | None) -> set[int]:
        spec = event(id=f"e-{kind}-{dong or 'all'}", kind=kind, **({"dong": dong} if dong else {}))
        return {t.chat_id for t in await S.event_audience(session, spec)}

    assert await audience("meeting", "saeteo") == {1, 2, 3}
    assert await audience("meeting", "hanbit1") == {2, 4, 6}
    assert await audience("meeting", None) == {1, 2, 3, 4, 6}  # district-wide: every dong
    assert await audience("training", "saeteo") == {1, 5}
    assert await audience("assembly", "saeteo") == {1}


def test_events_create_on_the_command_line_tells_the_dong_subscribers(monkeypatch, tmp_path):
    url = set_cli_env(monkeypatch, tmp_path, now="2026-11-22T10:00:00+09:00", kb=True)

    async def subscribe(s):
        now = datetime(2026, 11, 22, 9, 0, tzinfo=SEOUL)
        await S.toggle(s, chat_id=-100555, chat_type="group", topic="dong", value="saeteo",
                       now=now, language="ko")  # fmt: skip

    in_db(url, subscribe)
    result = invoke(
        "events", "create", "--id", "alley-meeting", "--kind", "meeting", "--title", "골목 회의",
        "--starts-at", "2027-05-01T19:00", "--ends-at", "2027-05-01T21:00",
        "--place", "새터 경로당", "--dong", "saeteo",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "1 subscribed chat(s) will be told" in result.stdout

    async def planned(s):
        rows = await s.execute(select(Reminder.chat_id).where(Reminder.ref.like("news:event:%")))
        return [chat_id for (chat_id,) in rows.all()]

    assert in_db(url, planned) == [-100555]
