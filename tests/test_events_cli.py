"""``maeul events …`` and ``maeul reminders status`` as staff use them (in-process through
typer's runner, SQLite)."""

from __future__ import annotations

import csv
import io

import pytest
from sqlalchemy import select

from bot.kb.records import demo_kb_path
from models import AuditLog, Event, Registration, Reminder, User
from tests.cli_helpers import in_db, invoke, set_cli_env


@pytest.fixture(autouse=True)
def env(monkeypatch, tmp_path):
    set_cli_env(monkeypatch, tmp_path, now="2026-11-22T10:00:00+09:00", kb=True)


def query(tmp_path, statement):
    async def rows(s):
        return list((await s.execute(statement)).all())

    return in_db(f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}", rows)


def register_someone(tmp_path, event_id: str, start: str) -> None:
    from datetime import datetime

    from bot.events import registrations as R
    from bot.kb import schedule
    from tests.conftest import SEOUL, TEST_NOW

    async def register(s):
        user = User(telegram_id=4242, first_name="a", created_at=TEST_NOW, active=True)
        s.add(user)
        await s.flush()
        spec = await R.event_spec(s, event_id, SEOUL)
        occurrence = schedule.find_original(spec, datetime.fromisoformat(start), SEOUL)
        await R.register(s, user, spec, occurrence, TEST_NOW, SEOUL)

    in_db(f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}", register)


def test_create_move_cancel_edit_and_report(tmp_path):
    result = invoke(
        "events",
        "create",
        "--id",
        "yard-sale",
        "--kind",
        "festival",
        "--title",
        "벼룩시장",
        "--title-en",
        "Yard sale",
        "--starts-at",
        "2027-05-01T10:00",
        "--ends-at",
        "2027-05-01T14:00",
        "--place",
        "새터 공원",
        "--dong",
        "saeteo",
        "--capacity",
        "30",
    )
    assert result.exit_code == 0, result.output
    assert "created yard-sale; 0 subscribed chat(s) will be told" in result.stdout
    (row,) = query(
        tmp_path, select(Event.origin, Event.registration_capacity).where(Event.id == "yard-sale")
    )
    assert tuple(row) == ("staff", 30)

    register_someone(tmp_path, "yard-sale", "2027-05-01T10:00:00+09:00")
    result = invoke("events", "move", "yard-sale", "--to", "2027-05-08T10:00+09:00")
    assert result.exit_code == 0, result.output
    assert "1 registration(s) moved, 0 cancelled" in result.stdout
    notices = query(tmp_path, select(Reminder.payload).where(Reminder.kind == "notice"))
    assert [n[0]["type"] for n in notices] == ["moved"]

    result = invoke("events", "edit", "yard-sale", "--capacity", "40", "--place-en", "Saeteo park")
    assert result.exit_code == 0, result.output
    result = invoke("events", "cancel", "yard-sale")
    assert result.exit_code == 0, result.output
    assert "0 registration(s) moved, 1 cancelled" in result.stdout
    statuses = query(tmp_path, select(Registration.status, Registration.cancel_reason))
    assert [tuple(s) for s in statuses] == [("cancelled", "event")]
    actions = [a[0] for a in query(tmp_path, select(AuditLog.action).order_by(AuditLog.id))]
    assert actions == ["event.create", "event.move", "event.edit", "event.cancel"]

    # a KB re-import keeps the staff event
    assert invoke("kb", "import", str(demo_kb_path())).exit_code == 0
    (kept,) = query(tmp_path, select(Event.archived).where(Event.id == "yard-sale"))
    assert kept[0] is False

    result = invoke("events", "report", "--year", "2027")
    assert result.exit_code == 0, result.output
    lines = list(csv.reader(io.StringIO(result.stdout)))
    assert lines[0][:3] == ["level", "event_id", "title"]
    assert invoke("events", "report", "--format", "xlsx").exit_code == 2  # needs --out
    result = invoke("events", "report", "--format", "xlsx", "-o", "r.xlsx")
    assert result.exit_code == 0 and (tmp_path / "r.xlsx").read_bytes()[:2] == b"PK"
    result = invoke("events", "report", "--format", "png", "-o", "r.png")
    assert result.exit_code == 0 and (tmp_path / "r.png").read_bytes()[:4] == b"\x89PNG"

    result = invoke("reminders", "status")
    assert result.exit_code == 0 and "notice\tpending\t2" in result.stdout


