"""The edit preview of :mod:`handlers.events.staff_change`: the event's editable fields as
they would be saved (old values with the changes), each with its ✏️ button or toggle, and
what Save passes to :func:`bot.events.registrations.edit_event`. The draft is the plain dict
the conversation keeps in ``user_data`` (``old``, ``new``, the preview's ``nonce``)."""

from __future__ import annotations

from typing import Any

from telegram import InlineKeyboardButton, Update

from bot.core.text import esc
from bot.events import registrations as R
from bot.kb import cards
from bot.kb.records import EventSpec
from bot.telegram.context import MaeulContext
from handlers.core.blocks import grid, list_keyboard, show
from handlers.core.browse import knowledge
from handlers.core.steps import fresh_nonce
from handlers.events.staff_access import active_count
from handlers.events.staff_draft import dong_choices

DOMAIN_NAMES = {
    "title": "title_ko",
    "title_en": "title_en",
    "place": "place_ko",
    "capacity": "capacity",
    "survey": "survey",
    "kind": "kind",
    "dong": "dong",
    "registration": "registration_required",
}
"""The preview's fields and the names :func:`bot.events.registrations.edit_event` takes
(the CLI's ``maeul events edit`` options)."""


def cancel_row(context: MaeulContext) -> list[InlineKeyboardButton]:
    return [InlineKeyboardButton(context.t._("Cancel"), callback_data="sev:x")]


def values_of(draft: dict[str, Any]) -> dict[str, Any]:
    """The draft's fields as they would be saved: the old ones with the changes; a new
    Korean title without a new English one drops the English (as the domain does)."""
    old, new = draft["old"], draft["new"]
    value = {**old, **new}
    if value["title"] != old["title"] and "title_en" not in new:
        value["title_en"] = None
    return value


def changes(draft: dict[str, Any]) -> dict[str, Any]:
    """What Save changes, in the domain's names."""
    old, value = draft["old"], values_of(draft)
    changed = {k: v for k, v in value.items() if k in DOMAIN_NAMES and v != old.get(k)}
    if "title" in changed and "title_en" in draft["new"]:
        changed["title_en"] = draft["new"]["title_en"]  # kept as typed with the new title
    if not value["registration"]:
        changed.pop("capacity", None)  # no registration: no seats to change
    return {DOMAIN_NAMES[k]: v for k, v in changed.items()}


async def preview(
    update: Update,
    context: MaeulContext,
    event: EventSpec,
    draft: dict[str, Any],
    *,
    edit: bool = False,
) -> None:
    """The preview, as a new message — or in place of the pressed one (``edit``: a toggle
    or a choice; the chat does not fill with copies of it)."""
    t = context.t
    kb = await knowledge(update, context)
    if kb is None:
        return
    old = draft["old"]
    value = values_of(draft)
    nonce = fresh_nonce(draft)

    def line(name: str, label: str, shown: str) -> str:
        changed = " ✏️ " + t._("(changed)") if value[name] != old[name] else ""
        return f"{esc(label)}: <b>{esc(shown)}</b>{esc(changed)}"

    seats = (  # after the label "Places" (정원): "12명", not "정원 12명"
        t._("No limit")
        if value["capacity"] is None
        else t.n_("{n} person", "{n} people", value["capacity"])
    )
    registration = value["registration"]
    lines = [
        f"<b>{esc(t._('Edit event'))}</b> · "
        + esc(cards.time_range(event.starts_at, event.ends_at, t)),
        "",
        line("title", t._("Title (Korean)"), value["title"]),
        line("title_en", t._("English title"), value["title_en"] or t.p_("title", "none")),
        line("kind", t._("Kind"), t._(cards.KIND_LABELS[value["kind"]])),
        line("dong", t._("Dong"), cards.dong_label(kb, value["dong"], t)),
        line("place", t._("Place"), value["place"]),
        line(
            "registration",
            t._("Registration"),
            t.p_("registration", "required")
            if registration
            else t.p_("registration", "not needed (open to all)"),
        ),
    ]
    if registration:
        lines.append(line("capacity", t._("Places"), seats))
    lines.append(
        line(
            "survey",
            t._("Satisfaction survey"),
            t.p_("survey", "yes") if value["survey"] else t.p_("survey", "no"),
        )
    )
    if value["place"] != old["place"]:
        count = await active_count(context, event.id)
        if count:
            lines += ["", esc(t.n_(
                "{n} person who asked for a reminder will be told of the new place.",
                "{n} people who asked for a reminder will be told of the new place.",
                count,
            ) if R.reminder_only(event) else t.n_(
                "{n} registered person will be told of the new place.",
                "{n} registered people will be told of the new place.",
                count,
            ))]  # fmt: skip
    lines += ["", esc(t._("Change a field, then save. Times: use Move."))]
    fields = [
        InlineKeyboardButton(t._("✏️ Title"), callback_data="sev:f:title"),
        InlineKeyboardButton(t._("✏️ English title"), callback_data="sev:f:title_en"),
        InlineKeyboardButton(t._("✏️ Kind"), callback_data="sev:f:kind"),
    ]
    if len(dong_choices(context, kb)) > 1:
        fields.append(InlineKeyboardButton(t._("✏️ Dong"), callback_data="sev:f:dong"))
    fields.append(InlineKeyboardButton(t._("✏️ Place"), callback_data="sev:f:place"))
    if registration:
        fields.append(InlineKeyboardButton(t._("✏️ Places"), callback_data="sev:f:seats"))
    toggles = [
        InlineKeyboardButton(t._("📝 Registration on/off"), callback_data="sev:reg"),
        InlineKeyboardButton(t._("📝 Survey on/off"), callback_data="sev:svy"),
    ]
    save = [InlineKeyboardButton(t._("💾 Save"), callback_data=f"sev:save:{nonce}")]
    markup = list_keyboard(grid(fields), None, [toggles, save + cancel_row(context)])
    await show(update, context, "\n".join(lines), markup, edit=edit)
