"""Staff edits of a grant's or an event's key fields (admin role), from its card.

✏️ Edit on a card (``kbedit:grant:<id>`` / ``kbedit:event:<id>``) → choose the field →
type the new value (re-asked, with the text shown back, until it is valid) → preview →
save. The domain logic (parsing, KB invariants, audit log) is :mod:`bot.kb.edits`. A
persistent conversation: a restart between steps loses nothing. Anyone without the admin
role who presses such a button (it is only shown to admins) gets a localized refusal.
"""

from __future__ import annotations

import re
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import Application, CallbackQueryHandler, ConversationHandler, MessageHandler

from bot.core.i18n import Translator
from bot.core.text import esc, shorten
from bot.kb import cards
from bot.kb import edits as kbedit
from bot.kb.edits import Change, EditError, FieldSpec, Target, Value
from bot.kb.records import EventSpec, GrantSpec, KnowledgeBase
from bot.telegram.context import MaeulContext
from handlers.core.browse import admin, edit_markup, knowledge, on_press, pressed, rows_of, send
from handlers.core.steps import TYPED, forgetting, press_buttons
from handlers.core.steps import conversation as blocks_conversation
from handlers.events.browse import send_card as send_event
from handlers.kb.grants import send_card as send_grant

FIELD, VALUE, CONFIRM = "field", "value", "confirm"
KEY = "kbedit"

ENTRY_RE = re.compile(r"^kbedit:(grant|event):(~?[a-z0-9_-]{1,64})$")
FIELD_RE = re.compile(r"^kbedit:field:([a-z_]{1,20})$")

FORMAT_HINTS = {
    "date": "2027-02-12",
    "datetime": "2027-02-12 19:00",
    "amount": "1000000, 1,000,000, 100만",
    "phone": "02-555-0141",
    "count": "30",
}


def format_value(t: Translator, kind: str | None, value: Value) -> str:
    """A field's value as the admin reads it (plain text)."""
    if value is None:
        return t._("(none)")
    if kind == "date" and not isinstance(value, int | str):
        return t.format_date(value)
    if kind == "datetime" and hasattr(value, "tzinfo"):
        return t.format_datetime(value)  # type: ignore[arg-type]
    if kind == "amount" and isinstance(value, int):
        return t.format_krw(value)
    if isinstance(value, int):
        return t.format_number(value)
    return str(value)


def error_text(t: Translator, error: EditError) -> str:
    return t._(error.message, value=format_value(t, error.kind, error.value))


def _record_name(spec: GrantSpec | EventSpec, lang: str) -> str:
    return spec.name.get(lang) if isinstance(spec, GrantSpec) else spec.title.get(lang)


def _state(context: MaeulContext) -> dict[str, Any]:
    data = context.user_data.get(KEY)
    return data if isinstance(data, dict) else {}


def _keep(context: MaeulContext, state: dict[str, Any]) -> None:
    assert context.user_data is not None
    context.user_data[KEY] = state


def _record(
    kb: KnowledgeBase, state: dict[str, Any]
) -> tuple[Target, GrantSpec | EventSpec] | None:
    target = state.get("target")
    if target not in ("grant", "event"):
        return None
    spec = kbedit.get_record(kb, target, str(state.get("id", "")))
    return (target, spec) if spec is not None else None


async def _not_admin(update: Update, context: MaeulContext) -> bool:
    if admin(context):
        return False
    text = context.t._("Only district admins can edit the knowledge base.")
    if update.callback_query is not None:
        await update.callback_query.answer(text, show_alert=True)
    else:
        await send(update, context, esc(text), None)
    return True


async def _admin_pressed(
    update: Update, context: MaeulContext, pattern: re.Pattern[str]
) -> tuple[KnowledgeBase, re.Match[str]] | None:
    """:func:`pressed`, for district admins only (anyone else is told so)."""
    if await _not_admin(update, context):
        return None
    return await pressed(update, context, pattern)


def _cancel_row(t: Translator) -> list[InlineKeyboardButton]:
    return [InlineKeyboardButton(t._("Cancel"), callback_data="kbedit:cancel")]


