"""``maeul reminders status``: what the dispatcher has queued, by kind and status.

(``maeul reminders run``, the dispatcher on its own, is composed in :mod:`bot.cli`: it
needs Telegram and every feature's reminder kinds.)
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer

from bot.core import cli

if TYPE_CHECKING:
    from bot.core.runtime import Runtime

reminders_app = typer.Typer(help="The reminder dispatcher.", no_args_is_help=True)


@reminders_app.command("status")
def status() -> None:
    """Count the reminder rows by kind and status."""
    from sqlalchemy import func, select

    from models.events import Reminder

    async def work(runtime: Runtime) -> list[tuple[str, str, int]]:
        async with runtime.sessionmaker() as session:
            rows = await session.execute(
                select(Reminder.kind, Reminder.status, func.count())
                .group_by(Reminder.kind, Reminder.status)
                .order_by(Reminder.kind, Reminder.status)
            )
            return [(k, s, int(n)) for k, s, n in rows.all()]

    found = cli._with_db(cli._settings(), work)
    if not found:
        typer.echo("no reminders yet")
    for kind, state, count in found:
        typer.echo(f"{kind}\t{state}\t{count}")


__all__ = ["reminders_app"]
