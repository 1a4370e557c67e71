"""/events: upcoming occurrences, filtered by dong and kind, and a card per occurrence.

Callback data (the filters travel in it, so any list message can be paged later):
``events:list:<dong>:<kind>:<page>`` with ``<dong>`` a dong id or ``all`` and ``<kind>``
an event kind or ``all``; ``events:dongs:<dong>:<kind>`` / ``events:kinds:<dong>:<kind>``
(choose a filter); ``events:home`` (a new list); ``events:show:<event_id>`` (the next
occurrence's card, from any message); ``events:occ:<event_id>@<YYYYMMDD>``.
District-wide events are always listed; the user's home dong is preselected.
"""

from __future__ import annotations

import re

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler

from bot.core.text import esc
from bot.kb import cards, schedule
from bot.kb.records import EventSpec, KnowledgeBase
from bot.telegram.context import MaeulContext
from handlers.core import topic
from handlers.core.blocks import answer, choices
from handlers.core.browse import (
    card_footer,
    edit,
    knowledge,
    nav_row,
    on_press,
    page_of,
    pressed_record,
    refuse,
    rows_of,
    send,
)
from handlers.events.occurrence import occurrence_label

ALL = "all"
_REF = r"~?[a-z0-9_-]{1,24}"
_KIND = "|".join(schedule.KINDS)
LIST_RE = re.compile(rf"^events:list:({_REF}):({_KIND}|all):(\d{{1,3}})$")
CHOOSE_RE = re.compile(rf"^events:(dongs|kinds):({_REF}):({_KIND}|all)$")
SHOW_RE = re.compile(r"^events:show:(~?[a-z0-9_-]{1,64})$")
OCC_RE = re.compile(r"^events:occ:(~?[a-z0-9_-]{1,64})@(\d{8})$")


def _dong_ref(dong_id: str | None) -> str:
    return ALL if dong_id is None else cards.ref(dong_id, 24)


STALE = "\x00stale"


def _resolve_dong(kb: KnowledgeBase, value: str) -> str | None:
    """A dong id, None for all dongs, or :data:`STALE` when the value is stale or forged."""
    if value == ALL:
        return None
    found = cards.resolve(value, (d.id for d in kb.dongs))
    return found if found is not None else STALE


def list_view(
    context: MaeulContext, kb: KnowledgeBase, dong: str | None, kind: str, page: int
) -> tuple[str, InlineKeyboardMarkup]:
    t = context.t
    now = context.runtime.clock.now()
    found = schedule.upcoming(
        kb,
        now,
        t.tz,
        dong=dong or schedule.ALL,
        kind=kind if kind != ALL else schedule.ALL,
    )
    items, page, pages = page_of(found, page)
    dong_text = (
        t._("{dong} and district-wide", dong=cards.dong_label(kb, dong, t))
        if dong is not None
        else t._("all dongs")
    )
    kind_text = t._(cards.KIND_LABELS[kind]) if kind != ALL else t._("all kinds")
    lines = [
        f"<b>{esc(t._('Upcoming events'))}</b>",
        esc(t._("Showing: {dong} · {kind}", dong=dong_text, kind=kind_text)),
    ]
    if not items:
        lines += ["", esc(t._("No upcoming events match. Try another dong or kind."))]
    else:
        lines.append(esc(t._("Choose an event to see its card.")))
        if pages > 1:
            lines.append(esc(t._("Page {page} of {pages}", page=page + 1, pages=pages)))
    dref = _dong_ref(dong)
    rows = [
        [
            InlineKeyboardButton(
                occurrence_label(occurrence, t, context.runtime.clock.now()),
                callback_data=cards.occurrence_data(occurrence.event.id, occurrence.day),
            )
        ]
        for occurrence in items
    ]
    nav = nav_row(context, page, pages, f"events:list:{dref}:{kind}:{{page}}")
    if nav:
        rows.append(nav)
    rows.append(
        [
            InlineKeyboardButton(
                "🏘 " + (cards.dong_label(kb, dong, t) if dong else t._("All dongs")),
                callback_data=f"events:dongs:{dref}:{kind}",
            ),
            InlineKeyboardButton(
                t._(cards.KIND_LABELS[kind]) if kind != ALL else "🏷 " + t._("All kinds"),
                callback_data=f"events:kinds:{dref}:{kind}",
            ),
        ]
    )
    return "\n".join(lines), InlineKeyboardMarkup(rows)


def _default_dong(context: MaeulContext, kb: KnowledgeBase) -> str | None:
    home = context.user.home_dong_id
    return home if home is not None and any(d.id == home for d in kb.dongs) else None


async def events_command(update: Update, context: MaeulContext) -> None:
    kb = await knowledge(update, context)
    if kb is None:
        return
    await answer(update)
    text, markup = list_view(context, kb, _default_dong(context, kb), ALL, 0)
    await send(update, context, text, markup)


