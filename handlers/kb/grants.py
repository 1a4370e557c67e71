"""/grants: grant programmes by status (open now — closing soon ones included, marked ⏰ —,
closing soon, upcoming, closed), a card per grant, and 🔔 follow / unfollow for its deadline
reminder.

Callback data: ``grants:list:<section>:<page>`` (page through a section, editing the list
message), ``grants:home`` (a new list message), ``grants:show:<id>`` (the card, from any
message), ``grants:follow:<id>`` / ``grants:unfollow:<id>`` (on the card).
"""

from __future__ import annotations

import re

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler

from bot.core.i18n import N_
from bot.core.text import esc
from bot.kb import cards
from bot.kb import grants as grant_rules
from bot.kb.grants import SECTIONS, GrantStatus
from bot.kb.records import GrantSpec, KnowledgeBase
from bot.kb.reminders import grant_days_before, grant_due
from bot.reminders.rows import GRANT_TOPIC, offsets_for
from bot.telegram.context import MaeulContext
from handlers.core import topic
from handlers.core.blocks import answer
from handlers.core.browse import (
    card_footer,
    edit,
    edit_markup,
    knowledge,
    nav_row,
    page_of,
    pressed_record,
    refuse,
    send,
)

_SECTION_RE = "|".join(s.value for s in SECTIONS)
LIST_RE = re.compile(rf"^grants:list:({_SECTION_RE}):(\d{{1,3}})$")
SHOW_RE = re.compile(r"^grants:show:(~?[a-z0-9_-]{1,64})$")
FOLLOW_RE = re.compile(r"^grants:(follow|unfollow):(~?[a-z0-9_-]{1,64})$")

EMPTY_SECTION: dict[GrantStatus, str] = {
    GrantStatus.OPEN: N_("No call is open right now."),
    GrantStatus.CLOSING: N_("No call closes in the next few days."),
    GrantStatus.UPCOMING: N_("No call is announced yet."),
    GrantStatus.CLOSED: N_("No call has closed yet."),
}


def _section_label(context: MaeulContext, section: GrantStatus, count: int, current: bool) -> str:
    label = f"{context.t._(cards.STATUS_LABELS[section])} ({count})"
    return f"· {label} ·" if current else label


def list_view(
    context: MaeulContext, kb: KnowledgeBase, section: GrantStatus | None, page: int
) -> tuple[str, InlineKeyboardMarkup]:
    t = context.t
    today = context.runtime.clock.today()
    groups = grant_rules.grouped(kb.grants, today)
    if section is None:  # the first section with something in it
        section = next((s for s in SECTIONS if groups[s]), GrantStatus.OPEN)
    items, page, pages = page_of(groups[section], page)
    lines = [
        f"<b>{esc(t._('Grant programmes'))}</b>",
        esc(t._("Today is {date}.", date=t.format_date(today))),
        "",
        f"<b>{esc(t._(cards.STATUS_LABELS[section]))}</b>",
    ]
    # the open list holds the closing-soon grants too: mark them there
    marked = {
        grant.id
        for grant in items
        if section is GrantStatus.OPEN and grant_rules.status(grant, today) is GrantStatus.CLOSING
    }
    if not items:
        lines.append(esc(t._(EMPTY_SECTION[section])))
    else:
        lines.append(esc(t._("Choose a grant to see its card.")))
        if marked:
            lines.append(
                esc(
                    t.n_(
                        "⏰ closes within {n} day",
                        "⏰ closes within {n} days",
                        grant_rules.CLOSING_SOON_DAYS,
                    )
                )
            )
        if pages > 1:
            lines.append(esc(t._("Page {page} of {pages}", page=page + 1, pages=pages)))
    rows = [
        [
            InlineKeyboardButton(
                ("⏰ " if grant.id in marked else "") + cards.grant_button(grant, today, t),
                callback_data=cards.show_data("grants", grant.id),
            )
        ]
        for grant in items
    ]
    nav = nav_row(context, page, pages, f"grants:list:{section.value}:{{page}}")
    if nav:
        rows.append(nav)
    switch = [
        InlineKeyboardButton(
            _section_label(context, s, len(groups[s]), s is section),
            callback_data=f"grants:list:{s.value}:0",
        )
        for s in SECTIONS
    ]
    rows += [switch[:2], switch[2:]]
    return "\n".join(lines), InlineKeyboardMarkup(rows)


async def grants_command(update: Update, context: MaeulContext) -> None:
    kb = await knowledge(update, context)
    if kb is None:
        return
    await answer(update)
    if not kb.grants:
        await send(update, context, esc(context.t._("There are no grant programmes yet.")), None)
        return
    text, markup = list_view(context, kb, None, 0)
    await send(update, context, text, markup)


async def list_page(update: Update, context: MaeulContext) -> None:
    query = update.callback_query
    match = LIST_RE.match(query.data or "")
    assert match is not None  # the pattern guarantees it
    kb = await knowledge(update, context)
    if kb is None:
        return
    await query.answer()
    text, markup = list_view(context, kb, GrantStatus(match.group(1)), int(match.group(2)))
    await edit(query, text, markup)


