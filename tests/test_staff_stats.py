"""The centre's numbers (bot/stats) on a small known dataset, both databases: residents
reached, questions not answered, proposals by status, assembly turnout against the
eligible population, trainings' 실인원/연인원 and satisfaction — per dong and for the
district; the figures agree with the features' own reports; the picture and the workbook."""

from __future__ import annotations

import io
import os
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from bot.assembly import service as assembly
from bot.core.i18n import Translator
from bot.events import attendance
from bot.events import registrations as R
from bot.kb import records as kb
from bot.stats import report
from bot.stats.service import Period, PeriodError, compute, named_period
from models import (
    AssemblyVote,
    Proposal,
    QuestionCount,
    Registration,
    SurveyResponse,
    UnansweredQuestion,
    User,
    Voter,
    VotingCode,
)
from tests.conftest import SEOUL

KO = Translator("ko", SEOUL)
EN = Translator("en", SEOUL)
YEAR = Period(date(2026, 1, 1), date(2026, 12, 31))
T1 = datetime(2026, 3, 3, 19, 0, tzinfo=SEOUL)  # weekly, three sessions, 한빛1동
T2 = datetime(2026, 4, 1, 10, 0, tzinfo=SEOUL)  # district-wide
T3 = datetime(2026, 5, 1, 10, 0, tzinfo=SEOUL)  # 한빛2동
IN_2026 = datetime(2026, 6, 1, 12, 0, tzinfo=SEOUL)
IN_2025 = datetime(2025, 6, 1, 12, 0, tzinfo=SEOUL)


def _registration(event_id, start, index, user, *, attended, status="registered"):
    return Registration(
        event_id=event_id,
        occurrence_start=start,
        occurrence_index=index,
        starts_at=start,
        ends_at=start + timedelta(hours=2),
        user_id=user.id,
        status=status,
        queued_at=IN_2025,
        created_at=start - timedelta(days=3),
        updated_at=start,
        attended=attended,
        attended_at=start if attended else None,
    )


