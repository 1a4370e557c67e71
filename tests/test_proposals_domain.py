"""Agenda proposals against the database (SQLite and PostgreSQL): lifecycle with history,
authorization, merge, reports, rate limit, export, and concurrent supports."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from bot.core.users import grant_role
from bot.kb import records as kb
from bot.proposals import service as domain
from bot.proposals.export import ExportError, export_table
from bot.proposals.service import Actor, ProposalError
from models import AuditLog, Proposal, ProposalHistory, ProposalSupport, User
from models.proposal import ProposalStatus as S
from models.proposal import Visibility
from tests.conftest import SEOUL

ADMINS = frozenset({900})


@pytest.fixture
async def seeded(sessionmaker, clock):
    parsed, problems = kb.validate(kb.load_file(kb.demo_kb_path()))
    assert parsed is not None, problems
    async with sessionmaker() as s, s.begin():
        await kb.import_kb(s, parsed, clock.utcnow())
    return sessionmaker


async def make_user(session, telegram_id: int, now, *, staff_of: str | None = None) -> User:
    user = User(telegram_id=telegram_id, first_name=f"u{telegram_id}", created_at=now, active=True)
    session.add(user)
    await session.flush()
    if staff_of:
        await grant_role(session, telegram_id, "staff", dong_id=staff_of, actor="test", now=now)
    await session.refresh(user, ["roles"])
    return user


async def make_draft(
    session,
    author: User,
    now,
    *,
    dong="saeteo",
    theme="safety",
    title="놀이터 안전펜스 설치",
    description="놀이터 옆 찻길이 위험해서 아이들을 위한 안전펜스가 필요합니다.",
):
    """``author``'s draft, filled in and ready to submit."""
    draft = await domain.new_draft(session, author.id, now)
    await domain.update_draft(
        session, draft, now, dong_id=dong, category_id=theme, title=title, description=description
    )
    return draft


async def make_proposal(session, author: User, now, **fields) -> Proposal:
    """A submitted proposal (``fields``: :func:`make_draft`'s)."""
    draft = await make_draft(session, author, now, **fields)
    return await domain.submit(session, draft, author, now=now, tz=SEOUL, per_day=100)


async def proposal_to_decide(session, now, author_id: int = 1) -> tuple[User, User, Proposal]:
    """A submitted proposal of 새터동 by the user ``author_id``, and user 2, staff of 새터동,
    to decide it: (author, staff, proposal)."""
    author = await make_user(session, author_id, now)
    staff = await make_user(session, 2, now, staff_of="saeteo")
    return author, staff, await make_proposal(session, author, now)


async def test_lifecycle_records_who_when_why(seeded, clock):
    async with seeded() as s, s.begin():
        now = clock.utcnow()
        author, staff, p = await proposal_to_decide(s, now)
        assert (p.status, p.support_count, p.visibility) == (S.SUBMITTED, 0, Visibility.VISIBLE)
        assert await domain.get_draft(s, author.id) is None  # the draft became the proposal

        clock.advance(hours=1)
        await domain.change_status(s, p, S.UNDER_REVIEW, actor=Actor.of(staff), now=clock.utcnow())
        clock.advance(days=2)
        decided = clock.utcnow()
        await domain.change_status(
            s,
            p,
            S.ACCEPTED,
            actor=Actor.of(staff),
            now=decided,
            answer="5월 총회 안건으로 올립니다.",
        )
        for wanted in (S.SELECTED, S.IN_PROGRESS, S.DONE):
            await domain.change_status(s, p, wanted, actor=Actor(None, "cli:root"), now=decided)
        history = await domain.history(s, p.id)
    assert [(h.action, h.from_status, h.to_status) for h in history] == [
        ("submit", None, "submitted"),
        ("status", "submitted", "under_review"),
        ("status", "under_review", "accepted"),
        ("status", "accepted", "selected"),
        ("status", "selected", "in_progress"),
        ("status", "in_progress", "done"),
    ]
    assert [h.actor for h in history] == [
        "tg:1",
        "tg:2",
        "tg:2",
        "cli:root",
        "cli:root",
        "cli:root",
    ]
    assert history[1].actor_id == staff.id and history[3].actor_id is None
    assert history[1].at == now + timedelta(hours=1)
    assert history[2].at == decided and history[2].reason == "5월 총회 안건으로 올립니다."
    async with seeded() as s:
        stored = await s.get(Proposal, p.id)
        assert stored.answer == "5월 총회 안건으로 올립니다." and stored.answered_at == decided
        audit = await s.execute(select(AuditLog.action).where(AuditLog.target_type == "proposal"))
        assert list(audit.scalars()) == ["proposal.status"] * 5


