"""The voting jobs: reminders to registered voters who have not voted yet, and the close —
tallying each vote once its voting window has ended (the JobQueue runs it every few
minutes and at start-up)."""

from __future__ import annotations

import logging

from telegram.ext import Application, CallbackContext

from bot import assembly as A
from bot.assembly.crypto import keyring_for

log = logging.getLogger(__name__)


async def send_nonvoter_reminders(app: Application) -> int:  # type: ignore[type-arg]
    """Remind, once, everyone who redeemed a code but has not voted, in the last 24 hours.

    The reminder is a durable row sent by the reminder dispatcher (:mod:`bot.reminders.dispatch`),
    which plans and sends these on its own at every wake-up; this runs one pass now and
    returns how many non-voter reminders it sent. Once only: each voter is claimed
    (``reminded = true``) in the same transaction that inserts its row
    (:func:`bot.reminders.rows.plan_nonvoters`), and the dispatcher claims rows atomically, so a
    restart or a second bot instance never sends it twice.
    """
    from sqlalchemy import func, select

    from models.events import Reminder

    dispatcher = app.dispatcher  # type: ignore[attr-defined]
    if dispatcher is None:
        return 0
    runtime = app.runtime  # type: ignore[attr-defined]

    async def sent() -> int:
        async with runtime.sessionmaker() as session:
            query = select(func.count()).where(Reminder.kind == "vote", Reminder.status == "sent")
            return int(await session.scalar(query) or 0)

    before = await sent()
    await dispatcher.run_pass()
    return await sent() - before


async def finalize_closed_votes(app: Application) -> list[str]:  # type: ignore[type-arg]
    """Tally the votes whose window has ended (see :func:`bot.assembly.finalize_closed`)."""
    runtime = app.runtime  # type: ignore[attr-defined]
    keyring = keyring_for(runtime.settings)
    if keyring is None:
        return []
    async with runtime.sessionmaker() as session:
        done = await A.finalize_closed(session, keyring, runtime.clock.now())
        await session.commit()
    for assembly_id in done:
        log.info("assembly %s closed and tallied", assembly_id)
    return done


async def finalize_job(context: CallbackContext) -> None:  # type: ignore[type-arg]
    await finalize_closed_votes(context.application)
