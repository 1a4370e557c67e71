"""Reminders as rows: planning them, people's reminder times, cancelling them.

Every message the bot sends on its own is a :class:`models.events.Reminder` row — event
reminders, grant deadlines, the assembly non-voter reminder, surveys, notices (moved,
cancelled, a seat from the waitlist), announcements and subscription news. Planning a row
is idempotent: each has a unique ``key``, and :func:`enqueue` inserts it once however
often (or by however many bot instances) it is planned. :mod:`bot.dispatch` sends them.

Row kinds (``Reminder.kind``) and their payloads:

* ``event`` — ``registration_id``, ``event_id``, ``original`` and ``starts_at`` (ISO),
  ``offset`` (minutes before). Planned when someone registers (:func:`plan_event`);
  cancelled and re-planned when the occurrence moves.
* ``grant`` — ``grant_id``, ``closes`` (ISO date): three days before the deadline of a
  followed grant (:func:`plan_grant_deadlines`).
* ``vote`` — ``voter_id``, ``vote_id``: the assembly non-voter reminder
  (:func:`plan_nonvoters`; once only, see there).
* ``survey`` — ``token``, ``event_id``, ``original`` (:mod:`bot.attendance`).
* ``notice`` — ``type`` (``moved``, ``cancelled``, ``promoted``) and the event's details.
* ``announce`` — ``text``, ``target``: staff ``/announce``.
* ``news`` — ``type`` (``new_event``, ``grant_open``): for subscribers.

Nothing here knows Telegram.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, tzinfo
from typing import Any

from sqlalchemy import and_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from bot import schedule
from bot.core.i18n import N_
from bot.kb import grants as grant_rules
from bot.kb.records import EventSpec, KnowledgeBase
from models.events import Registration, Reminder, ReminderSetting
from models.follow import GrantFollow
from models.kb import EVENT_KINDS
from models.user import User

EVENT, GRANT, VOTE, SURVEY, NOTICE, ANNOUNCE, NEWS, MESSAGE = (
    "event",
    "grant",
    "vote",
    "survey",
    "notice",
    "announce",
    "news",
    "message",
)
KINDS = (EVENT, GRANT, VOTE, SURVEY, NOTICE, ANNOUNCE, NEWS, MESSAGE)
"""``message``: a text already rendered for its recipient (:func:`bot.outbox.tell`)."""

GRANT_TOPIC = "grant"
TOPICS: tuple[str, ...] = (*EVENT_KINDS, GRANT_TOPIC)
"""What people set reminder times for: each kind of event, and grant deadlines."""
DEFAULT_OFFSETS: tuple[int, ...] = (24 * 60, 60)
"""One day and one hour before (minutes)."""
GRANT_OFFSETS: tuple[int, ...] = (grant_rules.REMINDER_DAYS_BEFORE * 24 * 60,)
PRESETS: dict[str, tuple[int, ...]] = {
    "1d1h": (24 * 60, 60),
    "1d": (24 * 60,),
    "3h": (180,),
    "1h": (60,),
    "2d1d": (48 * 60, 24 * 60),
    "off": (),
}
"""Reminder times people choose from for events (minutes before the start)."""
PRESET_LABELS: dict[str, str] = {
    "1d1h": N_("1 day and 1 hour before"),
    "1d": N_("1 day before"),
    "3h": N_("3 hours before"),
    "1h": N_("1 hour before"),
    "2d1d": N_("2 days and 1 day before"),
    "off": N_("No reminders"),
}
GRANT_PRESETS: dict[str, tuple[int, ...]] = {"on": GRANT_OFFSETS, "off": ()}
REMIND_AT = time(10, 0)
"""Local time of day for date-based reminders (grant deadlines, surveys, news)."""
KEEP_GRANT_DAYS = 3
"""Grant rows are planned from three days before the deadline up to the deadline."""


# ---------------------------------------------------------------------------------------
# Messages (rendered by bot.reminders_render; sent by bot.dispatch)
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class OutMessage:
    """An HTML message with optional inline buttons ``(label, callback_data)``."""

    text: str
    buttons: tuple[tuple[tuple[str, str], ...], ...] = ()


@dataclass(frozen=True)
class Planned:
    kind: str
    key: str
    chat_id: int
    due_at: datetime
    payload: dict[str, Any]
    user_id: int | None = None
    expires_at: datetime | None = None
    ref: str | None = None


# ---------------------------------------------------------------------------------------
# Enqueueing and cancelling
# ---------------------------------------------------------------------------------------


def _insert(session: AsyncSession) -> Any:
    dialect = session.get_bind().dialect.name
    return postgresql.insert if dialect == "postgresql" else sqlite.insert


async def enqueue(session: AsyncSession, items: Iterable[Planned], now: datetime) -> int:
    """Insert rows not planned before (by ``key``); returns how many were new."""
    rows = [
        {
            "kind": item.kind,
            "key": item.key,
            "ref": item.ref,
            "user_id": item.user_id,
            "chat_id": item.chat_id,
            "due_at": item.due_at,
            "expires_at": item.expires_at,
            "status": "pending",
            "attempts": 0,
            "payload": item.payload,
            "created_at": now,
        }
        for item in items
    ]
    if not rows:
        return 0
    inserted = 0
    for start in range(0, len(rows), 500):
        stmt = _insert(session)(Reminder).values(rows[start : start + 500])
        stmt = stmt.on_conflict_do_nothing(index_elements=["key"])
        result = await session.execute(stmt)
        inserted += max(int(getattr(result, "rowcount", 0) or 0), 0)
    return inserted


async def cancel_pending(
    session: AsyncSession, ref: str, kinds: Sequence[str] | None = None
) -> int:
    """Cancel the pending rows about ``ref`` (e.g. ``reg:12``); returns how many."""
    conditions = [Reminder.ref == ref, Reminder.status == "pending"]
    if kinds is not None:
        conditions.append(Reminder.kind.in_(list(kinds)))
    result = await session.execute(
        update(Reminder)
        .where(and_(*conditions))
        .values(status="cancelled", last_error="cancelled before it was due")
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)


# ---------------------------------------------------------------------------------------
# People's reminder times
# ---------------------------------------------------------------------------------------


def default_offsets(topic: str) -> tuple[int, ...]:
    return GRANT_OFFSETS if topic == GRANT_TOPIC else DEFAULT_OFFSETS


async def offsets_for(session: AsyncSession, user_id: int, topic: str) -> tuple[int, ...]:
    row = await session.get(ReminderSetting, (user_id, topic))
    if row is None:
        return default_offsets(topic)
    return tuple(sorted((int(m) for m in row.offsets), reverse=True))


async def all_offsets(session: AsyncSession, user_id: int) -> dict[str, tuple[int, ...]]:
    found = {topic: default_offsets(topic) for topic in TOPICS}
    rows = await session.execute(select(ReminderSetting).where(ReminderSetting.user_id == user_id))
    for row in rows.scalars():
        if row.topic in found:
            found[row.topic] = tuple(sorted((int(m) for m in row.offsets), reverse=True))
    return found


def preset_of(topic: str, offsets: Sequence[int]) -> str | None:
    presets = GRANT_PRESETS if topic == GRANT_TOPIC else PRESETS
    wanted = tuple(sorted(offsets, reverse=True))
    return next((name for name, value in presets.items() if value == wanted), None)


async def set_offsets(
    session: AsyncSession, user: User, topic: str, offsets: Sequence[int], now: datetime
) -> None:
    """Save someone's reminder times for a topic. Pending event reminders of that kind are
    re-planned with :func:`replan_user` by the caller (it needs the KB)."""
    if topic not in TOPICS:
        raise ValueError(f"unknown topic {topic!r}")
    clean = sorted({int(m) for m in offsets if 0 < int(m) <= 14 * 24 * 60}, reverse=True)
    row = await session.get(ReminderSetting, (user.id, topic))
    if row is None:
        session.add(ReminderSetting(user_id=user.id, topic=topic, offsets=clean, updated_at=now))
    else:
        row.offsets = clean
        row.updated_at = now
    await session.flush()


# ---------------------------------------------------------------------------------------
# Event reminders
# ---------------------------------------------------------------------------------------


def _iso(when: datetime) -> str:
    return when.isoformat()


def registration_ref(registration_id: int) -> str:
    return f"reg:{registration_id}"


def event_reminders(
    registration: Registration,
    user: User,
    occurrence: schedule.Occurrence,
    offsets: Sequence[int],
    now: datetime,
) -> list[Planned]:
    """The reminder rows for one registration at the occurrence's current time.

    A reminder whose time has passed is not planned (someone who registers an hour before
    gets no "tomorrow" message). Each one expires when the next one is due, the last when
    the event starts: after a restart, only the most useful one is still sent.
    """
    start = occurrence.starts_at
    dues = sorted(((start - timedelta(minutes=m), m) for m in offsets), key=lambda d: d[0])
    planned = []
    for index, (due, minutes) in enumerate(dues):
        if due <= now:
            continue
        expires = dues[index + 1][0] if index + 1 < len(dues) else start
        planned.append(
            Planned(
                kind=EVENT,
                key=f"ev:{registration.id}:{int(start.timestamp())}:{minutes}",
                chat_id=user.telegram_id,
                user_id=user.id,
                due_at=due,
                expires_at=expires,
                ref=registration_ref(registration.id),
                payload={
                    "registration_id": registration.id,
                    "event_id": occurrence.event.id,
                    "original": _iso(occurrence.recurrence_id),
                    "starts_at": _iso(start),
                    "offset": minutes,
                },
            )
        )
    return planned


async def plan_event(
    session: AsyncSession,
    registration: Registration,
    occurrence: schedule.Occurrence,
    now: datetime,
) -> int:
    """Plan the reminders of a registered person for the occurrence's current time."""
    user = await session.get(User, registration.user_id)
    if user is None or registration.status != "registered" or occurrence.cancelled:
        return 0
    offsets = await offsets_for(session, user.id, occurrence.event.kind)
    return await enqueue(
        session, event_reminders(registration, user, occurrence, offsets, now), now
    )


