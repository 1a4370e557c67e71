"""Registrations: seats, the waitlist, closing, concurrency, moves and cancellations (both
databases), and staff events surviving a KB re-import."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from bot.core.clock import ManualClock
from bot.events import registrations as R
from bot.kb import records as kb
from bot.kb import schedule
from models import Event, Registration, Reminder, User
from tests.conftest import SEOUL, TEST_NOW
from tests.staff_helpers import add_class

START = datetime(2027, 3, 2, 19, 0, tzinfo=SEOUL)  # a Tuesday


@pytest.fixture
async def world(runtime):
    """The demo KB plus a small staff event (two seats, closes 24 hours before)."""
    await add_class(
        runtime, "small-class", ("작은 교실", "Small class"), START, with_kb=True,
        capacity=2, closes_hours_before=24, rrule="FREQ=WEEKLY;COUNT=4", survey=True,
    )  # fmt: skip
    return runtime


async def users(runtime, *ids: int) -> list[User]:
    async with runtime.sessionmaker() as s, s.begin():
        for tid in ids:
            s.add(User(telegram_id=tid, first_name=f"u{tid}", created_at=TEST_NOW, active=True))
    async with runtime.sessionmaker() as s:
        rows = await s.execute(select(User).where(User.telegram_id.in_(ids)))
        found = {u.telegram_id: u for u in rows.scalars()}
    return [found[i] for i in ids]


async def event_and_occurrence(runtime, event_id="small-class", when=START):
    async with runtime.sessionmaker() as s:
        spec = await R.event_spec(s, event_id, SEOUL)
    assert spec is not None
    occurrence = schedule.find_original(spec, when, SEOUL)
    assert occurrence is not None
    return spec, occurrence


async def register(runtime, user, spec, occurrence) -> R.Outcome:
    async with runtime.sessionmaker() as s:
        outcome = await R.register(
            s, await s.get(User, user.id), spec, occurrence, runtime.clock.now(), SEOUL
        )
        await s.commit()
    return outcome


async def rows(runtime, model, *where):
    async with runtime.sessionmaker() as s:
        return list((await s.execute(select(model).where(*where))).scalars())


async def test_capacity_waitlist_in_order_and_promotion_with_notice(world):
    rt = world
    a, b, c, d = await users(rt, 101, 102, 103, 104)
    spec, occ = await event_and_occurrence(rt)
    assert (await register(rt, a, spec, occ)).status == "registered"
    assert (await register(rt, b, spec, occ)).status == "registered"
    third = await register(rt, c, spec, occ)
    assert (third.status, third.position) == ("waitlisted", 1)
    fourth = await register(rt, d, spec, occ)
    assert (fourth.status, fourth.position) == ("waitlisted", 2)
    again = await register(rt, c, spec, occ)
    assert (again.status, again.position) == ("already_waitlisted", 1)
    async with rt.sessionmaker() as s:
        seats = await R.seats(s, spec, occ.recurrence_id)
    assert (seats.capacity, seats.taken, seats.waitlisted, seats.left) == (2, 2, 2, 0)

    # a registered person cancels: the first on the waitlist (c, not d) gets the seat
    async with rt.sessionmaker() as s:
        mine = await R.get_registration(s, a, spec.id, occ.recurrence_id)
        promoted = await R.cancel(s, mine, spec, occ, rt.clock.now())
        await s.commit()
    assert [p.user_id for p in promoted] == [c.id]
    regs = {r.user_id: r.status for r in await rows(rt, Registration)}
    assert regs == {a.id: "cancelled", b.id: "registered", c.id: "registered", d.id: "waitlisted"}
    notices = await rows(rt, Reminder, Reminder.kind == "notice")
    assert [(n.user_id, n.payload["type"]) for n in notices] == [(c.id, "promoted")]
    # the promoted person now has the default reminders (one day and one hour before)
    planned = await rows(rt, Reminder, Reminder.kind == "event", Reminder.user_id == c.id)
    assert sorted(r.payload["offset"] for r in planned) == [60, 1440]
    assert {r.due_at for r in planned} == {START - timedelta(days=1), START - timedelta(hours=1)}
    # a's reminders were cancelled with the registration
    assert {r.status for r in await rows(rt, Reminder, Reminder.user_id == a.id)} == {"cancelled"}

    # cancelling twice is harmless; waitlisted people can leave the queue
    async with rt.sessionmaker() as s:
        mine = await R.get_registration(s, a, spec.id, occ.recurrence_id)
        assert await R.cancel(s, mine, spec, occ, rt.clock.now()) == []
        gone = await R.get_registration(s, d, spec.id, occ.recurrence_id)
        assert await R.cancel(s, gone, spec, occ, rt.clock.now()) == []
        await s.commit()
        seats = await R.seats(s, spec, occ.recurrence_id)
    assert (seats.taken, seats.waitlisted) == (2, 0)


async def test_registration_closes_hours_before_and_at_the_start(world):
    rt = world
    (a,) = await users(rt, 201)
    spec, occ = await event_and_occurrence(rt)
    clock: ManualClock = rt.clock
    clock.set(START - timedelta(hours=24, seconds=1))
    assert R.refusal(spec, occ, clock.now()) is None
    clock.set(START - timedelta(hours=24))
    assert (await register(rt, a, spec, occ)).status == "closed"
    clock.set(START + timedelta(minutes=1))
    assert (await register(rt, a, spec, occ)).status == "started"
    # the KB's closes_hours_before: the secretaries' training closes 48 hours before
    training, first = await event_and_occurrence(
        rt, "secretary-training", datetime(2027, 2, 9, 14, tzinfo=SEOUL)
    )
    clock.set(first.starts_at - timedelta(hours=47))
    assert (await register(rt, a, training, first)).status == "closed"
    clock.set(first.starts_at - timedelta(hours=49))
    assert (await register(rt, a, training, first)).status == "registered"


async def test_two_people_take_the_last_seat_at_once(world):
    rt = world
    a, b, c = await users(rt, 301, 302, 303)
    spec, occ = await event_and_occurrence(rt)
    assert (await register(rt, a, spec, occ)).status == "registered"  # one seat left

    async def attempt(user):
        async with rt.sessionmaker() as s:
            me = await s.get(User, user.id)
            await s.flush()
            outcome = await R.register(s, me, spec, occ, rt.clock.now(), SEOUL)
            await asyncio.sleep(0.05)  # hold the transaction open: the other one overlaps
            await s.commit()
            return outcome.status

    results = await asyncio.gather(attempt(b), attempt(c))
    assert sorted(results) == ["registered", "waitlisted"]
    async with rt.sessionmaker() as s:
        seats = await R.seats(s, spec, occ.recurrence_id)
    assert (seats.taken, seats.waitlisted) == (2, 1)


async def test_moving_one_occurrence_replans_reminders_and_tells_registrants(world):
    rt = world
    a, b = await users(rt, 401, 402)
    spec, occ = await event_and_occurrence(rt, when=START + timedelta(weeks=1))
    await register(rt, a, spec, occ)
    await register(rt, b, spec, occ)
    old = await rows(rt, Reminder, Reminder.kind == "event")
    assert len(old) == 4
    new_start = occ.starts_at + timedelta(days=2, hours=-1)
    async with rt.sessionmaker() as s:
        found = await R.move_event(
            s,
            spec.id,
            day=occ.starts_at.date(),
            to=new_start,
            actor="test",
            now=rt.clock.now(),
            tz=SEOUL,
        )
        await s.commit()
    assert found.moved == 2
    reminders = await rows(rt, Reminder, Reminder.kind == "event")
    assert {r.status for r in reminders if r.id in {o.id for o in old}} == {"cancelled"}
    fresh = [r for r in reminders if r.status == "pending"]
    assert {r.due_at for r in fresh} == {
        new_start - timedelta(days=1),
        new_start - timedelta(hours=1),
    }
    notices = await rows(rt, Reminder, Reminder.kind == "notice")
    assert sorted(n.user_id for n in notices) == [a.id, b.id]
    assert {n.payload["type"] for n in notices} == {"moved"}
    assert {datetime.fromisoformat(n.payload["old_start"]) for n in notices} == {occ.starts_at}
    # the registration keeps its identity (the original start) with the new time
    for registration in await rows(rt, Registration):
        assert registration.occurrence_start == occ.recurrence_id
        assert registration.starts_at == new_start
    # the schedule shows the move everywhere; a second reconciliation changes nothing
    moved_spec, moved = await event_and_occurrence(rt, when=occ.recurrence_id)
    assert moved.moved and moved.starts_at == new_start
    assert new_start in [o.starts_at for o in schedule.occurrences(moved_spec, SEOUL)]
    async with rt.sessionmaker() as s:
        again = await R.reconcile_event(s, spec.id, SEOUL, rt.clock.now())
        await s.commit()
    assert (again.moved, again.cancelled) == (0, 0)
    assert len(await rows(rt, Reminder, Reminder.kind == "notice")) == 2


async def test_cancelling_an_occurrence_and_the_whole_event(world):
    rt = world
    a, b = await users(rt, 501, 502)
    spec, first = await event_and_occurrence(rt)
    _, second = await event_and_occurrence(rt, when=START + timedelta(weeks=1))
    await register(rt, a, spec, first)
    await register(rt, b, spec, second)
    async with rt.sessionmaker() as s:
        found = await R.cancel_event(
            s, spec.id, day=first.starts_at.date(), actor="t", now=rt.clock.now(), tz=SEOUL
        )
        await s.commit()
    assert found.cancelled == 1
    regs = {r.user_id: (r.status, r.cancel_reason) for r in await rows(rt, Registration)}
    assert regs == {a.id: ("cancelled", "event"), b.id: ("registered", None)}
    assert [
        n.payload["type"]
        for n in await rows(rt, Reminder, Reminder.user_id == a.id, Reminder.kind == "notice")
    ] == ["cancelled"]
    assert {
        r.status
        for r in await rows(rt, Reminder, Reminder.user_id == a.id, Reminder.kind == "event")
    } == {"cancelled"}
    cancelled_spec, gone = await event_and_occurrence(rt)
    assert gone.cancelled
    assert first.starts_at not in [o.starts_at for o in schedule.occurrences(cancelled_spec, SEOUL)]
    async with rt.sessionmaker() as s:
        assert (
            await R.register(
                s, await s.get(User, a.id), cancelled_spec, gone, rt.clock.now(), SEOUL
            )
        ).status == "cancelled"
        found = await R.cancel_event(s, spec.id, actor="t", now=rt.clock.now(), tz=SEOUL)
        await s.commit()
    assert found.cancelled == 1
    assert {r.status for r in await rows(rt, Registration)} == {"cancelled"}


async def test_moving_the_whole_series_keeps_each_person_on_their_session(world):
    rt = world
    (a,) = await users(rt, 601)
    spec, third = await event_and_occurrence(rt, when=START + timedelta(weeks=2))
    await register(rt, a, spec, third)
    async with rt.sessionmaker() as s:
        found = await R.move_event(
            s, spec.id, to=START + timedelta(days=1), actor="t", now=rt.clock.now(), tz=SEOUL
        )
        await s.commit()
    assert found.moved == 1
    (registration,) = await rows(rt, Registration)
    assert registration.starts_at == START + timedelta(weeks=2, days=1)
    assert registration.occurrence_start == START + timedelta(weeks=2, days=1)
    async with rt.sessionmaker() as s:
        seats = await R.seats(
            s, await R.event_spec(s, spec.id, SEOUL), registration.occurrence_start
        )
    assert seats.taken == 1


async def test_staff_events_survive_a_kb_reimport_and_export_marks_them(world):
    rt = world
    parsed, _ = kb.validate(kb.load_file(kb.demo_kb_path()))
    trimmed = parsed.model_copy(update={"events": parsed.events[1:]})
    async with rt.sessionmaker() as s, s.begin():
        report = await kb.import_kb(s, trimmed, rt.clock.utcnow())
    assert report["events"].archived_ids == [parsed.events[0].id]
    async with rt.sessionmaker() as s:
        staff = await s.get(Event, "small-class")
        assert staff is not None and not staff.archived and staff.origin == "staff"
        document = await kb.export_kb(s)
    exported = {e["id"]: e for e in document["events"]}
    assert exported["small-class"]["origin"] == "staff"
    assert "origin" not in exported["secretary-training"]
    # the export validates and re-imports without touching the staff event's origin
    again, problems = kb.validate(document)
    assert again is not None, problems
    async with rt.sessionmaker() as s, s.begin():
        await kb.import_kb(s, again, rt.clock.utcnow())
    async with rt.sessionmaker() as s:
        assert (await s.get(Event, "small-class")).origin == "staff"


async def test_occurrence_tokens_resolve_and_reject_forgeries(world):
    rt = world
    spec, occ = await event_and_occurrence(rt)
    snapshot = await rt.knowledge.get()
    token = R.occ_token(spec.id, occ.recurrence_id)
    assert len(f"reg:att:{token}:99") <= 64
    found = R.parse_token(snapshot, token, SEOUL)
    assert found is not None and found[1].recurrence_id == occ.recurrence_id
    assert R.parse_token(snapshot, token.replace(".", ".zz"), SEOUL) is None  # no such date
    assert R.parse_token(snapshot, "nope." + token.split(".")[1], SEOUL) is None
    assert R.parse_token(snapshot, "../etc", SEOUL) is None
