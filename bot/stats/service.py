"""The centre's numbers for a period and a dong (or the whole district): the KPIs centres
report to the district every year.

This package reads the tables of several features (users, Q&A log, proposals, assembly
votes, event attendance and surveys) through ``models/`` only — it imports no feature,
so the features stay independent of each other and of the report (import-linter: it sits
in the features layer beside them). Where a feature has a rule of its own (turnout =
online voters + on-site codes; 실인원 = each attendee once per course, 연인원 = every
attendance), it is restated here in SQL and the tests pin it against the feature's numbers.

What each figure means, for staff who sign the report:

* **Residents reached**: distinct people who, in the period, started using the bot or
  used it (last seen), registered for or attended an event, proposed or supported an
  agenda item, or joined an assembly's poll book. On an event that needs no sign-up, a
  registration row is only a reminder someone asked for ("Remind me"): it counts only once
  they attend. For a dong: people whose home dong it
  is and who used the bot, plus anyone who acted on that dong's events, proposals and
  assemblies. ``users.last_seen_at`` keeps only the last visit, so someone active early
  in the period and not since is counted only through what they did.
* **Questions answered / not answered**: the Q&A's daily counter (models/qa_counts.py:
  per local day and the asker's home dong, no text, no person), counted in the same
  transaction as the answer. For a dong: questions of people whose home dong it is.
  Share answered = answered / (answered + not answered). Thanks and small talk are not
  questions. Questions asked before the counter existed are not in it.
* **Different questions not answered**: the Q&A log grouped by text (district-wide: it
  keeps no person and no dong, by design — models/qa.py; deleted after its retention).
* **Proposals by status**: proposals submitted in the period, by their status today.
* **Assembly turnout**: votes whose voting window overlaps the period; voters (online +
  on-site) against the eligible population staff entered.
* **Trainings**: events of kind ``training`` with sessions in the period: sessions,
  registered (none for a training that needs no sign-up, as the events report counts),
  실인원, 연인원, average satisfaction (1–5) and the number of ratings.

Privacy: only counts leave this module; no name, message or vote.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.i18n import N_
from bot.core.turnout import TurnoutFigures
from models.assembly import AssemblyVote, CodeStatus, Voter, VotingCode
from models.events import Registration, SurveyResponse
from models.kb import Event
from models.proposal import Proposal, ProposalSupport
from models.qa import UnansweredQuestion
from models.qa_counts import QuestionCount
from models.user import User

PROPOSAL_STATUS_ORDER = (
    "submitted", "under_review", "accepted", "rejected", "merged", "withdrawn",
    "selected", "not_selected", "in_progress", "done",
)  # fmt: skip
MAX_DAYS = 3 * 366
"""The longest period a report covers (three years)."""


class PeriodError(ValueError):
    """A period that cannot be reported: ``message`` is an English msgid."""


@dataclass(frozen=True)
class Period:
    """Whole local days, ``start`` to ``end`` inclusive."""

    start: date
    end: date

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise PeriodError(N_("The period ends before it starts."))
        if (self.end - self.start).days >= MAX_DAYS:
            raise PeriodError(N_("Please choose a period of at most three years."))

    def bounds(self, tz: tzinfo) -> tuple[datetime, datetime]:
        """[start, end) as aware UTC instants: local midnight to the midnight after ``end``."""
        first = datetime.combine(self.start, time(0), tzinfo=tz)
        after = datetime.combine(self.end + timedelta(days=1), time(0), tzinfo=tz)
        return first.astimezone(UTC), after.astimezone(UTC)


def named_period(key: str, today: date) -> Period:
    """``m0`` this month, ``m1`` last month, ``y0`` this year, ``y1`` last year,
    ``d30`` the last 30 days (today included); raises :class:`PeriodError`."""
    if key == "m0":
        return Period(today.replace(day=1), today)
    if key == "m1":
        last = today.replace(day=1) - timedelta(days=1)
        return Period(last.replace(day=1), last)
    if key == "y0":
        return Period(date(today.year, 1, 1), today)
    if key == "y1":
        return Period(date(today.year - 1, 1, 1), date(today.year - 1, 12, 31))
    if key == "d30":
        return Period(today - timedelta(days=29), today)
    raise PeriodError(N_("Unknown period."))


@dataclass(frozen=True)
class AssemblyRow(TurnoutFigures):
    assembly_id: str
    title: dict[str, str]
    dong_id: str
    closes_at: datetime
    online_voters: int
    onsite_voters: int
    eligible_population: int | None


@dataclass(frozen=True)
class TrainingRow:
    event_id: str
    title: dict[str, str]
    sessions: int
    registered: int
    unique_people: int
    """실인원: each attendee once."""
    attendances: int
    """연인원: every attendance."""
    satisfaction: float | None
    responses: int


@dataclass
class Stats:
    period: Period
    dong_id: str | None
    """None: the whole district."""
    residents_reached: int = 0
    questions_answered: int = 0
    """Questions the bot answered (the daily counter, for the dong)."""
    questions_unanswered: int = 0
    """Questions the bot could not answer (the daily counter, for the dong)."""
    unanswered_distinct: int = 0
    """Different texts among the logged unanswered questions (district-wide)."""
    proposals: dict[str, int] = field(default_factory=dict)
    assemblies: list[AssemblyRow] = field(default_factory=list)
    trainings: list[TrainingRow] = field(default_factory=list)

    @property
    def answered_share(self) -> float | None:
        """Percent of the questions answered (None: no question)."""
        asked = self.questions_answered + self.questions_unanswered
        return 100 * self.questions_answered / asked if asked else None

    @property
    def proposals_total(self) -> int:
        return sum(self.proposals.values())

    @property
    def training_unique(self) -> int:
        """Sum over courses (a person at two courses counts in each, as districts report)."""
        return sum(r.unique_people for r in self.trainings)

    @property
    def training_attendances(self) -> int:
        return sum(r.attendances for r in self.trainings)

    @property
    def satisfaction(self) -> float | None:
        rated = [(r.satisfaction, r.responses) for r in self.trainings if r.satisfaction]
        total = sum(n for _, n in rated)
        return sum(s * n for s, n in rated) / total if total else None


def _in(column: Any, start: datetime, end: datetime) -> Any:
    return and_(column >= start, column < end)


async def _reached(session: AsyncSession, dong: str | None, start: datetime, end: datetime) -> int:
    people: set[int] = set()
    active = or_(_in(User.created_at, start, end), _in(User.last_seen_at, start, end))
    query = select(User.id).where(active)
    if dong is not None:
        query = query.where(User.home_dong_id == dong)
    people.update((await session.execute(query)).scalars())

    # without sign-up a registration is a reminder someone asked for: not until they come
    signed_up = and_(
        _in(Registration.created_at, start, end), Event.registration_required.is_(True)
    )
    reg = (
        select(Registration.user_id)
        .join(Event, Event.id == Registration.event_id)
        .where(or_(signed_up, _in(Registration.attended_at, start, end)))
    )
    if dong is not None:
        reg = reg.where(Event.dong_id == dong)
    people.update((await session.execute(reg)).scalars())

    proposed = select(Proposal.author_id).where(_in(Proposal.created_at, start, end))
    supported = (
        select(ProposalSupport.user_id)
        .join(Proposal, Proposal.id == ProposalSupport.proposal_id)
        .where(_in(ProposalSupport.created_at, start, end))
    )
    joined = (
        select(Voter.user_id)
        .join(AssemblyVote, AssemblyVote.id == Voter.vote_id)
        .where(_in(Voter.joined_at, start, end))
    )
    if dong is not None:
        proposed = proposed.where(Proposal.dong_id == dong)
        supported = supported.where(Proposal.dong_id == dong)
        joined = joined.where(AssemblyVote.dong_id == dong)
    for query in (proposed, supported, joined):
        people.update((await session.execute(query)).scalars())
    return len(people)


async def _unanswered_distinct(session: AsyncSession, period: Period) -> int:
    q = UnansweredQuestion
    query = select(func.count(func.distinct(q.normalized))).where(
        q.asked_on >= period.start, q.asked_on <= period.end
    )
    return int((await session.execute(query)).scalar_one())


async def _questions(session: AsyncSession, dong: str | None, period: Period) -> tuple[int, int]:
    """(answered, not answered) from the daily counter."""
    c = QuestionCount
    query = select(func.coalesce(func.sum(c.answered), 0), func.coalesce(func.sum(c.unanswered), 0))
    query = query.where(c.day >= period.start, c.day <= period.end)
    if dong is not None:
        query = query.where(c.dong_id == dong)
    row = (await session.execute(query)).one()
    return int(row[0]), int(row[1])


async def _proposals(
    session: AsyncSession, dong: str | None, start: datetime, end: datetime
) -> dict[str, int]:
    query = (
        select(Proposal.status, func.count())
        .where(_in(Proposal.created_at, start, end))
        .group_by(Proposal.status)
    )
    if dong is not None:
        query = query.where(Proposal.dong_id == dong)
    counts = {str(s): int(n) for s, n in (await session.execute(query)).all()}
    ordered = {s: counts.pop(s) for s in PROPOSAL_STATUS_ORDER if s in counts}
    return {**ordered, **counts}


async def _assemblies(
    session: AsyncSession, dong: str | None, start: datetime, end: datetime
) -> list[AssemblyRow]:
    query = select(AssemblyVote).where(AssemblyVote.opens_at < end, AssemblyVote.closes_at >= start)
    if dong is not None:
        query = query.where(AssemblyVote.dong_id == dong)
    votes = list((await session.execute(query.order_by(AssemblyVote.closes_at))).scalars())
    rows = []
    for vote in votes:
        online = await session.scalar(
            select(func.count()).where(Voter.vote_id == vote.id, Voter.voted.is_(True))
        )
        onsite = await session.scalar(
            select(func.count()).where(
                VotingCode.vote_id == vote.id, VotingCode.status == CodeStatus.ONSITE.value
            )
        )
        rows.append(
            AssemblyRow(
                vote.assembly_id,
                dict(vote.title),
                vote.dong_id,
                vote.closes_at,
                int(online or 0),
                int(onsite or 0),
                vote.eligible_population,
            )
        )
    return rows


async def _trainings(
    session: AsyncSession, dong: str | None, start: datetime, end: datetime
) -> list[TrainingRow]:
    query = (
        select(Registration, Event.title, Event.registration_required)
        .join(Event, Event.id == Registration.event_id)
        .where(Event.kind == "training", _in(Registration.starts_at, start, end))
    )
    if dong is not None:
        query = query.where(Event.dong_id == dong)
    titles: dict[str, dict[str, str]] = {}
    sessions: dict[str, set[datetime]] = defaultdict(set)
    registered: dict[str, int] = defaultdict(int)
    people: dict[str, set[int]] = defaultdict(set)
    attendances: dict[str, int] = defaultdict(int)
    first: dict[str, datetime] = {}
    for registration, title, sign_up in (await session.execute(query)).all():
        key = registration.event_id
        titles[key] = dict(title)
        first[key] = min(first.get(key, registration.starts_at), registration.starts_at)
        sessions[key].add(registration.occurrence_start)
        if registration.status == "registered" and sign_up:  # else a reminder, no sign-up
            registered[key] += 1
        if registration.attended:
            people[key].add(registration.user_id)
            attendances[key] += 1
    ratings: dict[str, list[int]] = defaultdict(list)
    if titles:
        found = await session.execute(
            select(SurveyResponse.event_id, SurveyResponse.occurrence_start, SurveyResponse.rating)
            .where(SurveyResponse.event_id.in_(list(titles)))
        )  # fmt: skip
        for event_id, original, rating in found.all():
            if original in sessions[event_id]:
                ratings[event_id].append(int(rating))
    rows = []
    for key in sorted(titles, key=lambda k: (first[k], k)):
        scores = ratings.get(key, [])
        rows.append(
            TrainingRow(
                key,
                titles[key],
                len(sessions[key]),
                registered[key],
                len(people[key]),
                attendances[key],
                sum(scores) / len(scores) if scores else None,
                len(scores),
            )
        )
    return rows


async def compute(session: AsyncSession, period: Period, dong_id: str | None, tz: tzinfo) -> Stats:
    """The numbers of ``period`` (local days in ``tz``) for ``dong_id`` (None: district)."""
    start, end = period.bounds(tz)
    stats = Stats(period, dong_id)
    stats.residents_reached = await _reached(session, dong_id, start, end)
    stats.questions_answered, stats.questions_unanswered = await _questions(
        session, dong_id, period
    )
    stats.unanswered_distinct = await _unanswered_distinct(session, period)
    stats.proposals = await _proposals(session, dong_id, start, end)
    stats.assemblies = await _assemblies(session, dong_id, start, end)
    stats.trainings = await _trainings(session, dong_id, start, end)
    return stats


__all__ = [
    "MAX_DAYS",
    "PROPOSAL_STATUS_ORDER",
    "AssemblyRow",
    "Period",
    "PeriodError",
    "Stats",
    "TrainingRow",
    "compute",
    "named_period",
]
