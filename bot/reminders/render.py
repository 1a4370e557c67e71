"""Turning claimed reminder rows into messages — or dropping the ones pointless now.

Right before a row is sent the dispatcher asks :func:`prepare` whether it still makes
sense *now* (the database and the schedule are the truth, not what was true when it was
planned). Rows past their ``expires_at`` are dropped, rows for people who blocked the bot
skipped; every other row goes to its kind's renderer (:mod:`bot.reminders.registry`),
which renders it in the recipient's language *at send time* (their current choice) or
drops it (:class:`~bot.reminders.registry.Drop`: an event reminder after the event
started, a grant reminder after unfollowing, a non-voter reminder after the vote …).

Nothing here knows Telegram (a message is a :class:`bot.reminders.rows.OutMessage`), nor
any feature.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.i18n import Translator
from bot.reminders.registry import Drop, Registry, RenderContext, registry
from bot.reminders.rows import MESSAGE, OutMessage
from models.events import Reminder
from models.user import User

TranslatorFactory = Callable[[str | None, str | None], Translator]


@dataclass(frozen=True)
class Prepared:
    """A claimed row, ready to send (``message``) or to be closed (``status``)."""

    reminder_id: int
    chat_id: int
    group: bool
    message: OutMessage | None
    status: str | None = None
    """``dropped`` or ``skipped`` when there is nothing to send; ``reason`` says why."""
    reason: str | None = None
    user_id: int | None = None


async def prepare(
    session: AsyncSession,
    rows: Sequence[Reminder],
    now: datetime,
    tz: tzinfo,
    translator: TranslatorFactory,
    kinds: Registry = registry,
) -> list[Prepared]:
    """Decide and render every claimed row (loads what they need in bulk)."""
    user_ids = {r.user_id for r in rows if r.user_id is not None}
    users = {}
    if user_ids:
        found = await session.execute(select(User).where(User.id.in_(user_ids)))
        users = {u.id: u for u in found.scalars()}
    ctx = RenderContext(session, now, tz, users)
    for name in sorted({r.kind for r in rows}):
        kind = kinds.kinds.get(name)
        if kind is not None and kind.preload is not None:
            await kind.preload(ctx, [r for r in rows if r.kind == name])
    return [await _prepare_one(ctx, row, translator, kinds) for row in rows]


async def _prepare_one(
    ctx: RenderContext, row: Reminder, translator: TranslatorFactory, kinds: Registry
) -> Prepared:
    def closed(status: str, reason: str) -> Prepared:
        return Prepared(row.id, row.chat_id, row.chat_id < 0, None, status, reason, row.user_id)

    if row.expires_at is not None and ctx.now >= row.expires_at:
        return closed("dropped", "expired")
    user = ctx.users.get(row.user_id) if row.user_id is not None else None
    if row.user_id is not None:
        if user is None:
            return closed("dropped", "no such user")
        if not user.active:
            return closed("skipped", "inactive user")
        t = translator(user.language, user.telegram_language)
    else:
        t = translator(row.payload.get("lang"), None)
    kind = kinds.kinds.get(row.kind)
    if kind is None:
        return closed("dropped", f"unknown kind {row.kind}")
    try:
        message = await kind.render(ctx, row, t)
    except Drop as drop:
        return closed("dropped", drop.reason)
    return Prepared(row.id, row.chat_id, row.chat_id < 0, message, user_id=row.user_id)


async def _message(ctx: RenderContext, row: Reminder, t: Translator) -> OutMessage:
    """A message rendered when it was written (:func:`bot.reminders.outbox.tell`)."""
    p = row.payload
    buttons = tuple(
        tuple((str(label), str(data)) for label, data in row_) for row_ in p.get("buttons", ())
    )
    return OutMessage(str(p["text"]), buttons)


registry.kind(MESSAGE, _message)


__all__ = ["Prepared", "TranslatorFactory", "prepare"]