async def test_illegal_and_unauthorized_moves_are_refused(seeded, clock):
    async with seeded() as s, s.begin():
        now = clock.utcnow()
        author, staff, p = await proposal_to_decide(s, now)
        resident = await make_user(s, 3, now)
        other_staff = await make_user(s, 4, now, staff_of="garam")
        admin = await make_user(s, 900, now)  # in ADMIN_IDS

        with pytest.raises(ProposalError) as err:
            await domain.change_status(s, p, S.ACCEPTED, actor=Actor.of(staff), now=now)
        assert err.value.message == domain.ILLEGAL
        assert err.value.params == {"current": S.SUBMITTED, "wanted": S.ACCEPTED}
        for intruder in (author, resident, other_staff):
            with pytest.raises(ProposalError) as err:
                await domain.change_status(s, p, S.UNDER_REVIEW, actor=Actor.of(intruder), now=now)
            assert err.value.message == domain.NOT_STAFF
            with pytest.raises(ProposalError):
                await domain.hide(s, p, actor=Actor.of(intruder), now=now, reason="x")
        with pytest.raises(ProposalError) as err:  # staff cannot withdraw for the author
            await domain.change_status(s, p, S.WITHDRAWN, actor=Actor.of(staff), now=now)
        assert err.value.message == domain.NOT_AUTHOR

        await domain.change_status(
            s, p, S.UNDER_REVIEW, actor=Actor.of(admin), now=now, admin_ids=ADMINS
        )
        with pytest.raises(ProposalError) as err:
            await domain.change_status(s, p, S.REJECTED, actor=Actor.of(staff), now=now, answer=" ")
        assert err.value.message == domain.REASON_NEEDED
        await domain.change_status(s, p, S.WITHDRAWN, actor=Actor.of(author), now=now)
        with pytest.raises(ProposalError):
            await domain.change_status(s, p, S.UNDER_REVIEW, actor=Actor.of(staff), now=now)
        assert p.status == S.WITHDRAWN


async def test_a_stale_decision_loses_to_the_first(seeded, clock):
    async with seeded() as s, s.begin():
        now = clock.utcnow()
        *_, p = await proposal_to_decide(s, now)
        pid = p.id
    async with seeded() as first, seeded() as second:
        a = await first.get(Proposal, pid)
        b = await second.get(Proposal, pid)
        staff_a = (await first.execute(select(User).where(User.telegram_id == 2))).scalar_one()
        staff_b = (await second.execute(select(User).where(User.telegram_id == 2))).scalar_one()
        await domain.change_status(first, a, S.UNDER_REVIEW, actor=Actor.of(staff_a), now=now)
        await first.commit()
        with pytest.raises(ProposalError) as err:
            await domain.change_status(second, b, S.UNDER_REVIEW, actor=Actor.of(staff_b), now=now)
        assert err.value.message == domain.CHANGED_MEANWHILE