@on_press(ENTRY_RE, ConversationHandler.END, find=_admin_pressed)
async def begin(
    update: Update, context: MaeulContext, kb: KnowledgeBase, match: re.Match[str]
) -> str | int:
    query = update.callback_query
    t = context.t
    target: Target = "grant" if match.group(1) == "grant" else "event"
    pool = kb.grants if target == "grant" else kb.events
    record_id = cards.resolve(match.group(2), (r.id for r in pool))
    spec = kbedit.get_record(kb, target, record_id) if record_id else None
    if spec is None:
        await query.answer(t._("This record is no longer in the knowledge base."), show_alert=True)
        return ConversationHandler.END
    await query.answer()
    _keep(context, {"target": target, "id": spec.id})
    buttons = [
        InlineKeyboardButton(
            shorten(
                f"{t._(f.label)}: {format_value(t, f.kind, kbedit.current_value(spec, f.name))}",
                60,
            ),
            callback_data=f"kbedit:field:{f.name}",
        )
        for f in kbedit.fields_for(target, spec)
    ]
    text = f"✏️ <b>{esc(_record_name(spec, t.lang))}</b>\n" + esc(
        t._("Which field do you want to change?")
    )
    await send(update, context, text, InlineKeyboardMarkup([*rows_of(buttons, 1), _cancel_row(t)]))
    return FIELD


async def _ask_value(
    update: Update, context: MaeulContext, fspec: FieldSpec, current: Value
) -> str:
    t = context.t
    lines = [
        esc(t._("New value for “{field}”?", field=t._(fspec.label))),
        esc(t._("Now: {value}", value=format_value(t, fspec.kind, current))),
    ]
    hint = FORMAT_HINTS.get(fspec.kind)
    if hint:
        lines.append(esc(t._("Type it like this: {example}", example=hint)))
    if fspec.optional:
        lines.append(esc(t._("Type “none” (없음) to remove it.")))
    if fspec.name == "starts_at":
        lines.append(esc(t._("The end moves with the start, keeping the same length.")))
    await send(update, context, "\n".join(lines), InlineKeyboardMarkup([_cancel_row(t)]))
    return VALUE


@on_press(FIELD_RE, ConversationHandler.END, find=_admin_pressed)
async def field_chosen(
    update: Update, context: MaeulContext, kb: KnowledgeBase, match: re.Match[str]
) -> str | int:
    query = update.callback_query
    state = _state(context)
    found = _record(kb, state)
    fspec = kbedit.field_spec(found[0], match.group(1)) if found else None
    if found is None or fspec is None or fspec not in kbedit.fields_for(*found):
        await query.answer(context.t._("This button is no longer valid."), show_alert=True)
        return FIELD
    await query.answer()
    await edit_markup_none(query)
    state["field"] = fspec.name
    _keep(context, state)
    return await _ask_value(update, context, fspec, kbedit.current_value(found[1], fspec.name))


async def edit_markup_none(query: Any) -> None:
    await edit_markup(query, None)


async def value_typed(update: Update, context: MaeulContext) -> str | int:
    t = context.t
    if await _not_admin(update, context):
        return ConversationHandler.END
    text = update.effective_message.text or ""
    kb = await knowledge(update, context)
    if kb is None:
        return ConversationHandler.END
    state = _state(context)
    found = _record(kb, state)
    if found is None or "field" not in state:
        await send(
            update, context, esc(t._("This record is no longer in the knowledge base.")), None
        )
        context.user_data.pop(KEY, None)
        return ConversationHandler.END
    target, spec = found
    try:
        change = kbedit.plan(kb, target, spec.id, str(state["field"]), text[:1000], t.tz)
    except EditError as exc:
        reply = [
            "⚠️ " + esc(error_text(t, exc)),
            esc(t._("You typed:")) + f" <code>{esc(shorten(text, 300))}</code>",
            esc(t._("Please type it again, or /cancel.")),
        ]
        await send(update, context, "\n".join(reply), None)
        return VALUE
    state["change"] = kbedit.change_to_json(change)
    _keep(context, state)
    await _preview(update, context, spec, change)
    return CONFIRM


def _change_lines(t: Translator, change: Change) -> list[str]:
    lines = []
    for name, old, new in change.all_fields():
        fspec = kbedit.field_spec(change.target, name)
        assert fspec is not None
        lines.append(
            f"• {esc(t._(fspec.label))}: {esc(format_value(t, fspec.kind, old))} → "
            f"<b>{esc(format_value(t, fspec.kind, new))}</b>"
        )
    return lines


