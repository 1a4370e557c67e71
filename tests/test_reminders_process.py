"""The dispatcher as a real process, killed with SIGKILL in the middle of a fan-out and
started again (both databases): nothing is lost; nothing is sent twice except, at most,
the one message that was in flight at the kill (one lane: sent to Telegram, not yet
marked ``sent``); with two lanes, one per lane."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from models import Reminder
from tests.conftest import TEST_NOW
from tests.test_reminders_support import (
    TOKEN,
    due_in_private_chats,
    harness,
    statuses,
)

ROOT = Path(__file__).resolve().parent.parent
WORKER = """
import asyncio, sys
from datetime import datetime
from bot.core.clock import OffsetClock
from bot.core.config import Settings
from bot.core.db import make_sessionmaker
from bot.runner import run_worker
from bot.core.runtime import Runtime
from tests.conftest import engine_for

url, base_url, start = sys.argv[1], sys.argv[2], datetime.fromisoformat(sys.argv[3])
lanes = int(sys.argv[4])
settings = Settings(
    _env_file=None, database_url=url.split("?")[0], bot_token="123456:TEST",
    telegram_base_url=base_url, dispatch_rate_global=40, dispatch_rate_chat=1,
    dispatch_lanes=lanes, dispatch_batch=10, dispatch_lease_seconds=2, reminder_wake_seconds=0.5,
)
engine = engine_for(url)
runtime = Runtime(settings=settings, clock=OffsetClock(start, settings.tz), engine=engine,
                  sessionmaker=make_sessionmaker(engine))
asyncio.run(run_worker(runtime))
"""
N = 300


async def _worker(db_url: str, base_url: str, start, lanes: int = 1) -> asyncio.subprocess.Process:
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "PYTHONPATH": str(ROOT)}
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        WORKER,
        db_url,
        base_url,
        start.isoformat(),
        str(lanes),
        cwd=ROOT,
        env=env,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )


async def _wait_for(predicate, timeout: float = 90.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not predicate():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("timed out")
        await asyncio.sleep(0.05)


@pytest.mark.parametrize("lanes", [1, 2])
async def test_sigkill_mid_fan_out_then_restart_loses_nothing(runtime, db_url, lanes):
    now = runtime.clock.now()
    async with harness(runtime) as h:
        await due_in_private_chats(runtime, h.emu, 30_000, N, now)

        first = await _worker(db_url, h.emu.base_url, TEST_NOW, lanes)
        try:
            await _wait_for(lambda: len(h.sent()) >= 100)
        finally:
            first.kill()  # SIGKILL: no clean-up, claimed rows stay claimed
            _, err = await first.communicate()
        assert first.returncode == -signal.SIGKILL, err.decode()
        at_kill = len(h.sent())
        assert at_kill < N  # really mid fan-out
        async with runtime.sessionmaker() as s:
            leftover = await s.scalar(
                select(func.count()).where(Reminder.status.in_(["pending", "sending"]))
            )
        assert leftover >= N - at_kill - lanes

        # The restart: its clock is past the dead instance's leases (two seconds).
        second = await _worker(db_url, h.emu.base_url, TEST_NOW + timedelta(minutes=5), lanes)
        try:
            await _wait_for(lambda: len({e.text for e in h.sent()}) >= N)
            # the row that was in flight at the kill may be delivered already and still be
            # pending: the restarted worker sends it again (the one duplicate allowed)
            deadline = asyncio.get_running_loop().time() + 60
            while await statuses(runtime) != {"sent": N}:
                assert asyncio.get_running_loop().time() < deadline, await statuses(runtime)
                await asyncio.sleep(0.1)
            await asyncio.sleep(0.5)  # would a duplicate still come?
        finally:
            second.send_signal(signal.SIGINT)
            try:
                await asyncio.wait_for(second.wait(), timeout=20)
            except TimeoutError:
                second.kill()
                await second.wait()

        texts = Counter(e.text for e in h.sent())
        assert set(texts) == {f"📢 Announcement\n\nmessage #{i}" for i in range(N)}  # none lost
        duplicated = [text for text, count in texts.items() if count > 1]
        assert len(duplicated) <= lanes and all(texts[t] == 2 for t in duplicated)
        assert h.emu.api_errors(TOKEN) == []
        assert await statuses(runtime) == {"sent": N}