async def card_markup(
    context: MaeulContext, kb: KnowledgeBase, grant: GrantSpec, following: bool
) -> InlineKeyboardMarkup:
    t = context.t
    rows: list[list[InlineKeyboardButton]] = []
    closed = grant_rules.status(grant, context.runtime.clock.today()) is GrantStatus.CLOSED
    if following:
        rows.append(
            [
                InlineKeyboardButton(
                    t._("🔕 Unfollow"), callback_data=f"grants:unfollow:{cards.ref(grant.id, 48)}"
                )
            ]
        )
    elif not closed:
        rows.append(
            [
                InlineKeyboardButton(
                    t._("🔔 Follow: remind me before the deadline"),
                    callback_data=f"grants:follow:{cards.ref(grant.id, 48)}",
                )
            ]
        )
    for event in grant_rules.related_events(kb, grant.id):
        rows.append(
            [
                InlineKeyboardButton(
                    "📅 " + event.title.get(t.lang),
                    callback_data=cards.show_data("events", event.id),
                )
            ]
        )
    rows.append(card_footer(context, (t._("📋 All grants"), "grants:home"), "grant", grant.id))
    return InlineKeyboardMarkup(rows)


async def send_card(
    update: Update, context: MaeulContext, kb: KnowledgeBase, grant: GrantSpec
) -> None:
    following = await grant_rules.is_following(context.db, context.user, grant.id)
    text = cards.grant_card(grant, kb, context.t, context.runtime.clock.now())
    await send(update, context, text, await card_markup(context, kb, grant, following))
    topic.remember(context, "grant", grant.id)  # "그럼 서류는요?" is about it now


def _grant(kb: KnowledgeBase, value: str) -> GrantSpec | None:
    grant_id = cards.resolve(value, (g.id for g in kb.grants))
    return grant_rules.get_grant(kb, grant_id) if grant_id is not None else None


async def show(update: Update, context: MaeulContext) -> None:
    found = await pressed_record(update, context, SHOW_RE, _grant, _gone(context))
    if found is not None:
        await update.callback_query.answer()
        await send_card(update, context, found[0], found[2])


def _gone(context: MaeulContext) -> str:
    return context.t._("This grant is no longer in the list.")


async def toggle_follow(update: Update, context: MaeulContext) -> None:
    query = update.callback_query
    t = context.t
    found = await pressed_record(update, context, FOLLOW_RE, _grant, _gone(context), group=2)
    if found is None:
        return
    kb, match, grant = found
    clock = context.runtime.clock
    if match.group(1) == "follow":
        if grant_rules.status(grant, clock.today()) is GrantStatus.CLOSED:
            await refuse(query, context, t._("This call has closed: there is no deadline left."))
            return
        await grant_rules.follow(context.db, context.user, grant.id, clock.utcnow())
        await query.answer(await _following(context, grant), show_alert=True)
        following = True
    else:
        await grant_rules.unfollow(context.db, context.user, grant.id)
        await query.answer(t._("🔕 You no longer follow this grant."))
        following = False
    await edit_markup(query, await card_markup(context, kb, grant, following))


async def _following(context: MaeulContext, grant: GrantSpec) -> str:
    """What to tell a new follower, by what the deadline planner will send them
    (:func:`bot.kb.reminders.plan_grant_deadlines`): nothing when their grant reminders
    are off, nor when the reminder time passed before they followed."""
    t = context.t
    offsets = await offsets_for(context.db, context.user.id, GRANT_TOPIC)
    if not offsets:
        return t._(
            "🔔 Following. Grant deadline reminders are off, so I will not remind you: "
            "/reminders turns them on."
        )
    now, tz = context.runtime.clock.now(), context.runtime.settings.tz
    closes = grant.application.closes
    if all(grant_due(closes, tz, grant_days_before(m)) <= now for m in offsets):
        return t.n_(
            "🔔 Following. The deadline is less than {n} day away: there will be no reminder.",
            "🔔 Following. The deadline is less than {n} days away: there will be no reminder.",
            grant_rules.REMINDER_DAYS_BEFORE,
        )
    return t.n_(
        "🔔 Following. I will remind you {n} day before the deadline.",
        "🔔 Following. I will remind you {n} days before the deadline.",
        grant_rules.REMINDER_DAYS_BEFORE,
    )


def register(app: Application) -> None:  # type: ignore[type-arg]
    app.add_handler(CommandHandler("grants", grants_command))
    app.add_handler(CallbackQueryHandler(grants_command, pattern=r"^(menu:grants|grants:home)$"))
    app.add_handler(CallbackQueryHandler(list_page, pattern=LIST_RE))
    app.add_handler(CallbackQueryHandler(show, pattern=SHOW_RE))
    app.add_handler(CallbackQueryHandler(toggle_follow, pattern=FOLLOW_RE))


__all__ = ["card_markup", "list_view", "register", "send_card"]
