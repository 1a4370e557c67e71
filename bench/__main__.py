"""``make bench``: the bot's cost per update, as ratios against a bare PTB echo bot.

Both bots run as separate processes polling the same local Bot API emulator over HTTP;
simulated users (closed loop: send, wait for the answer, send again) drive them from this
process. Reported for each: answered messages per second, p50/p95 latency and resident
memory, then Maeul ÷ echo. Absolute numbers depend on the machine; the ratios are what
to compare between commits. Results are also written to bench/results/foundation.json.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

from bot.emulator import BotApiEmulator, User

ROOT = Path(__file__).resolve().parent.parent


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


async def drive(emu: BotApiEmulator, token: str, users: int, rounds: int, text: str) -> list[float]:
    latencies: list[float] = []

    async def one(user: User) -> None:
        for _ in range(rounds):
            since = emu.last_seq(token)
            started = time.perf_counter()
            emu.send_text(token, user, text)
            got = await emu.wait_for_events(
                token, chat_id=user.id, since=since, timeout=60, quiet=0, kinds={"message"}
            )
            if not got:
                raise RuntimeError(f"no answer for user {user.id} within 60 s")
            latencies.append(time.perf_counter() - started)

    await asyncio.gather(*(one(User(id=20_000 + i, first_name=f"u{i}")) for i in range(users)))
    return latencies


async def measure(
    name: str,
    argv: list[str],
    env: dict[str, str],
    users: int,
    rounds: int,
    text: str,
    workdir: Path,
) -> dict[str, float]:
    token = f"{7000 + len(name)}:{name}"
    async with BotApiEmulator() as emu:
        emu.register_bot(token, username=f"{name}_bot")
        proc = await asyncio.create_subprocess_exec(
            *argv,
            cwd=workdir,
            env={
                **env,
                "BOT_TOKEN": token,
                "TELEGRAM_BASE_URL": emu.base_url,
                "TELEGRAM_BASE_FILE_URL": emu.base_file_url,
            },
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.PIPE,
        )
        try:
            await drive(emu, token, users=min(users, 5), rounds=2, text=text)  # warm-up
            started = time.perf_counter()
            latencies = await drive(emu, token, users=users, rounds=rounds, text=text)
            elapsed = time.perf_counter() - started
            memory = rss_mib(proc.pid)
        finally:
            proc.terminate()
            await asyncio.wait_for(proc.communicate(), timeout=30)
    latencies.sort()
    return {
        "messages_per_s": len(latencies) / elapsed,
        "p50_ms": statistics.median(latencies) * 1000,
        "p95_ms": latencies[int(len(latencies) * 0.95) - 1] * 1000,
        "rss_mib": memory,
    }


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--users", type=int, default=40)
    parser.add_argument("--rounds", type=int, default=10)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="maeul-bench-") as tmp:
        work = Path(tmp)
        env = {
            "PATH": os.environ.get("PATH", ""),
            "HOME": tmp,
            "PYTHONPATH": str(ROOT),
            "DATABASE_URL": f"sqlite+aiosqlite:///{work / 'bench.db'}",
            "TELEGRAM_RATE_LIMIT": "false",
            "LOG_LEVEL": "WARNING",
        }
        echo = await measure(
            "echo",
            [sys.executable, "-m", "bench.echo_bot"],
            env,
            args.users,
            args.rounds,
            "/start",
            work,
        )
        maeul = await measure(
            "maeul",
            [sys.executable, "-m", "bot", "run"],
            env,
            args.users,
            args.rounds,
            "/start",
            work,
        )
    ratios = {
        "throughput_ratio": maeul["messages_per_s"] / echo["messages_per_s"],
        "p95_latency_ratio": maeul["p95_ms"] / echo["p95_ms"],
        "memory_ratio": maeul["rss_mib"] / echo["rss_mib"],
    }
    print(f"{'':8}{'msg/s':>10}{'p50 ms':>10}{'p95 ms':>10}{'RSS MiB':>10}")
    for name, row in (("echo", echo), ("maeul", maeul)):
        print(
            f"{name:8}{row['messages_per_s']:10.1f}{row['p50_ms']:10.1f}"
            f"{row['p95_ms']:10.1f}{row['rss_mib']:10.1f}"
        )
    print(
        f"maeul/echo: throughput ×{ratios['throughput_ratio']:.2f}, "
        f"p95 latency ×{ratios['p95_latency_ratio']:.2f}, memory ×{ratios['memory_ratio']:.2f}"
    )
    out = ROOT / "bench" / "results"
    out.mkdir(parents=True, exist_ok=True)
    (out / "foundation.json").write_text(
        json.dumps(
            {"users": args.users, "rounds": args.rounds, "echo": echo, "maeul": maeul, **ratios},
            indent=2,
        )
    )


if __name__ == "__main__":
    asyncio.run(main())