def test_bad_input_is_refused_with_a_clear_message():
    result = invoke("events", "move", "nope", "--to", "2027-05-08T10:00")
    assert result.exit_code == 2 and "unknown event 'nope'" in result.output
    result = invoke("events", "move", "village-walk", "--to", "next week")
    assert result.exit_code == 2 and "--to: expected an ISO datetime" in result.output
    result = invoke("events", "cancel", "village-walk", "--date", "2027-04-25")
    assert result.exit_code == 2 and "has no date on 2027-04-25" in result.output
    assert "its dates: 2027-04-24" in result.output
    result = invoke(
        "events",
        "create",
        "--kind",
        "party",
        "--title",
        "x",
        "--starts-at",
        "2027-05-01T10:00",
        "--ends-at",
        "2027-05-01T09:00",
        "--place",
        "y",
    )
    assert result.exit_code == 2 and "kind" in result.output
    result = invoke("events", "report", "--format", "pdf")
    assert result.exit_code == 2
    result = invoke("events", "cancel", "village-walk", "--date", "2027-04-24")
    assert result.exit_code == 0, result.output
    result = invoke("events", "cancel", "village-walk", "--date", "2027-04-24")
    assert result.exit_code == 2 and "cancelled already" in result.output


@pytest.mark.parametrize(
    ("event_id", "which", "old", "new", "said"),
    [
        pytest.param(
            "secretary-training", ["--date", "2027-04-13"], "2027-04-13", "2027-04-20T14:00",
            ["was moved to 2027-04-20 14:00", "--date 2027-04-20"], id="one-date-of-a-series",
        ),
        pytest.param(
            "grant-info-session", [], "2027-01-14", "2027-01-21T19:00",
            ["it was moved to 2027-01-21 19:00", "its dates: 2027-01-21 19:00"],
            id="a-one-off-event",
        ),
    ],
)  # fmt: skip
def test_cancelling_the_old_date_of_a_moved_session_says_where_it_went(
    tmp_path, event_id, which, old, new, said
):
    """One date of a series moved, or a one-off event moved as a whole: its old date is not
    "cancelled already", nor is the moved session cancelled behind staff's back; staff are
    told where it went (``said``). The new date can be cancelled, once."""
    result = invoke("events", "move", event_id, *which, "--to", new)
    assert result.exit_code == 0, result.output
    result = invoke("events", "cancel", event_id, "--date", old)
    assert result.exit_code == 2, result.output
    assert "cancelled already" not in result.output
    for words in said:
        assert words in result.output
    actions = [a[0] for a in query(tmp_path, select(AuditLog.action).order_by(AuditLog.id))]
    assert actions == ["event.move"]  # nothing was cancelled

    new_date = new.split("T")[0]
    result = invoke("events", "cancel", event_id, "--date", new_date)
    assert result.exit_code == 0, result.output
    result = invoke("events", "cancel", event_id, "--date", new_date)
    assert result.exit_code == 2 and "cancelled already" in result.output


def test_edit_kind_dong_and_registration_like_the_bot(tmp_path):
    assert (
        invoke(
            "events", "create", "--id", "circle", "--kind", "training", "--title", "기록 모임",
            "--title-en", "Recorders", "--starts-at", "2027-05-01T10:00",
            "--ends-at", "2027-05-01T12:00", "--place", "새터 공원", "--dong", "saeteo",
        ).exit_code
        == 0
    )  # fmt: skip
    register_someone(tmp_path, "circle", "2027-05-01T10:00:00+09:00")
    result = invoke(
        "events", "edit", "circle", "--kind", "meeting", "--dong", "한빛1동",
        "--no-registration", "--place", "한빛 주민센터",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "edited circle; 0 promoted from the waitlist; 1 told of the new place" in result.stdout
    (row,) = query(
        tmp_path,
        select(Event.kind, Event.dong_id, Event.registration_required, Event.place).where(
            Event.id == "circle"
        ),
    )
    assert tuple(row) == ("meeting", "hanbit1", False, {"ko": "한빛 주민센터"})
    notices = query(tmp_path, select(Reminder.payload).where(Reminder.kind == "notice"))
    assert [n[0]["type"] for n in notices] == ["place"]

    result = invoke("events", "edit", "circle", "--dong", "all")
    assert result.exit_code == 0, result.output
    assert query(tmp_path, select(Event.dong_id).where(Event.id == "circle")) == [(None,)]

    for args, said in (
        (("--kind", "party"), "unknown kind 'party'"),
        (("--dong", "atlantis"), "atlantis"),
    ):
        result = invoke("events", "edit", "circle", *args)
        assert result.exit_code == 2 and said in result.output, result.output
    edits = query(tmp_path, select(AuditLog.details).where(AuditLog.action == "event.edit"))
    assert len(edits) == 2


def test_a_date_with_attendance_is_not_moved(tmp_path):
    """As in the bot: a date somebody is marked present for stays where it was held."""
    from sqlalchemy import update

    register_someone(tmp_path, "grant-info-session", "2027-01-14T19:00:00+09:00")

    async def present(s):
        await s.execute(update(Registration).values(attended=True))

    in_db(f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}", present)
    for args in ((), ("--date", "2027-01-14")):
        result = invoke("events", "move", "grant-info-session", "--to", "2027-01-21T19:00", *args)
        assert result.exit_code == 2, result.output
        assert "1 person(s) are marked present" in result.output
    actions = [a[0] for a in query(tmp_path, select(AuditLog.action).order_by(AuditLog.id))]
    assert "event.move" not in actions
