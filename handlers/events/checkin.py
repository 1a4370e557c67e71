"""/checkin CODE and the checkin_<CODE> deep link: residents check themselves in.

Staff mark attendance on one screen only, :mod:`handlers.events.staff_attend` (its marks
go through :func:`bot.events.attendance.mark`, which audits them)."""

from __future__ import annotations

from telegram import Update

from bot.core.text import shorten
from bot.events import attendance
from bot.telegram.context import MaeulContext
from handlers.core.browse import knowledge


async def _check_in(update: Update, context: MaeulContext, code: str) -> None:
    t = context.t
    kb = await knowledge(update, context)
    if kb is None:
        return
    result = await attendance.check_in(
        context.db,
        context.user,
        code[:40],
        kb,
        context.runtime.settings.tz,
        context.runtime.clock.now(),
    )
    title = result.event.title.get(t.lang) if result.event else ""
    occurrence = result.occurrence
    if result.status == "ok":
        text = t._("✅ Checked in: “{title}”. Welcome!", title=title)
    elif result.status == "already":
        text = t._("You are already checked in for “{title}”.", title=title)
    elif result.status == "early" and occurrence is not None:
        text = t._(
            "Check-in for “{title}” opens at {when}.",
            title=title,
            when=t.format_datetime(occurrence.starts_at - attendance.CHECKIN_OPENS),
        )
    elif result.status == "late":
        text = t._("Check-in for “{title}” has closed.", title=title)
    elif result.status == "cancelled":
        text = t._("“{title}” was cancelled on this date.", title=title)
    else:
        text = t._(
            "I do not know the code “{code}”. Please check it and send /checkin CODE again.",
            code=shorten(code, 20),
        )
    await update.effective_message.reply_text(text)


async def checkin_command(update: Update, context: MaeulContext) -> None:
    if not context.args:
        await update.effective_message.reply_text(
            context.t._(
                "Send /checkin followed by the code shown at the event, e.g. /checkin K7P2QX."
            )
        )
        return
    await _check_in(update, context, "".join(context.args))


async def checkin_deep_link(update: Update, context: MaeulContext, arg: str) -> None:
    await _check_in(update, context, arg)


__all__ = ["checkin_command", "checkin_deep_link"]
