"""/newevent's screens: the kind and dong choices, the seats question, the preview with a
button per field, and publishing the draft (see :mod:`handlers.events.newevent` for the
conversation that asks the fields; the draft is a plain dict in ``user_data``)."""

from __future__ import annotations

from datetime import datetime

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot.core.i18n import N_
from bot.core.text import esc
from bot.events import registrations as R
from bot.events import subscriptions as S
from bot.kb import cards, schedule
from bot.kb.records import KnowledgeBase
from bot.reminders.dispatch import nudge_after_commit
from bot.telegram.context import MaeulContext
from handlers.core.browse import knowledge, rows_of, send
from handlers.core.steps import fresh_nonce
from handlers.events.staff_access import who
from handlers.events.staff_draft import dong_choices, dong_value

FIELDS = ("title", "kind", "dong", "start", "end", "place", "seats")
EDIT_LABELS = {
    "title": N_("✏️ Title"),
    "kind": N_("✏️ Kind"),
    "dong": N_("✏️ Dong"),
    "start": N_("✏️ Start"),
    "end": N_("✏️ End"),
    "place": N_("✏️ Place"),
    "seats": N_("✏️ Places"),
}


def cancel_row(context: MaeulContext) -> list[InlineKeyboardButton]:
    return [InlineKeyboardButton(context.t._("Cancel"), callback_data="nev:cancel")]


def kind_markup(context: MaeulContext) -> InlineKeyboardMarkup:
    t = context.t
    buttons = [
        InlineKeyboardButton(t._(cards.KIND_LABELS[kind]), callback_data=f"nev:k:{kind}")
        for kind in schedule.KINDS
    ]
    return InlineKeyboardMarkup([*rows_of(buttons), cancel_row(context)])


def dong_markup(context: MaeulContext, kb: KnowledgeBase) -> InlineKeyboardMarkup:
    t = context.t
    buttons = [
        InlineKeyboardButton(
            cards.dong_label(kb, dong_id, t),
            callback_data=f"nev:d:{dong_value(dong_id)}",
        )
        for dong_id in dong_choices(context, kb)
    ]
    return InlineKeyboardMarkup([*rows_of(buttons), cancel_row(context)])


async def ask_seats(update: Update, context: MaeulContext) -> None:
    t = context.t
    markup = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(t._("No limit"), callback_data="nev:cap:none"),
                InlineKeyboardButton(t._("No registration"), callback_data="nev:cap:off"),
            ]
        ]
    )
    await update.effective_message.reply_text(
        t._("How many places? Type a number, or choose below."), reply_markup=markup
    )


def new_event(draft: dict[str, object]) -> R.NewEvent:
    title_text = str(draft["title"])
    place_text = str(draft["place"])
    capacity = draft.get("capacity")
    return R.NewEvent(
        kind=str(draft["kind"]),
        title={"ko": title_text},
        starts_at=datetime.fromisoformat(str(draft["starts_at"])),
        ends_at=datetime.fromisoformat(str(draft["ends_at"])),
        place={"ko": place_text},
        dong=str(draft["dong"]) if draft.get("dong") else None,
        capacity=int(capacity) if isinstance(capacity, int) else None,
        registration_required=bool(draft.get("registration", True)),
        survey=bool(draft.get("survey", False)),
    )


async def show_preview(update: Update, context: MaeulContext, draft: dict[str, object]) -> None:
    """The draft with a button per field and Publish (its nonce: only this preview publishes)."""
    t = context.t
    kb = await knowledge(update, context)
    if kb is None:
        return
    draft.setdefault("survey", draft.get("kind") == "training")
    nonce = fresh_nonce(draft)
    spec = new_event(draft)
    lines = [
        f"<b>{esc(t._('Preview'))}</b>",
        "",
        f"<b>{esc(spec.title['ko'])}</b>",
        esc(f"{t._(cards.KIND_LABELS[spec.kind])} · {cards.dong_label(kb, spec.dong, t)}"),
        "🕒 " + esc(cards.time_range(spec.starts_at, spec.ends_at, t)),
        "📍 " + esc(spec.place["ko"]),
    ]
    if not spec.registration_required:
        lines.append(esc(t._("No registration needed")))
    elif spec.capacity is None:
        lines.append(esc(t._("Registration required")) + " · " + esc(t._("No limit")))
    else:
        lines.append(
            esc(t._("Registration required"))
            + " · "
            + esc(t.n_("{n} place", "{n} places", spec.capacity))
        )
    lines.append(
        esc(
            t._(
                "Satisfaction survey the next day: {answer}",
                answer=t.p_("survey", "yes") if spec.survey else t.p_("survey", "no"),
            )
        )
    )
    edits = [
        InlineKeyboardButton(t._(EDIT_LABELS[name]), callback_data=f"nev:e:{name}")
        for name in FIELDS
        if name != "dong" or len(dong_choices(context, kb)) > 1
    ]
    markup = InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(t._("✅ Publish"), callback_data=f"nev:ok:{nonce}")],
            *rows_of(edits, 3),
            [InlineKeyboardButton(t._("📝 Survey on/off"), callback_data="nev:svy")],
            cancel_row(context),
        ]
    )
    await send(update, context, "\n".join(lines), markup)


async def publish_draft(update: Update, context: MaeulContext, draft: dict[str, object]) -> bool:
    """Create the drafted event (audited by the domain), tell its subscribers, and say so;
    False (and an alert saying why) when it cannot be created."""
    query = update.callback_query
    t = context.t
    now = context.runtime.clock.now()
    tz = context.runtime.settings.tz
    try:
        spec = await R.create_event(
            context.db,
            new_event(draft),
            **who(context),
            now=now,
            tz=tz,
        )
    except R.EventChangeError as error:
        await query.answer(
            t._("The event could not be created: {reason}", reason=str(error)), show_alert=True
        )
        return False
    told = await S.notify_new_event(context.db, spec, now)
    context.runtime.knowledge.invalidate()
    store = context.runtime.knowledge

    from sqlalchemy import event as sa_event

    sa_event.listen(
        context.db.sync_session, "after_commit", lambda _: store.invalidate(), once=True
    )
    nudge_after_commit(context.db, getattr(context.application, "dispatcher", None))
    await query.answer()
    await query.edit_message_reply_markup(None)
    await send(
        update,
        context,
        esc(
            t._("Published.")
            + " "
            + (
                t.n_(
                    "{n} subscribed chat will be told.", "{n} subscribed chats will be told.", told
                )
                if told
                else t._("No chat subscribes to such events yet, so nobody is told.")
            )
        ),
        InlineKeyboardMarkup(
            [
                [
                    InlineKeyboardButton(
                        t._("📅 Event card"),
                        callback_data=cards.occurrence_data(
                            spec.id, spec.starts_at.astimezone(tz).date()
                        ),
                    )
                ]
            ]
        ),
    )
    return True


__all__ = [
    "EDIT_LABELS",
    "FIELDS",
    "ask_seats",
    "cancel_row",
    "dong_markup",
    "kind_markup",
    "new_event",
    "publish_draft",
    "show_preview",
]