async def replan_user(
    session: AsyncSession, user: User, kb: KnowledgeBase, tz: tzinfo, now: datetime, topic: str
) -> int:
    """After someone changed their reminder times for ``topic``: cancel the pending event
    reminders of their future registrations of that kind and plan them again."""
    if topic == GRANT_TOPIC:
        return 0
    rows = await session.execute(
        select(Registration).where(
            Registration.user_id == user.id,
            Registration.status == "registered",
            Registration.starts_at > now,
        )
    )
    planned = 0
    for registration in rows.scalars():
        event = schedule.get_event(kb, registration.event_id)
        if event is None or event.kind != topic:
            continue
        occurrence = schedule.find_original(event, registration.occurrence_start, tz)
        if occurrence is None or occurrence.cancelled:
            continue
        await cancel_pending(session, registration_ref(registration.id), [EVENT])
        offsets = await offsets_for(session, user.id, topic)
        # a fresh key per plan: the old rows are cancelled, these are new
        items = [
            Planned(**{**item.__dict__, "key": f"{item.key}:{int(now.timestamp())}"})
            for item in event_reminders(registration, user, occurrence, offsets, now)
        ]
        planned += await enqueue(session, items, now)
    return planned


# ---------------------------------------------------------------------------------------
# Grant deadlines
# ---------------------------------------------------------------------------------------


