"""``python -m bench.assembly``: the cost of assembly votes, as ratios measured in one run.

1. Casting throughput through the emulator. The real bot (``maeul run``, its own process,
   SQLite) polls the local Bot API emulator; simulated voters (closed loop) scan their
   code's link, answer the ballot's item and press Cast — three updates per ballot. The
   baseline is the bare PTB echo bot of :mod:`bench.echo_bot` answering ``/start`` from the
   same number of users in the same run. Reported: ballots/s and updates/s, and Maeul's
   updates/s ÷ echo's messages/s.
2. Tallying 1,000,000 ballots: :func:`bot.assembly.service.finalize` (open every AES-GCM
   seal, check it, count, store the tally) against a plain scan of the same rows
   (``SELECT id, lookup, sealed`` fetched to Python), and the full audit against the same
   scan.

Results go to bench/results/assembly.json. Absolute numbers depend on the machine; the
ratios are what to compare between commits.
"""

from __future__ import annotations

import argparse
import asyncio
import secrets
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from bench.__main__ import measure, process_env, rss_mib, start_process, write_results
from bot import assembly as A
from bot.assembly.crypto import TRACKER_LENGTH, Keyring, random_string
from bot.core import migrate
from bot.core.clock import ManualClock
from bot.core.db import create_engine, make_sessionmaker
from bot.emulator import BotApiEmulator, User
from bot.kb import records as kb

SECRET = secrets.token_urlsafe(32)
CLOCK = ManualClock(datetime.fromisoformat("2027-06-01T12:00:00+09:00"))


async def _prepare_db(url: str, voters: int, items: int = 1) -> list[str]:
    """A migrated database with the demo KB, an open assembly and ``voters`` codes."""
    engine = create_engine(url)
    try:
        await migrate.upgrade(engine)
        ring = Keyring(SECRET)
        now = CLOCK.now()
        async with make_sessionmaker(engine)() as session:
            parsed, problems = kb.validate(kb.load_file(kb.demo_kb_path()))
            assert parsed is not None, problems
            await kb.import_kb(session, parsed, CLOCK.utcnow())
            vote = await A.create_vote(
                session,
                assembly_id="bench",
                dong_id="garam",
                title={"ko": "벤치마크"},
                opens_at=now - timedelta(hours=1),
                closes_at=now + timedelta(days=7),
                method="approve_reject",
                max_choices=None,
                items=[A.NewItem({"ko": f"안건 {n}"}) for n in range(items)],
                actor="bench",
                now=now,
            )
            codes = await A.issue_codes(session, ring, vote, voters, actor="bench", now=now)
            await session.commit()
        return codes
    finally:
        await engine.dispose()


async def _voters(
    emu: BotApiEmulator, token: str, users: list[User], codes: list[str], rounds: int
) -> list[float]:
    """Closed loop: every voter scans, answers and casts; returns each ballot's latency."""
    latencies: list[float] = []

    async def act(user: User, do: Any) -> None:
        since = emu.last_seq(token)
        do()
        got = await emu.wait_for_events(
            token, chat_id=user.id, since=since, timeout=60, quiet=0, kinds={"edit", "message"}
        )
        if not got:
            raise RuntimeError(f"no answer for voter {user.id} within 60 s")

    def press(user: User, label: str) -> None:
        message = emu.messages(token, user.id)[-1]
        rows = (message.get("reply_markup") or {}).get("inline_keyboard") or []
        data = next(b["callback_data"] for row in rows for b in row if label in b["text"])
        emu.press(token, user, user.id, message["message_id"], data)

    async def one(index: int, user: User) -> None:
        for r in range(rounds):
            code = codes[index * rounds + r]
            voter = User(id=user.id + 1_000_000 * r, first_name=user.first_name, language_code="en")
            started = time.perf_counter()
            await act(voter, lambda v=voter, c=code: emu.send_text(token, v, f"/start vote_{c}"))
            await act(voter, lambda v=voter: press(v, "Yes"))
            await act(voter, lambda v=voter: press(v, "Cast my vote"))
            latencies.append(time.perf_counter() - started)

    await asyncio.gather(*(one(i, u) for i, u in enumerate(users)))
    return latencies