async def test_merge_carries_supporters_without_double_counting(seeded, clock):
    async with seeded() as s, s.begin():
        now = clock.utcnow()
        staff = await make_user(s, 2, now, staff_of="saeteo")
        users = [await make_user(s, 100 + i, now) for i in range(5)]
        source = await make_proposal(s, users[0], now, title="놀이터 CCTV 설치")
        target = await make_proposal(s, users[1], now, title="어린이 놀이터 CCTV 요청")
        elsewhere = await make_proposal(s, users[2], now, dong="garam", title="가람동 가로등")
        for u in users[1:4]:  # 101, 102, 103 support the source
            await domain.toggle_support(s, source.id, u.id, now)
        for u in users[2:5]:  # 102, 103, 104 support the target
            await domain.toggle_support(s, target.id, u.id, now)
        await domain.change_status(s, source, S.UNDER_REVIEW, actor=Actor.of(staff), now=now)

        for bad, message in (
            (None, domain.MERGE_NEEDS_TARGET),
            (source.id, domain.MERGE_SELF),
            (elsewhere.id, domain.MERGE_BAD_TARGET),  # another dong
            (99999, domain.MERGE_BAD_TARGET),
        ):
            with pytest.raises(ProposalError) as err:
                await domain.change_status(
                    s, source, S.MERGED, actor=Actor.of(staff), now=now, merge_into=bad
                )
            assert err.value.message == message
        await domain.change_status(
            s,
            source,
            S.MERGED,
            actor=Actor.of(staff),
            now=now,
            merge_into=target.id,
            answer="같은 내용이라 합쳤습니다.",
        )
        await s.refresh(target)
        supporters = await s.execute(
            select(ProposalSupport.user_id).where(ProposalSupport.proposal_id == target.id)
        )
        # 102 and 103 supported both: counted once; 101 wrote the target: not its own supporter
        assert sorted(supporters.scalars()) == sorted(u.id for u in users[2:5])
        assert target.support_count == 3 == await domain.count_supports(s, target.id)
        assert source.merged_into_id == target.id and source.status == S.MERGED
        with pytest.raises(ProposalError):  # merged is final
            await domain.toggle_support(s, source.id, users[4].id, now)


async def test_support_is_a_toggle_and_closed_proposals_refuse(seeded, clock):
    async with seeded() as s, s.begin():
        now = clock.utcnow()
        _, staff, p = await proposal_to_decide(s, now)
        fan = await make_user(s, 5, now)
        on = await domain.toggle_support(s, p.id, fan.id, now)
        assert (on.supported, on.changed, on.count) == (True, True, 1)
        again = await domain.toggle_support(s, p.id, fan.id, now, want=True)
        assert (again.supported, again.changed, again.count) == (True, False, 1)
        off = await domain.toggle_support(s, p.id, fan.id, now)
        assert (off.supported, off.count) == (False, 0)
        await domain.change_status(s, p, S.UNDER_REVIEW, actor=Actor.of(staff), now=now)
        await domain.change_status(
            s, p, S.REJECTED, actor=Actor.of(staff), now=now, answer="예산 부족"
        )
        with pytest.raises(ProposalError) as err:
            await domain.toggle_support(s, p.id, fan.id, now)
        assert err.value.message == domain.SUPPORT_CLOSED
        with pytest.raises(ProposalError):
            await domain.toggle_support(s, 424242, fan.id, now)


async def test_repeated_reports_hide_pending_review_and_restore_dismisses(seeded, clock):
    async with seeded() as s, s.begin():
        now = clock.utcnow()
        author, staff, p = await proposal_to_decide(s, now)
        reporters = [await make_user(s, 10 + i, now) for i in range(4)]
        with pytest.raises(ProposalError):
            await domain.report(s, p, author, now)
        first = await domain.report(s, p, reporters[0], now)
        twice = await domain.report(s, p, reporters[0], now)  # the same person again
        assert (first.new, twice.new, twice.reports, twice.flagged) == (True, False, 1, False)
        await domain.report(s, p, reporters[1], now)
        third = await domain.report(s, p, reporters[2], now)
        assert third.flagged and p.visibility == Visibility.FLAGGED
        with pytest.raises(ProposalError):  # hidden: no support meanwhile
            await domain.toggle_support(s, p.id, reporters[3].id, now)
        page = await domain.review_queue(s, "reported", {"saeteo"})
        assert [x.id for x in page.items] == [p.id]
        await domain.restore(s, p, actor=Actor.of(staff), now=now)
        assert p.visibility == Visibility.VISIBLE
        assert await domain.open_reports(s, p.id) == 0
        fourth = await domain.report(s, p, reporters[3], now)
        assert not fourth.flagged  # one new report after the restore
        await domain.hide(s, p, actor=Actor.of(staff), now=now, reason="개인정보 포함")
        assert p.visibility == Visibility.HIDDEN and p.answer == "개인정보 포함"
        actions = [h.action for h in await domain.history(s, p.id)]
    assert actions == ["submit", "flag", "restore", "hide"]


