"""What every ``maeul`` subcommand shares: settings, a migrated database, failing, the actor.

Feature CLIs (``bot/*/cli.py``) import these; ``bot/cli.py`` assembles the subcommands.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import typer

from bot.core.config import ConfigError, Settings, load_settings

T = TypeVar("T")


def _settings() -> Settings:
    try:
        return load_settings()
    except ConfigError as exc:
        typer.echo(f"maeul: configuration error: {exc}", err=True)
        raise typer.Exit(2) from None


def _with_db(settings: Settings, work: Callable[[Any], Awaitable[T]]) -> T:
    """Run ``work(runtime)`` on a database migrated to the newest schema."""
    from bot.core import migrate
    from bot.core.runtime import Runtime

    async def go() -> T:
        runtime = Runtime.create(settings)
        try:
            await migrate.upgrade(runtime.engine)
            return await work(runtime)
        finally:
            await runtime.close()

    return asyncio.run(go())


def _fail(message: str, code: int = 1) -> typer.Exit:
    typer.echo(f"maeul: {message}", err=True)
    return typer.Exit(code)


def _actor() -> str:
    import getpass

    try:
        return f"cli:{getpass.getuser()}"
    except Exception:  # no user name in this environment
        return "cli"
