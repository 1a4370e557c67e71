"""Helpers for the tests that run Maeul as users start it: ``python -m bot …`` as a separate
process with an environment of its own, and stopping it."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections.abc import Callable
from pathlib import Path

from bot.emulator import BotApiEmulator


def process_env(
    home: Path, token: str | None = None, emu: BotApiEmulator | None = None, **extra: str
) -> dict[str, str]:
    """The environment of a ``python -m bot`` process: only ``PATH`` from this one, ``HOME``
    and the SQLite file ``maeul.db`` in ``home``, no rate limit, warnings only; ``token`` as
    ``BOT_TOKEN`` and ``emu`` as the Bot API server if given. ``extra`` adds or replaces
    variables (``DATABASE_URL``, ``LOG_LEVEL`` …)."""
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(home),
        "DATABASE_URL": f"sqlite+aiosqlite:///{home / 'maeul.db'}",
        "TELEGRAM_RATE_LIMIT": "false",
        "LOG_LEVEL": "WARNING",
    }
    if token is not None:
        env["BOT_TOKEN"] = token
    if emu is not None:
        env["TELEGRAM_BASE_URL"] = emu.base_url
        env["TELEGRAM_BASE_FILE_URL"] = emu.base_file_url
    env.update(extra)
    return env


async def start_process(home: Path, env: dict[str, str], *args: str) -> asyncio.subprocess.Process:
    """``python -m bot ARGS`` in ``home`` with exactly ``env``; its stderr is kept for the
    test (:func:`stop_process` returns it)."""
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", *args,
        cwd=home, env=env,
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip


async def stop_process(proc: asyncio.subprocess.Process, sig: int = signal.SIGTERM) -> bytes:
    """Send ``sig`` unless the process has ended already, wait for it to end (30 s at the
    most) and return what it wrote to stderr."""
    if proc.returncode is None:
        proc.send_signal(sig)
    _, err = await asyncio.wait_for(proc.communicate(), timeout=30)
    return err


async def killed_while_replying(
    proc: asyncio.subprocess.Process,
    emu: BotApiEmulator,
    token: str,
    method: str,
    act: Callable[[], object],
) -> int:
    """Hold the bot's next ``method`` call (``stall_next``), do ``act`` (a message sent or a
    button pressed, not waiting for the reply), and SIGKILL the bot once it has made that
    call: after its update's commit, as replies are sent only then. Returns the event
    sequence number before ``act`` (what the person was told since is what they saw)."""
    emu.stall_next(token, method, 60)
    calls = emu._bot(token).call_counts
    before = calls[method.lower()]
    since = emu.last_seq(token)
    act()
    for _ in range(400):
        if calls[method.lower()] > before:
            break
        await asyncio.sleep(0.05)
    else:
        raise AssertionError(f"the bot never called {method}")
    proc.kill()
    await proc.wait()
    assert proc.returncode == -signal.SIGKILL
    emu.clear_failures(token)
    return since
