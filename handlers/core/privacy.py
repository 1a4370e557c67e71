"""/mydata and /forget: a person sees everything stored about them, and has it deleted.

The work is :mod:`bot.core.privacy` (each feature's part registered by
:mod:`bot.features`); this module is the Telegram side: private chats only (groups never
reach it, see ``handlers/core/context_loader.py``), the confirmation, and the in-memory
state of the running application (``user_data``, ``chat_data``, open conversations),
which goes with the rows so that the person's next message is served as a new user's.

The confirmation's "yes" carries the minute it was asked and a stamp of the account and
that minute (:func:`handlers.core.blocks.stamp`): it is refused after
:data:`CONFIRM_MINUTES`, and after the account changed (a "yes" of a /forget from before an
earlier /forget does nothing). Only the account's own private chat can press it. Its "no"
carries the same stamp: pressed after the account it asked about was deleted (a "yes"
whose reply was lost), it says so instead of "nothing was deleted".
"""

from __future__ import annotations

import logging
import re

from telegram import BotCommandScopeChat, InputFile, Update
from telegram.error import TelegramError
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, ConversationHandler

from bot.core import privacy
from bot.core.centre import centre_info
from bot.core.text import esc
from bot.telegram.context import MaeulContext
from handlers.core.blocks import answer, ask_confirm, declined, refuse, show, stamp_matches
from handlers.core.blocks import stamp as make_stamp

log = logging.getLogger(__name__)

CONFIRM_MINUTES = 15
YES_RE = re.compile(r"^forget:yes:(\d{1,10}):([0-9a-f]{8})$")
NO_RE = re.compile(r"^forget:no:(\d{1,10}):([0-9a-f]{8})$")