@on_press(LIST_RE)
async def list_page(
    update: Update, context: MaeulContext, kb: KnowledgeBase, match: re.Match[str]
) -> None:
    query = update.callback_query
    dong = _resolve_dong(kb, match.group(1))
    if dong == STALE:
        await refuse(query, context)
        return
    await query.answer()
    text, markup = list_view(context, kb, dong, match.group(2), int(match.group(3)))
    await edit(query, text, markup)


@on_press(CHOOSE_RE)
async def choose_filter(
    update: Update, context: MaeulContext, kb: KnowledgeBase, match: re.Match[str]
) -> None:
    query = update.callback_query
    t = context.t
    what, dref, kind = match.groups()
    dong = _resolve_dong(kb, dref)
    if dong == STALE:
        await refuse(query, context)
        return
    await query.answer()
    if what == "dongs":
        options = [(ALL, t._("All dongs"))] + [(d.id, d.name.get(t.lang)) for d in kb.dongs]
        buttons = choices(
            options,
            lambda value: f"events:list:{_dong_ref(None if value == ALL else value)}:{kind}:0",
            lambda value: (value == ALL and dong is None) or value == dong,
        )
        text = t._("Which dong? District-wide events are always shown.")
    else:
        kinds = [(ALL, t._("All kinds"))]
        kinds += [(k, t._(cards.KIND_LABELS[k])) for k in schedule.KINDS]
        buttons = choices(kinds, lambda value: f"events:list:{dref}:{value}:0", lambda v: v == kind)
        text = t._("Which kind of event?")
    await edit(query, esc(text), InlineKeyboardMarkup(rows_of(buttons)))


def card_markup(context: MaeulContext, kb: KnowledgeBase, event: EventSpec) -> InlineKeyboardMarkup:
    t = context.t
    rows = [
        [
            InlineKeyboardButton(
                "📋 " + grant.name.get(t.lang), callback_data=cards.show_data("grants", grant.id)
            )
        ]
        for grant in kb.grants
        if grant.id in set(event.related_grants)
    ]
    rows.append(card_footer(context, (t._("📅 All events"), "events:home"), "event", event.id))
    return InlineKeyboardMarkup(rows)


async def send_card(
    update: Update,
    context: MaeulContext,
    kb: KnowledgeBase,
    event: EventSpec,
    occurrence: schedule.Occurrence | None,
) -> None:
    from handlers.events.registration import card_view  # seats, registration, calendar (issue 6)

    tz = context.t.tz
    if occurrence is None:
        now = context.runtime.clock.now()
        occurrence = schedule.next_occurrence(event, now, tz) or schedule.last_occurrence(event, tz)
    text, markup = await card_view(context, kb, event, occurrence)
    await send(update, context, text, markup)
    topic.remember(context, "event", event.id)  # "거기 어디예요?" is about it now


def _event(kb: KnowledgeBase, value: str) -> EventSpec | None:
    event_id = cards.resolve(value, (e.id for e in kb.events))
    return schedule.get_event(kb, event_id) if event_id is not None else None


async def show(update: Update, context: MaeulContext) -> None:
    gone = context.t._("This event is no longer in the schedule.")
    found = await pressed_record(update, context, SHOW_RE, _event, gone)
    if found is not None:
        await update.callback_query.answer()
        await send_card(update, context, found[0], found[2], None)


@on_press(OCC_RE)
async def show_occurrence(
    update: Update, context: MaeulContext, kb: KnowledgeBase, match: re.Match[str]
) -> None:
    query = update.callback_query
    event = _event(kb, match.group(1))
    parsed = schedule.parse_key(f"{event.id if event else 'x'}@{match.group(2)}")
    occurrence = (
        schedule.occurrence_on(event, parsed[1], context.t.tz, include_cancelled=True)
        if event is not None and parsed is not None
        else None
    )
    if event is None or occurrence is None:  # the event or that date was changed
        await refuse(query, context, context.t._("This event is no longer in the schedule."))
        return
    await query.answer()
    await send_card(update, context, kb, event, occurrence)


def register(app: Application) -> None:  # type: ignore[type-arg]
    app.add_handler(CommandHandler("events", events_command))
    app.add_handler(CallbackQueryHandler(events_command, pattern=r"^(menu:events|events:home)$"))
    app.add_handler(CallbackQueryHandler(list_page, pattern=LIST_RE))
    app.add_handler(CallbackQueryHandler(choose_filter, pattern=CHOOSE_RE))
    app.add_handler(CallbackQueryHandler(show, pattern=SHOW_RE))
    app.add_handler(CallbackQueryHandler(show_occurrence, pattern=OCC_RE))


__all__ = ["card_markup", "list_view", "register", "send_card"]
