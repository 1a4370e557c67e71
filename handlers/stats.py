"""/stats: the centre's numbers for a period and a dong, as a picture and an xlsx
(issue 13, The centre's numbers). The figures are :mod:`bot.stats`.

/stats → the dong (staff of one dong skip this; admins also get the whole district) →
the period (this month, last month, this year, last year, the last 30 days) → a short
summary, the picture and the workbook. ``/stats 2026-03-01 2026-06-30`` reports any
period of up to three years (dates as staff type them: 2026.3.1, 2026년 3월 1일 …).

Staff of one dong see only their dong; every press re-checks it on the server (a forged
``stats:`` press for another dong, or the district, is refused). Every report is in the
audit log (``stats.report``: who, which dong and period) — it reads residents' activity.
"""

from __future__ import annotations

import asyncio
import re
from datetime import date

from telegram import InlineKeyboardButton, InputFile, Update
from telegram.constants import ChatType
from telegram.ext import Application, CallbackQueryHandler, CommandHandler

from bot.core import audit
from bot.core.i18n import N_
from bot.core.text import esc
from bot.core.users import is_admin, is_staff_of
from bot.kb.edits import EditError, parse_date
from bot.stats import report
from bot.stats.service import Period, PeriodError, compute, named_period
from bot.telegram.context import MaeulContext
from handlers.core import blocks

ALL = "*"
PERIODS = (
    ("m0", N_("This month")),
    ("m1", N_("Last month")),
    ("y0", N_("This year")),
    ("y1", N_("Last year")),
    ("d30", N_("Last 30 days")),
)
DATE_RE = re.compile(r"\d{4}\s*[-./년]\s*\d{1,2}\s*[-./월]\s*\d{1,2}\s*일?|\d{8}")
"""A date as staff type it (2026-03-01, 2026.3.1, 2026년 3월 1일, 20260301)."""
DONG_RE = re.compile(r"^stats:d:(\*|[a-z0-9_-]{1,40})(?::(c\d{8}-\d{8}))?$")
GO_RE = re.compile(r"^stats:go:(\*|[a-z0-9_-]{1,40}):(m0|m1|y0|y1|d30|c\d{8}-\d{8})$")


async def _dongs(context: MaeulContext) -> list[tuple[str, str]]:
    """(id, name) of the dongs this person may report on; ``*`` first for admins."""
    kb = await context.runtime.knowledge.get()
    admins = context.runtime.settings.admin_ids
    lang = context.t.lang
    found = [
        (d.id, d.name.get(lang))
        for d in (kb.dongs if kb is not None else [])
        if is_staff_of(context.user, d.id, admins)
    ]
    if is_admin(context.user, admins):
        return [(ALL, context.t._(report.LABELS["district"])), *found]
    return found


async def _refused(update: Update, context: MaeulContext, dong: str | None = None) -> bool:
    allowed = {d for d, _ in await _dongs(context)}
    if allowed and (dong is None or dong in allowed):
        return False
    text = (
        context.t._("Only the staff of this dong can do that.")
        if allowed
        else context.t._("Only staff can do this.")
    )
    await blocks.refuse(update, context, text)
    return True


def _custom(key: str) -> Period:
    first, last = key[1:].split("-")
    return Period(date.fromisoformat(first), date.fromisoformat(last))


def _custom_key(period: Period) -> str:
    return f"c{period.start:%Y%m%d}-{period.end:%Y%m%d}"


async def stats_command(update: Update, context: MaeulContext) -> None:
    if update.effective_chat.type != ChatType.PRIVATE or await _refused(update, context):
        return
    t = context.t
    custom = ""
    if context.args:
        try:
            parts = DATE_RE.findall(" ".join(context.args))
            if len(parts) != 2:
                raise EditError(N_("Please type a date like 2027-02-12."))
            custom = _custom_key(Period(parse_date(parts[0]), parse_date(parts[1])))
        except EditError as exc:
            await update.effective_message.reply_text(
                t._(exc.message) + "\n" + t._("For example: /stats 2026-01-01 2026-06-30")
            )
            return
        except PeriodError as exc:
            await update.effective_message.reply_text(t._(str(exc)))
            return
    dongs = await _dongs(context)
    if len(dongs) == 1:
        await _ask_period(update, context, dongs[0][0], custom, edit=False)
        return
    suffix = f":{custom}" if custom else ""
    buttons = blocks.choices(dongs, lambda d: f"stats:d:{d}{suffix}")
    await blocks.show(
        update,
        context,
        "📊 " + esc(t._("The centre's numbers: for which dong?")),
        blocks.list_keyboard(buttons, width=2),
    )