@pytest.fixture
async def world(runtime):
    parsed, _ = kb.validate(kb.load_file(kb.demo_kb_path()))
    async with runtime.sessionmaker() as s, s.begin():
        await kb.import_kb(s, parsed, runtime.clock.utcnow())
        for event_id, start, rule, dong in (
            ("t1", T1, "FREQ=WEEKLY;COUNT=3", "hanbit1"),
            ("t2", T2, None, None),
            ("t3", T3, None, "hanbit2"),
        ):
            await R.create_event(
                s,
                R.NewEvent(id=event_id, kind="training", title={"ko": f"교육 {event_id}"},
                           starts_at=start, ends_at=start + timedelta(hours=2),
                           place={"ko": "강당"}, rrule=rule, survey=True, dong=dong),
                actor="t", now=runtime.clock.now(), tz=SEOUL,
            )  # fmt: skip
        people = {}
        for tid, home, seen in (
            (1, "hanbit1", IN_2026),
            (2, "hanbit1", IN_2026),
            (3, "hanbit2", IN_2026),
            (4, None, IN_2026),
            (5, "hanbit1", IN_2025),  # not seen in 2026, did nothing: not reached
        ):
            user = User(telegram_id=tid, first_name=f"u{tid}", home_dong_id=home,
                        created_at=seen, last_seen_at=seen, active=True)  # fmt: skip
            s.add(user)
            people[tid] = user
        await s.flush()
        u = people
        s2 = T1 + timedelta(weeks=1)
        s.add_all([
            _registration("t1", T1, 0, u[1], attended=True),
            _registration("t1", T1, 0, u[2], attended=True),
            _registration("t1", T1, 0, u[3], attended=False),
            _registration("t1", s2, 1, u[1], attended=True),
            _registration("t2", T2, 0, u[4], attended=True),
            _registration("t3", T3, 0, u[3], attended=True),
        ])  # fmt: skip
        for event_id, start, rating in (("t1", T1, 5), ("t1", T1, 4), ("t1", s2, 3), ("t2", T2, 2)):
            s.add(SurveyResponse(event_id=event_id, occurrence_start=start, rating=rating))
        for dong, status, author, at in (
            ("hanbit1", "submitted", 1, IN_2026),
            ("hanbit1", "submitted", 2, IN_2026),
            ("hanbit1", "accepted", 1, IN_2026),
            ("hanbit1", "done", 5, IN_2025),  # another year
            ("hanbit2", "rejected", 3, IN_2026),
        ):
            s.add(Proposal(dong_id=dong, category_id="care", author_id=u[author].id,
                           title="제안", description="내용", status=status,
                           created_at=at, updated_at=at))  # fmt: skip
        vote = AssemblyVote(
            assembly_id="h1-2026", dong_id="hanbit1", title={"ko": "2026 한빛1동 주민총회"},
            eligibility={"ko": "주민"}, method="approve_reject",
            opens_at=datetime(2026, 6, 10, 9, 0, tzinfo=SEOUL),
            closes_at=datetime(2026, 6, 20, 18, 0, tzinfo=SEOUL),
            eligible_population=100, overrides=[], accumulator="0" * 64,
            created_at=IN_2026, created_by="t", updated_at=IN_2026,
        )  # fmt: skip
        s.add(vote)
        await s.flush()
        for n, status in enumerate(
            ("redeemed", "redeemed", "redeemed", "onsite", "onsite", "issued")
        ):
            s.add(VotingCode(code_hash=f"{n:064d}", vote_id=vote.id, batch=1, status=status,
                             created_at=IN_2026))  # fmt: skip
        await s.flush()
        for n, (tid, voted) in enumerate(((1, True), (2, True), (3, False))):
            s.add(Voter(vote_id=vote.id, user_id=u[tid].id, code_hash=f"{n:064d}", voted=voted,
                        joined_at=datetime(2026, 6, 11, tzinfo=SEOUL)))  # fmt: skip
        for day, text in (
            (date(2026, 5, 2), "회의실 빌릴 수 있나요?"),
            (date(2026, 5, 9), "회의실 빌릴 수 있나요"),
            (date(2026, 7, 1), "주차장 있어요?"),
            (date(2025, 7, 1), "작년 질문"),
        ):
            s.add(UnansweredQuestion(asked_on=day, text=text, normalized=text.rstrip("?"),
                                     language="ko"))  # fmt: skip
        for day, dong, answered, unanswered in (  # the Q&A's daily counter
            (date(2026, 5, 2), "hanbit1", 4, 2),
            (date(2026, 7, 1), "", 1, 1),
            (date(2025, 7, 1), "hanbit1", 9, 9),
        ):
            s.add(QuestionCount(day=day, dong_id=dong, answered=answered, unanswered=unanswered))
    return runtime


async def test_numbers_of_a_dong_and_of_the_district(world):
    async with world.sessionmaker() as s:
        dong = await compute(s, YEAR, "hanbit1", SEOUL)
        district = await compute(s, YEAR, None, SEOUL)
        other = await compute(s, YEAR, "hanbit2", SEOUL)
        earlier = await compute(s, Period(date(2025, 1, 1), date(2025, 12, 31)), "hanbit1", SEOUL)
        vote = await assembly.get_vote(s, "h1-2026", world.clock.now())
        turnout = await assembly.turnout(s, vote)
        courses = {
            r.event_id: r
            for r in await attendance.report(s, SEOUL, now=world.clock.now(), year=2026)
            if r.level == "course"
        }

    # u1, u2 (home dong, active) and u3 (registered for its training, joined its vote)
    assert dong.residents_reached == 3
    assert district.residents_reached == 4  # u1–u4; u5 was last seen in 2025
    assert other.residents_reached == 1  # u3
    assert earlier.residents_reached == 1  # u5: home dong, seen in 2025, proposed then
    # questions: the counter per dong and day; different texts: the log, district-wide
    assert (dong.questions_answered, dong.questions_unanswered) == (4, 2)
    assert dong.unanswered_distinct == 2
    assert (district.questions_answered, district.questions_unanswered) == (5, 3)
    assert district.answered_share == pytest.approx(62.5)
    assert dong.proposals == {"submitted": 2, "accepted": 1}
    assert other.proposals == {"rejected": 1}
    assert district.proposals_total == 4
    assert earlier.proposals == {"done": 1}

    [row] = dong.assemblies
    assert (row.online_voters, row.onsite_voters, row.voters) == (2, 2, 4)
    assert row.percent == pytest.approx(4.0)
    assert (row.voters, row.percent) == (turnout.voters, turnout.percent)  # the feature agrees
    assert other.assemblies == []

    [t1] = dong.trainings
    assert (t1.event_id, t1.sessions, t1.registered, t1.unique_people, t1.attendances) == (
        "t1", 2, 4, 2, 3,
    )  # fmt: skip
    assert t1.satisfaction == pytest.approx(4.0) and t1.responses == 3
    course = courses["t1"]  # the events report counts the same
    assert (course.unique_people, course.total_attendances, course.satisfaction) == (
        t1.unique_people, t1.attendances, t1.satisfaction,
    )  # fmt: skip
    assert [r.event_id for r in district.trainings] == ["t1", "t2", "t3"]
    assert (district.training_unique, district.training_attendances) == (4, 5)
    assert district.satisfaction == pytest.approx((5 + 4 + 3 + 2) / 4)
    assert [r.event_id for r in other.trainings] == ["t3"]


