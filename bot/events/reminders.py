"""The events' reminders: rows planned for registrations, and how every events kind reads.

Kinds (``Reminder.kind``) and their payloads:

* ``event`` — ``registration_id``, ``event_id``, ``original`` and ``starts_at`` (ISO),
  ``offset`` (minutes before). Planned when someone registers
  (:func:`bot.events.reminder_rows.plan_event`); cancelled and re-planned when the
  occurrence moves; dropped once the registration is cancelled, the occurrence moved or
  the event started.
* ``survey`` — ``token``, ``event_id``, ``original`` (:mod:`bot.events.attendance`).
* ``notice`` — ``type`` (``moved``, ``cancelled``, ``promoted``, ``place``: a new place,
  with ``old_place``) and the event's details.
* ``announce`` — ``text``, ``target``: staff ``/announce``.
* ``news`` — ``type`` (``new_event``, ``grant_open``): for subscribers.

Planners: surveys after an event, subscription news, and registrations reconciled with
the schedule whenever the knowledge base changed (moved and cancelled occurrences). A
group that blocked the bot loses its subscriptions.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.i18n import Translator
from bot.core.runtime import Runtime
from bot.core.text import esc, localized
from bot.events import attendance
from bot.events import registrations as reg
from bot.events import subscriptions as subs
from bot.events.registrations import occ_token
from bot.events.reminder_rows import ANNOUNCE, EVENT, NEWS, NOTICE, SURVEY
from bot.events.subscriptions import TOPIC_LABELS
from bot.kb import cards, schedule
from bot.kb.records import EventSpec
from bot.reminders.registry import Drop, Registry, RenderContext
from bot.reminders.rows import OutMessage
from models.events import Registration, Reminder, Subscription, SurveyInvitation
from models.kb import Grant


def _dt(value: Any) -> datetime:
    parsed = datetime.fromisoformat(str(value))
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


def _same(a: datetime, b: datetime) -> bool:
    return a.astimezone(UTC) == b.astimezone(UTC)


async def _event_now(ctx: RenderContext, event_id: str) -> EventSpec | None:
    """The event as stored now — read from the database, not the KB snapshot, which may be
    a second behind a move or a creation in another process."""
    events: dict[str, EventSpec | None] = ctx.cache.setdefault("events", {})
    if event_id not in events:
        events[event_id] = await reg.event_spec(ctx.session, event_id, ctx.tz)
    return events[event_id]


async def _load_registrations(ctx: RenderContext, rows: Sequence[Reminder]) -> None:
    ids = {int(r.payload["registration_id"]) for r in rows if "registration_id" in r.payload}
    found: dict[int, Registration] = ctx.cache.setdefault("registrations", {})
    if ids:
        result = await ctx.session.execute(select(Registration).where(Registration.id.in_(ids)))
        found.update({r.id: r for r in result.scalars()})


def _relative(start: datetime, now: datetime, t: Translator) -> str:
    minutes = max(1, int((start - now).total_seconds() // 60))
    if minutes < 90:
        return t.n_("starts in {n} minute", "starts in {n} minutes", minutes)
    hours = round(minutes / 60)
    if hours < 36:
        return t.n_("starts in {n} hour", "starts in {n} hours", hours)
    days = round(hours / 24)
    return t.n_("starts in {n} day", "starts in {n} days", days)


async def _event(ctx: RenderContext, row: Reminder, t: Translator) -> OutMessage:
    payload = row.payload
    registration = ctx.cache.get("registrations", {}).get(int(payload.get("registration_id", 0)))
    if registration is None or registration.status != "registered":
        raise Drop("registration cancelled")
    planned_start = _dt(payload["starts_at"])
    if not _same(registration.starts_at, planned_start):
        raise Drop("the occurrence moved")
    event = await _event_now(ctx, registration.event_id)
    if event is None:
        raise Drop("event no longer in the schedule")
    occurrence = schedule.find_original(event, registration.occurrence_start, ctx.tz)
    if occurrence is None or occurrence.cancelled:
        raise Drop("occurrence cancelled")
    if not _same(occurrence.starts_at, planned_start):
        raise Drop("the occurrence moved")
    if ctx.now >= occurrence.starts_at:
        raise Drop("the event has started")
    lines = [
        "⏰ " + f"<b>{esc(event.title.get(t.lang))}</b>",
        esc(t._("Reminder: it {when}.", when=_relative(occurrence.starts_at, ctx.now, t))),
        "",
        "🕒 " + esc(cards.time_range(occurrence.starts_at, occurrence.ends_at, t)),
        "📍 " + esc(event.place.get(t.lang)),
    ]
    buttons = (
        (
            (t._("📅 Event card"), cards.occurrence_data(event.id, occurrence.day)),
            (
                t._("🔕 Stop reminding me")
                if reg.reminder_only(event)
                else t._("Cancel my registration"),
                f"reg:out:{occ_token(event.id, occurrence.recurrence_id)}",
            ),
        ),
    )
    return OutMessage("\n".join(lines), buttons)


async def _survey(ctx: RenderContext, row: Reminder, t: Translator) -> OutMessage:
    token = str(row.payload.get("token", ""))
    invitation = (
        await ctx.session.execute(select(SurveyInvitation).where(SurveyInvitation.token == token))
    ).scalar_one_or_none()
    if invitation is None or invitation.rated:
        raise Drop("answered")
    event = await _event_now(ctx, invitation.event_id)
    title = event.title.get(t.lang) if event is not None else invitation.event_id
    day = _dt(row.payload.get("starts_at", invitation.occurrence_start.isoformat()))
    text = "\n".join(
        [
            "📝 "
            + esc(
                t._(
                    "How was “{title}” on {date}?",
                    title=title,
                    date=t.format_date(day, short=True),
                )
            ),
            esc(
                t._(
                    "Please rate it from 1 (poor) to 5 (excellent). Your answer is anonymous: "
                    "the centre sees only totals."
                )
            ),
        ]
    )
    buttons = (tuple((str(n), f"svy:{token}:{n}") for n in range(1, 6)),)
    return OutMessage(text, buttons)


async def _notice(ctx: RenderContext, row: Reminder, t: Translator) -> OutMessage:
    p = row.payload
    title = esc(localized(p.get("title"), t.lang))
    place = esc(localized(p.get("place"), t.lang))
    kind = p.get("type")
    start, end = _dt(p["starts_at"]), _dt(p["ends_at"])
    when = esc(cards.time_range(start, end, t))
    if kind == "moved":
        old = _dt(p["old_start"])
        lines = [
            "📅 " + f"<b>{title}</b>",
            esc(
                t._("This event has moved. You stay on the waitlist for the new time.")
                if p.get("waitlisted")
                else t._(
                    "This event has moved. You stay registered; reminders follow the new time."
                )
            ),
            "",
            "🕒 " + when,
            "📍 " + place,
            esc(t._("(It was {old}.)", old=t.format_datetime(old))),
        ]
        day = start.astimezone(ctx.tz).date()
        return OutMessage(
            "\n".join(lines),
            (((t._("📅 Event card"), cards.occurrence_data(str(p["event_id"]), day)),),),
        )
    if kind == "cancelled":
        lines = [
            "❌ " + f"<b>{title}</b>",
            esc(
                t._(
                    "This date has been cancelled: {when}. Your registration is cancelled; "
                    "you will get no reminders for it.",
                    when=t.format_datetime(start),
                )
            ),
        ]
        return OutMessage("\n".join(lines))
    if kind == "promoted":
        lines = [
            "🎉 " + f"<b>{title}</b>",
            esc(t._("A seat opened up: you are now registered.")),
            "",
            "🕒 " + when,
            "📍 " + place,
        ]
        day = start.astimezone(ctx.tz).date()
        token = occ_token(str(p["event_id"]), _dt(p["original"]))
        return OutMessage(
            "\n".join(lines),
            (
                (
                    (t._("📅 Event card"), cards.occurrence_data(str(p["event_id"]), day)),
                    (t._("Cancel my registration"), f"reg:out:{token}"),
                ),
            ),
        )
    if kind == "place":
        event = await _event_now(ctx, str(p["event_id"]))
        if event is None or event.cancelled:
            raise Drop("event no longer in the schedule")
        if event.place.as_dict() != p.get("place"):
            raise Drop("the place changed again: a newer notice follows")
        if ctx.now >= end:
            raise Drop("the event is over")
        lines = [
            "📍 " + f"<b>{title}</b>",
            esc(
                t._("The place has changed. You stay on the waitlist.")
                if p.get("waitlisted")
                else t._("The place has changed. You stay registered.")
            ),
            "",
            "🕒 " + when,
            "📍 " + f"<b>{place}</b>",
            esc(t._("(The place was {old}.)", old=localized(p.get("old_place"), t.lang))),
        ]
        day = start.astimezone(ctx.tz).date()
        return OutMessage(
            "\n".join(lines),
            (((t._("📅 Event card"), cards.occurrence_data(str(p["event_id"]), day)),),),
        )
    raise Drop(f"unknown notice {kind}")


async def _announce(ctx: RenderContext, row: Reminder, t: Translator) -> OutMessage:
    p = row.payload
    header = t._("📢 Announcement")
    target = p.get("target_label")
    if p.get("topic") == "kind" and p.get("value") in TOPIC_LABELS:
        header = t._("📢 Announcement · {target}", target=t._(TOPIC_LABELS[p["value"]]))
    elif isinstance(target, dict):
        header = t._("📢 Announcement · {target}", target=localized(target, t.lang))
    return OutMessage(f"<b>{esc(header)}</b>\n\n{esc(p.get('text', ''))}")


async def _news(ctx: RenderContext, row: Reminder, t: Translator) -> OutMessage:
    p = row.payload
    if p.get("type") == "new_event":
        event = await _event_now(ctx, str(p.get("event_id")))
        if event is None:
            raise Drop("event no longer in the schedule")
        occurrence = schedule.next_occurrence(event, ctx.now, ctx.tz)
        if occurrence is None:
            raise Drop("event over or cancelled")
        lines = [
            "🆕 " + f"<b>{esc(event.title.get(t.lang))}</b>",
            esc(t._(cards.KIND_LABELS[event.kind])),
            "🕒 " + esc(cards.time_range(occurrence.starts_at, occurrence.ends_at, t)),
            "📍 " + esc(event.place.get(t.lang)),
        ]
        return OutMessage(
            "\n".join(lines),
            (((t._("📅 Event card"), cards.occurrence_data(event.id, occurrence.day)),),),
        )
    if p.get("type") == "grant_open":
        grant = await ctx.session.get(Grant, str(p.get("grant_id")))
        if grant is None or grant.archived:
            raise Drop("grant no longer listed")
        closes = grant.closes_on
        if ctx.now.astimezone(ctx.tz).date() > closes:
            raise Drop("closed")
        text = "\n".join(
            [
                "🆕 " + f"<b>{esc(localized(grant.name, t.lang))}</b>",
                esc(t._("Applications are open until {date}.", date=t.format_date(closes))),
                esc(localized(grant.summary, t.lang)),
            ]
        )
        return OutMessage(
            text, (((t._("📋 Grant details"), cards.show_data("grants", grant.id)),),)
        )
    raise Drop("unknown news")


# ---------------------------------------------------------------------------------------
# Planners
# ---------------------------------------------------------------------------------------


async def _plan_surveys(session: AsyncSession, runtime: Runtime, now: datetime) -> int:
    kb = await runtime.knowledge.get()
    if kb is None:
        return 0
    return await attendance.plan_surveys(session, kb, now, runtime.settings.tz)


async def _plan_news(session: AsyncSession, runtime: Runtime, now: datetime) -> int:
    kb = await runtime.knowledge.get()
    if kb is None:
        return 0
    return await subs.plan_grant_news(session, kb, now, runtime.settings.tz)


class _Reconcile:
    """Registrations follow the schedule: once per change of the knowledge base, moved and
    cancelled occurrences are found and their people told."""

    def __init__(self) -> None:
        self.seen: dict[int, int] = {}  # id(runtime) -> KB version reconciled

    async def __call__(
        self, session: AsyncSession, runtime: Runtime, now: datetime
    ) -> dict[str, int]:
        kb = await runtime.knowledge.get()
        version = runtime.knowledge.version
        if kb is None or self.seen.get(id(runtime.knowledge)) == version:
            return {}
        found = await reg.reconcile_all(session, runtime.settings.tz, now)
        self.seen[id(runtime.knowledge)] = version
        return {"moved": found.moved, "cancelled": found.cancelled}


async def _unsubscribe(session: AsyncSession, chat_id: int) -> None:
    """A group that blocked the bot (or removed it) loses its subscriptions."""
    rows = await session.execute(select(Subscription).where(Subscription.chat_id == chat_id))
    for subscription in rows.scalars():
        await session.delete(subscription)


def register(registry: Registry) -> None:
    registry.kind(EVENT, _event, preload=_load_registrations)
    registry.kind(SURVEY, _survey)
    registry.kind(NOTICE, _notice)
    registry.kind(ANNOUNCE, _announce)
    registry.kind(NEWS, _news)
    registry.planner("survey", _plan_surveys)
    registry.planner("news", _plan_news)
    registry.planner("reconcile", _Reconcile())
    registry.blocked(_unsubscribe)


__all__ = ["register"]
