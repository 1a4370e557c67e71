"""Helpers the command-line tests share: ``maeul`` run in-process, a clean environment with
its own SQLite file, and a piece of database work run against the database the CLI uses."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from bot.cli import app
from bot.core.db import create_engine, make_sessionmaker
from bot.kb.records import demo_kb_path

runner = CliRunner()
# settings a developer's shell may hold; a test sets the ones it wants
_CLEARED = ("BOT_TOKEN", "ADMIN_IDS", "MAEUL_NOW", "KB_PATH", "BALLOT_SECRET")


def invoke(*args: str, input: str | None = None) -> Result:
    """``maeul ARGS`` in-process (typer's runner)."""
    return runner.invoke(app, list(args), input=input)


def set_cli_env(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    *,
    db: str | None = "cli.db",
    now: str | None = None,
    ballot_secret: str | None = None,
    kb: bool = False,
) -> str:
    """The CLI's environment for one test: none of the developer's settings, ``tmp_path`` the
    working directory (no stray ``.env``), the SQLite file ``db`` there as ``DATABASE_URL``
    (``None``: the test sets it), ``MAEUL_NOW`` and ``BALLOT_SECRET`` if given; ``kb``
    imports the demo KB. Returns the database URL (empty without ``db``)."""
    for name in _CLEARED:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    url = f"sqlite+aiosqlite:///{tmp_path / db}" if db else ""
    if url:
        monkeypatch.setenv("DATABASE_URL", url)
    if now is not None:
        monkeypatch.setenv("MAEUL_NOW", now)
    if ballot_secret is not None:
        monkeypatch.setenv("BALLOT_SECRET", ballot_secret)
    if kb:
        result = invoke("kb", "import", str(demo_kb_path()))
        assert result.exit_code == 0, result.output
    return url


def in_db(url: str, work: Callable[[Any], Awaitable[Any]]) -> Any:
    """Run ``work(session)`` on the database at ``url`` (what the bot would do there between
    two commands), commit, and return what it returned."""

    async def go() -> Any:
        engine = create_engine(url)
        try:
            async with make_sessionmaker(engine)() as session:
                result = await work(session)
                await session.commit()
                return result
        finally:
            await engine.dispose()

    return asyncio.run(go())