async def casting(users: int, rounds: int, workdir: Path, latency: float = 0.0) -> dict[str, float]:
    url = f"sqlite+aiosqlite:///{workdir / 'cast.db'}"
    codes = await _prepare_db(url, users * (rounds + 1))
    token = "7300:castbench"
    async with BotApiEmulator(latency=latency) as emu:
        emu.register_bot(token, username="cast_bench_bot")
        env = process_env(
            workdir,
            DATABASE_URL=url,
            BOT_TOKEN=token,
            TELEGRAM_BASE_URL=emu.base_url,
            TELEGRAM_BASE_FILE_URL=emu.base_file_url,
            TELEGRAM_RATE_LIMIT="false",
            LOG_LEVEL="WARNING",
            BALLOT_SECRET=SECRET,
            MAEUL_NOW=CLOCK.now().isoformat(),
        )
        proc = await start_process([sys.executable, "-m", "bot", "run"], workdir, env)
        try:
            people = [User(id=40_000 + i, first_name=f"v{i}") for i in range(users)]
            warm = codes[users * rounds :]
            warmers = [User(id=90_000 + i, first_name=f"w{i}") for i in range(min(5, users))]
            await _voters(emu, token, warmers, warm, 1)  # warm-up
            started = time.perf_counter()
            latencies = await _voters(emu, token, people, codes, rounds)
            elapsed = time.perf_counter() - started
            memory = rss_mib(proc.pid)
        finally:
            proc.terminate()
            await asyncio.wait_for(proc.communicate(), timeout=30)
    latencies.sort()
    ballots = len(latencies)
    return {
        "ballots_per_s": ballots / elapsed,
        "updates_per_s": 3 * ballots / elapsed,
        "p50_ballot_ms": statistics.median(latencies) * 1000,
        "p95_ballot_ms": latencies[int(len(latencies) * 0.95) - 1] * 1000,
        "rss_mib": memory,
    }


async def _poll_book(session: Any, vote_id: int, voters: int) -> None:
    """The voters who cast those ballots (the audit checks the count against them)."""
    from sqlalchemy import func, insert, select

    from models.assembly import Voter
    from models.user import User as UserRow

    now = CLOCK.utcnow()
    first = (await session.execute(select(func.coalesce(func.max(UserRow.id), 0)))).scalar_one()
    for start in range(0, voters, 20_000):
        chunk = range(start, min(voters, start + 20_000))
        await session.execute(
            insert(UserRow),
            [
                {"id": first + 1 + n, "telegram_id": 10**9 + n, "active": True, "created_at": now}
                for n in chunk
            ],
        )
        await session.execute(
            insert(Voter),
            [
                {
                    "vote_id": vote_id,
                    "user_id": first + 1 + n,
                    "code_hash": None,
                    "voted": True,
                    "onsite": False,
                    "reminded": False,
                    "joined_at": now,
                }
                for n in chunk
            ],
        )


