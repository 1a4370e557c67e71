"""Agenda proposals (마을의제): lifecycle, supports, reports, drafts and queries.

Pure domain logic, no Telegram. The lifecycle is a state machine::

    submitted → under_review → accepted | rejected (reason required)
                             | merged (into another; supporters carried over)
    submitted | under_review → withdrawn (by the author only)
    accepted → selected | not_selected (the assembly ballot) ; selected → in_progress → done

Every move is checked (:data:`TRANSITIONS`, who may make it — never a staff member on
their own proposal: another staff member of the dong or the district admin reviews it) and
stored as a :class:`~models.proposal.ProposalHistory` row with the actor, the time of the
injected clock and the reason. Illegal moves raise :class:`ProposalError`, whose
``message`` is an English msgid (marked with ``N_``) the handlers translate with
``params``.

Visibility is separate from the status: a proposal reported by :data:`REPORTS_TO_FLAG`
people is *flagged* (hidden pending review); staff can *hide* or *restore* it.

Supports (공감) are concurrency-safe without application locks: the unique constraint on
(proposal, user) decides, a toggle is "delete my row, else insert it (on conflict do
nothing)", and the counter moves by the number of rows changed in the same transaction.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta, tzinfo
from typing import Any, Final

from sqlalchemy import ColumnElement, and_, delete, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core import audit, statements
from bot.core.i18n import N_
from bot.core.users import is_admin, is_staff_of
from bot.proposals.similar import THRESHOLD, signature, similarity_of
from models.kb import Category, Dong
from models.proposal import (
    HistoryAction,
    Proposal,
    ProposalDongSettings,
    ProposalDraft,
    ProposalHistory,
    ProposalReport,
    ProposalStatus,
    ProposalSupport,
    Visibility,
)
from models.user import Role, User, UserRole

S = ProposalStatus

DEFAULT_SUPPORT_THRESHOLD: Final = 20
REPORTS_TO_FLAG: Final = 3
TITLE_MIN, TITLE_MAX = 5, 80
DESCRIPTION_MIN, DESCRIPTION_MAX = 20, 2000
# Letters (any script) a title and a description need: a text of emoji, digits and symbols
# only passes the lengths but says nothing, and a proposal is public.
TITLE_LETTERS, DESCRIPTION_LETTERS = 2, 10
ANSWER_MAX: Final = 1000
SIMILAR_LIMIT: Final = 3

TRANSITIONS: Final[dict[ProposalStatus, frozenset[ProposalStatus]]] = {
    S.SUBMITTED: frozenset({S.UNDER_REVIEW, S.WITHDRAWN}),
    S.UNDER_REVIEW: frozenset({S.ACCEPTED, S.REJECTED, S.MERGED, S.WITHDRAWN}),
    S.ACCEPTED: frozenset({S.SELECTED, S.NOT_SELECTED}),
    S.SELECTED: frozenset({S.IN_PROGRESS}),
    S.IN_PROGRESS: frozenset({S.DONE}),
    S.REJECTED: frozenset(),
    S.MERGED: frozenset(),
    S.WITHDRAWN: frozenset(),
    S.NOT_SELECTED: frozenset(),
    S.DONE: frozenset(),
}
AUTHOR_TRANSITIONS: Final = frozenset({S.WITHDRAWN})
"""Only the author makes these; staff make all the others."""
REASON_REQUIRED: Final = frozenset({S.REJECTED})
SUPPORT_OPEN: Final = frozenset({S.SUBMITTED, S.UNDER_REVIEW, S.ACCEPTED})
"""Statuses in which residents can support (and take back their support)."""
OPEN_STATUSES: Final = frozenset({S.SUBMITTED, S.UNDER_REVIEW, S.ACCEPTED})
"""A proposal can be merged into one of these."""
LISTED_STATUSES: Final = frozenset(set(S) - {S.WITHDRAWN, S.MERGED})
"""Shown when browsing by dong, theme or support (one's own are all shown)."""
SIMILAR_STATUSES: Final = frozenset(set(S) - {S.WITHDRAWN, S.MERGED, S.REJECTED})

# --- messages (English msgids; the handlers translate them) --------------------------------
NOT_FOUND = N_("That proposal does not exist.")
ILLEGAL = N_("A proposal that is “{current}” cannot become “{wanted}”.")
CHANGED_MEANWHILE = N_("Someone changed this proposal meanwhile. Please look at it again.")
NOT_STAFF = N_("Only staff of this proposal's dong can do that.")
NOT_AUTHOR = N_("Only the proposer can withdraw a proposal.")
REVIEW_OWN = N_(
    "This is your own proposal: another staff member of the dong, or the district admin, "
    "must review it."
)
REASON_NEEDED = N_("A rejection needs a reason. Please type it.")
ANSWER_TOO_LONG = N_("The answer is too long ({length} characters). Please keep it under {limit}.")
MERGE_NEEDS_TARGET = N_("Choose the proposal to merge this one into.")
MERGE_SELF = N_("A proposal cannot be merged into itself.")
MERGE_BAD_TARGET = N_(
    "Proposal #{target} cannot take this one: it must be an open, visible proposal of the "
    "same dong."
)
ALREADY_HIDDEN = N_("This proposal is already hidden.")
NOT_HIDDEN = N_("This proposal is not hidden.")
HIDE_REASON_NEEDED = N_("Hiding a proposal needs a reason. Please type it.")
SUPPORT_CLOSED = N_("Support is closed for this proposal ({status}).")
SUPPORT_HIDDEN = N_("This proposal is hidden pending review.")
SUPPORT_OWN = N_(
    "You cannot support your own proposal. Share it with your neighbours and ask for theirs."
)
SUPPORT_BUSY = N_("Many people are pressing at once. Please try again.")
REPORT_OWN = N_("You cannot report your own proposal.")
TITLE_SHORT = N_("The title is too short ({length} characters). Please use at least {min}.")
TITLE_LONG = N_("The title is too long ({length} characters). Please keep it to {max}.")
DESCRIPTION_SHORT = N_(
    "The description is too short ({length} characters). Please write at least {min}."
)
DESCRIPTION_LONG = N_("The description is too long ({length} characters). Please keep it to {max}.")
TITLE_WORDLESS = N_(
    "The title needs words: at least {min} letters, not only emoji, digits or symbols."
)
DESCRIPTION_WORDLESS = N_(
    "Please describe your proposal in words: at least {min} letters, not only emoji, digits "
    "or symbols."
)
UNKNOWN_DONG = N_("That dong does not exist (any more). Please choose one from the list.")
UNKNOWN_THEME = N_("That theme does not exist (any more). Please choose one from the list.")
DRAFT_INCOMPLETE = N_("The draft is not complete yet.")
TOO_MANY_TODAY = N_(
    "You have reached today's limit of proposals ({limit} a day). Please try again "
    "tomorrow; your draft is kept."
)


class ProposalError(Exception):
    """A refused action. ``message`` is an English msgid; ``params`` fill its placeholders
    (ints, strings and :class:`ProposalStatus` values, which the handler localizes)."""

    def __init__(self, message: str, **params: object) -> None:
        super().__init__(message.format(**params) if params else message)
        self.message = message
        self.params = params


@dataclass(frozen=True)
class Actor:
    """Who acts. ``user`` None means the command line or the system (trusted)."""

    user: User | None
    label: str

    @classmethod
    def of(cls, user: User) -> Actor:
        return cls(user, f"tg:{user.telegram_id}")


SYSTEM = Actor(None, "system")


# ---------------------------------------------------------------------------------------
# Validation
# ---------------------------------------------------------------------------------------


def letters(text: str) -> int:
    """The letters in ``text``, of any script (Unicode category L*: Hangul, Latin, Han,
    Cyrillic…); digits, punctuation, symbols, emoji and spaces are not."""
    return sum(1 for char in text if unicodedata.category(char).startswith("L"))


@dataclass(frozen=True)
class _Bounds:
    """What a typed text must be: its length between ``shortest`` and ``longest``, with at
    least ``letters`` letters; each refusal's message."""

    shortest: int
    longest: int
    letters: int
    short: str
    long: str
    wordless: str


_TITLE = _Bounds(TITLE_MIN, TITLE_MAX, TITLE_LETTERS, TITLE_SHORT, TITLE_LONG, TITLE_WORDLESS)
_DESCRIPTION = _Bounds(
    DESCRIPTION_MIN,
    DESCRIPTION_MAX,
    DESCRIPTION_LETTERS,
    DESCRIPTION_SHORT,
    DESCRIPTION_LONG,
    DESCRIPTION_WORDLESS,
)


def _within(text: str, bounds: _Bounds) -> str:
    """``text`` (already cleaned) when it is within ``bounds``; else the refusal."""
    if len(text) < bounds.shortest:
        raise ProposalError(bounds.short, length=len(text), min=bounds.shortest)
    if len(text) > bounds.longest:
        raise ProposalError(bounds.long, length=len(text), max=bounds.longest)
    if letters(text) < bounds.letters:
        raise ProposalError(bounds.wordless, min=bounds.letters)
    return text


def clean_title(text: str) -> str:
    return _within(re.sub(r"\s+", " ", text).strip(), _TITLE)


def clean_description(text: str) -> str:
    body = re.sub(r"\n{3,}", "\n\n", text.replace("\r\n", "\n").replace("\r", "\n"))
    return _within(body.strip(), _DESCRIPTION)


def clean_answer(text: str | None) -> str | None:
    answer = (text or "").strip()
    if len(answer) > ANSWER_MAX:
        raise ProposalError(ANSWER_TOO_LONG, length=len(answer), limit=ANSWER_MAX)
    return answer or None


# ---------------------------------------------------------------------------------------
# The state machine
# ---------------------------------------------------------------------------------------


def can_transition(current: str, wanted: str) -> bool:
    return S(wanted) in TRANSITIONS[S(current)]


def next_statuses(current: str, *, author: bool) -> list[ProposalStatus]:
    """The moves the author (``author=True``) or staff can make from ``current``."""
    allowed = TRANSITIONS[S(current)]
    keep = AUTHOR_TRANSITIONS if author else set(S) - AUTHOR_TRANSITIONS
    return [s for s in S if s in allowed and s in keep]


def _authorize(
    proposal: Proposal, wanted: ProposalStatus | None, actor: Actor, admins: frozenset[int]
) -> None:
    user = actor.user
    if user is None:
        return
    if wanted in AUTHOR_TRANSITIONS:
        if user.id != proposal.author_id:
            raise ProposalError(NOT_AUTHOR)
        return
    if not is_staff_of(user, proposal.dong_id, admins):
        raise ProposalError(NOT_STAFF)
    if user.id == proposal.author_id:  # a conflict of interest: someone else decides
        raise ProposalError(REVIEW_OWN)


def is_staff_for(user: User, proposal: Proposal, admins: frozenset[int]) -> bool:
    return is_staff_of(user, proposal.dong_id, admins)


async def get_proposal(session: AsyncSession, proposal_id: int) -> Proposal | None:
    return await session.get(Proposal, proposal_id, populate_existing=True)


async def _record(
    session: AsyncSession,
    proposal: Proposal,
    action: HistoryAction,
    actor: Actor,
    now: datetime,
    *,
    from_status: str | None,
    reason: str | None = None,
) -> ProposalHistory:
    entry = ProposalHistory(
        proposal_id=proposal.id,
        action=action.value,
        from_status=from_status,
        to_status=proposal.status,
        actor_id=actor.user.id if actor.user is not None else None,
        actor=actor.label,
        at=now,
        reason=reason,
    )
    session.add(entry)
    await session.flush()
    if actor is not SYSTEM and action != HistoryAction.SUBMIT:
        await _audit(
            session,
            actor,
            now,
            f"proposal.{action.value}",
            ("proposal", str(proposal.id)),
            {"from": from_status, "to": proposal.status, "visibility": proposal.visibility},
        )
    return entry


async def _audit(
    session: AsyncSession,
    actor: Actor,
    now: datetime,
    action: str,
    target: tuple[str, str],
    details: dict[str, Any],
) -> None:
    """An entry in the audit log: ``actor`` did ``action`` to ``target`` (its type and id)."""
    await audit.record(
        session,
        at=now,
        actor=actor.label,
        actor_telegram_id=actor.user.telegram_id if actor.user is not None else None,
        action=action,
        target_type=target[0],
        target_id=target[1],
        details=details,
    )


async def change_status(
    session: AsyncSession,
    proposal: Proposal,
    wanted: ProposalStatus,
    *,
    actor: Actor,
    now: datetime,
    admin_ids: frozenset[int] = frozenset(),
    answer: str | None = None,
    merge_into: int | None = None,
) -> ProposalHistory:
    """Move ``proposal`` to ``wanted``; ``answer`` is the official answer (the reason)."""
    _authorize(proposal, wanted, actor, admin_ids)
    current = S(proposal.status)
    if not can_transition(current, wanted):
        raise ProposalError(ILLEGAL, current=current, wanted=wanted)
    reason = clean_answer(answer)
    if wanted in REASON_REQUIRED and reason is None:
        raise ProposalError(REASON_NEEDED)
    target: Proposal | None = None
    if wanted == S.MERGED:
        target = await check_merge_target(session, proposal, merge_into)
    values: dict[str, Any] = {"status": wanted.value, "updated_at": now}
    if reason is not None and wanted not in AUTHOR_TRANSITIONS:
        values |= {"answer": reason, "answered_at": now}
    if target is not None:
        values["merged_into_id"] = target.id
    # Conditional on the status we checked: two staff pressing at once cannot both win.
    await _update_unchanged(session, proposal, Proposal.status == current.value, values)
    if target is not None:
        await _carry_supporters(session, proposal.id, target.id, now)
        await session.refresh(target)
    return await _record(
        session, proposal, HistoryAction.STATUS, actor, now, from_status=current, reason=reason
    )


async def check_merge_target(
    session: AsyncSession, proposal: Proposal, merge_into: int | None
) -> Proposal:
    """The proposal ``proposal`` can be merged into, or a :class:`ProposalError`."""
    if merge_into is None:
        raise ProposalError(MERGE_NEEDS_TARGET)
    if merge_into == proposal.id:
        raise ProposalError(MERGE_SELF)
    target = await get_proposal(session, merge_into)
    if (
        target is None
        or target.dong_id != proposal.dong_id
        or target.status not in OPEN_STATUSES
        or target.visibility != Visibility.VISIBLE
    ):
        raise ProposalError(MERGE_BAD_TARGET, target=merge_into)
    return target


async def _carry_supporters(
    session: AsyncSession, source_id: int, target_id: int, now: datetime
) -> None:
    """Supporters of the source support the target too; nobody is counted twice, and the
    target's author does not come to support their own proposal."""
    rows = await session.execute(
        select(ProposalSupport.user_id).where(ProposalSupport.proposal_id == source_id)
    )
    target_author = (
        await session.execute(select(Proposal.author_id).where(Proposal.id == target_id))
    ).scalar_one()
    users = [user_id for (user_id,) in rows.all() if user_id != target_author]
    if users:
        insert = statements.insert_for(session)
        await session.execute(
            insert(ProposalSupport)
            .values([{"proposal_id": target_id, "user_id": u, "created_at": now} for u in users])
            .on_conflict_do_nothing(index_elements=["proposal_id", "user_id"])
        )
    await _recount(session, target_id)


async def _recount(session: AsyncSession, proposal_id: int) -> None:
    count = (
        select(func.count())
        .select_from(ProposalSupport)
        .where(ProposalSupport.proposal_id == proposal_id)
        .scalar_subquery()
    )
    await session.execute(
        update(Proposal)
        .where(Proposal.id == proposal_id)
        .values(support_count=count)
        .execution_options(synchronize_session=False)
    )


async def hide(
    session: AsyncSession,
    proposal: Proposal,
    *,
    actor: Actor,
    now: datetime,
    reason: str | None,
    admin_ids: frozenset[int] = frozenset(),
) -> ProposalHistory:
    """Staff hide a proposal (visible or flagged by reports); the reason is required."""
    _authorize(proposal, None, actor, admin_ids)
    if proposal.visibility == Visibility.HIDDEN:
        raise ProposalError(ALREADY_HIDDEN)
    text = clean_answer(reason)
    if text is None:
        raise ProposalError(HIDE_REASON_NEEDED)
    return await _set_visibility(
        session, proposal, Visibility.HIDDEN, HistoryAction.HIDE, actor, now, answer=text
    )


async def restore(
    session: AsyncSession,
    proposal: Proposal,
    *,
    actor: Actor,
    now: datetime,
    reason: str | None = None,
    admin_ids: frozenset[int] = frozenset(),
) -> ProposalHistory:
    """Staff make a hidden or flagged proposal visible again; its reports are dismissed."""
    _authorize(proposal, None, actor, admin_ids)
    if proposal.visibility == Visibility.VISIBLE:
        raise ProposalError(NOT_HIDDEN)
    text = clean_answer(reason)
    await session.execute(
        update(ProposalReport)
        .where(ProposalReport.proposal_id == proposal.id)
        .values(dismissed=True)
        .execution_options(synchronize_session=False)
    )
    return await _set_visibility(
        session, proposal, Visibility.VISIBLE, HistoryAction.RESTORE, actor, now, answer=text
    )


async def _set_visibility(
    session: AsyncSession,
    proposal: Proposal,
    visibility: Visibility,
    action: HistoryAction,
    actor: Actor,
    now: datetime,
    *,
    answer: str | None,
) -> ProposalHistory:
    values: dict[str, Any] = {"visibility": visibility.value, "updated_at": now}
    if answer is not None:
        values |= {"answer": answer, "answered_at": now}
    await _update_unchanged(session, proposal, Proposal.visibility == proposal.visibility, values)
    return await _record(
        session, proposal, action, actor, now, from_status=proposal.status, reason=answer
    )


async def _update_unchanged(
    session: AsyncSession, proposal: Proposal, unchanged: Any, values: dict[str, Any]
) -> None:
    """Write ``values`` to the proposal only while ``unchanged`` (what was checked) still
    holds; a change by someone else in between is refused."""
    result = await session.execute(
        update(Proposal)
        .where(Proposal.id == proposal.id, unchanged)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    if statements.rowcount(result) != 1:
        raise ProposalError(CHANGED_MEANWHILE)
    await session.refresh(proposal)


# ---------------------------------------------------------------------------------------
# Supports and reports
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SupportResult:
    supported: bool
    """Whether the user supports the proposal now."""
    changed: bool
    count: int
    threshold_reached: bool
    """True once: the support that first reached the dong's threshold."""
    threshold: int


async def toggle_support(
    session: AsyncSession,
    proposal_id: int,
    user_id: int,
    now: datetime,
    *,
    want: bool | None = None,
) -> SupportResult:
    """Toggle the user's support (``want=None``), or make sure it is on / off.

    Safe under concurrency on SQLite and PostgreSQL: each session's rows decide.
    """
    # FOR UPDATE (PostgreSQL) queues the toggles of one proposal behind each other, so a
    # toggle sees the status and rows the previous one committed; SQLite serializes writers.
    proposal = (
        await session.execute(
            select(Proposal)
            .where(Proposal.id == proposal_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
    ).scalar_one_or_none()
    if proposal is None:
        raise ProposalError(NOT_FOUND)
    if proposal.visibility != Visibility.VISIBLE:
        raise ProposalError(SUPPORT_HIDDEN)
    if proposal.status not in SUPPORT_OPEN:
        raise ProposalError(SUPPORT_CLOSED, status=S(proposal.status))
    if proposal.author_id == user_id:
        raise ProposalError(SUPPORT_OWN)
    mine = and_(ProposalSupport.proposal_id == proposal_id, ProposalSupport.user_id == user_id)
    insert = statements.insert_for(session)
    delta: int | None = None
    for _attempt in range(50):
        if want is not True:
            deleted = statements.rowcount(
                await session.execute(delete(ProposalSupport).where(mine))
            )
            if deleted or want is False:
                delta = -deleted
                break
        stmt = (
            insert(ProposalSupport)
            .values(proposal_id=proposal_id, user_id=user_id, created_at=now)
            .on_conflict_do_nothing(index_elements=["proposal_id", "user_id"])
        )
        if statements.rowcount(await session.execute(stmt)):
            delta = 1
            break
        if want is True:
            delta = 0
            break
        # a concurrent toggle of the same user inserted the row meanwhile: delete it now
    if delta is None:
        raise ProposalError(SUPPORT_BUSY)
    if delta:
        await session.execute(
            update(Proposal)
            .where(Proposal.id == proposal_id)
            .values(support_count=Proposal.support_count + delta)
            .execution_options(synchronize_session=False)
        )
    count = (
        await session.execute(select(Proposal.support_count).where(Proposal.id == proposal_id))
    ).scalar_one()
    threshold = (await dong_settings(session, proposal.dong_id)).threshold
    reached = False
    if delta > 0 and count >= threshold:
        result = await session.execute(
            update(Proposal)
            .where(Proposal.id == proposal_id, Proposal.threshold_notified_at.is_(None))
            .values(threshold_notified_at=now)
            .execution_options(synchronize_session=False)
        )
        reached = statements.rowcount(result) == 1
    supported = delta > 0 or (delta == 0 and want is True)
    return SupportResult(supported, delta != 0, count, reached, threshold)


async def is_supporting(session: AsyncSession, proposal_id: int, user_id: int) -> bool:
    row = await session.execute(
        select(ProposalSupport.id).where(
            ProposalSupport.proposal_id == proposal_id, ProposalSupport.user_id == user_id
        )
    )
    return row.first() is not None


async def open_reports(session: AsyncSession, proposal_id: int) -> int:
    """Reports not dismissed by a restore."""
    row = await session.execute(
        select(func.count())
        .select_from(ProposalReport)
        .where(ProposalReport.proposal_id == proposal_id, ProposalReport.dismissed.is_(False))
    )
    return int(row.scalar_one())


async def count_supports(session: AsyncSession, proposal_id: int) -> int:
    """The number of support rows (the counter on the proposal must always equal it)."""
    return int(
        (
            await session.execute(
                select(func.count())
                .select_from(ProposalSupport)
                .where(ProposalSupport.proposal_id == proposal_id)
            )
        ).scalar_one()
    )


@dataclass(frozen=True)
class ReportResult:
    new: bool
    """False when this user had reported it before."""
    flagged: bool
    """True when this report hid the proposal pending review."""
    reports: int


async def report(
    session: AsyncSession, proposal: Proposal, user: User, now: datetime
) -> ReportResult:
    if proposal.author_id == user.id:
        raise ProposalError(REPORT_OWN)
    insert = statements.insert_for(session)
    stmt = (
        insert(ProposalReport)
        .values(proposal_id=proposal.id, user_id=user.id, at=now, dismissed=False)
        .on_conflict_do_nothing(index_elements=["proposal_id", "user_id"])
    )
    new = statements.rowcount(await session.execute(stmt)) == 1
    reports = await open_reports(session, proposal.id)
    flagged = False
    if new and reports >= REPORTS_TO_FLAG:
        result = await session.execute(
            update(Proposal)
            .where(Proposal.id == proposal.id, Proposal.visibility == Visibility.VISIBLE.value)
            .values(visibility=Visibility.FLAGGED.value, updated_at=now)
            .execution_options(synchronize_session=False)
        )
        flagged = statements.rowcount(result) == 1
        await session.refresh(proposal)
        if flagged:
            await _record(
                session, proposal, HistoryAction.FLAG, SYSTEM, now, from_status=proposal.status
            )
    return ReportResult(new, flagged, reports)


# ---------------------------------------------------------------------------------------
# Drafts and submission
# ---------------------------------------------------------------------------------------

STEPS: Final = ("dong", "theme", "title", "description")


async def get_draft(session: AsyncSession, user_id: int) -> ProposalDraft | None:
    row = await session.execute(
        select(ProposalDraft)
        .where(ProposalDraft.user_id == user_id)
        .execution_options(populate_existing=True)
    )
    return row.scalar_one_or_none()


async def newest_proposal(session: AsyncSession, user_id: int) -> Proposal | None:
    """The user's latest proposal: what a preview whose draft is gone most likely became."""
    row = await session.execute(
        select(Proposal).where(Proposal.author_id == user_id).order_by(Proposal.id.desc()).limit(1)
    )
    return row.scalar_one_or_none()


async def new_draft(session: AsyncSession, user_id: int, now: datetime) -> ProposalDraft:
    """Start a fresh draft (an older one of the user is discarded)."""
    await discard_draft(session, user_id)
    draft = ProposalDraft(user_id=user_id, version=0, created_at=now, updated_at=now)
    session.add(draft)
    await session.flush()
    return draft


async def update_draft(
    session: AsyncSession, draft: ProposalDraft, now: datetime, **fields: str | None
) -> ProposalDraft:
    for name, value in fields.items():
        if name not in {"dong_id", "category_id", "title", "description", "photo_file_id"}:
            raise ValueError(f"not a draft field: {name}")
        setattr(draft, name, value)
    draft.version += 1
    draft.updated_at = now
    await session.flush()
    return draft


async def discard_draft(session: AsyncSession, user_id: int) -> None:
    await session.execute(delete(ProposalDraft).where(ProposalDraft.user_id == user_id))


def missing_step(draft: ProposalDraft) -> str | None:
    """The first step the draft still needs, or None when it can be previewed."""
    values = {
        "dong": draft.dong_id,
        "theme": draft.category_id,
        "title": draft.title,
        "description": draft.description,
    }
    return next((step for step in STEPS if not values[step]), None)


async def check_dong(session: AsyncSession, dong_id: str | None) -> Dong:
    dong = await session.get(Dong, dong_id) if dong_id else None
    if dong is None or dong.archived:
        raise ProposalError(UNKNOWN_DONG)
    return dong


async def check_category(session: AsyncSession, category_id: str | None) -> Category:
    category = await session.get(Category, category_id) if category_id else None
    if category is None or category.archived:
        raise ProposalError(UNKNOWN_THEME)
    return category


def local_day(now: datetime, tz: tzinfo) -> tuple[datetime, datetime]:
    """The configured zone's calendar day around ``now``, as [start, end)."""
    day = now.astimezone(tz).date()
    start = datetime.combine(day, time(0), tzinfo=tz)
    end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=tz)
    return start, end


async def submitted_today(session: AsyncSession, user_id: int, now: datetime, tz: tzinfo) -> int:
    start, end = local_day(now, tz)
    row = await session.execute(
        select(func.count())
        .select_from(Proposal)
        .where(
            Proposal.author_id == user_id, Proposal.created_at >= start, Proposal.created_at < end
        )
    )
    return int(row.scalar_one())


async def check_rate_limit(
    session: AsyncSession, user_id: int, now: datetime, tz: tzinfo, per_day: int
) -> None:
    if await submitted_today(session, user_id, now, tz) >= per_day:
        raise ProposalError(TOO_MANY_TODAY, limit=per_day)


async def submit(
    session: AsyncSession,
    draft: ProposalDraft,
    user: User,
    *,
    now: datetime,
    tz: tzinfo,
    per_day: int,
) -> Proposal:
    """Turn a complete draft into a submitted proposal; the draft is removed."""
    if draft.user_id != user.id:
        raise ProposalError(DRAFT_INCOMPLETE)
    if missing_step(draft) is not None:
        raise ProposalError(DRAFT_INCOMPLETE)
    await check_dong(session, draft.dong_id)
    await check_category(session, draft.category_id)
    title = clean_title(draft.title or "")
    description = clean_description(draft.description or "")
    await check_rate_limit(session, user.id, now, tz, per_day)
    proposal = Proposal(
        dong_id=draft.dong_id,
        category_id=draft.category_id,
        author_id=user.id,
        title=title,
        description=description,
        photo_file_id=draft.photo_file_id,
        status=S.SUBMITTED.value,
        visibility=Visibility.VISIBLE.value,
        support_count=0,
        created_at=now,
        updated_at=now,
    )
    session.add(proposal)
    await session.flush()
    await _record(session, proposal, HistoryAction.SUBMIT, Actor.of(user), now, from_status=None)
    await session.delete(draft)
    await session.flush()
    return proposal


# ---------------------------------------------------------------------------------------
# Queries
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Page:
    items: list[Proposal]
    total: int


async def list_proposals(
    session: AsyncSession,
    *,
    dong_id: str | None = None,
    category_id: str | None = None,
    author_id: int | None = None,
    statuses: Iterable[str] | None = None,
    visible_only: bool = True,
    order: str = "new",
    offset: int = 0,
    limit: int = 5,
) -> Page:
    conditions: list[Any] = []
    if dong_id is not None:
        conditions.append(Proposal.dong_id == dong_id)
    if category_id is not None:
        conditions.append(Proposal.category_id == category_id)
    if author_id is not None:
        conditions.append(Proposal.author_id == author_id)
    if statuses is not None:
        conditions.append(Proposal.status.in_([str(s) for s in statuses]))
    if visible_only:
        conditions.append(Proposal.visibility == Visibility.VISIBLE.value)
    total = (
        await session.execute(select(func.count()).select_from(Proposal).where(*conditions))
    ).scalar_one()
    ordering = (
        (Proposal.support_count.desc(), Proposal.id.desc())
        if order == "top"
        else (Proposal.id.desc(),)
    )
    rows = await session.execute(
        select(Proposal).where(*conditions).order_by(*ordering).offset(offset).limit(limit)
    )
    return Page(list(rows.scalars()), int(total))


async def history(session: AsyncSession, proposal_id: int) -> list[ProposalHistory]:
    rows = await session.execute(
        select(ProposalHistory)
        .where(ProposalHistory.proposal_id == proposal_id)
        .order_by(ProposalHistory.at, ProposalHistory.id)
    )
    return list(rows.scalars())


async def find_similar(
    session: AsyncSession,
    *,
    dong_id: str,
    category_id: str,
    title: str,
    description: str,
    exclude: Sequence[int] = (),
    limit: int = SIMILAR_LIMIT,
    threshold: float = THRESHOLD,
) -> list[tuple[Proposal, float]]:
    """Up to ``limit`` proposals of the same dong and theme worded like this one, best first."""
    rows = await session.execute(
        select(Proposal).where(
            Proposal.dong_id == dong_id,
            Proposal.category_id == category_id,
            Proposal.status.in_([s.value for s in SIMILAR_STATUSES]),
            Proposal.visibility == Visibility.VISIBLE.value,
            Proposal.id.not_in(list(exclude)),
        )
    )
    mine = signature(title, description)
    scored = [(p, similarity_of(mine, signature(p.title, p.description))) for p in rows.scalars()]
    scored = [(p, score) for p, score in scored if score >= threshold]
    scored.sort(key=lambda item: (-item[1], -item[0].support_count, item[0].id))
    return scored[:limit]


async def merge_candidates(
    session: AsyncSession, proposal: Proposal, limit: int = 6
) -> list[Proposal]:
    """Open proposals of the same dong a proposal could be merged into, similar ones first."""
    rows = await session.execute(
        select(Proposal).where(
            Proposal.dong_id == proposal.dong_id,
            Proposal.id != proposal.id,
            Proposal.status.in_([s.value for s in OPEN_STATUSES]),
            Proposal.visibility == Visibility.VISIBLE.value,
        )
    )
    candidates = list(rows.scalars())
    mine = signature(proposal.title, proposal.description)
    candidates.sort(
        key=lambda p: (
            -similarity_of(mine, signature(p.title, p.description)),
            p.category_id != proposal.category_id,
            -p.support_count,
            p.id,
        )
    )
    return candidates[:limit]


# --- the staff side -------------------------------------------------------------------------

REVIEW_QUEUES: Final[dict[str, tuple[frozenset[ProposalStatus] | None, Visibility | None]]] = {
    "new": (frozenset({S.SUBMITTED}), Visibility.VISIBLE),
    "review": (frozenset({S.UNDER_REVIEW}), Visibility.VISIBLE),
    "reported": (None, Visibility.FLAGGED),
    "accepted": (frozenset({S.ACCEPTED}), Visibility.VISIBLE),
    "running": (frozenset({S.SELECTED, S.IN_PROGRESS}), Visibility.VISIBLE),
    "hidden": (None, Visibility.HIDDEN),
}


def staff_dongs(user: User, admin_ids: frozenset[int]) -> set[str] | None:
    """The dongs a user reviews; None means every dong (admins)."""
    if is_admin(user, admin_ids):
        return None
    return {r.dong_id for r in user.roles if r.role == Role.STAFF and r.dong_id}


def _queue_conditions(queue: str, dongs: set[str] | None) -> list[Any]:
    statuses, visibility = REVIEW_QUEUES[queue]
    conditions: list[Any] = []
    if statuses is not None:
        conditions.append(Proposal.status.in_([s.value for s in statuses]))
    if visibility is not None:
        conditions.append(Proposal.visibility == visibility.value)
    if dongs is not None:
        conditions.append(Proposal.dong_id.in_(sorted(dongs)))
    return conditions


async def review_counts(session: AsyncSession, dongs: set[str] | None) -> dict[str, int]:
    counts = {}
    for queue in REVIEW_QUEUES:
        row = await session.execute(
            select(func.count()).select_from(Proposal).where(*_queue_conditions(queue, dongs))
        )
        counts[queue] = int(row.scalar_one())
    return counts


async def review_queue(
    session: AsyncSession, queue: str, dongs: set[str] | None, *, offset: int = 0, limit: int = 5
) -> Page:
    conditions = _queue_conditions(queue, dongs)
    total = (
        await session.execute(select(func.count()).select_from(Proposal).where(*conditions))
    ).scalar_one()
    rows = await session.execute(
        select(Proposal).where(*conditions).order_by(Proposal.id).offset(offset).limit(limit)
    )
    return Page(list(rows.scalars()), int(total))


async def staff_recipients(
    session: AsyncSession, dong_id: str, admin_ids: frozenset[int]
) -> list[User]:
    """Active users who are staff of the dong or admins (role or ADMIN_IDS)."""
    staff = (
        select(UserRole.user_id)
        .where(
            or_(
                and_(UserRole.role == Role.STAFF.value, UserRole.dong_id == dong_id),
                UserRole.role == Role.ADMIN.value,
            )
        )
        .scalar_subquery()
    )
    condition: ColumnElement[bool] = User.id.in_(staff)
    if admin_ids:
        condition = or_(condition, User.telegram_id.in_(sorted(admin_ids)))
    rows = await session.execute(
        select(User).where(condition, User.active.is_(True)).order_by(User.id)
    )
    return list(rows.scalars())


# --- per-dong settings ----------------------------------------------------------------------


@dataclass(frozen=True)
class DongSettings:
    dong_id: str
    threshold: int
    staff_chat_id: int | None
    custom_threshold: bool


async def dong_settings(session: AsyncSession, dong_id: str) -> DongSettings:
    row = await session.get(ProposalDongSettings, dong_id)
    if row is None:
        return DongSettings(dong_id, DEFAULT_SUPPORT_THRESHOLD, None, False)
    threshold = row.support_threshold
    return DongSettings(
        dong_id,
        threshold if threshold is not None else DEFAULT_SUPPORT_THRESHOLD,
        row.staff_chat_id,
        threshold is not None,
    )


_UNSET: Any = object()


async def configure_dong(
    session: AsyncSession,
    dong_id: str,
    *,
    actor: Actor,
    now: datetime,
    threshold: int | None = _UNSET,
    staff_chat_id: int | None = _UNSET,
) -> DongSettings:
    """Change a dong's settings (an argument left out keeps its value; None resets it)."""
    await check_dong(session, dong_id)
    if threshold is not _UNSET and threshold is not None and threshold < 1:
        raise ValueError("the support threshold must be at least 1")
    row = await session.get(ProposalDongSettings, dong_id)
    if row is None:
        row = ProposalDongSettings(dong_id=dong_id, updated_at=now, updated_by=actor.label)
        session.add(row)
    if threshold is not _UNSET:
        row.support_threshold = threshold
    if staff_chat_id is not _UNSET:
        row.staff_chat_id = staff_chat_id
    row.updated_at = now
    row.updated_by = actor.label
    await session.flush()
    details = {"threshold": row.support_threshold, "staff_chat_id": row.staff_chat_id}
    await _audit(session, actor, now, "proposal.settings", ("dong", dong_id), details)
    return await dong_settings(session, dong_id)


async def staff_chats(session: AsyncSession) -> dict[int, str]:
    """Configured staff group chats → their dong."""
    rows = await session.execute(
        select(ProposalDongSettings.staff_chat_id, ProposalDongSettings.dong_id).where(
            ProposalDongSettings.staff_chat_id.is_not(None)
        )
    )
    return {int(chat): dong for chat, dong in rows.all() if chat is not None}
