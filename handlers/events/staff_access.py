"""What every staff action on an event shares: which event or date a press names, and
whether the presser may manage it (else a polite refusal), who is acting (for the audit),
how many registrants a change will tell, making a change (the domain's refusal in the
staff member's words) and what follows it (the schedule cache, the dispatcher's notices).

Threat model: see :mod:`handlers.events.staff_events` — callback data names an event or a
date, never a right; every press loads the event afresh and checks
:func:`handlers.events.staff_draft.may_manage`.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy import event as sa_event
from sqlalchemy import func, select
from telegram import Update

from bot.core.i18n import N_
from bot.events import registrations as R
from bot.kb import cards, schedule
from bot.kb.records import EventSpec, KnowledgeBase
from bot.reminders.dispatch import nudge_after_commit
from bot.telegram.context import MaeulContext
from handlers.core.blocks import Opened, matched, opened_by, refuse
from handlers.core.browse import knowledge
from handlers.events.staff_draft import dong_choices, is_admin_of, may_manage, staff_dongs
from models.events import Registration

REF = r"(~?[a-z0-9_-]{1,40})"
REASONS = {
    "already": N_("It is cancelled already."),
    "cancelled": N_("That date is cancelled."),
    "order": N_("The end must be after the start."),
    "moved": N_("That date was moved; please choose it again from the event."),
    "unknown": N_("This event is no longer in the schedule."),
    "no_date": N_("This event is no longer in the schedule."),
    "empty": N_("The Korean text cannot be empty."),
    "attended": N_("Someone has already checked in for this date, so it cannot be moved."),
}

OccurrencePressed = tuple[re.Match[str], EventSpec, schedule.Occurrence]
"""A press on one date of an event: its data parsed, the event and the date."""


def ref(event_id: str) -> str:
    return cards.ref(event_id, 40)


def token(occurrence: schedule.Occurrence) -> str:
    return R.occ_token(occurrence.event.id, occurrence.recurrence_id)


def only_staff(context: MaeulContext) -> str:
    return context.t._("Only the staff of this event's dong can do that.")


async def staff_knowledge(
    update: Update, context: MaeulContext, refusal: str
) -> KnowledgeBase | None:
    """The KB snapshot, if this user manages events at all (an admin, or staff of a dong);
    ``None`` after replying ``refusal`` (or that nothing is imported yet)."""
    kb = await knowledge(update, context)
    if kb is None:
        return None
    if not dong_choices(context, kb):
        await update.effective_message.reply_text(refusal)
        return None
    return kb


async def managed_event(update: Update, context: MaeulContext, raw: str) -> EventSpec | None:
    """The event ``raw`` (a ref) stands for, if this user may manage it; else a refusal."""
    kb = await knowledge(update, context)
    if kb is None:
        return None
    event_id = cards.resolve(raw, (e.id for e in kb.events))
    event = (
        await R.event_spec(context.db, event_id, context.runtime.settings.tz)
        if event_id is not None
        else None
    )
    return event if await _manages(update, context, event) else None


async def managed_occurrence(
    update: Update, context: MaeulContext, raw: str
) -> tuple[EventSpec, schedule.Occurrence] | None:
    """The event and date a token stands for, if this user may manage it."""
    kb = await knowledge(update, context)
    if kb is None:
        return None
    parsed = R.parse_token(kb, raw, context.runtime.settings.tz)
    event = parsed[0] if parsed is not None else None
    return parsed if await _manages(update, context, event) else None


async def _manages(update: Update, context: MaeulContext, event: EventSpec | None) -> bool:
    """Whether this user may manage ``event`` (``None``: gone from the schedule); else a
    refusal saying why."""
    if event is None:
        await refuse(update, context, context.t._("This event is no longer in the schedule."))
        return False
    if not may_manage(context, event):
        await refuse(update, context, only_staff(context))
        return False
    return True


def on_managed_event(
    pattern: re.Pattern[str], otherwise: Any = None
) -> Callable[[Callable[[Update, MaeulContext, EventSpec], Awaitable[Any]]], Opened]:
    """The opening of a press on one event, as a decorator (:func:`.blocks.opened_by`):
    ``handler(update, context, event)`` when this user may manage the event the press names
    (its data parsed by ``pattern``, group 1 the event's ref); else a polite refusal, and
    ``otherwise`` (a conversation's state, say) is returned."""

    async def find(update: Update, context: MaeulContext) -> EventSpec | None:
        match = await matched(update, context, pattern)
        if match is None:
            return None
        return await managed_event(update, context, match.group(1))

    return opened_by(find, otherwise)


def on_managed_occurrence(
    pattern: re.Pattern[str], otherwise: Any = None
) -> Callable[[Callable[[Update, MaeulContext, OccurrencePressed], Awaitable[Any]]], Opened]:
    """The opening of a press on one date of an event, as a decorator
    (:func:`.blocks.opened_by`): ``handler(update, context, (match, event, occurrence))``
    when this user may manage it (the press's data parsed by ``pattern``, group 1 an
    occurrence token); else a polite refusal, and ``otherwise`` is returned."""

    async def find(update: Update, context: MaeulContext) -> OccurrencePressed | None:
        match = await matched(update, context, pattern)
        if match is None:
            return None
        found = await managed_occurrence(update, context, match.group(1))
        return None if found is None else (match, *found)

    return opened_by(find, otherwise)


def who(context: MaeulContext) -> dict[str, Any]:
    """The staff member acting, as the domain's functions take it (and audit it)."""
    telegram_id = context.user.telegram_id
    return {"actor": f"tg:{telegram_id}", "actor_telegram_id": telegram_id}


async def staff_can_report(update: Update, context: MaeulContext) -> list[str] | None:
    """The ids of every event (archived ones too: past years) this user manages; None
    after a refusal when they manage none."""
    from models.kb import Event

    kb = await knowledge(update, context)
    if kb is None:
        return None
    if is_admin_of(context):
        return list((await context.db.scalars(select(Event.id))).all())
    dongs = staff_dongs(context, kb)
    if not dongs:
        await refuse(update, context, only_staff(context))
        return None
    rows = await context.db.scalars(select(Event.id).where(Event.dong_id.in_(dongs)))
    return list(rows.all())


def will_be_told(context: MaeulContext, count: int, event: EventSpec) -> str:
    """Before a change: how many registrants will be told — or, with nobody registered,
    that nobody has (never "0 people will be told"). Of an event without sign-up, those
    told are who asked for a reminder (they are no registrants)."""
    t = context.t
    if R.reminder_only(event):
        if count == 0:
            return t._("Nobody has asked for a reminder yet.")
        return t.n_(
            "{n} person who asked for a reminder will be told.",
            "{n} people who asked for a reminder will be told.",
            count,
        )
    if count == 0:
        return t._("Nobody has registered yet.")
    return t.n_("{n} registered person will be told.", "{n} registered people will be told.", count)


def were_told(context: MaeulContext, done: str, count: int, event: EventSpec) -> str:
    """After a change: ``done`` ("Cancelled.") and how many registrants are told (nothing
    more when nobody was)."""
    if count == 0:
        return done
    return done + " " + will_be_told(context, count, event)


def reason(context: MaeulContext, error: R.EventChangeError) -> str:
    """Why the domain refused a change, in the staff member's words."""
    message = REASONS.get(error.code)
    if message is not None:
        return context.t._(message)
    return context.t._("The change could not be made: {reason}", reason=str(error))


async def change_event(
    update: Update,
    context: MaeulContext,
    change: Callable[..., Awaitable[R.Reconciled]],
    event_id: str,
    *args: Any,
    **arguments: Any,
) -> R.Reconciled | None:
    """``change`` (:func:`bot.events.registrations.edit_event`, ``move_event`` or
    ``cancel_event``) made to the event by this staff member (audited), at the clock's now
    in the configured zone, then :func:`after_change`; ``None`` after refusing with the
    domain's :func:`reason`."""
    try:
        result = await change(
            context.db,
            event_id,
            *args,
            **arguments,
            **who(context),
            now=context.runtime.clock.now(),
            tz=context.runtime.settings.tz,
        )
    except R.EventChangeError as error:
        await refuse(update, context, reason(context, error))
        return None
    after_change(context)
    return result


def after_change(context: MaeulContext) -> None:
    """After a change to an event: the cached schedule is rebuilt once the update's
    transaction has committed (and now, for this update), and the dispatcher is woken to
    send the registrants' notices."""
    store = context.runtime.knowledge
    store.invalidate()
    sa_event.listen(
        context.db.sync_session, "after_commit", lambda _: store.invalidate(), once=True
    )
    nudge_after_commit(context.db, getattr(context.application, "dispatcher", None))


async def active_count(context: MaeulContext, event_id: str, original: object | None = None) -> int:
    """People registered or waiting for the event's coming dates (or for one date)."""
    query = select(func.count(Registration.id)).where(
        Registration.event_id == event_id,
        Registration.status.in_(R.ACTIVE),
        Registration.ends_at > context.runtime.clock.now(),
    )
    if original is not None:
        query = query.where(Registration.occurrence_start == original)
    return int(await context.db.scalar(query) or 0)