def _minute(context: MaeulContext) -> int:
    return int(context.runtime.clock.now().timestamp() // 60)


def _stamp_state(context: MaeulContext, minute: int) -> tuple[object, ...]:
    user = context.user  # (the id alone: SQLite gives a new account a deleted one's id)
    return ("forget", user.id, user.telegram_id, user.account_key or "", minute)


def _stamp(context: MaeulContext, minute: int) -> str:
    return make_stamp(*_stamp_state(context, minute))


async def _controller(context: MaeulContext) -> dict[str, str]:
    centre = await centre_info(context.db, context.t.lang)
    if centre is None:
        return {"name": "-", "contact": "-"}
    contact = ", ".join(part for part in (centre.phone, centre.email) if part) or "-"
    return {"name": centre.name, "contact": contact}


async def mydata(update: Update, context: MaeulContext) -> None:
    t = context.t
    now = context.runtime.clock.now()
    await answer(update)
    subject = await privacy.subject_for(context.db, update.effective_user.id, t)
    report = await privacy.export_user(context.db, subject, now)
    controller = await _controller(context)
    settings = context.runtime.settings
    notes = [
        (t._("How long things are kept"), privacy.retention_notes(t, settings)),
        (t._("What stays after /forget, and why"), privacy.kept_notes(t, settings)),
    ]
    day = now.astimezone(context.runtime.settings.tz).date().isoformat()
    chat_id = update.effective_chat.id
    await context.bot.send_message(
        chat_id,
        t._(
            "Here is everything I store about you: a document to read, and the same "
            "data as JSON for programs. To have it deleted, send /forget."
        ),
    )
    await context.bot.send_document(
        chat_id,
        document=InputFile(
            report.as_text(t, controller, notes), filename=t._("maeul-my-data-{day}.txt", day=day)
        ),
        caption=t._("Your data, to read"),
    )
    await context.bot.send_document(
        chat_id,
        document=InputFile(report.as_json(controller), filename=f"maeul-mydata-{day}.json"),
        caption=t._("Your data, for programs (JSON)"),
    )


async def ask_forget(update: Update, context: MaeulContext) -> None:
    t = context.t
    settings = context.runtime.settings
    minute = _minute(context)
    lines = [
        t._("Delete everything I store about you?"),
        t._(
            "Your language, home dong, registrations, subscriptions, supports, reminders "
            "and conversations are deleted. This cannot be undone."
        ),
        t._("What stays, and why:"),
        *(f"• {note}" for note in privacy.kept_notes(t, settings)),
        t._("To see everything first, send /mydata."),
    ]
    await ask_confirm(
        update,
        context,
        "\n\n".join(esc(line) for line in lines),
        yes=(t._("Yes, delete my data"), f"forget:yes:{minute}:{_stamp(context, minute)}"),
        no=(t._("No, keep it"), f"forget:no:{minute}:{_stamp(context, minute)}"),
    )


def _end_conversations(app: Application, telegram_id: int) -> int:  # type: ignore[type-arg]
    """End the person's open conversations in this process's memory (the rows are gone)."""
    ended = 0
    for handlers in app.handlers.values():
        for handler in handlers:
            if not isinstance(handler, ConversationHandler):
                continue
            for key in list(handler._conversations):
                parts = key if isinstance(key, tuple) else (key,)
                if telegram_id in parts:
                    handler._update_state(ConversationHandler.END, key)
                    ended += 1
    return ended


async def do_forget(update: Update, context: MaeulContext) -> None:
    t = context.t
    match = YES_RE.match(update.callback_query.data or "")
    minute = int(match.group(1)) if match else -1
    if (
        match is None
        or not 0 <= _minute(context) - minute <= CONFIRM_MINUTES
        or not stamp_matches(match.group(2), *_stamp_state(context, minute))
    ):
        await refuse(
            update, context, t._("This confirmation has expired. Send /forget to start again.")
        )
        return
    telegram_id = update.effective_user.id
    now = context.runtime.clock.now()
    subject = await privacy.subject_for(context.db, telegram_id, t)
    done = await privacy.forget_user(context.db, subject, now)
    context.scope.user = None
    app = context.application
    app.drop_user_data(telegram_id)
    app.drop_chat_data(update.effective_chat.id)
    _end_conversations(app, telegram_id)
    # The chat's own command menu (a staff member's, or one set by /language) goes too: the
    # roles are gone, and the chat falls back to the residents' menu in Telegram's language.
    try:
        await context.bot.delete_my_commands(scope=BotCommandScopeChat(update.effective_chat.id))
    except TelegramError:
        log.warning("could not reset the command menu after /forget", exc_info=True)
    await answer(update)
    lines = [t._("Done: everything I stored about you is deleted.")]
    if done.keep_account or done.anonymised.get("proposals"):
        lines.append(t._("What stays, and why:"))
        lines.extend(f"• {note}" for note in privacy.kept_notes(t, context.runtime.settings))
    lines.append(
        t._("If you write to me again, I will greet you as someone new. Goodbye, and thank you.")
    )
    await show(update, context, "\n\n".join(esc(line) for line in lines), None, edit=True)


def _legacy_stamp_state(context: MaeulContext, minute: int) -> tuple[object, ...]:
    """The stamp of questions asked before accounts had a key (it told accounts apart by
    their creation hour): their "no" still says "nothing was deleted" for this account."""
    user = context.user
    return ("forget", user.id, user.telegram_id, user.created_at.isoformat(), minute)


async def keep(update: Update, context: MaeulContext) -> None:
    asked = NO_RE.match(update.callback_query.data or "")
    if asked is not None and not any(
        stamp_matches(asked.group(2), *state(context, int(asked.group(1))))
        for state in (_stamp_state, _legacy_stamp_state)
    ):  # the account it asked about is gone: its "yes" was pressed
        gone = context.t._("Done: everything I stored about you is deleted.")
        await declined(update, context, gone)
        return
    await declined(update, context, context.t._("OK, nothing was deleted."))


def register(app: Application) -> None:  # type: ignore[type-arg]
    app.add_handler(CommandHandler("mydata", mydata))
    app.add_handler(CommandHandler("forget", ask_forget))
    app.add_handler(CallbackQueryHandler(do_forget, pattern=r"^forget:yes:"))
    app.add_handler(CallbackQueryHandler(keep, pattern=r"^forget:no(:|$)"))


__all__ = ["register"]
