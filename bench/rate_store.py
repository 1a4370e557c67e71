"""``python -m bench.rate_store``: what one permit of the shared rate budget costs, on
PostgreSQL (what Maeul uses: bot/core/ratebudget.py) and on Redis (the alternative the
issue names), so the choice is measured (bench/README-rate.md).

* **PostgreSQL**: the shared part of :class:`bot.core.ratebudget.SharedBudget` as the bot
  runs it (a transaction: advisory lock, one query for the windows, an insert; a release
  is one update), in a fresh schema of ``BENCH_POSTGRES_URL``'s database; limits set so
  high that only the cost is measured.
* **Redis**: the same decision as one Lua script (a sorted set per pool; ``ZREMRANGEBYSCORE``,
  ``ZCARD``, ``ZADD``; a release re-scores the member) — one round trip per take — against
  a ``redis-server`` started for the run (``--redis-server``, default ``redis-server`` on
  PATH), talked to with a minimal RESP client (no client library is a dependency).

Measured: a take and a release one after another (p50/p95 ms), and takes a second with
``--clients`` budgets taking at once (what several instances would need at most: Telegram
allows 30 messages a second in all). Results go to bench/results/rate_store.json.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import statistics
import subprocess
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from bench.__main__ import write_results
from bot.core.ratebudget import Limits, Permit, SharedBudget

PG = os.environ.get("BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
HIGH = Limits(total=10**6, bulk=10**6, chat_count=10**6, group_count=10**6)


def _ms(values: list[float]) -> dict[str, float]:
    values = sorted(values)
    return {
        "p50_ms": statistics.median(values) * 1000,
        "p95_ms": values[int(len(values) * 0.95)] * 1000,
    }


async def _drive(
    take: Callable[[int], Awaitable[Any]],
    release: Callable[[Any], Awaitable[Any]],
    n: int,
    clients: int,
) -> dict[str, Any]:
    takes: list[float] = []
    releases: list[float] = []

    async def one(offset: int) -> None:
        for i in range(n):
            started = time.perf_counter()
            permit = await take(offset * 1_000_000 + i)
            took = time.perf_counter()
            await release(permit)
            takes.append(took - started)
            releases.append(time.perf_counter() - took)

    await one(0)  # sequential: the cost of one
    sequential = {"take": _ms(takes), "release": _ms(releases)}
    takes.clear()
    started = time.perf_counter()
    await asyncio.gather(*(one(c + 1) for c in range(clients)))
    elapsed = time.perf_counter() - started
    return {**sequential, "concurrent_takes_per_s": clients * n / elapsed, "clients": clients}


async def postgres(n: int, clients: int) -> dict[str, Any]:
    import asyncpg
    from sqlalchemy.engine import make_url

    from bot.core.db import create_engine
    from models.base import Base
    from models.ratebudget import RateBudget, RateSend

    url = make_url(PG.replace("postgresql://", "postgresql+asyncpg://"))
    schema = f"bench_rate_{uuid.uuid4().hex[:8]}"
    conn = await asyncpg.connect(
        host=url.host, port=url.port or 5432, user=url.username, database=url.database
    )
    await conn.execute(f'CREATE SCHEMA "{schema}"')
    engines = []
    try:
        budgets = []
        for _ in range(clients + 1):
            engine = create_engine(
                url.render_as_string(hide_password=False),
                connect_args={"server_settings": {"search_path": schema}},
            )
            engines.append(engine)
            budgets.append(SharedBudget(engine, "424242:BENCH", HIGH))
        async with engines[0].begin() as c:
            await c.run_sync(
                Base.metadata.create_all,
                tables=[RateSend.__table__, RateBudget.__table__],  # type: ignore[list-item]
            )
            for table in ("rate_sends", "rate_budgets"):  # as migration 0010 makes them
                await c.exec_driver_sql(f"ALTER TABLE {table} SET UNLOGGED")
        pool = iter(budgets)
        first = next(pool)

        async def take(chat_id: int) -> Any:
            permit = Permit(chat_id, bulk=False)
            assert await first._take_shared(permit) is None
            return permit

        sequential = await _drive(take, first._release_shared, n, 0)
        others = list(pool)
        counter = iter(range(10**9))

        async def take_any(chat_id: int) -> Any:
            budget = others[next(counter) % len(others)]
            permit = Permit(chat_id, bulk=False)
            assert await budget._take_shared(permit) is None
            return budget, permit

        async def release_any(pair: Any) -> None:
            await pair[0]._release_shared(pair[1])

        concurrent = await _drive(take_any, release_any, n // 2, clients)
        return {**sequential, "concurrent_takes_per_s": concurrent["concurrent_takes_per_s"]}
    finally:
        for engine in engines:
            await engine.dispose()
        await conn.execute(f'DROP SCHEMA "{schema}" CASCADE')
        await conn.close()


_LUA = """
local now = tonumber(redis.call('TIME')[1]) + tonumber(redis.call('TIME')[2]) / 1e6
local pause = tonumber(redis.call('GET', KEYS[3]) or '0')
if pause > now then return {0, tostring(pause - now)} end
for i = 1, 2 do
  redis.call('ZREMRANGEBYSCORE', KEYS[i], '-inf', '(' .. (now - tonumber(ARGV[i])))
  if redis.call('ZCARD', KEYS[i]) >= tonumber(ARGV[i + 2]) then return {0, '0.02'} end
