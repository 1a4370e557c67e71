"""The attendance and satisfaction report on a small known dataset (both databases): per
session and per course, registered, attended, unique people (실인원), total attendances
(연인원), average satisfaction — and surveys that cannot be traced to a person."""

from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from bot.events import attendance as A
from bot.events import registrations as R
from bot.kb import records as kb
from bot.kb import schedule
from models import Registration, SurveyInvitation, User
from tests.conftest import SEOUL, TEST_NOW
from tests.staff_helpers import add_class

C1 = datetime(2027, 3, 2, 19, 0, tzinfo=SEOUL)  # three weekly sessions
C2 = datetime(2027, 4, 1, 10, 0, tzinfo=SEOUL)
HALL = {"ko": "강당"}


@pytest.fixture
async def world(runtime):
    parsed, _ = kb.validate(kb.load_file(kb.demo_kb_path()))
    async with runtime.sessionmaker() as s, s.begin():
        await kb.import_kb(s, parsed, runtime.clock.utcnow())
        for tid in (1, 2, 3, 4):
            s.add(User(telegram_id=tid, first_name=f"u{tid}", created_at=TEST_NOW, active=True))
    for event_id, start, rule in (("c1", C1, "FREQ=WEEKLY;COUNT=3"), ("c2", C2, None)):
        await add_class(
            runtime, event_id, f"교육 {event_id}", start, place=HALL, rrule=rule, survey=True
        )
    return runtime


async def _user(s, tid: int) -> User:
    return (await s.execute(select(User).where(User.telegram_id == tid))).scalar_one()


async def _occurrence(s, event_id: str, start: datetime):
    spec = await R.event_spec(s, event_id, SEOUL)
    return spec, schedule.find_original(spec, start, SEOUL)


async def test_report_figures_on_a_known_dataset(world):
    rt = world
    s1, s2, s3 = C1, C1 + timedelta(weeks=1), C1 + timedelta(weeks=2)
    async with rt.sessionmaker() as s:
        now = rt.clock.now()
        for event_id, start, tids in (
            ("c1", s1, (1, 2, 3)),
            ("c1", s2, (1, 2)),
            ("c1", s3, (4, 2)),
            ("c2", C2, (1,)),
        ):
            spec, occ = await _occurrence(s, event_id, start)
            for tid in tids:
                await R.register(s, await _user(s, tid), spec, occ, now, SEOUL)
        spec, occ = await _occurrence(s, "c1", s3)
        u2 = await _user(s, 2)
        await R.cancel(s, await R.get_registration(s, u2, "c1", s3), spec, occ, now)
        await s.commit()

    async def attend(event_id, start, tid):
        rt.clock.set(start)  # marked when the session starts
        async with rt.sessionmaker() as s:
            registration = await R.get_registration(s, await _user(s, tid), event_id, start)
            _, occurrence = await _occurrence(s, event_id, start)
            assert await A.mark(s, registration, True, "staff:900", rt.clock.now(),
                                occurrence=occurrence) == "ok"  # fmt: skip
            await s.commit()

    await attend("c1", s1, 1)
    await attend("c1", s1, 2)
    await attend("c1", s2, 1)
    await attend("c2", C2, 1)
    # u3 walks in to session 2 with the check-in code
    rt.clock.set(s2 - timedelta(minutes=5))
    async with rt.sessionmaker() as s:
        code = await A.checkin_code(s, "c1", s2, rt.clock.now())
        snapshot = await rt.knowledge.get()
        result = await A.check_in(s, await _user(s, 3), code, snapshot, SEOUL, rt.clock.now())
        await s.commit()
    assert (result.status, result.walk_in) == ("ok", True)

    # surveys: the day after each session, attendees only
    async def survey(start, ratings: dict[int, int]):
        rt.clock.set(A.survey_due(start + timedelta(hours=2), SEOUL))
        async with rt.sessionmaker() as s:
            await A.plan_surveys(s, await rt.knowledge.get(), rt.clock.now(), SEOUL)
            await s.commit()
        async with rt.sessionmaker() as s:
            invited = (
                await s.execute(
                    select(SurveyInvitation, User)
                    .join(User, User.id == SurveyInvitation.user_id)
                    .where(SurveyInvitation.occurrence_start == start)
                )
            ).all()
            assert sorted(u.telegram_id for _, u in invited) == sorted(ratings)
            for invitation, user in invited:
                assert await A.rate(s, user, invitation.token, ratings[user.telegram_id]) == "ok"
                assert await A.rate(s, user, invitation.token, 1) == "already"
            await s.commit()

    await survey(s1, {1: 5, 2: 4})
    await survey(s2, {1: 3, 3: 3})
    rt.clock.set(C2 + timedelta(days=1))  # after the last session
    async with rt.sessionmaker() as s:
        rows = await A.report(s, SEOUL, year=2027, now=rt.clock.now())
        assert await A.report(s, SEOUL, year=2026, now=rt.clock.now()) == []
    table = [
        (
            r.level,
            r.event_id,
            r.date,
            r.sessions,
            r.registered,
            r.attended,
            r.unique_people,
            r.total_attendances,
            r.satisfaction,
            r.responses,
        )
        for r in rows
    ]
    assert table == [
        ("session", "c1", s1.date(), 1, 3, 2, 2, 2, 4.5, 2),
        ("session", "c1", s2.date(), 1, 2, 2, 2, 2, 3.0, 2),
        ("session", "c1", s3.date(), 1, 1, 0, 0, 0, None, 0),
        ("course", "c1", None, 3, 6, 4, 3, 4, 15 / 4, 4),
        ("session", "c2", C2.date(), 1, 1, 1, 1, 1, None, 0),
        ("course", "c2", None, 1, 1, 1, 1, 1, None, 0),
    ]

    parsed = list(csv.reader(io.StringIO(A.report_csv(rows).decode("utf-8-sig"))))
    assert parsed[0] == list(A.COLUMNS)
    assert parsed[4] == [
        "course",
        "c1",
        "교육 c1",
        "training",
        "",
        "3",
        "6",
        "4",
        "3",
        "4",
        "3.75",
        "4",
    ]
    book = load_workbook(io.BytesIO(A.report_xlsx(rows)))
    sheet = book.active
    assert [c.value for c in sheet[1]][:3] == ["구분", "행사 ID", "행사명"]
    assert [c.value for c in sheet[6]][6:10] == [6, 4, 3, 4]
    assert A.report_png(rows, year=2027).startswith(b"\x89PNG")