async def test_rate_limit_per_day_in_the_configured_zone(seeded, clock):
    from datetime import datetime

    clock.set(datetime(2026, 11, 22, 23, 50, tzinfo=SEOUL))
    async with seeded() as s, s.begin():
        author = await make_user(s, 1, clock.utcnow())
        care = {"theme": "care", "description": "설명은 스무 글자를 넘겨야 합니다. 충분히 길게."}
        for i in range(2):
            draft = await make_draft(
                s, author, clock.utcnow(), title=f"제안 {i} 제목입니다", **care
            )
            await domain.submit(s, draft, author, now=clock.utcnow(), tz=SEOUL, per_day=2)
        draft = await make_draft(s, author, clock.utcnow(), title="세 번째 제안", **care)
        with pytest.raises(ProposalError) as err:
            await domain.submit(s, draft, author, now=clock.utcnow(), tz=SEOUL, per_day=2)
        assert err.value.params == {"limit": 2}
        assert await domain.get_draft(s, author.id) is not None  # the draft is kept
        clock.advance(minutes=15)  # 00:05 the next day in Seoul (15:05 UTC)
        p = await domain.submit(s, draft, author, now=clock.utcnow(), tz=SEOUL, per_day=2)
        assert p.id


async def test_similar_proposals_same_dong_and_theme_only(seeded, clock):
    async with seeded() as s, s.begin():
        now = clock.utcnow()
        u = await make_user(s, 1, now)
        cctv = await make_proposal(
            s,
            u,
            now,
            title="놀이터에 CCTV를 설치해 주세요",
            description="밤마다 놀이터에 청소년들이 모여 불안합니다. CCTV를 달아 주세요.",
        )
        await make_proposal(
            s,
            u,
            now,
            dong="garam",
            title="놀이터에 CCTV를 설치해 주세요",
            description="밤마다 놀이터에 청소년들이 모여 불안합니다. CCTV를 달아 주세요.",
        )
        await make_proposal(
            s,
            u,
            now,
            theme="care",
            title="놀이터에 CCTV를 설치해 주세요",
            description="밤마다 놀이터에 청소년들이 모여 불안합니다. CCTV를 달아 주세요.",
        )
        await make_proposal(
            s,
            u,
            now,
            title="주민 텃밭을 만들어 주세요",
            description="빈 공터를 주민 텃밭으로 만들어 함께 가꾸면 좋겠습니다.",
        )
        found = await domain.find_similar(
            s,
            dong_id="saeteo",
            category_id="safety",
            title="어린이 놀이터 CCTV 설치 요청",
            description="놀이터 안전을 위해 방범용 CCTV가 필요합니다.",
        )
    assert [p.id for p, _ in found] == [cctv.id]


async def test_export_has_the_committee_columns_and_no_personal_data(seeded, clock):
    async with seeded() as s, s.begin():
        now = clock.utcnow()
        author, staff, p = await proposal_to_decide(s, now, author_id=777000111)
        await make_proposal(s, author, now, dong="garam")
        await domain.change_status(s, p, S.UNDER_REVIEW, actor=Actor.of(staff), now=now)
        await domain.change_status(s, p, S.ACCEPTED, actor=Actor.of(staff), now=now, answer="OK")
    async with seeded() as s:
        table = await export_table(s, tz=SEOUL, dong_id="saeteo")
        assert len(table.rows) == 1
        row = dict(zip(table.columns, table.rows[0], strict=True))
        assert row["dong"] == "새터동" and row["theme"] == "안전" and row["status"] == "accepted"
        assert row["submitted_at"] == "2026-11-22 10:00" and row["answer"] == "OK"
        assert "777000111" not in repr(table.rows) and "u777000111" not in repr(table.rows)
        assert len((await export_table(s, tz=SEOUL, status="submitted")).rows) == 1
        with pytest.raises(ExportError):
            await export_table(s, tz=SEOUL, status="nonsense")
        with pytest.raises(ExportError):
            await export_table(s, tz=SEOUL, dong_id="atlantis")