async def test_picture_and_workbook(world):
    async with world.sessionmaker() as s:
        stats = await compute(s, YEAR, "hanbit1", SEOUL)
        empty = await compute(s, Period(date(2024, 1, 1), date(2024, 1, 31)), "hanbit1", SEOUL)
    png = report.png(stats, KO, "한빛1동")
    assert png.startswith(b"\x89PNG")
    fig = report.figure(stats, KO, "한빛1동")
    words = {t.get_text() for ax in fig.axes for t in ax.texts} | {fig._suptitle.get_text()}
    assert "센터 통계 · 한빛1동 · 2026-01-01 ~ 2026-12-31" in words
    assert "도달한 주민" in words and "3" in words
    labels = {t.get_text() for ax in fig.axes for t in ax.get_yticklabels()}
    assert {"접수", "채택", "2026 한빛1동 주민총회", "교육 t1"} <= labels
    assert any("4.0% (4/100)" in w for w in words)
    assert any("★4.0 (3)" in w for w in words)

    book = load_workbook(io.BytesIO(report.xlsx(stats, KO, "한빛1동", {"hanbit1": "한빛1동"})))
    assert book.sheetnames == ["센터 통계", "제안 상태별", "주민총회 투표율", "교육"]
    summary = {r[0]: r[1] for r in book["센터 통계"].iter_rows(values_only=True) if r and r[0]}
    assert summary["도달한 주민"] == 3
    assert summary["답하지 못한 질문"] == 2
    assert summary["답한 질문"] == 4
    assert summary["답한 질문 비율(%)"] == 66.7
    assert summary["실인원"] == 2 and summary["연인원"] == 3
    rows = list(book["주민총회 투표율"].iter_rows(values_only=True))
    assert rows[1][0] == "2026 한빛1동 주민총회" and rows[1][3:] == (2, 2, 4, 100, 4.0)
    assert rows[1][1] == "한빛1동"  # the dong's name, not its id
    notes = [r[0] for r in book["센터 통계"].iter_rows(values_only=True) if r and r[0]]
    assert notes[-1] == (
        "답하지 못한 질문(서로 다른 질문)은 구 전체 기준이에요. "
        "답하지 못한 질문 기록에는 어느 동에서 누가 물었는지 남기지 않아요."
    )
    courses = list(book["교육"].iter_rows(values_only=True))
    assert courses[1] == ("교육 t1", 2, 4, 2, 3, 4.0, 3)

    _keep({
        "stats-hanbit1.png": png,
        "stats-hanbit1.xlsx": report.xlsx(stats, KO, "한빛1동"),
        "stats-empty-en.png": report.png(empty, EN, "Hanbit 1-dong"),
    })  # fmt: skip
    fig = report.figure(empty, EN, "Hanbit 1-dong")
    assert sum(t.get_text() == "Nothing in this period" for ax in fig.axes for t in ax.texts) == 3


def _keep(files: dict[str, bytes]) -> None:
    """With MAEUL_ARTIFACTS=<folder>, write the files there to look at them by eye."""
    out = os.environ.get("MAEUL_ARTIFACTS")
    for name, data in files.items() if out else ():
        Path(out, name).write_bytes(data)


