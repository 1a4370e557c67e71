"""``python -m bench.reminders``: how close a 10,000-reminder fan-out gets to the configured
send rate, without breaking a limit.

10,000 reminder rows, due at the same moment, go to 10,000 private chats of the local Bot
API emulator (running in this process). The dispatcher runs as ``maeul reminders run`` in
its own process (SQLite), configured with ``DISPATCH_RATE_GLOBAL`` messages a second.
Measured on the emulator's side: the achieved rate, n messages over the D seconds from
the first to the last plus the one-second window (a limit of r a second allows at most
r·(D + 1) of them); reported: achieved ÷ configured (1.0 = the limit used in full; it
cannot exceed 1.0 without a breach), plus duplicates and limit breaches (both must be 0).
Telegram's own limit is about 30 a second in all; the default here is 100 a second to keep
the run under two minutes (``--rate 25`` for the production setting: about seven minutes).
``--latency 0.05`` answers every send 50 ms late, like Telegram (``make bench`` does): one
lane then sends at most 20 a second whatever the configured rate.

``--fail 0.05`` makes one send in twenty fail with 502 (the failing case of issue 12: a
failing chat's row is moved to later, the lane goes on): the ratio then counts the
messages delivered, and the failed rows are delivered when their due time comes (the
run waits for every one of them; duplicates and missing are checked over all).

Results go to bench/results/reminders.json. The ratio is what to compare between commits.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from collections import Counter
from datetime import datetime
from pathlib import Path

from bench.__main__ import process_env, start_process, write_results
from bot.core import migrate
from bot.core.db import create_engine, make_sessionmaker
from bot.emulator import BotApiEmulator, User
from bot.events.reminder_rows import ANNOUNCE
from bot.reminders import rows as R

TOKEN = "424242:BENCH"
NOW = datetime.fromisoformat("2027-01-05T10:00:00+09:00")


async def _prepare(url: str, count: int) -> None:
    engine = create_engine(url)
    try:
        await migrate.upgrade(engine)
        async with make_sessionmaker(engine)() as session:
            await R.enqueue(
                session,
                [
                    R.Planned(
                        kind=ANNOUNCE,
                        key=f"bench:{i}",
                        chat_id=1_000_000 + i,
                        due_at=NOW,
                        payload={"text": f"reminder #{i}", "lang": "ko"},
                    )
                    for i in range(count)
                ],
                NOW,
            )
            await session.commit()
    finally:
        await engine.dispose()


def _breaches(times: list[float], count: int, window: float) -> int:
    times = sorted(times)
    return sum(1 for i in range(len(times) - count) if times[i + count] - times[i] < window)


async def _inject(emu: BotApiEmulator, fail: float, stop: asyncio.Event) -> None:
    """One 502 queued for every ``1/fail - 1`` messages delivered (``fail`` of all sends)."""
    every = max(1, round(1 / fail) - 1)
    queued = 0
    while not stop.is_set():
        delivered = len(emu.events(TOKEN, kinds={"message"}))
        if delivered // every >= queued:
            emu.fail_next(TOKEN, "sendMessage", 1, error_code=502)
            queued += 1
        await asyncio.sleep(0.01)


async def run(
    count: int, rate: int, lanes: int, latency: float = 0.0, fail: float = 0.0
) -> dict[str, float]:
    with tempfile.TemporaryDirectory(prefix="maeul-bench-reminders-") as tmp:
        url = f"sqlite+aiosqlite:///{Path(tmp) / 'bench.db'}"
        await _prepare(url, count)
        async with BotApiEmulator(latency=latency) as emu:
            emu.register_bot(TOKEN, username="bench_bot")
            state = emu._bot(TOKEN)
            for i in range(count):  # private chats the bot may write to
                user = emu._remember_user(state, User(id=1_000_000 + i, first_name="주민"))
                emu._user_chat(state, user, None)
            env = process_env(
                tmp,
                DATABASE_URL=url,
                BOT_TOKEN=TOKEN,
                TELEGRAM_BASE_URL=emu.base_url,
                MAEUL_NOW=NOW.isoformat(),
                DISPATCH_RATE_GLOBAL=str(rate),
                DISPATCH_LANES=str(lanes),
                DISPATCH_BATCH="200",
                REMINDER_WAKE_SECONDS="1",
                DISPATCH_BACKOFF_SECONDS="1",
                LOG_LEVEL="WARNING",
            )
            stop = asyncio.Event()
            injector = asyncio.ensure_future(_inject(emu, fail, stop)) if fail else None
            started = time.monotonic()
            argv = [sys.executable, "-m", "bot", "reminders", "run"]
            proc = await start_process(argv, tmp, env)
            try:
                deadline = started + count / rate * 3 + 60
                while len(emu.events(TOKEN, kinds={"message"})) < count:
                    if time.monotonic() > deadline or proc.returncode is not None:
                        raise RuntimeError("the dispatcher did not deliver everything in time")
                    await asyncio.sleep(0.2)
                await asyncio.sleep(1.0)  # anything more (a duplicate) would come now
            finally:
                stop.set()
                if injector is not None:
                    await injector
                proc.terminate()
                _, err = await asyncio.wait_for(proc.communicate(), timeout=60)
            sent = [e for e in emu.events(TOKEN, kinds={"message"})]
            failed = len(emu.api_errors(TOKEN))
            if proc.returncode not in (0, -15):
                raise RuntimeError(err.decode())
    # Every delivery counts, the failed rows' later ones too (they come back a second or
    # two later, mostly while the fan-out still runs): the rate is what residents got.
    all_times = times = sorted(e.mono for e in sent)
    # n sends spread over D seconds fit a limit of `rate` per second only if n ≤ rate·(D + 1)
    # (the first second's window starts full): that is the ceiling the ratio is taken of.
    achieved = len(times) / (times[-1] - times[0] + 1.0)
    texts = Counter(e.text for e in sent)
    return {
        "reminders": count,
        "configured_per_s": rate,
        "lanes": lanes,
        "latency_s": latency,
        "fail": fail,
        "failed_sends": failed,
        "achieved_per_s": achieved,
        "ratio": achieved / rate,
        "duplicates": sum(n - 1 for n in texts.values()),
        "missing": count - len(texts),
        "global_limit_breaches": _breaches(all_times, rate, 1.0),
        "seconds_total": times[-1] - times[0],
    }


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--rate", type=int, default=100, help="DISPATCH_RATE_GLOBAL (per s)")
    parser.add_argument("--lanes", type=int, default=1, help="DISPATCH_LANES")
    parser.add_argument("--latency", type=float, default=0.0, help="seconds per Bot API call")
    parser.add_argument("--fail", type=float, default=0.0, help="share of sends failing (502)")
    args = parser.parse_args()
    result = await run(args.count, args.rate, args.lanes, args.latency, args.fail)
    print(
        f"{result['reminders']:,} reminders at {result['configured_per_s']}/s configured "
        f"({result['lanes']} lane(s), {result['failed_sends']} failed sends): "
        f"achieved {result['achieved_per_s']:.1f}/s, "
        f"ratio {result['ratio']:.3f}; duplicates {result['duplicates']}, "
        f"missing {result['missing']}, limit breaches {result['global_limit_breaches']}"
    )
    write_results("reminders.json", result)


if __name__ == "__main__":
    asyncio.run(main())