async def _preview(
    update: Update, context: MaeulContext, spec: GrantSpec | EventSpec, change: Change
) -> None:
    t = context.t
    text = "\n".join(
        [
            f"✏️ <b>{esc(_record_name(spec, t.lang))}</b>",
            esc(t._("Save this change?")),
            *_change_lines(t, change),
        ]
    )
    markup = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(t._("✅ Save"), callback_data="kbedit:save"),
                InlineKeyboardButton(t._("✏️ Type again"), callback_data="kbedit:retype"),
            ],
            _cancel_row(t),
        ]
    )
    await send(update, context, text, markup)


async def retype(update: Update, context: MaeulContext) -> str | int:
    query = update.callback_query
    kb = await knowledge(update, context)
    if kb is None:
        return ConversationHandler.END
    state = _state(context)
    found = _record(kb, state)
    fspec = kbedit.field_spec(found[0], str(state.get("field"))) if found else None
    if found is None or fspec is None:
        await query.answer(context.t._("This button is no longer valid."), show_alert=True)
        return ConversationHandler.END
    await query.answer()
    await edit_markup_none(query)
    state.pop("change", None)
    return await _ask_value(update, context, fspec, kbedit.current_value(found[1], fspec.name))


async def save(update: Update, context: MaeulContext) -> str | int:
    query = update.callback_query
    t = context.t
    if await _not_admin(update, context):
        context.user_data.pop(KEY, None)
        return ConversationHandler.END
    kb = await knowledge(update, context)
    if kb is None:
        return ConversationHandler.END
    state = _state(context)
    change = kbedit.change_from_json(state.get("change") or {})
    if change is None:
        await query.answer(t._("This button is no longer valid."), show_alert=True)
        return CONFIRM
    clock = context.runtime.clock
    try:
        new_kb = kbedit.applied(kb, change)
        await kbedit.save(
            context.db,
            change,
            actor=f"tg:{context.user.telegram_id}",
            actor_telegram_id=context.user.telegram_id,
            now=clock.utcnow(),
            knowledge=context.runtime.knowledge,
        )
    except EditError as exc:
        await query.answer()
        await edit_markup_none(query)
        await send(update, context, "⚠️ " + esc(error_text(t, exc)), None)
        context.user_data.pop(KEY, None)
        return ConversationHandler.END
    await query.answer(t._("Saved."))
    await edit_markup_none(query)
    context.user_data.pop(KEY, None)
    await send(update, context, "✅ " + esc(t._("Saved. The card now reads:")), None)
    if change.target == "grant":
        grant = next(g for g in new_kb.grants if g.id == change.record_id)
        await send_grant(update, context, new_kb, grant)
    else:
        event = next(e for e in new_kb.events if e.id == change.record_id)
        await send_event(update, context, new_kb, event, None)
    return ConversationHandler.END


async def refused(update: Update, context: MaeulContext) -> None:
    """A ``kbedit:`` press outside a live edit: admins see it is stale, others are refused."""
    query = update.callback_query
    if await _not_admin(update, context):
        return
    await query.answer(
        context.t._("This button is no longer valid. Please start again from the menu."),
        show_alert=True,
    )


def register(app: Application) -> None:  # type: ignore[type-arg]
    conversation = blocks_conversation(
        "kbedit",
        entry_points=[CallbackQueryHandler(begin, pattern=ENTRY_RE)],
        states={
            FIELD: [
                CallbackQueryHandler(field_chosen, pattern=FIELD_RE),
                MessageHandler(TYPED, press_buttons),
            ],
            VALUE: [MessageHandler(TYPED, value_typed)],
            CONFIRM: [
                CallbackQueryHandler(save, pattern=r"^kbedit:save$"),
                CallbackQueryHandler(retype, pattern=r"^kbedit:retype$"),
                MessageHandler(TYPED, press_buttons),
            ],
        },
        cancel=forgetting(KEY),
        cancel_pattern=r"^kbedit:cancel$",
    )
    app.add_handler(conversation)
    app.add_handler(CallbackQueryHandler(refused, pattern=r"^kbedit:"))


__all__ = ["error_text", "format_value", "register"]