def test_periods():
    today = date(2026, 1, 15)
    assert named_period("m0", today) == Period(date(2026, 1, 1), today)
    assert named_period("m1", today) == Period(date(2025, 12, 1), date(2025, 12, 31))
    assert named_period("y1", today) == Period(date(2025, 1, 1), date(2025, 12, 31))
    assert named_period("d30", today) == Period(date(2025, 12, 17), today)
    with pytest.raises(PeriodError):
        Period(date(2026, 2, 1), date(2026, 1, 1))
    with pytest.raises(PeriodError):
        Period(date(2020, 1, 1), date(2026, 1, 1))
    with pytest.raises(PeriodError):
        named_period("zz", today)
    start, end = Period(date(2026, 3, 1), date(2026, 3, 1)).bounds(SEOUL)
    assert (start.isoformat(), end.isoformat()) == (
        "2026-02-28T15:00:00+00:00",
        "2026-03-01T15:00:00+00:00",
    )


# --- /stats end to end, in Korean ------------------------------------------------------


async def _press(driver, label):
    """Press a button and wait long enough for a chart (matplotlib's first drawing)."""
    since = driver.emu.last_seq(driver.token)
    message = next(
        m
        for m in reversed(driver.emu.messages(driver.token, driver.chat_id))
        for row in (m.get("reply_markup") or {}).get("inline_keyboard") or []
        for b in row
        if label in b["text"]
    )
    data = next(
        b["callback_data"]
        for row in message["reply_markup"]["inline_keyboard"]
        for b in row
        if label in b["text"]
    )
    driver.emu.press(driver.token, driver.user, driver.chat_id, message["message_id"], data)
    return await _until_document(driver, since)


async def _send(driver, text):
    since = driver.emu.last_seq(driver.token)
    driver.emu.send_text(driver.token, driver.user, text)
    return await _until_document(driver, since)


async def _until_document(driver, since):
    """Everything the chat saw since ``since``, once the report's workbook has arrived
    (the picture and the file go out one after the other, after the commit)."""
    for _ in range(6):
        events = await driver._reaction(since, timeout=30)
        if any(e.message and e.message.get("document") for e in events):
            return events
    return events