async def tally(ballots: int, workdir: Path) -> dict[str, float]:
    """Fill the box with ``ballots`` sealed ballots, close the vote, time the tally."""
    from sqlalchemy import insert, select, update

    from models.assembly import AssemblyVote, Ballot

    url = f"sqlite+aiosqlite:///{workdir / 'tally.db'}"
    await _prepare_db(url, 1, items=5)
    ring = Keyring(SECRET)
    engine = create_engine(url)
    sessionmaker = make_sessionmaker(engine)
    try:
        async with sessionmaker() as session:
            vote = await A.get_vote(session, "bench", CLOCK.now())
            assert vote is not None and vote.item_ids is not None
            size, vote_id, assembly_id = len(vote.item_ids), vote.id, vote.assembly_id
            await session.commit()
        started = time.perf_counter()
        acc = 0
        ids: set[int] = set()
        trackers: set[str] = set()
        batch: list[dict[str, Any]] = []
        async with sessionmaker() as session:
            for n in range(ballots):
                ballot_id = secrets.randbits(63)
                while ballot_id in ids:
                    ballot_id = secrets.randbits(63)
                ids.add(ballot_id)
                tracker = random_string(TRACKER_LENGTH)
                while tracker in trackers:
                    tracker = random_string(TRACKER_LENGTH)
                trackers.add(tracker)
                lookup = ring.tracker_lookup(tracker)
                choices = "".join("yna"[(n >> k) % 3] for k in range(size))
                sealed = ring.seal(assembly_id, ballot_id, lookup, tracker, choices)
                acc += ring.element(assembly_id, ballot_id, lookup, sealed, False)
                batch.append(
                    {
                        "id": ballot_id,
                        "vote_id": vote_id,
                        "lookup": lookup,
                        "current_tag": None,
                        "sealed": sealed,
                        "superseded": False,
                    }
                )
                if len(batch) == 20_000:
                    await session.execute(insert(Ballot), batch)
                    batch.clear()
            if batch:
                await session.execute(insert(Ballot), batch)
            await _poll_book(session, vote_id, ballots)
            acc_hex = f"{acc % 2**256:064x}"
            await session.execute(
                update(AssemblyVote)
                .where(AssemblyVote.id == vote_id)
                .values(
                    accumulator=acc_hex,
                    accumulator_tag=ring.accumulator_tag(assembly_id, acc_hex, ballots),
                    ballots_cast=ballots,
                )
            )
            await session.commit()
        fill = time.perf_counter() - started

        async def scan() -> float:
            async with sessionmaker() as session:
                t0 = time.perf_counter()
                rows = 0
                result = await session.stream(
                    select(Ballot.id, Ballot.lookup, Ballot.sealed).where(
                        Ballot.vote_id == vote_id, Ballot.superseded.is_(False)
                    )
                )
                async for part in result.partitions(5000):
                    rows += len(part)
                assert rows == ballots
                return time.perf_counter() - t0

        plain = min([await scan() for _ in range(2)])
        after = CLOCK.now() + timedelta(days=8)
        async with sessionmaker() as session:
            vote = await A.get_vote(session, "bench", after)
            assert vote is not None
            t0 = time.perf_counter()
            counted = await A.finalize(session, ring, vote, after)
            await session.commit()
            tallied = time.perf_counter() - t0
        assert counted["ballots"] == ballots and counted["invalid"] == 0, counted
        async with sessionmaker() as session:
            vote = await A.get_vote(session, "bench", after)
            assert vote is not None
            t0 = time.perf_counter()
            report = await A.audit(session, ring, vote)
            await session.commit()
            audited = time.perf_counter() - t0
        assert report.ok, report.problems
    finally:
        await engine.dispose()
    return {
        "ballots": ballots,
        "fill_s": fill,
        "plain_scan_s": plain,
        "tally_s": tallied,
        "audit_s": audited,
        "tally_ratio": tallied / plain,
        "audit_ratio": audited / plain,
    }


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--users", type=int, default=40, help="simultaneous voters / users")
    parser.add_argument("--rounds", type=int, default=5, help="ballots per simulated voter")
    parser.add_argument("--ballots", type=int, default=1_000_000, help="ballots to tally")
    parser.add_argument("--latency", type=float, default=0.05, help="seconds per Bot API call")
    parser.add_argument("--skip-casting", action="store_true")
    parser.add_argument("--skip-tally", action="store_true")
    args = parser.parse_args()
    out: dict[str, Any] = {"users": args.users, "rounds": args.rounds}
    with tempfile.TemporaryDirectory(prefix="maeul-bench-assembly-") as tmp:
        work = Path(tmp)
        if not args.skip_casting:
            env = process_env(
                tmp,
                DATABASE_URL=f"sqlite+aiosqlite:///{work / 'echo.db'}",
                TELEGRAM_RATE_LIMIT="false",
                LOG_LEVEL="WARNING",
            )
            echo = await measure(
                "echo",
                [sys.executable, "-m", "bench.echo_bot"],
                env,
                args.users,
                args.rounds * 3,
                "/start",
                work,
                latency=args.latency,
            )
            cast = await casting(args.users, args.rounds, work, args.latency)
            out |= {
                "echo": echo,
                "casting": cast,
                "casting_throughput_ratio": cast["updates_per_s"] / echo["messages_per_s"],
            }
            print(f"echo bot: {echo['messages_per_s']:.1f} messages/s")
            print(
                f"casting:  {cast['ballots_per_s']:.1f} ballots/s = {cast['updates_per_s']:.1f} "
                f"updates/s (p50 {cast['p50_ballot_ms']:.0f} ms, p95 "
                f"{cast['p95_ballot_ms']:.0f} ms per ballot of 3 updates)"
            )
            print(f"maeul casting ÷ echo: updates ×{out['casting_throughput_ratio']:.2f}")
        if not args.skip_tally:
            result = await tally(args.ballots, work)
            out["tally"] = result
            print(
                f"tally of {result['ballots']:,} ballots: {result['tally_s']:.1f} s, audit "
                f"{result['audit_s']:.1f} s, plain scan {result['plain_scan_s']:.1f} s → "
                f"tally ×{result['tally_ratio']:.2f}, audit ×{result['audit_ratio']:.2f} "
                f"(filling the box took {result['fill_s']:.0f} s)"
            )
    write_results("assembly.json", out)


if __name__ == "__main__":
    asyncio.run(main())
