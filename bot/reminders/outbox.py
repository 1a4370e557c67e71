"""Messages to *other people* that must not be lost: written in the update's transaction.

What a handler says to the person who pressed or typed goes through the update's outbox
(:mod:`bot.core.scope`): it is sent right after the transaction commits, and if the process
dies in between the person can still look (``/verify``, ``/myproposals`` …) and ask
again. A message to *someone else* — the proposer when the committee decides, a staff
chat when a proposal arrives, registrants when an event moves — cannot be asked for
again by its recipient, so it is a durable row instead: :func:`tell` writes a
:class:`models.events.Reminder` of kind ``message`` in the same transaction as the change
it reports. It exists if and only if the change was committed, and the reminder
dispatcher (:mod:`bot.reminders.dispatch`) sends it — within Telegram's limits, retried on
transient errors, at most once more after a crash (see its docstring) — woken as soon as
the update has committed.

The text is rendered by the caller in the *recipient's* language (HTML, as the
dispatcher sends it).
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.scope import current_scope
from bot.reminders import rows as R

Buttons = tuple[tuple[tuple[str, str], ...], ...]
KEEP = timedelta(days=7)
"""A message not deliverable within a week is dropped (its news is stale by then)."""


async def tell(
    session: AsyncSession,
    *,
    chat_id: int,
    text: str,
    now: datetime,
    user_id: int | None = None,
    buttons: Buttons = (),
    key: str | None = None,
    ref: str | None = None,
) -> bool:
    """Queue ``text`` (HTML) for ``chat_id``; it is sent after this transaction commits.

    ``key`` makes it idempotent (the same key is queued once); by default every call
    queues a new message. ``user_id`` (the recipient's ``users.id``) lets the dispatcher
    skip people who blocked the bot. Returns whether a new row was written.
    """
    payload = {"text": text, "buttons": [[list(b) for b in row] for row in buttons]}
    inserted = await R.enqueue(
        session,
        [
            R.Planned(
                kind=R.MESSAGE,
                key=key or f"message:{uuid.uuid4().hex}",
                chat_id=chat_id,
                user_id=user_id,
                due_at=now,
                expires_at=now + KEEP,
                ref=ref,
                payload=payload,
            )
        ],
        now,
    )
    scope = current_scope()
    if scope is not None and scope.session is session:
        scope.wake_dispatcher = True
    return inserted > 0


__all__ = ["Buttons", "tell"]