async def test_stats_in_the_chat_picture_and_workbook(world):
    from bot.core import users
    from tests.e2e import TOKEN, running_bot, texts

    async with world.sessionmaker() as s, s.begin():
        await users.grant_role(
            s, 7001, "staff", dong_id="hanbit1", actor="test", now=world.clock.utcnow()
        )
    async with running_bot(world, seed=False) as bot:
        staff = bot.chat(7001, "수진", "ko")
        events = await staff.send("/stats")
        assert "어느 기간" in events[-1].text  # one dong: straight to the period
        events = await _press(staff, "작년")  # TEST_NOW is in 2026: last year is 2025
        summary = next(e for e in events if (e.text or "").startswith("📊 센터"))
        assert "센터 통계 · 한빛1동 · 2025-01-01 ~ 2025-12-31" in summary.text
        assert "• 도달한 주민: 1" in summary.text  # u5, as the domain test counts
        # the one district-wide figure says so, as the workbook does
        assert "• 답하지 못한 질문(서로 다른 질문): " in summary.text
        assert summary.text.endswith(
            "답하지 못한 질문(서로 다른 질문)은 구 전체 기준이에요. "
            "답하지 못한 질문 기록에는 어느 동에서 누가 물었는지 남기지 않아요."
        )
        photo = next(e for e in events if e.message and e.message.get("photo"))
        document = next(e for e in events if e.message and e.message.get("document"))
        assert document.message["document"]["file_name"] == "stats-hanbit1-20250101-20251231.xlsx"
        png = bot.emu.file_bytes(TOKEN, photo.message["photo"][-1]["file_id"])
        workbook = load_workbook(
            io.BytesIO(bot.emu.file_bytes(TOKEN, document.message["document"]["file_id"]))
        )
        summary_sheet = {
            r[0]: r[1] for r in workbook.worksheets[0].iter_rows(values_only=True) if r and r[0]
        }
        assert summary_sheet["도달한 주민"] == 1 and summary_sheet["접수된 제안"] == 1
        _keep({"stats-e2e.png": png})

        # a typed period, and another dong's numbers refused (forged press)
        events = await _send(staff, "/stats 2026.1.1 2026년 12월 31일")
        summary = next(e for e in events if (e.text or "").startswith("📊 센터"))
        assert "2026-01-01 ~ 2026-12-31" in summary.text and "• 도달한 주민: 3" in summary.text
        await staff.send("/stats")
        events = await staff.press("", forge_data="stats:go:hanbit2:y0")
        assert [e.text for e in events if e.kind == "callback_answer"] == [
            "이 동의 담당자만 할 수 있어요."
        ]
        events = await staff.press("", forge_data="stats:go:*:y0")
        assert [e.text for e in events if e.kind == "callback_answer"] == [
            "이 동의 담당자만 할 수 있어요."
        ]
        events = await staff.send("/stats 2026-12-31 2026-01-01")
        assert "기간의 끝이 시작보다 빨라요." in " ".join(texts(events))

        # residents get a refusal; admins choose among every dong and the district
        resident = bot.chat(7002, "민지", "ko")
        events = await resident.send("/stats")
        assert "담당자만 할 수 있어요." in " ".join(texts(events))
        admin = bot.chat(900, "관리자", "ko")
        events = await admin.send("/stats")
        assert "구 전체" in str(events[-1].reply_markup)
        await admin.press("구 전체")
        events = await _press(admin, "올해")
        summary = next(e for e in events if (e.text or "").startswith("📊 센터"))
        assert "센터 통계 · 구 전체 · 2026-01-01 ~ 2026-11-22" in summary.text
        assert "구 전체 기준" not in summary.text  # every figure is the district's
        document = next(e for e in events if e.message and e.message.get("document"))
        workbook = load_workbook(
            io.BytesIO(bot.emu.file_bytes(TOKEN, document.message["document"]["file_id"]))
        )
        votes = list(workbook["주민총회 투표율"].iter_rows(values_only=True))
        assert [r[:2] for r in votes[1:]] == [("2026 한빛1동 주민총회", "한빛1동")]

        async with world.sessionmaker() as s:
            from sqlalchemy import select

            from models.audit import AuditLog

            logged = (
                (await s.execute(select(AuditLog).where(AuditLog.action == "stats.report")))
                .scalars()
                .all()
            )
        assert [(e.actor, e.target_id) for e in logged] == [
            ("tg:7001", "hanbit1"), ("tg:7001", "hanbit1"), ("tg:900", "*"),
        ]  # fmt: skip
        assert not bot.errors


async def test_a_reminder_on_an_event_without_sign_up_is_no_participation(world):
    """Without sign-up, "Remind me" keeps a registration row only to hold the reminders:
    it reaches nobody and registers nobody; attending such an event does count."""
    t4 = datetime(2026, 9, 1, 10, 0, tzinfo=SEOUL)
    async with world.sessionmaker() as s, s.begin():
        await R.create_event(
            s,
            R.NewEvent(id="t4", kind="training", title={"ko": "교육 t4"}, starts_at=t4,
                       ends_at=t4 + timedelta(hours=2), place={"ko": "강당"}, dong="hanbit1",
                       registration_required=False),
            actor="t", now=world.clock.now(), tz=SEOUL,
        )  # fmt: skip
        u5 = (await s.execute(select(User).where(User.telegram_id == 5))).scalar_one()
        u6 = User(telegram_id=6, first_name="u6", created_at=IN_2025, last_seen_at=IN_2025,
                  active=True)  # fmt: skip
        s.add(u6)
        await s.flush()
        s.add_all([
            _registration("t4", t4, 0, u5, attended=False),  # a reminder, no more
            _registration("t4", t4, 0, u6, attended=True),  # came
        ])  # fmt: skip
    async with world.sessionmaker() as s:
        dong = await compute(s, YEAR, "hanbit1", SEOUL)
        course = next(
            r
            for r in await attendance.report(s, SEOUL, now=world.clock.now(), year=2026)
            if r.level == "course" and r.event_id == "t4"
        )
    assert dong.residents_reached == 4  # u1, u2, u3 as before, and u6 who came; not u5
    t4_row = next(r for r in dong.trainings if r.event_id == "t4")
    assert (t4_row.registered, t4_row.unique_people, t4_row.attendances) == (0, 1, 1)
    assert course.registered == t4_row.registered  # the events report counts the same