async def _ask_period(
    update: Update, context: MaeulContext, dong: str, custom: str, *, edit: bool
) -> None:
    if custom:
        await _report(update, context, dong, custom)
        return
    t = context.t
    buttons = [
        InlineKeyboardButton(t._(label), callback_data=f"stats:go:{dong}:{key}")
        for key, label in PERIODS
    ]
    text = "📊 " + esc(t._("Which period?")) + "\n" + esc(
        t._("Any other period: /stats 2026-01-01 2026-06-30")
    )  # fmt: skip
    await blocks.show(update, context, text, blocks.list_keyboard(buttons, width=2), edit=edit)


async def dong_chosen(update: Update, context: MaeulContext) -> None:
    found = await blocks.matched(update, context, DONG_RE)
    if found is None or await _refused(update, context, found.group(1)):
        return
    await blocks.answer(update)
    await _ask_period(update, context, found.group(1), found.group(2) or "", edit=True)


async def go(update: Update, context: MaeulContext) -> None:
    found = await blocks.matched(update, context, GO_RE)
    if found is None or await _refused(update, context, found.group(1)):
        return
    await blocks.answer(update, context.t._("Counting…"))
    await blocks.drop_keyboard(update)
    await _report(update, context, found.group(1), found.group(2))


async def _report(update: Update, context: MaeulContext, dong: str, key: str) -> None:
    t = context.t
    runtime = context.runtime
    try:
        today = runtime.clock.now().astimezone(t.tz).date()
        period = _custom(key) if key.startswith("c") else named_period(key, today)
    except (PeriodError, ValueError):
        await blocks.refuse(update, context)
        return
    names = dict(await _dongs(context))
    dong_id = None if dong == ALL else dong
    name = None if dong_id is None else names.get(dong, dong)
    stats = await compute(context.db, period, dong_id, t.tz)
    await audit.record(
        context.db,
        at=runtime.clock.utcnow(),
        actor=f"tg:{context.user.telegram_id}",
        actor_telegram_id=context.user.telegram_id,
        action="stats.report",
        target_type="dong",
        target_id=dong,
        details={"from": period.start.isoformat(), "to": period.end.isoformat()},
    )
    lines = [f"📊 <b>{esc(report.heading(stats, t, name))}</b>"]
    for label, value in report.summary_rows(stats, t):
        shown = t.format_number(value) if isinstance(value, int | float) else str(value)
        lines.append(f"• {esc(label)}: {esc(shown)}")
    if stats.assemblies:
        for row in stats.assemblies:
            title = row.title.get(t.lang) or row.title.get("ko") or row.assembly_id
            percent = "—" if row.percent is None else f"{row.percent:.1f}%"
            lines.append(f"• {esc(title)}: {esc(percent)} ({row.voters:,})")
    if dong_id is not None:  # the one figure that is not the dong's, as the workbook says
        lines.append(f"<i>{esc(t._(report.LABELS['qa_note']))}</i>")
    chat = update.effective_chat.id
    await blocks.send_html(context, chat, "\n".join(lines))
    stem = f"stats-{dong_id or 'district'}-{period.start:%Y%m%d}-{period.end:%Y%m%d}"
    # drawing takes a second: off the event loop, so other chats are answered meanwhile
    picture = await asyncio.to_thread(report.png, stats, t, name)
    workbook = await asyncio.to_thread(report.xlsx, stats, t, name, names)
    await context.bot.send_photo(chat, picture)
    await context.bot.send_document(chat, document=InputFile(workbook, filename=f"{stem}.xlsx"))


async def stale(update: Update, context: MaeulContext) -> None:
    if not await _refused(update, context):
        await blocks.refuse(update, context)


def register(app: Application) -> None:  # type: ignore[type-arg]
    app.add_handler(CommandHandler("stats", stats_command))
    app.add_handler(CallbackQueryHandler(dong_chosen, pattern=DONG_RE))
    app.add_handler(CallbackQueryHandler(go, pattern=GO_RE))
    app.add_handler(CallbackQueryHandler(stale, pattern=r"^stats:"))


__all__ = ["register"]