end
redis.call('ZADD', KEYS[1], now + 30, ARGV[5])
redis.call('ZADD', KEYS[2], now + 30, ARGV[5])
return {1, ARGV[5]}
"""


class Resp:
    """Just enough of RESP for EVALSHA and ZADD."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer
        self.lock = asyncio.Lock()  # one request at a time on a connection

    async def call(self, *args: Any) -> Any:
        async with self.lock:
            return await self._call(*args)

    async def _call(self, *args: Any) -> Any:
        parts = [f"*{len(args)}\r\n".encode()]
        for arg in args:
            data = str(arg).encode()
            parts.append(b"$%d\r\n%s\r\n" % (len(data), data))
        self.writer.write(b"".join(parts))
        await self.writer.drain()
        return await self._read()

    async def _read(self) -> Any:
        line = (await self.reader.readline())[:-2]
        kind, rest = line[:1], line[1:]
        if kind in (b"+", b"-"):
            return rest.decode()
        if kind == b":":
            return int(rest)
        if kind == b"$":
            size = int(rest)
            return None if size < 0 else (await self.reader.readexactly(size + 2))[:-2].decode()
        if kind == b"*":
            return [await self._read() for _ in range(int(rest))]
        raise ValueError(line)


async def redis(n: int, clients: int, server: str) -> dict[str, Any] | None:
    if shutil.which(server) is None:
        return None
    port = 46379
    with tempfile.TemporaryDirectory() as tmp:
        proc = subprocess.Popen(  # noqa: ASYNC220 (started once, before measuring)
            [server, "--port", str(port), "--save", "", "--appendonly", "no", "--dir", tmp],
            stdout=subprocess.DEVNULL,
        )
        try:
            for _ in range(50):
                try:
                    conns = [
                        Resp(*await asyncio.open_connection("127.0.0.1", port))
                        for _ in range(clients + 1)
                    ]
                    break
                except OSError:
                    await asyncio.sleep(0.1)
            sha = await conns[0].call("SCRIPT", "LOAD", _LUA)
            counter = iter(range(10**9))

            def taker(conn: Resp) -> Callable[[int], Awaitable[Any]]:
                async def take(chat_id: int) -> Any:
                    member = str(next(counter))
                    keys = ("rate:all", f"rate:chat:{chat_id}", "rate:pause")
                    return (
                        conn,
                        chat_id,
                        await conn.call("EVALSHA", sha, 3, *keys, 1.0, 1.0, 10**6, 10**6, member),
                    )

                return take

            async def release(got: Any) -> None:
                conn, chat_id, answer = got
                assert isinstance(answer, list) and answer[0] == 1, (answer, chat_id)
                member = answer[1]
                done = time.time()  # + the window: what the script removes
                await conn.call("ZADD", "rate:all", "XX", done, member)
                await conn.call("ZADD", f"rate:chat:{chat_id}", "XX", done, member)

            sequential = await _drive(taker(conns[0]), release, n, 0)
            others = [taker(c) for c in conns[1:]]
            pick = iter(range(10**9))

            async def take_any(chat_id: int) -> Any:
                return await others[next(pick) % len(others)](chat_id)

            concurrent = await _drive(take_any, release, n // 2, clients)
            for conn in conns:
                conn.writer.close()
            return {**sequential, "concurrent_takes_per_s": concurrent["concurrent_takes_per_s"]}
        finally:
            proc.terminate()
            proc.wait(timeout=10)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--takes", type=int, default=2000)
    parser.add_argument("--clients", type=int, default=4, help="budgets taking at once")
    parser.add_argument("--redis-server", default="redis-server")
    args = parser.parse_args()
    result: dict[str, Any] = {
        "takes": args.takes,
        "postgres": await postgres(args.takes, args.clients),
        "redis": await redis(args.takes, args.clients, args.redis_server),
        "load_average": os.getloadavg()[0],
    }
    for name in ("postgres", "redis"):
        r = result[name]
        if r is None:
            print(f"{name}: not available")
            continue
        print(
            f"{name:9} take p50 {r['take']['p50_ms']:.2f} ms, p95 {r['take']['p95_ms']:.2f} ms; "
            f"release p50 {r['release']['p50_ms']:.2f} ms; "
            f"{r['concurrent_takes_per_s']:.0f} takes/s with {args.clients} budgets at once"
        )
    write_results("rate_store.json", result)


if __name__ == "__main__":
    asyncio.run(main())
