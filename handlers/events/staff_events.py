"""/staffevents: the staff's events — a list, one event's screen, and choosing a date.

From an event's screen staff edit it (field by field, :mod:`staff_change`), move or
cancel one date or all, show the room's check-in QR, open the attendance list and get the
report (:mod:`staff_attend`).

Threat model: callback data names an event (or one of its dates), never a right. Every
press loads the event afresh and checks :func:`handlers.events.staff_draft.may_manage`
(admin, or staff of the event's dong) — so a forged press, one from a message forwarded
to a resident, or one kept by someone whose role was removed since, is refused with an
alert and changes nothing. Malformed data is refused the same way.

Callback data: ``sev:l:<page>`` the list, ``sev:e:<ref>`` an event, ``sev:p:<act>:<ref>``
choose a date for ``q`` (check-in QR), ``a`` (attendance), ``m`` (move), ``c`` (cancel);
``<ref>`` is :func:`bot.kb.cards.ref` of the id, ``<tok>`` an occurrence token
(:func:`bot.events.registrations.occ_token`).
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler

from bot.core.text import esc, shorten
from bot.events import registrations as R
from bot.kb import cards, schedule
from bot.kb.records import EventSpec, KnowledgeBase
from bot.telegram.context import MaeulContext
from handlers.core import blocks
from handlers.core.browse import knowledge, on_press
from handlers.events import staff_access
from handlers.events.staff_draft import is_admin_of, may_manage, staff_dongs

LIST_RE = re.compile(r"^sev:l:(\d{1,3})$")
EVENT_RE = re.compile(rf"^sev:e:{staff_access.REF}$")
PICK_RE = re.compile(rf"^sev:p:([qamc]):{staff_access.REF}$")
PAST = timedelta(days=92)
"""Events whose last date is this recent still show (their attendance and report)."""
LIST_PAGE = 6
ACTION_DATA = {"q": "sev:q:{tok}", "a": "sev:a:{tok}:0", "m": "sev:m:{tok}", "c": "sev:c:{tok}"}
WHOLE_DATA = {"m": "sev:M:{ref}", "c": "sev:C:{ref}"}


def _visible(context: MaeulContext, kb: KnowledgeBase) -> list[tuple[EventSpec, object]]:
    now = context.runtime.clock.now()
    tz = context.runtime.settings.tz
    found: list[tuple[EventSpec, tuple[int, datetime]]] = []
    for event in kb.events:
        if not may_manage(context, event):
            continue
        upcoming = schedule.next_occurrence(event, now, tz)
        if upcoming is not None:
            found.append((event, (0, upcoming.starts_at)))
            continue
        last = schedule.last_occurrence(event, tz)
        if last.ends_at > now - PAST:
            found.append((event, (1, now - last.starts_at + now)))
    found.sort(key=lambda pair: pair[1])
    return [(event, key) for event, key in found]


async def list_view(update: Update, context: MaeulContext, page: int, *, edit: bool) -> None:
    t = context.t
    kb = await knowledge(update, context)
    if kb is None:
        return
    tz = context.runtime.settings.tz
    now = context.runtime.clock.now()
    events = _visible(context, kb)
    shown = blocks.paginate(events, page, LIST_PAGE)
    lines = [f"<b>{esc(t._('Events you manage'))}</b>"]
    if not events:
        lines.append(esc(t._("No events yet. Create one with /newevent.")))
    items = []
    for event, _ in shown.items:
        upcoming = schedule.next_occurrence(event, now, tz) or schedule.last_occurrence(event, tz)
        when = cards.list_date(t, upcoming.starts_at, now)
        mark = "❌ " if event.cancelled else ""
        label = f"{mark}{when} · {shorten(event.title.get(t.lang), 40)}"
        items.append(
            InlineKeyboardButton(label, callback_data=f"sev:e:{staff_access.ref(event.id)}")
        )
    year = now.astimezone(tz).year
    footer = [
        [InlineKeyboardButton(t._("➕ New event"), callback_data="sev:new")],
        [
            InlineKeyboardButton(t._("📊 Report {year}", year=year), callback_data=f"sev:y:{year}"),
            InlineKeyboardButton(
                t._("📊 Report {year}", year=year - 1), callback_data=f"sev:y:{year - 1}"
            ),
        ],
    ]
    nav = blocks.nav_row(shown.number, shown.count, "sev:l:{page}")
    await blocks.show(
        update, context, "\n".join(lines), blocks.list_keyboard(items, nav, footer), edit=edit
    )


async def staffevents_command(update: Update, context: MaeulContext) -> None:
    refusal = context.t._("This is for the staff of a dong. Ask the centre for the staff role.")
    if await staff_access.staff_knowledge(update, context, refusal) is None:
        return
    await list_view(update, context, 0, edit=False)


@on_press(LIST_RE)
async def list_page(
    update: Update, context: MaeulContext, kb: KnowledgeBase, match: re.Match[str]
) -> None:
    if not staff_dongs(context, kb) and not is_admin_of(context):
        await blocks.refuse(update, context, staff_access.only_staff(context))
        return
    await blocks.answer(update)
    await list_view(update, context, int(match.group(1)), edit=True)


def _date_line(context: MaeulContext, occurrence: schedule.Occurrence) -> str:
    t = context.t
    text = cards.time_range(occurrence.starts_at, occurrence.ends_at, t)
    if occurrence.cancelled:
        return "❌ <s>" + esc(text) + "</s>"
    if occurrence.moved:
        return "🔀 " + esc(text)
    return "• " + esc(text)


async def event_text(context: MaeulContext, kb: KnowledgeBase, event: EventSpec) -> str:
    t = context.t
    tz = context.runtime.settings.tz
    now = context.runtime.clock.now()
    lines = [
        f"<b>{esc(event.title.get(t.lang))}</b>",
        esc(f"{t._(cards.KIND_LABELS[event.kind])} · {cards.dong_label(kb, event.dong, t)}"),
        "📍 " + esc(event.place.get(t.lang)),
    ]
    seats = R.capacity_of(event)
    if R.reminder_only(event):
        # its "remind me" rows are no sign-ups: nothing to count
        lines.append(esc(t._("No registration needed")))
    else:
        if seats is None:
            lines.append(esc(t._("Registration required") + " · " + t._("No limit")))
        else:
            lines.append(
                esc(t._("Registration required") + " · " + t.n_("{n} place", "{n} places", seats))
            )
        count = await staff_access.active_count(context, event.id)
        lines.append(
            esc(
                t.n_("{n} person registered or waiting", "{n} people registered or waiting", count)
                if count
                else t._("Nobody has registered yet.")
            )
        )
    if event.cancelled:
        lines += ["", "<b>" + esc(t._("This event is cancelled.")) + "</b>"]
        return "\n".join(lines)
    dates = list(schedule.occurrences(event, tz, after=now - PAST, limit=8, include_cancelled=True))
    lines += ["", esc(t._("Dates:"))] + [_date_line(context, o) for o in dates]
    return "\n".join(lines)


def event_markup(context: MaeulContext, event: EventSpec) -> InlineKeyboardMarkup:
    t = context.t
    r = staff_access.ref(event.id)
    rows: list[list[InlineKeyboardButton]] = []
    if not event.cancelled:
        data = {act: f"sev:p:{act}:{r}" for act in "qamc"}
        if event.rrule is None:  # one date: no question which
            only = next(schedule.occurrences(event, context.runtime.settings.tz, limit=1))
            data = {act: ACTION_DATA[act].format(tok=staff_access.token(only)) for act in "qa"}
            data |= {act: WHOLE_DATA[act].format(ref=r) for act in "mc"}
        rows += blocks.grid(
            [
                InlineKeyboardButton(t._("✏️ Edit"), callback_data=f"sev:ed:{r}"),
                InlineKeyboardButton(t._("🕒 Move"), callback_data=data["m"]),
                InlineKeyboardButton(t._("📷 Check-in QR"), callback_data=data["q"]),
                InlineKeyboardButton(t._("👥 Attendance"), callback_data=data["a"]),
                InlineKeyboardButton(t._("❌ Cancel"), callback_data=data["c"]),
                InlineKeyboardButton(t._("📊 Report"), callback_data=f"sev:r:{r}"),
            ]
        )
    else:
        rows.append([InlineKeyboardButton(t._("📊 Report"), callback_data=f"sev:r:{r}")])
    rows.append([InlineKeyboardButton(t._("◀ All my events"), callback_data="sev:l:0")])
    return InlineKeyboardMarkup(rows)


async def show_event(
    update: Update, context: MaeulContext, event: EventSpec, *, edit: bool
) -> None:
    kb = await knowledge(update, context)
    if kb is None:
        return
    text = await event_text(context, kb, event)
    await blocks.show(update, context, text, event_markup(context, event), edit=edit)


@staff_access.on_managed_event(EVENT_RE)
async def event_pressed(update: Update, context: MaeulContext, event: EventSpec) -> None:
    await blocks.answer(update)
    await show_event(update, context, event, edit=True)


async def pick_date(update: Update, context: MaeulContext) -> None:
    """Choose the date of a series to act on (a one-off event's screen carries the date's
    own data: moving or cancelling a one-off event is moving or cancelling it all)."""
    match = PICK_RE.match(update.callback_query.data or "")
    assert match is not None
    act = match.group(1)
    event = await staff_access.managed_event(update, context, match.group(2))
    if event is None:
        return
    t = context.t
    tz = context.runtime.settings.tz
    now = context.runtime.clock.now()
    if act in ("m", "c"):
        dates = list(schedule.occurrences(event, tz, after=now, limit=12))
    else:
        dates = list(schedule.occurrences(event, tz, after=now - PAST, limit=12))
    if event.cancelled or not dates:
        await blocks.refuse(update, context, t._("This event has no dates left to do that with."))
        return
    buttons = [
        InlineKeyboardButton(
            cards.time_range(o.starts_at, o.ends_at, t),
            callback_data=ACTION_DATA[act].format(tok=staff_access.token(o)),
        )
        for o in dates
    ]
    footer = []
    if act in WHOLE_DATA:
        footer.append(
            InlineKeyboardButton(
                t._("All dates"),
                callback_data=WHOLE_DATA[act].format(ref=staff_access.ref(event.id)),
            )
        )
    footer.append(
        InlineKeyboardButton(t._("◀ Back"), callback_data=f"sev:e:{staff_access.ref(event.id)}")
    )
    questions = {
        "q": t._("The check-in QR for which date?"),
        "a": t._("The attendance list of which date?"),
        "m": t._("Move which date?"),
        "c": t._("Cancel which date?"),
    }
    await blocks.answer(update)
    text = f"<b>{esc(event.title.get(t.lang))}</b>\n{esc(questions[act])}"
    await blocks.show(update, context, text, blocks.list_keyboard(buttons, None, footer), edit=True)


def register(app: Application) -> None:  # type: ignore[type-arg]
    app.add_handler(CommandHandler("staffevents", staffevents_command))
    app.add_handler(CallbackQueryHandler(list_page, pattern=LIST_RE))
    app.add_handler(CallbackQueryHandler(event_pressed, pattern=EVENT_RE))
    app.add_handler(CallbackQueryHandler(pick_date, pattern=PICK_RE))


__all__ = ["register", "show_event"]