async def test_survey_answers_cannot_be_traced_to_people(world):
    """The only link between a person and a survey is *whether* they answered."""
    from sqlalchemy import inspect

    from models import SurveyComment, SurveyResponse

    for model in (SurveyResponse, SurveyComment):
        columns = {c.key for c in inspect(model).columns}
        assert not columns & {"user_id", "token", "invitation_id", "created_at", "answered_at"}
    invitation_columns = {c.key for c in inspect(SurveyInvitation).columns}
    assert not invitation_columns & {"rating", "comment", "answered_at", "rated_at"}

    rt = world
    async with rt.sessionmaker() as s:
        spec, occ = await _occurrence(s, "c2", C2)
        u1 = await _user(s, 1)
        await R.register(s, u1, spec, occ, rt.clock.now(), SEOUL)
        await s.commit()
    rt.clock.set(A.survey_due(C2 + timedelta(hours=2), SEOUL))
    async with rt.sessionmaker() as s:
        await A.plan_surveys(s, await rt.knowledge.get(), rt.clock.now(), SEOUL)  # no attendance
        await s.commit()  # taken: everyone registered is asked
        (invitation,) = (await s.execute(select(SurveyInvitation))).scalars()
        u2 = await _user(s, 2)
        assert await A.rate(s, u2, invitation.token, 5) == "unknown"  # not theirs
        assert await A.comment(s, u2, invitation.token, "x") == "unknown"
        assert await A.rate(s, u1, invitation.token, 2) == "ok"
        assert await A.comment(s, u1, invitation.token, "  Too short a break  ") == "ok"
        assert await A.comment(s, u1, invitation.token, "again") == "already"
        await s.commit()
        assert await A.comments(s, "c2") == ["Too short a break"]
        registration = (await s.execute(select(Registration))).scalar_one()
        assert registration.user_id == u1.id