def local_at(day: date, at: time, tz: tzinfo) -> datetime:
    return datetime.combine(day, at, tzinfo=tz)


def grant_due(closes: date, tz: tzinfo, days_before: int) -> datetime:
    return local_at(closes - timedelta(days=days_before), REMIND_AT, tz)


async def plan_grant_deadlines(
    session: AsyncSession, kb: KnowledgeBase, now: datetime, tz: tzinfo
) -> int:
    """Followers of a grant get a reminder three days before its deadline (per person:
    their ``grant`` setting; off turns it off).

    Planned when due, from the follows table — the source of truth — so a bot that was
    down on the day still sends it afterwards, until the deadline passes. Someone who
    started following after that moment gets none (they just looked at it).
    """
    today = now.astimezone(tz).date()
    window = [
        g
        for g in kb.grants
        if 0 <= (g.application.closes - today).days <= grant_rules.REMINDER_DAYS_BEFORE + 14
    ]
    if not window:
        return 0
    rows = await session.execute(
        select(GrantFollow, User)
        .join(User, User.id == GrantFollow.user_id)
        .where(GrantFollow.grant_id.in_([g.id for g in window]), User.active.is_(True))
    )
    settings: dict[int, tuple[int, ...]] = {}
    items = []
    for follow, user in rows.all():
        grant = next(g for g in window if g.id == follow.grant_id)
        closes = grant.application.closes
        if user.id not in settings:
            settings[user.id] = await offsets_for(session, user.id, GRANT_TOPIC)
        for minutes in settings[user.id]:
            days = max(1, minutes // (24 * 60))
            due = grant_due(closes, tz, days)
            expires = local_at(closes + timedelta(days=1), time(0, 0), tz)
            if not (due <= now < expires) or follow.created_at >= due:
                continue
            items.append(
                Planned(
                    kind=GRANT,
                    key=f"grant:{user.id}:{grant.id}:{closes.isoformat()}:{days}",
                    chat_id=user.telegram_id,
                    user_id=user.id,
                    due_at=due,
                    expires_at=expires,
                    ref=f"grant:{user.id}:{grant.id}",
                    payload={"grant_id": grant.id, "closes": closes.isoformat()},
                )
            )
    return await enqueue(session, items, now)


# ---------------------------------------------------------------------------------------
# The assembly non-voter reminder
# ---------------------------------------------------------------------------------------


async def plan_nonvoters(session: AsyncSession, now: datetime) -> int:
    """The assembly's reminder to people who redeemed a code but have not voted, in the
    last 24 hours of a vote (:func:`bot.assembly.due_nonvoter_reminders`).

    Once only, as before: each voter is claimed (``reminded = true``, a conditional update)
    and its row inserted in the same transaction, so a restart, a second instance or a
    second planning never reminds anyone twice; the row's unique key guards as well.
    """
    from bot import assembly

    due = await assembly.due_nonvoter_reminders(session, now)
    items = []
    for reminder in due:
        if not await assembly.claim_reminder(session, reminder.voter_id):
            continue
        user_id = (
            await session.execute(select(User.id).where(User.telegram_id == reminder.telegram_id))
        ).scalar_one()
        items.append(
            Planned(
                kind=VOTE,
                key=f"vote:{reminder.voter_id}",
                chat_id=reminder.telegram_id,
                user_id=user_id,
                due_at=now,
                expires_at=reminder.closes_at,
                ref=f"vote:{reminder.vote_id}",
                payload={"voter_id": reminder.voter_id, "vote_id": reminder.vote_id},
            )
        )
    return await enqueue(session, items, now)


# ---------------------------------------------------------------------------------------
# Subscription news
# ---------------------------------------------------------------------------------------


@dataclass
class PassPlan:
    """What one planning pass did (for logs and tests)."""

    counts: dict[str, int] = field(default_factory=dict)

    def add(self, name: str, n: int) -> None:
        self.counts[name] = self.counts.get(name, 0) + n


def event_payload(event: EventSpec, occurrence: schedule.Occurrence) -> dict[str, Any]:
    """What a notice needs to be rendered even if the event disappears later."""
    return {
        "event_id": event.id,
        "title": event.title.as_dict(),
        "place": event.place.as_dict(),
        "original": _iso(occurrence.recurrence_id),
        "starts_at": _iso(occurrence.starts_at),
        "ends_at": _iso(occurrence.ends_at),
    }


__all__ = [
    "ANNOUNCE",
    "DEFAULT_OFFSETS",
    "EVENT",
    "GRANT",
    "GRANT_PRESETS",
    "GRANT_TOPIC",
    "KINDS",
    "NEWS",
    "NOTICE",
    "PRESETS",
    "PRESET_LABELS",
    "SURVEY",
    "TOPICS",
    "VOTE",
    "OutMessage",
    "PassPlan",
    "Planned",
    "all_offsets",
    "cancel_pending",
    "default_offsets",
    "enqueue",
    "event_payload",
    "event_reminders",
    "grant_due",
    "local_at",
    "offsets_for",
    "plan_event",
    "plan_grant_deadlines",
    "plan_nonvoters",
    "preset_of",
    "registration_ref",
    "replan_user",
    "set_offsets",
]
