"""What a chat is talking about, for follow-up questions ("그럼 서류는요?", "거기 어디예요?").

After the bot told a chat about a grant or an event — an answer to a question, or a card the
resident opened from a list — a question with a facet and no topic of its own is about that
record for :data:`FOLLOW_UP`. After "not sure — is it one of these?" it is about one of the
records offered, and the same choices are offered again. Kept in ``chat_data``: persisted in
the update's transaction, so it survives a restart and every instance that loads the chat
sees it.

What is kept is what the chat *was told*: an answer that never reached the chat (every
attempt to send it failed after the commit) puts the context back as it was before the
question (:func:`put_back`).
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.exc import SQLAlchemyError

from bot.telegram.context import MaeulContext
from bot.telegram.persistence import rewrite_value
from handlers.core.undelivered import own_transaction
from models.persistence import PtbChatData

log = logging.getLogger(__name__)

FOLLOW_UP = timedelta(minutes=10)
KEY = "qa_last"

Recent = tuple[tuple[str, str] | None, tuple[str, ...]]


def _data(context: MaeulContext) -> dict[str, Any]:
    return context.chat_data if context.chat_data is not None else {}


def remember(context: MaeulContext, kind: str, id_: str, *, listed: bool = False) -> None:
    """The chat was just told about this grant or event (``listed``: as the one line of a
    list answer, "1. …": "2번" after it points at no line, :func:`lines_shown`)."""
    now = context.runtime.clock.now()
    saved: dict[str, Any] = {"kind": kind, "id": id_, "at": now.isoformat()}
    if listed:
        saved["lines"] = 1
    _data(context)[KEY] = saved


def lines_shown(context: MaeulContext) -> tuple[str, ...]:
    """The lines of the list the chat was just shown, when the topic is the one record of a
    one-line list (:func:`remember`); none otherwise (choices are :func:`recent`'s)."""
    follow, _ = recent(context)
    saved = _data(context).get(KEY)
    if follow is None or not isinstance(saved, dict) or saved.get("lines") != 1:
        return ()
    return (follow[1],)


MAX_CHOICES = 8
"""Records a chat may point at by number: "is it one of these?" offers 3, a list shows up to
8 (bot/qa/render.py ``MAX_LISTED``)."""


def remember_choices(context: MaeulContext, ids: tuple[str, ...]) -> None:
    """The chat was just asked which of these records it means, or shown a list of them (in
    its order: "2번", "첫 번째 거 서류는요?" point at them)."""
    now = context.runtime.clock.now()
    _data(context)[KEY] = {"choices": list(ids[:MAX_CHOICES]), "at": now.isoformat()}


def forget(context: MaeulContext) -> None:
    _data(context).pop(KEY, None)


def saved(context: MaeulContext) -> object:
    """The context as it is now (to compare, or to put back with :func:`put_back`)."""
    return _data(context).get(KEY)


async def put_back(context: MaeulContext, chat_id: int, told: object, untold: object) -> None:
    """The answer that made the chat's context ``untold`` never reached the chat: make it
    ``told`` again (what it was before the question; ``None``: none), unless the chat's
    context has changed since. After the update's commit, in a transaction of its own that
    takes a place among the updates' (the database is what the next update reads); a failure
    here is logged, not shown."""
    try:
        async with own_transaction(context.application, context.runtime) as session:
            now = context.runtime.clock.utcnow()
            if await rewrite_value(
                session, PtbChatData, chat_id, KEY, untold, told, _data(context), now
            ):
                await session.commit()
    except SQLAlchemyError:
        log.warning("could not put back the follow-up context of an undelivered answer")


def recent(context: MaeulContext) -> Recent:
    """The (kind, id) the chat was told about within :data:`FOLLOW_UP`, or the records it
    was offered as "is it one of these?" (ids), if any."""
    return read(_data(context).get(KEY), context.runtime.clock.now())


def read(saved: object, now: datetime) -> Recent:
    nothing: Recent = (None, ())
    if not isinstance(saved, dict):
        return nothing
    try:
        at = datetime.fromisoformat(str(saved["at"]))
    except (KeyError, ValueError):
        return nothing
    if not timedelta(0) <= now - at <= FOLLOW_UP:
        return nothing
    choices = saved.get("choices")
    if isinstance(choices, list):
        return None, tuple(str(c) for c in choices[:MAX_CHOICES])
    if "kind" not in saved or "id" not in saved:
        return nothing
    return (str(saved["kind"]), str(saved["id"])), ()