async def test_the_report_counts_only_sessions_that_were_held(world):
    """A cancelled date, a coming one and a registration cancelled are not counted; a
    course cancelled after some of its sessions keeps those sessions; nobody is marked
    present before check-in opens or on a cancelled date."""
    rt = world
    s1, s2, s3 = C1, C1 + timedelta(weeks=1), C1 + timedelta(weeks=2)
    async with rt.sessionmaker() as s:
        for start in (s1, s2, s3):
            spec, occ = await _occurrence(s, "c1", start)
            for tid in (1, 2):
                await R.register(s, await _user(s, tid), spec, occ, rt.clock.now(), SEOUL)
        spec, occ = await _occurrence(s, "c2", C2)
        await R.register(s, await _user(s, 3), spec, occ, rt.clock.now(), SEOUL)
        await s.commit()

    async def mark(event_id, start, tid, at) -> str:
        rt.clock.set(at)
        async with rt.sessionmaker() as s:
            registration = await R.get_registration(s, await _user(s, tid), event_id, start)
            _, occurrence = await _occurrence(s, event_id, start)
            said = await A.mark(s, registration, True, "staff:900", rt.clock.now(),
                                occurrence=occurrence)  # fmt: skip
            await s.commit()
            return said

    # two weeks early: refused, nothing written; from an hour before: marked
    assert await mark("c1", s1, 1, s1 - timedelta(days=14)) == "early"
    assert await mark("c1", s1, 1, s1 - A.CHECKIN_OPENS - timedelta(minutes=1)) == "early"
    assert await mark("c1", s1, 1, s1 - A.CHECKIN_OPENS) == "ok"
    assert await mark("c1", s2, 1, s2) == "ok"
    assert await mark("c1", s2, 2, s2) == "ok"
    # c2 (a single date): marked at its start, then that date is cancelled
    assert await mark("c2", C2, 3, C2 - timedelta(minutes=30)) == "ok"
    async with rt.sessionmaker() as s:
        await R.cancel_event(s, "c2", day=C2.date(), actor="t", now=rt.clock.now(), tz=SEOUL)
        await s.commit()
    assert await mark("c2", C2, 3, C2) == "cancelled"
    # after session 2, the rest of the course c1 is cancelled
    rt.clock.set(s2 + timedelta(days=1))
    async with rt.sessionmaker() as s:
        await R.cancel_event(s, "c1", actor="t", now=rt.clock.now(), tz=SEOUL)
        await s.commit()

    rt.clock.set(C2 + timedelta(days=1))
    async with rt.sessionmaker() as s:
        rows = await A.report(s, SEOUL, year=2027, now=rt.clock.now())
        registrations = (await s.execute(select(Registration))).scalars().all()
    assert sum(r.attended for r in registrations) == 4  # the marks are kept …
    table = [(r.level, r.event_id, r.date, r.registered, r.attended) for r in rows]
    assert table == [  # … but session 3 and c2 were never held
        ("session", "c1", s1.date(), 2, 1),
        ("session", "c1", s2.date(), 2, 2),
        ("course", "c1", None, 4, 3),
    ]

    # before session 2 started, only session 1 had been held
    async with rt.sessionmaker() as s:
        rows = await A.report(s, SEOUL, year=2027, now=s2 - timedelta(minutes=1))
    assert [(r.level, r.date) for r in rows] == [("session", s1.date()), ("course", None)]


async def test_a_reminder_of_an_event_without_sign_up_is_not_asked_for_a_survey(world):
    """Without sign-up, "remind me" keeps a registration row for the reminders only: the
    survey goes to who came (checked in), not to who asked for a reminder."""
    rt = world
    start = C2 + timedelta(days=7)
    await add_class(
        rt,
        "c3",
        "포럼 c3",
        start,
        kind="forum",
        place=HALL,
        registration_required=False,
        survey=True,
    )
    async with rt.sessionmaker() as s:
        spec, occ = await _occurrence(s, "c3", start)
        await R.register(s, await _user(s, 1), spec, occ, rt.clock.now(), SEOUL)  # remind me
        await s.commit()
    rt.clock.set(A.survey_due(start + timedelta(hours=2), SEOUL))
    async with rt.sessionmaker() as s:
        assert await A.plan_surveys(s, await rt.knowledge.get(), rt.clock.now(), SEOUL) == 0
        await s.commit()
        assert (await s.execute(select(SurveyInvitation))).scalars().all() == []
