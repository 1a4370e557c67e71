"""One conversation at a time.

A user who leaves a conversation half-way (the /check wizard waiting for an age, say) and
then types another command expects that command to take over — not for their next text to
be read as the abandoned wizard's answer. Before the handlers of group 0 run, this looks at
which handler PTB is about to choose: if it is a plain command or the entry of another
conversation, the user's other open conversations are ended. Button presses on other
messages and plain text leave conversations alone.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator

from telegram import Update
from telegram.ext import Application, BaseHandler, CommandHandler, ConversationHandler

log = logging.getLogger(__name__)


def _conversations(app: Application) -> Iterator[ConversationHandler]:  # type: ignore[type-arg]
    for handlers in app.handlers.values():
        for handler in handlers:
            if isinstance(handler, ConversationHandler):
                yield handler


def _chosen(app: Application, update: Update) -> BaseHandler | None:  # type: ignore[type-arg]
    for handler in app.handlers.get(0, []):
        check = handler.check_update(update)
        if check is not None and check is not False:
            return handler
    return None


def _is_open(conversation: ConversationHandler, update: Update) -> bool:  # type: ignore[type-arg]
    try:
        key = conversation._get_key(update)
    except RuntimeError:  # the update has no chat or user for this conversation's key
        return False
    return key in conversation._conversations


def end_superseded(app: Application, update: Update) -> list[str]:  # type: ignore[type-arg]
    """End the user's open conversations that the chosen handler takes over from."""
    chosen = _chosen(app, update)
    if isinstance(chosen, ConversationHandler):
        if _is_open(chosen, update):
            return []  # the open conversation goes on
    elif not isinstance(chosen, CommandHandler):
        return []
    ended = []
    for conversation in _conversations(app):
        if conversation is chosen or not _is_open(conversation, update):
            continue
        conversation._update_state(ConversationHandler.END, conversation._get_key(update))
        ended.append(conversation.name or "?")
    if ended:
        log.debug("ended conversations %s for update %s", ended, update.update_id)
    return ended
