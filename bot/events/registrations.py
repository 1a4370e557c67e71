"""Registering for event occurrences; staff creating, moving and cancelling events.

Seats are counted per occurrence in ``event_occurrences.seats_taken`` and taken with one
conditional update (``seats_taken = seats_taken + 1 WHERE seats_taken < capacity``), which
both databases apply atomically: when two people take the last seat at once, one gets it
and the other is put on the waitlist. The waitlist is promoted in the order people asked
(``queued_at``), each promotion claimed with a conditional update too, and the promoted
person is told (a ``notice`` row, sent by the dispatcher).

Registration closes ``registration.closes_hours_before`` hours before the occurrence
starts (from the KB), and at the start in any case.

Moving or cancelling: staff changes are written to the event row (``changes``,
``cancelled``, or its first date) and :func:`reconcile_event` compares every active
registration with the event as it now is: a registration whose occurrence moved gets its
new time, its old reminders cancelled and new ones planned, and a notice; one whose
occurrence was cancelled is cancelled with a notice. The same reconciliation runs in the
dispatcher whenever the knowledge base changed (an import, a staff edit in the bot), so
registrants hear about every change exactly once: each is claimed with a conditional
update on the registration's ``starts_at``. Nothing here knows Telegram.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Any

from sqlalchemy import and_, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core import audit, statements
from bot.events.reminder_rows import EVENT, NOTICE, event_payload, plan_event, registration_ref
from bot.kb import records as kbmod
from bot.kb import schedule
from bot.kb.cards import ref as id_ref
from bot.kb.cards import resolve as resolve_ref
from bot.kb.records import EventSpec, KnowledgeBase
from bot.reminders import rows as R
from models.audit import AuditLog
from models.events import EventOccurrence, Registration
from models.kb import Event
from models.user import User

ACTIVE = ("registered", "waitlisted")
TOKEN_RE = re.compile(r"^(~?[a-z0-9_-]{1,40})\.([0-9a-z]{1,9})$")


# ---------------------------------------------------------------------------------------
# Occurrence tokens (what buttons carry)
# ---------------------------------------------------------------------------------------


def _b36(n: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    while True:
        n, r = divmod(n, 36)
        out = digits[r] + out
        if n == 0:
            return out


def occ_token(event_id: str, original: datetime, room: int = 30) -> str:
    """``<event ref>.<original start in minutes since 1970, base 36>`` — at most
    ``room`` + 8 characters."""
    minutes = int(original.astimezone(UTC).timestamp()) // 60
    return f"{id_ref(event_id, room)}.{_b36(minutes)}"


def parse_token(
    kb: KnowledgeBase, token: str, tz: tzinfo
) -> tuple[EventSpec, schedule.Occurrence] | None:
    """The event and occurrence (cancelled ones included) a token stands for; None when
    malformed, forged or stale."""
    match = TOKEN_RE.match(token)
    if match is None:
        return None
    event_id = resolve_ref(match.group(1), (e.id for e in kb.events))
    if event_id is None:
        return None
    event = schedule.get_event(kb, event_id)
    if event is None:
        return None
    try:
        original = datetime.fromtimestamp(int(match.group(2), 36) * 60, tz=UTC)
    except (ValueError, OverflowError, OSError):
        return None
    occurrence = schedule.find_original(event, original, tz)
    return (event, occurrence) if occurrence is not None else None


# ---------------------------------------------------------------------------------------
# Rules
# ---------------------------------------------------------------------------------------


def capacity_of(event: EventSpec) -> int | None:
    registration = event.registration
    if registration is None or not registration.required:
        return None
    return registration.capacity


def reminder_only(event: EventSpec) -> bool:
    """The event needs no sign-up: its "Remind me" keeps a registration row (that is how
    its reminders are planned, moved and cancelled), but that is no sign-up — it is not
    called one, nor counted as one."""
    return event.registration is None or not event.registration.required


registration_deadline = schedule.registration_deadline


def refusal(event: EventSpec, occurrence: schedule.Occurrence, now: datetime) -> str | None:
    """Why nobody can register now (``cancelled``, ``started``, ``closed``), or None."""
    if occurrence.cancelled:
        return "cancelled"
    if occurrence.starts_at <= now:
        return "started"
    if now >= registration_deadline(event, occurrence):
        return "closed"
    return None


# ---------------------------------------------------------------------------------------
# Seats
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Seats:
    capacity: int | None
    taken: int
    waitlisted: int

    @property
    def left(self) -> int | None:
        return None if self.capacity is None else max(0, self.capacity - self.taken)

    @property
    def full(self) -> bool:
        return self.capacity is not None and self.taken >= self.capacity


def _utc(when: datetime) -> datetime:
    return when.astimezone(UTC)


async def ensure_occurrence(
    session: AsyncSession, event_id: str, original: datetime, now: datetime
) -> None:
    await session.execute(
        statements.insert_for(session)(EventOccurrence)
        .values(event_id=event_id, occurrence_start=_utc(original), seats_taken=0, created_at=now)
        .on_conflict_do_nothing(index_elements=["event_id", "occurrence_start"])
    )


async def seats(session: AsyncSession, event: EventSpec, original: datetime) -> Seats:
    row = await session.get(EventOccurrence, (event.id, _utc(original)))
    waiting = await _waiting(session, event.id, original)
    return Seats(capacity_of(event), row.seats_taken if row is not None else 0, waiting)


async def _waiting(session: AsyncSession, event_id: str, original: datetime) -> int:
    """How many are on the waitlist of this occurrence."""
    return await _counted(session, event_id, original, "waitlisted")


async def _counted(session: AsyncSession, event_id: str, original: datetime, status: str) -> int:
    """How many registrations of this occurrence have ``status``."""
    count = await session.scalar(
        select(func.count())
        .select_from(Registration)
        .where(
            Registration.event_id == event_id,
            Registration.occurrence_start == _utc(original),
            Registration.status == status,
        )
    )
    return int(count or 0)


async def _take_seat(
    session: AsyncSession, event_id: str, original: datetime, capacity: int | None
) -> bool:
    conditions = [
        EventOccurrence.event_id == event_id,
        EventOccurrence.occurrence_start == _utc(original),
    ]
    if capacity is not None:
        conditions.append(EventOccurrence.seats_taken < capacity)
    result = await session.execute(
        update(EventOccurrence)
        .where(and_(*conditions))
        .values(seats_taken=EventOccurrence.seats_taken + 1)
        .execution_options(synchronize_session=False)
    )
    return statements.rowcount(result) == 1


async def _free_seat(session: AsyncSession, event_id: str, original: datetime) -> None:
    await session.execute(
        update(EventOccurrence)
        .where(
            EventOccurrence.event_id == event_id,
            EventOccurrence.occurrence_start == _utc(original),
            EventOccurrence.seats_taken > 0,
        )
        .values(seats_taken=EventOccurrence.seats_taken - 1)
        .execution_options(synchronize_session=False)
    )


async def _recount(session: AsyncSession, event_id: str, original: datetime, now: datetime) -> None:
    await ensure_occurrence(session, event_id, original, now)
    taken = await _counted(session, event_id, original, "registered")
    await session.execute(
        update(EventOccurrence)
        .where(
            EventOccurrence.event_id == event_id,
            EventOccurrence.occurrence_start == _utc(original),
        )
        .values(seats_taken=taken)
        .execution_options(synchronize_session=False)
    )


# ---------------------------------------------------------------------------------------
# Registering and cancelling
# ---------------------------------------------------------------------------------------


@dataclass
class Outcome:
    status: str
    """``registered``, ``waitlisted``, ``already_registered``, ``already_waitlisted``,
    or a refusal (``cancelled``, ``started``, ``closed``)."""
    registration: Registration | None = None
    position: int | None = None
    """Place on the waitlist (1 = next)."""
    promoted: list[Registration] = field(default_factory=list)


async def get_registration(
    session: AsyncSession, user: User, event_id: str, original: datetime
) -> Registration | None:
    return (
        await session.execute(
            select(Registration)
            .where(
                Registration.event_id == event_id,
                Registration.occurrence_start == _utc(original),
                Registration.user_id == user.id,
            )
            .execution_options(populate_existing=True)
        )
    ).scalar_one_or_none()


async def waitlist_position(session: AsyncSession, registration: Registration) -> int:
    ahead = await session.scalar(
        select(func.count())
        .select_from(Registration)
        .where(
            Registration.event_id == registration.event_id,
            Registration.occurrence_start == registration.occurrence_start,
            Registration.status == "waitlisted",
            (Registration.queued_at < registration.queued_at)
            | (
                (Registration.queued_at == registration.queued_at)
                & (Registration.id < registration.id)
            ),
        )
    )
    return int(ahead or 0) + 1


async def register(
    session: AsyncSession,
    user: User,
    event: EventSpec,
    occurrence: schedule.Occurrence,
    now: datetime,
    tz: tzinfo,
) -> Outcome:
    """Take a seat, or a place on the waitlist when the occurrence is full.

    Concurrency-safe: the seat is taken with one conditional update; a registration that
    loses the race for the last seat is waitlisted. Flushes; the caller commits.
    """
    reason = refusal(event, occurrence, now)
    if reason is not None:
        return Outcome(reason)
    original = occurrence.recurrence_id
    existing = await get_registration(session, user, event.id, original)
    if existing is not None and existing.status in ("registered", "walkin"):
        return Outcome("already_registered", existing)
    if existing is not None and existing.status == "waitlisted":
        return Outcome("already_waitlisted", existing, await waitlist_position(session, existing))
    await ensure_occurrence(session, event.id, original, now)
    capacity = capacity_of(event)
    queue_ahead = 0
    if capacity is not None:
        queue_ahead = await _waiting(session, event.id, original)
    # Nobody jumps the queue: with people waiting, a newcomer waits too.
    seated = queue_ahead == 0 and await _take_seat(session, event.id, original, capacity)
    status = "registered" if seated else "waitlisted"
    index = schedule.ordinal(event, original, tz)
    if existing is None:
        registration = Registration(
            event_id=event.id,
            occurrence_start=_utc(original),
            occurrence_index=index if index is not None else 0,
            starts_at=occurrence.starts_at,
            ends_at=occurrence.ends_at,
            user_id=user.id,
            status=status,
            queued_at=now,
            created_at=now,
            updated_at=now,
        )
        session.add(registration)
    else:  # registering again after cancelling
        registration = existing
        registration.status = status
        registration.queued_at = now
        registration.updated_at = now
        registration.starts_at = occurrence.starts_at
        registration.ends_at = occurrence.ends_at
        registration.cancelled_at = None
        registration.cancel_reason = None
        registration.promoted_at = None
    await session.flush()
    outcome = Outcome(status, registration)
    if seated:
        await plan_event(session, registration, occurrence, now)
    else:
        outcome.promoted = await promote_waitlist(session, event, occurrence, now)
        await session.refresh(registration)
        if registration.status == "registered":
            outcome.status = "registered"
            outcome.promoted = [r for r in outcome.promoted if r.id != registration.id]
        else:
            outcome.position = await waitlist_position(session, registration)
    return outcome


async def cancel(
    session: AsyncSession,
    registration: Registration,
    event: EventSpec | None,
    occurrence: schedule.Occurrence | None,
    now: datetime,
) -> list[Registration]:
    """The person cancels; their seat goes to the first on the waitlist (returned, and
    told). Cancelling twice is harmless. Flushes; the caller commits."""
    was = registration.status
    if was not in ACTIVE:
        return []
    if not await _claim_cancel(session, registration, (was,), "user", now):
        return []  # cancelled meanwhile (a double tap)
    if was != "registered":
        return []
    await _free_seat(session, registration.event_id, registration.occurrence_start)
    if event is None or occurrence is None or occurrence.cancelled:
        return []
    return await promote_waitlist(session, event, occurrence, now)


async def _claim_cancel(
    session: AsyncSession,
    registration: Registration,
    statuses: tuple[str, ...],
    reason: str,
    now: datetime,
) -> bool:
    """Cancel the registration if it is still in one of ``statuses`` — one conditional
    update, so a double tap or a concurrent reconciler cancels it once — and drop its
    pending reminders. False when someone else cancelled it first."""
    claimed = await session.execute(
        update(Registration)
        .where(Registration.id == registration.id, Registration.status.in_(statuses))
        .values(status="cancelled", cancelled_at=now, cancel_reason=reason, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    if statements.rowcount(claimed) != 1:
        return False
    await session.refresh(registration)
    await R.cancel_pending(session, registration_ref(registration.id))
    return True


async def promote_waitlist(
    session: AsyncSession, event: EventSpec, occurrence: schedule.Occurrence, now: datetime
) -> list[Registration]:
    """Give free seats to the waitlist in order; each promoted person gets a notice and
    their reminders."""
    if occurrence.cancelled or occurrence.starts_at <= now:
        return []
    original = occurrence.recurrence_id
    capacity = capacity_of(event)
    promoted: list[Registration] = []
    while True:
        candidate = (
            await session.execute(
                select(Registration)
                .where(
                    Registration.event_id == event.id,
                    Registration.occurrence_start == _utc(original),
                    Registration.status == "waitlisted",
                )
                .order_by(Registration.queued_at, Registration.id)
                .limit(1)
                .execution_options(populate_existing=True)
            )
        ).scalar_one_or_none()
        if candidate is None:
            break
        if not await _take_seat(session, event.id, original, capacity):
            break
        claimed = await session.execute(
            update(Registration)
            .where(Registration.id == candidate.id, Registration.status == "waitlisted")
            .values(status="registered", promoted_at=now, updated_at=now)
            .execution_options(synchronize_session=False)
        )
        if statements.rowcount(claimed) != 1:
            await _free_seat(session, event.id, original)  # someone else took this one
            continue
        await session.refresh(candidate)
        promoted.append(candidate)
        await plan_event(session, candidate, occurrence, now)
        await _notice(session, candidate, "promoted", event, occurrence, now)
    return promoted


async def _notice(
    session: AsyncSession,
    registration: Registration,
    kind: str,
    event: EventSpec,
    occurrence: schedule.Occurrence,
    now: datetime,
    extra: dict[str, Any] | None = None,
    tag: str = "",
) -> None:
    """A durable notice to the registrant; ``tag`` tells apart two notices of one kind in
    the same second (two new places: the second must not be lost as a duplicate)."""
    await _enqueue_notice(
        session,
        registration,
        f"notice:{kind}:{registration.id}:"
        f"{int(occurrence.starts_at.timestamp())}:{int(now.timestamp())}{tag}",
        {"type": kind, **event_payload(event, occurrence), **(extra or {})},
        occurrence.ends_at,
        now,
    )


async def _enqueue_notice(
    session: AsyncSession,
    registration: Registration,
    key: str,
    payload: dict[str, Any],
    ends_at: datetime,
    now: datetime,
) -> None:
    """The notice row (sent by the dispatcher, in the person's language); kept until the
    occurrence ends, and a day at least."""
    user = await session.get(User, registration.user_id)
    if user is None:
        return
    await R.enqueue(
        session,
        [
            R.Planned(
                kind=NOTICE,
                key=key,
                chat_id=user.telegram_id,
                user_id=user.id,
                due_at=now,
                expires_at=max(ends_at, now + timedelta(days=1)),
                ref=f"notice:{registration.id}",
                payload=payload,
            )
        ],
        now,
    )


async def user_registrations(
    session: AsyncSession, user: User, *, since: datetime | None = None
) -> list[Registration]:
    """A person's registrations (cancelled ones included), soonest first."""
    query = select(Registration).where(Registration.user_id == user.id)
    if since is not None:
        query = query.where(Registration.ends_at >= since)
    query = query.order_by(Registration.starts_at, Registration.id)
    return list((await session.execute(query)).scalars())


# ---------------------------------------------------------------------------------------
# Reconciling registrations with the schedule (moves and cancellations)
# ---------------------------------------------------------------------------------------


@dataclass
class Reconciled:
    moved: int = 0
    cancelled: int = 0
    promoted: int = 0
    told: int = 0
    """People told of a new place (:func:`edit_event`)."""


async def reconcile_event(
    session: AsyncSession, event_id: str, tz: tzinfo, now: datetime
) -> Reconciled:
    """Bring the active registrations of one event in line with the event as it is now.

    The registrations are read first, then the event row (in this session: never a
    cached snapshot, which could be older than the registrations and "move them back").
    A change committed in between is then either seen in full or lost by the conditional
    update on ``starts_at`` that claims each change — so concurrent reconcilers (two bot
    instances, the CLI and the bot) tell each person exactly once. An archived event
    cancels its registrations.
    """
    report = Reconciled()
    rows = await session.execute(
        select(Registration)
        .where(
            Registration.event_id == event_id,
            Registration.status.in_(ACTIVE),
            Registration.ends_at > now,
        )
        .order_by(Registration.queued_at, Registration.id)
        .execution_options(populate_existing=True)
    )
    registrations = list(rows.scalars())
    if not registrations:
        return report
    event = await event_spec(session, event_id, tz)
    touched: set[datetime] = set()
    for registration in registrations:
        occurrence: schedule.Occurrence | None = None
        if event is not None:
            occurrence = schedule.find_original(event, registration.occurrence_start, tz)
            if occurrence is None:  # the series itself moved: same place in it
                original = schedule.original_at(event, registration.occurrence_index, tz)
                if original is not None:
                    occurrence = schedule.find_original(event, original, tz)
        if occurrence is None or occurrence.cancelled:
            if await _cancel_for_event(session, registration, event, occurrence, now):
                report.cancelled += 1
            continue
        new_original = _utc(occurrence.recurrence_id)
        same_time = _utc(occurrence.starts_at) == _utc(registration.starts_at)
        if same_time and new_original == _utc(registration.occurrence_start):
            continue
        values: dict[str, Any] = {
            "starts_at": occurrence.starts_at,
            "ends_at": occurrence.ends_at,
            "updated_at": now,
        }
        if new_original != _utc(registration.occurrence_start):
            clash = await session.scalar(
                select(Registration.id).where(
                    Registration.event_id == event_id,
                    Registration.occurrence_start == new_original,
                    Registration.user_id == registration.user_id,
                )
            )
            if clash is not None:  # already registered for the new date: drop this one
                if await _cancel_for_event(session, registration, event, None, now):
                    report.cancelled += 1
                continue
            touched.add(_utc(registration.occurrence_start))
            touched.add(new_original)
            values["occurrence_start"] = new_original
        old_start = registration.starts_at
        claimed = await session.execute(
            update(Registration)
            .where(
                Registration.id == registration.id,
                Registration.starts_at == registration.starts_at,
                Registration.status.in_(ACTIVE),
            )
            .values(**values)
            .execution_options(synchronize_session=False)
        )
        if statements.rowcount(claimed) != 1:
            continue
        await session.refresh(registration)
        await R.cancel_pending(session, registration_ref(registration.id), [EVENT])
        if same_time:
            continue  # only its place in the series changed
        report.moved += 1
        if registration.status == "registered":
            await plan_event(session, registration, occurrence, now)
        assert event is not None
        await _notice(
            session,
            registration,
            "moved",
            event,
            occurrence,
            now,
            {
                "old_start": old_start.isoformat(),
                "waitlisted": registration.status == "waitlisted",
            },
        )
    for original in touched:
        await _recount(session, event_id, original, now)
    if event is not None:
        for occurrence in schedule.occurrences(event, tz, after=now, limit=50):
            report.promoted += len(await promote_waitlist(session, event, occurrence, now))
    await session.flush()
    return report


async def _cancel_for_event(
    session: AsyncSession,
    registration: Registration,
    event: EventSpec | None,
    occurrence: schedule.Occurrence | None,
    now: datetime,
) -> bool:
    if not await _claim_cancel(session, registration, ACTIVE, "event", now):
        return False
    payload: dict[str, Any] = {
        "type": "cancelled",
        "event_id": registration.event_id,
        "original": registration.occurrence_start.isoformat(),
        "starts_at": registration.starts_at.isoformat(),
        "ends_at": registration.ends_at.isoformat(),
    }
    if event is not None:
        payload["title"] = event.title.as_dict()
        payload["place"] = event.place.as_dict()
    else:
        row = await session.get(Event, registration.event_id)
        payload["title"] = dict(row.title) if row is not None else {"ko": registration.event_id}
        payload["place"] = dict(row.place) if row is not None else {"ko": ""}
    await _enqueue_notice(
        session,
        registration,
        f"notice:cancelled:{registration.id}:{int(registration.starts_at.timestamp())}",
        payload,
        registration.ends_at,
        now,
    )
    return True


async def events_with_active_registrations(session: AsyncSession, now: datetime) -> list[str]:
    rows = await session.execute(
        select(Registration.event_id)
        .where(Registration.status.in_(ACTIVE), Registration.ends_at > now)
        .distinct()
    )
    return sorted(rows.scalars())


async def reconcile_all(session: AsyncSession, tz: tzinfo, now: datetime) -> Reconciled:
    """Reconcile every event that has active registrations (after the KB changed)."""
    total = Reconciled()
    for event_id in await events_with_active_registrations(session, now):
        found = await reconcile_event(session, event_id, tz, now)
        total.moved += found.moved
        total.cancelled += found.cancelled
        total.promoted += found.promoted
    return total


# ---------------------------------------------------------------------------------------
# Staff: creating, editing, moving and cancelling events
# ---------------------------------------------------------------------------------------


class EventChangeError(ValueError):
    """A staff change that cannot be made; the message says why (English, for the CLI;
    handlers map ``code`` to a localized text)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


async def event_spec(session: AsyncSession, event_id: str, tz: tzinfo) -> EventSpec | None:
    """The event as stored now (uncommitted changes of this session included)."""
    row = await session.get(Event, event_id, populate_existing=True)
    if row is None or row.archived:
        return None
    return EventSpec.model_validate(kbmod.event_document(row, _zone(tz)))


def _zone(tz: tzinfo) -> Any:
    from zoneinfo import ZoneInfo

    return tz if isinstance(tz, ZoneInfo) else ZoneInfo(str(tz))


def _touch(row: Event, now: datetime) -> None:
    # the KB snapshot's fingerprint is the newest updated_at: make sure it moves
    row.updated_at = max(now, row.updated_at + timedelta(microseconds=1))


_SLUG_CLEAN = re.compile(r"[^a-z0-9]+")


def new_event_id(title: str, starts_at: datetime) -> str:
    slug = _SLUG_CLEAN.sub("-", title.lower()).strip("-")[:24] or "event"
    return f"{slug}-{starts_at:%Y%m%d}-{secrets.token_hex(2)}"


@dataclass
class NewEvent:
    kind: str
    title: dict[str, str]
    starts_at: datetime
    ends_at: datetime
    place: dict[str, str]
    dong: str | None = None
    audience: dict[str, str] | None = None
    description: dict[str, str] | None = None
    rrule: str | None = None
    capacity: int | None = None
    registration_required: bool = True
    closes_hours_before: int | None = None
    survey: bool = False
    id: str | None = None


async def create_event(
    session: AsyncSession,
    spec: NewEvent,
    *,
    actor: str,
    now: datetime,
    tz: tzinfo,
    actor_telegram_id: int | None = None,
) -> EventSpec:
    """Create a staff event (``origin = staff``). Validates it as a KB event would be;
    raises :class:`EventChangeError`. Flushes; the caller commits."""
    event_id = spec.id or new_event_id(spec.title.get("en") or "event", spec.starts_at)
    if await session.get(Event, event_id) is not None:
        raise EventChangeError("exists", f"an event with id {event_id!r} exists already")
    audience = spec.audience or {"ko": "누구나", "en": "Everyone"}
    document: dict[str, Any] = {
        "id": event_id,
        "kind": spec.kind,
        "dong": spec.dong,
        "title": spec.title,
        "starts_at": spec.starts_at,
        "ends_at": spec.ends_at,
        "rrule": spec.rrule,
        "place": spec.place,
        "audience": audience,
        "description": spec.description or spec.title,
        "registration": {
            "required": spec.registration_required,
            "capacity": spec.capacity,
            "closes_hours_before": spec.closes_hours_before,
        },
        "survey": spec.survey,
        "origin": "staff",
    }
    try:
        parsed = EventSpec.model_validate(document)
    except Exception as exc:  # pydantic ValidationError: report the first problem
        raise EventChangeError("invalid", _first_problem(exc)) from None
    if parsed.ends_at <= parsed.starts_at:
        raise EventChangeError("order", "the end must be after the start")
    if parsed.dong is not None:
        from models.kb import Dong

        dong = await session.get(Dong, parsed.dong)
        if dong is None or dong.archived:
            raise EventChangeError("dong", f"unknown dong {parsed.dong!r}")
    position = int(await session.scalar(select(func.max(Event.position))) or 0) + 1
    session.add(
        Event(
            id=event_id,
            archived=False,
            updated_at=now,
            changes=[],
            cancelled=False,
            **kbmod.event_values(parsed, max(position, 10_000)),
        )
    )
    await session.flush()
    await audit.record(
        session,
        at=now,
        actor=actor,
        actor_telegram_id=actor_telegram_id,
        action="event.create",
        target_type="event",
        target_id=event_id,
        details={"kind": parsed.kind, "starts_at": parsed.starts_at.isoformat()},
    )
    return parsed


def _first_problem(exc: Exception) -> str:
    errors = getattr(exc, "errors", None)
    if callable(errors):
        found = errors()
        if found:
            first = found[0]
            where = ".".join(str(p) for p in first.get("loc", ()))
            return f"{where}: {first.get('msg', 'invalid')}" if where else str(first.get("msg"))
    return str(exc)


async def _event_row(session: AsyncSession, event_id: str) -> Event:
    row = await session.get(Event, event_id, populate_existing=True)
    if row is None or row.archived:
        raise EventChangeError("unknown", f"unknown event {event_id!r}")
    return row


async def _occurrence_of(
    session: AsyncSession, event_id: str, day: Any, tz: tzinfo
) -> tuple[EventSpec, schedule.Occurrence]:
    spec = await event_spec(session, event_id, tz)
    if spec is None:
        raise EventChangeError("unknown", f"unknown event {event_id!r}")
    occurrence = schedule.occurrence_on(spec, day, tz, include_cancelled=True)
    if occurrence is None:
        raise EventChangeError("no_date", await _no_date(session, spec, day, tz))
    return spec, occurrence


async def _no_date(session: AsyncSession, spec: EventSpec, day: Any, tz: tzinfo) -> str:
    """Why the event has no date on ``day``: the whole event was moved away from it, or
    the dates it does have."""
    moves = await session.execute(
        select(AuditLog.details)
        .where(
            AuditLog.action == "event.move",
            AuditLog.target_type == "event",
            AuditLog.target_id == spec.id,
        )
        .order_by(AuditLog.id)
    )
    moved_to: str | None = None
    for details in moves.scalars():
        start = (details or {}).get("from")
        if start and datetime.fromisoformat(start).astimezone(tz).date() == day:
            moved_to = (
                datetime.fromisoformat(details["to"]).astimezone(tz).strftime("%Y-%m-%d %H:%M")
            )
    dates = ", ".join(
        f"{o.starts_at:%Y-%m-%d %H:%M}"
        for o in schedule.occurrences(spec, tz, limit=6, include_cancelled=False)
    )
    why = f"{spec.id} has no date on {day}"
    if moved_to is not None:
        why += f" (it was moved to {moved_to})"
    return f"{why}; its dates: {dates or 'none (all cancelled)'}"


async def _changed(
    session: AsyncSession,
    row: Event,
    action: str,
    details: dict[str, Any],
    actor: str,
    actor_telegram_id: int | None,
    now: datetime,
    tz: tzinfo,
) -> Reconciled:
    """After a staff change to ``row``: the KB snapshot's fingerprint moves, the change is
    audited, and the registrations follow it (their people told)."""
    _touch(row, now)
    await session.flush()
    await audit.record(
        session,
        at=now,
        actor=actor,
        actor_telegram_id=actor_telegram_id,
        action=action,
        target_type="event",
        target_id=row.id,
        details=details,
    )
    return await reconcile_event(session, row.id, tz, now)


async def cancel_event(
    session: AsyncSession,
    event_id: str,
    *,
    day: Any = None,
    actor: str,
    now: datetime,
    tz: tzinfo,
    actor_telegram_id: int | None = None,
) -> Reconciled:
    """Cancel one occurrence (``day``: its local date) or the whole event; everyone
    registered is told, in their language, and their reminders are cancelled."""
    row = await _event_row(session, event_id)
    if day is None:
        if row.cancelled:
            raise EventChangeError("already", "the event is cancelled already")
        row.cancelled = True
        target = "all"
    else:
        _, occurrence = await _occurrence_of(session, event_id, day, tz)
        if occurrence.day != day:
            # found through its original date: it was moved; cancelling it by the date it
            # no longer has would cancel another day than the one staff named
            moved_to = occurrence.starts_at.astimezone(tz)
            raise EventChangeError(
                "moved",
                f"{event_id} on {day} was moved to {moved_to:%Y-%m-%d %H:%M}; to cancel "
                f"it, name its new date: --date {moved_to:%Y-%m-%d}",
            )
        if occurrence.cancelled:
            raise EventChangeError("already", "that date is cancelled already")
        original = occurrence.recurrence_id
        changes = [c for c in (row.changes or []) if not _same_original(c, original)]
        cancelled: dict[str, Any] = {
            "occurrence": _utc(original).isoformat(),
            "status": "cancelled",
        }
        if occurrence.starts_at != original:  # a moved date stays where it was moved to
            cancelled["starts_at"] = _utc(occurrence.starts_at).isoformat()
            cancelled["ends_at"] = _utc(occurrence.ends_at).isoformat()
        changes.append(cancelled)
        row.changes = changes
        target = _utc(original).isoformat()
    return await _changed(
        session, row, "event.cancel", {"occurrence": target}, actor, actor_telegram_id, now, tz
    )


def _same_original(change: dict[str, Any], original: datetime) -> bool:
    try:
        return _utc(datetime.fromisoformat(str(change.get("occurrence")))) == _utc(original)
    except ValueError:
        return False


async def _refuse_attended(session: AsyncSession, event_id: str, original: datetime | None) -> None:
    """Raise ``attended`` when somebody is marked present for the date (``original``) or,
    with None, for any date of the event (:func:`move_event`)."""
    from bot.events.attendance import attended_count  # as attendance imports this module

    count = await attended_count(session, event_id, original)
    if count:
        where = "that date" if original is not None else "dates of this event"
        raise EventChangeError(
            "attended",
            f"{count} person(s) are marked present for {where}: their attendance belongs to "
            "it, so it is not moved (unmark mistaken check-ins first; a session held again "
            "is a new event)",
        )


async def move_event(
    session: AsyncSession,
    event_id: str,
    *,
    to: datetime,
    ends_at: datetime | None = None,
    day: Any = None,
    actor: str,
    now: datetime,
    tz: tzinfo,
    actor_telegram_id: int | None = None,
) -> Reconciled:
    """Move one occurrence (``day``: its current local date) or, without ``day``, the
    whole event (its first date; a series keeps its rule from the new start). The length
    stays unless ``ends_at`` is given. Registrants are told; reminders re-planned.

    A date somebody is marked present for is refused (``attended``), and so is the whole
    event when any of its dates is: the attendance belongs to the time it was held (see
    :func:`handlers.events.staff_move._attendance_refusal`, which says so to staff before
    they confirm). Refused here, so every caller is covered."""
    if to.tzinfo is None:
        raise EventChangeError("naive", "the new time needs a UTC offset")
    row = await _event_row(session, event_id)
    spec = await event_spec(session, event_id, tz)
    assert spec is not None
    if day is None:
        duration = (ends_at - to) if ends_at is not None else (row.ends_at - row.starts_at)
        if duration <= timedelta(0):
            raise EventChangeError("order", "the end must be after the start")
        details: dict[str, Any] = {"from": _utc(row.starts_at).isoformat(), "to": to.isoformat()}
        await _refuse_attended(session, event_id, None)
        row.starts_at = to
        row.ends_at = to + duration
        row.changes = []  # changes belonged to the old dates
    else:
        _, occurrence = await _occurrence_of(session, event_id, day, tz)
        if occurrence.cancelled:
            raise EventChangeError("cancelled", "that date is cancelled")
        duration = (
            (ends_at - to) if ends_at is not None else (occurrence.ends_at - occurrence.starts_at)
        )
        if duration <= timedelta(0):
            raise EventChangeError("order", "the end must be after the start")
        original = occurrence.recurrence_id
        await _refuse_attended(session, event_id, original)
        changes = [c for c in (row.changes or []) if not _same_original(c, original)]
        if _utc(to) != _utc(original) or duration != spec.ends_at - spec.starts_at:
            changes.append(
                {
                    "occurrence": _utc(original).isoformat(),
                    "status": "moved",
                    "starts_at": _utc(to).isoformat(),
                    "ends_at": _utc(to + duration).isoformat(),
                }
            )
        row.changes = changes
        details = {"occurrence": _utc(original).isoformat(), "to": to.isoformat()}
    return await _changed(session, row, "event.move", details, actor, actor_telegram_id, now, tz)


EDITABLE = ("title_ko", "title_en", "place_ko", "place_en", "capacity", "closes_hours_before",
            "survey", "description_ko", "description_en", "kind", "dong",
            "registration_required")  # fmt: skip


async def edit_event(
    session: AsyncSession,
    event_id: str,
    values: dict[str, Any],
    *,
    actor: str,
    now: datetime,
    tz: tzinfo,
    actor_telegram_id: int | None = None,
) -> Reconciled:
    """Change an event's texts, kind, dong, registration (required or not, capacity,
    closing) or survey flag (times: :func:`move_event`). More seats, or no registration
    any more, promote the waitlist.

    A Korean title, place or description changed without its English in the same edit
    drops the English one (it no longer says the same; readers get the Korean). A new
    place is told to everyone registered or waiting for a coming date (one notice each,
    ``Reconciled.told``)."""
    row = await _event_row(session, event_id)
    before = await event_spec(session, event_id, tz)
    columns = ("title", "place", "description", "kind", "dong_id", "registration_required",
               "registration_capacity", "registration_closes_hours_before", "survey")  # fmt: skip
    kept = {column: getattr(row, column) for column in columns}
    try:
        old, changed = await _apply_edit(session, row, values)
        # validate the result before anything is written (a refusal leaves the row as it was)
        EventSpec.model_validate(kbmod.event_document(row, _zone(tz)))
    except EventChangeError:
        for column, value in kept.items():
            setattr(row, column, value)
        raise
    except Exception as exc:  # pydantic ValidationError: report the first problem
        for column, value in kept.items():
            setattr(row, column, value)
        raise EventChangeError("invalid", _first_problem(exc)) from None
    details = {"old": old, "new": changed}
    found = await _changed(session, row, "event.edit", details, actor, actor_telegram_id, now, tz)
    after = await event_spec(session, event_id, tz)
    if (
        before is not None
        and after is not None
        and before.place.get("ko") != after.place.get("ko")
        and not after.cancelled
    ):
        found.told = await _tell_new_place(session, after, before, tz, now)
    return found


async def _apply_edit(
    session: AsyncSession, row: Event, values: dict[str, Any]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Write ``values`` to the (unflushed) row; the old and new values for the audit."""
    from bot.kb.schedule import KINDS
    from models.kb import Dong

    old: dict[str, Any] = {}
    changed: dict[str, Any] = {}
    for name, value in values.items():
        if name not in EDITABLE:
            raise EventChangeError("field", f"cannot edit {name!r}")
        if name.startswith(("title_", "place_", "description_")):
            column, lang = name.rsplit("_", 1)
            text = dict(getattr(row, column) or {})
            old[name] = text.get(lang)
            if value:
                text[lang] = str(value)
            elif lang == "ko":
                raise EventChangeError("empty", "the Korean text cannot be empty")
            else:
                text.pop(lang, None)
            english = f"{column}_en"
            if lang == "ko" and old[name] != text["ko"] and english not in values:
                dropped = text.pop("en", None)
                if dropped is not None:
                    old[english], changed[english] = dropped, None
            setattr(row, column, text)
        elif name == "kind":
            if value not in KINDS:
                raise EventChangeError("kind", f"unknown kind {value!r}; one of {', '.join(KINDS)}")
            old[name] = row.kind
            row.kind = str(value)
        elif name == "dong":
            if value is not None:
                dong = await session.get(Dong, value)
                if dong is None or dong.archived:
                    raise EventChangeError("dong", f"unknown dong {value!r}")
            old[name] = row.dong_id
            row.dong_id = value
        elif name == "registration_required":
            old[name] = row.registration_required
            row.registration_required = bool(value)
        elif name == "capacity":
            old[name] = row.registration_capacity
            if value is not None and int(value) < 1:
                raise EventChangeError("capacity", "capacity must be at least 1")
            row.registration_capacity = int(value) if value is not None else None
            if row.registration_required is None:
                row.registration_required = True
        elif name == "closes_hours_before":
            old[name] = row.registration_closes_hours_before
            row.registration_closes_hours_before = int(value) if value is not None else None
            if row.registration_required is None:
                row.registration_required = True
        elif name == "survey":
            old[name] = row.survey
            row.survey = bool(value)
        changed[name] = value
    return old, changed


