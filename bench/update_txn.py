"""CPU of what every update's transaction adds before its handlers: ``python -m bench.update_txn``.

One private-chat "/help" update; for each of N transactions: BEGIN (IMMEDIATE on SQLite),
then per mode — ``bare``: nothing; ``load``: :meth:`SQLPersistence.load_for_update` (on
PostgreSQL with its advisory lock); ``dedup``: :meth:`SQLPersistence.claim_update` (a new
update id each time; the insert and the lock in one statement) and the load — then COMMIT.
Reports CPU (user + system of this process, so the drivers' threads too) and wall time per
transaction, on a fresh SQLite file and a fresh PostgreSQL database (``BENCH_POSTGRES_URL``).
A measurement to compare versions by, not a test: run it on a quiet machine.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import asyncpg
from telegram import Chat, Message, Update
from telegram import User as TgUser

from bot.app import build_application
from bot.core import migrate
from bot.core.clock import Clock
from bot.core.config import Settings
from bot.core.db import begin_for_writing, create_engine, make_sessionmaker
from bot.core.runtime import Runtime
from bot.telegram.persistence import SQLPersistence

POSTGRES = os.environ.get("BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")


async def measure(url: str, mode: str, n: int) -> tuple[float, float]:
    engine = create_engine(url)
    await migrate.upgrade(engine)
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        database_url=url,
        bot_token="1:BENCH",
        telegram_rate_limit=False,
    )
    rt = Runtime(
        settings=settings,
        clock=Clock(ZoneInfo("Asia/Seoul")),
        engine=engine,
        sessionmaker=make_sessionmaker(engine),
    )
    app = build_application(rt)
    persistence = app.persistence
    assert isinstance(persistence, SQLPersistence)
    user = TgUser(id=777001, first_name="Ann", is_bot=False)
    chat = Chat(id=777001, type="private")
    message = Message(message_id=1, date=datetime.now(UTC), chat=chat, from_user=user, text="/help")
    ids = iter(range(1, 10**9))

    async def one() -> None:
        async with rt.sessionmaker() as session:
            await begin_for_writing(session)
            update = Update(update_id=next(ids), message=message)
            if mode == "dedup":
                assert await persistence.claim_update(session, update)
                await persistence.load_for_update(session, update, app, locked=True)
            elif mode == "load":
                await persistence.load_for_update(session, update, app)
            await session.commit()

    for _ in range(200):  # warm-up: caches, prepared statements, the pool
        await one()
    cpu, wall = time.process_time(), time.perf_counter()
    for _ in range(n):
        await one()
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    await engine.dispose()
    return 1000 * cpu / n, 1000 * wall / n


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=1500, help="transactions per mode")
    parser.add_argument("--modes", default="bare,load,dedup")
    args = parser.parse_args()
    admin = await asyncpg.connect(POSTGRES)
    try:
        for mode in args.modes.split(","):
            with tempfile.TemporaryDirectory() as tmp:
                cpu, wall = await measure(f"sqlite+aiosqlite:///{Path(tmp)}/b.db", mode, args.n)
            print(f"sqlite    {mode:5}  cpu {cpu:5.2f} ms  wall {wall:5.2f} ms per transaction")
            name = f"maeul_bench_{uuid.uuid4().hex[:8]}"
            await admin.execute(f'CREATE DATABASE "{name}"')
            try:
                base = POSTGRES.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://")
                cpu, wall = await measure(f"{base}/{name}", mode, args.n)
            finally:
                await admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
            print(f"postgres  {mode:5}  cpu {cpu:5.2f} ms  wall {wall:5.2f} ms per transaction")
    finally:
        await admin.close()


if __name__ == "__main__":
    asyncio.run(main())
