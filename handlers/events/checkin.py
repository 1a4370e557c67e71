"""/checkin CODE and the checkin_<CODE> deep link: residents check themselves in.

A bare /checkin asks for the code, and the next text is taken as it (a one-question
conversation, :func:`handlers.core.steps.conversation`): a typo is said and asked again,
/cancel leaves. Without it the code typed next would be answered as a question.

Staff mark attendance on one screen only, :mod:`handlers.events.staff_attend` (its marks
go through :func:`bot.events.attendance.mark`, which audits them)."""

from __future__ import annotations

from telegram import Update
from telegram.ext import CommandHandler, ConversationHandler, MessageHandler

from bot.core.text import shorten
from bot.events import attendance
from bot.telegram.context import MaeulContext
from handlers.core.browse import knowledge
from handlers.core.steps import TYPED, cancelled, conversation

CODE = "code"


async def _check_in(
    update: Update, context: MaeulContext, code: str, *, typed: bool = False
) -> str | int:
    """Check in with ``code`` and say how it went. Returns the conversation's next state:
    after an unknown code typed in answer to a bare /checkin (``typed``), ask again."""
    t = context.t
    kb = await knowledge(update, context)
    if kb is None:
        return ConversationHandler.END
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
    state: str | int = ConversationHandler.END
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
    elif typed:
        text = (
            t._("I do not know the code “{code}”.", code=_shown(code))
            + "\n"
            + t._("Please type the code again, or /cancel.")
        )
        state = CODE
    else:
        text = t._(
            "I do not know the code “{code}”. Please check it and send /checkin CODE again.",
            code=_shown(code),
        )
    await update.effective_message.reply_text(text)
    return state


def _shown(code: str) -> str:
    """The code as it is read (capitals, no spaces or dashes): "bad" is said as “BAD”, whose
    particle is decided by its letters' names, where a lowercase word's is not."""
    return shorten(attendance.normalize_code(code) or code, 20)


async def checkin_command(update: Update, context: MaeulContext) -> str | int:
    if not context.args:
        await update.effective_message.reply_text(
            context.t._(
                "Type the code shown at the event (6 letters and digits, e.g. K7P2QX), or /cancel."
            )
        )
        return CODE
    await _check_in(update, context, "".join(context.args))
    return ConversationHandler.END


async def typed_code(update: Update, context: MaeulContext) -> str | int:
    return await _check_in(update, context, update.effective_message.text or "", typed=True)


async def checkin_deep_link(update: Update, context: MaeulContext, arg: str) -> None:
    await _check_in(update, context, arg)


def checkin_conversation() -> ConversationHandler[MaeulContext]:
    """/checkin, and the code typed after a bare /checkin."""
    return conversation(
        "checkin_code",
        entry_points=[CommandHandler("checkin", checkin_command)],
        states={CODE: [MessageHandler(TYPED, typed_code)]},
        cancel=cancelled,
    )


__all__ = ["checkin_command", "checkin_conversation", "checkin_deep_link"]