async def _tell_new_place(
    session: AsyncSession, event: EventSpec, before: EventSpec, tz: tzinfo, now: datetime
) -> int:
    """One notice to each person registered or waiting for a coming date of ``event``
    (about their soonest date): the place changed. Returns how many are told."""
    rows = await session.execute(
        select(Registration)
        .where(
            Registration.event_id == event.id,
            Registration.status.in_(ACTIVE),
            Registration.ends_at > now,
        )
        .order_by(Registration.starts_at, Registration.id)
    )
    told: set[int] = set()
    for registration in rows.scalars():
        if registration.user_id in told:
            continue
        occurrence = schedule.find_original(event, registration.occurrence_start, tz)
        if occurrence is None or occurrence.cancelled:
            continue
        told.add(registration.user_id)
        await _notice(
            session,
            registration,
            "place",
            event,
            occurrence,
            now,
            {
                "old_place": before.place.as_dict(),
                "waitlisted": registration.status == "waitlisted",
            },
            tag=":"
            + hashlib.blake2s(repr(event.place.as_dict()).encode(), digest_size=4).hexdigest(),
        )
    return len(told)


__all__ = [
    "ACTIVE",
    "EDITABLE",
    "EventChangeError",
    "NewEvent",
    "Outcome",
    "Reconciled",
    "Seats",
    "cancel",
    "cancel_event",
    "capacity_of",
    "create_event",
    "edit_event",
    "event_spec",
    "events_with_active_registrations",
    "get_registration",
    "move_event",
    "occ_token",
    "parse_token",
    "promote_waitlist",
    "reconcile_all",
    "reconcile_event",
    "refusal",
    "register",
    "registration_deadline",
    "reminder_only",
    "seats",
    "user_registrations",
    "waitlist_position",
]