async def test_dong_settings(seeded, clock):
    async with seeded() as s, s.begin():
        now = clock.utcnow()
        assert (
            await domain.dong_settings(s, "saeteo")
        ).threshold == domain.DEFAULT_SUPPORT_THRESHOLD
        cli = Actor(None, "cli:test")
        got = await domain.configure_dong(s, "saeteo", actor=cli, now=now, threshold=3)
        assert (got.threshold, got.staff_chat_id, got.custom_threshold) == (3, None, True)
        got = await domain.configure_dong(s, "saeteo", actor=cli, now=now, staff_chat_id=-100)
        assert (got.threshold, got.staff_chat_id) == (3, -100)
        got = await domain.configure_dong(s, "saeteo", actor=cli, now=now, threshold=None)
        assert (got.threshold, got.staff_chat_id) == (domain.DEFAULT_SUPPORT_THRESHOLD, -100)
        assert await domain.staff_chats(s) == {-100: "saeteo"}
        with pytest.raises(ProposalError):
            await domain.configure_dong(s, "atlantis", actor=cli, now=now, threshold=3)


# --- concurrency: 50 sessions at once, each its own transaction -------------------------------


async def _setup_concurrency(seeded, clock, users: int, threshold: int | None = None):
    async with seeded() as s, s.begin():
        now = clock.utcnow()
        author = await make_user(s, 1, now)
        people = [await make_user(s, 1000 + i, now) for i in range(users)]
        p = await make_proposal(s, author, now)
        if threshold is not None:
            await domain.configure_dong(
                s, "saeteo", actor=Actor(None, "test"), now=now, threshold=threshold
            )
        return p.id, [u.id for u in people]


async def _toggle(seeded, clock, proposal_id: int, user_id: int):
    async with seeded() as s, s.begin():
        return await domain.toggle_support(s, proposal_id, user_id, clock.utcnow())


async def _counts(seeded, proposal_id: int) -> tuple[int, int]:
    async with seeded() as s:
        counter = (await s.get(Proposal, proposal_id)).support_count
        rows = await s.execute(
            select(func.count()).where(ProposalSupport.proposal_id == proposal_id)
        )
        return counter, rows.scalar_one()


@pytest.mark.slow
async def test_50_parallel_supports_by_different_users_count_exactly(seeded, clock):
    pid, people = await _setup_concurrency(seeded, clock, 50, threshold=30)
    results = await asyncio.gather(*(_toggle(seeded, clock, pid, u) for u in people))
    assert all(r.supported for r in results)
    assert await _counts(seeded, pid) == (50, 50)
    assert sorted(r.count for r in results) == list(range(1, 51))
    assert sum(r.threshold_reached for r in results) == 1  # staff are told exactly once
    # and all of them take it back at once
    await asyncio.gather(*(_toggle(seeded, clock, pid, u) for u in people))
    assert await _counts(seeded, pid) == (0, 0)


@pytest.mark.slow
async def test_50_parallel_toggles_by_one_user_leave_0_or_1(seeded, clock):
    pid, people = await _setup_concurrency(seeded, clock, 1)
    for toggles in (50, 51):
        results = await asyncio.gather(
            *(_toggle(seeded, clock, pid, people[0]) for _ in range(toggles))
        )
        counter, rows = await _counts(seeded, pid)
        assert counter == rows and rows in (0, 1)
        # every toggle changed the row once: the final state follows from their number
        assert all(r.changed for r in results)
        assert sum(1 if r.supported else -1 for r in results) == rows
        async with seeded() as s:  # reset for the next round
            async with s.begin():
                if rows:
                    await domain.toggle_support(s, pid, people[0], clock.utcnow())
    assert await _counts(seeded, pid) == (0, 0)


async def test_supports_are_not_history_and_not_ones_own(seeded, clock):
    async with seeded() as s, s.begin():
        now = clock.utcnow()
        author = await make_user(s, 1, now)
        fan = await make_user(s, 5, now)
        p = await make_proposal(s, author, now)
        with pytest.raises(ProposalError) as err:
            await domain.toggle_support(s, p.id, author.id, now)
        assert err.value.message == domain.SUPPORT_OWN
        await domain.toggle_support(s, p.id, fan.id, now)
        rows = await s.execute(
            select(func.count())
            .select_from(ProposalHistory)
            .where(ProposalHistory.proposal_id == p.id)
        )
        assert rows.scalar_one() == 1  # supports are not lifecycle steps
