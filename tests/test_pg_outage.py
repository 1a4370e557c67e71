"""PostgreSQL goes away under load and comes back: the bot recovers without a restart of its
own and loses nothing it said it saved.

A restart of the real server would cut every other test's connections too, so the bot
reaches PostgreSQL through a TCP proxy here, and the proxy does what a restart does to a
client: every open connection is cut at once, and new ones are refused until the server is
back. Meanwhile residents keep writing. The properties:

* while the database is away, every private message still gets an answer (the error
  handler speaks in the user's language without the database) and nothing is half-saved;
* once it is back, the same bot process answers normally — the pool's pre-ping replaces
  the dead connections — and everything committed before the cut is still there;
* nothing raised outside an update (the application never stops).
"""

from __future__ import annotations

import asyncio
import contextlib

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from bot.core.db import make_sessionmaker
from bot.core.runtime import Runtime
from bot.emulator import User
from models import User as UserRow
from tests.conftest import engine_for, migrated, need_postgres
from tests.e2e import TOKEN, running_bot

pytestmark = pytest.mark.e2e


class Outage:
    """A TCP proxy to PostgreSQL that can play a server restart."""

    def __init__(self, host: str, port: int) -> None:
        self.target = (host, port)
        self.down = False
        self.pipes: set[asyncio.StreamWriter] = set()
        self.server: asyncio.AbstractServer | None = None
        self.port = 0

    async def start(self) -> None:
        self.server = await asyncio.start_server(self._client, "127.0.0.1", 0)
        self.port = self.server.sockets[0].getsockname()[1]

    async def close(self) -> None:
        self.cut()
        if self.server is not None:
            self.server.close()
            await self.server.wait_closed()

    def cut(self) -> None:
        """The server goes down: open connections die, new ones are refused."""
        self.down = True
        for writer in list(self.pipes):
            writer.transport.abort()
        self.pipes.clear()

    def back(self) -> None:
        self.down = False

    async def _client(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if self.down:
            writer.transport.abort()
            return
        try:
            up_reader, up_writer = await asyncio.open_connection(*self.target)
        except OSError:
            writer.transport.abort()
            return
        self.pipes |= {writer, up_writer}

        async def pipe(src: asyncio.StreamReader, dst: asyncio.StreamWriter) -> None:
            with contextlib.suppress(OSError, asyncio.IncompleteReadError):
                while data := await src.read(65536):
                    dst.write(data)
                    await dst.drain()
            dst.transport.abort()

        await asyncio.gather(pipe(reader, up_writer), pipe(up_reader, writer))
        self.pipes -= {writer, up_writer}


async def _users(runtime: Runtime) -> int:
    async with runtime.sessionmaker() as s:
        return int(await s.scalar(select(func.count()).select_from(UserRow)) or 0)


async def _all_say(bot, people: list[User], text: str) -> dict[int, list[str]]:
    """Everyone sends ``text`` at once; what each was answered."""
    emu = bot.emu
    since = emu.last_seq(TOKEN)
    for person in people:
        emu.send_text(TOKEN, person, text)
    settled = emu._bot(TOKEN).settled
    for _ in range(6000):  # until the bot has processed them all (≤ 60 s)
        if settled():
            break
        await asyncio.sleep(0.01)
    said: dict[int, list[str]] = {}
    for person in people:
        events = emu.events(TOKEN, chat_id=person.id, since=since, kinds={"message", "edit"})
        said[person.id] = [e.text or "" for e in events]
    return said


async def test_postgres_restarted_under_load_recovers_and_loses_nothing(db_url, settings, clock):
    if "postgresql" not in db_url:
        pytest.skip("a PostgreSQL outage")
    await need_postgres()
    await migrated(db_url)
    url = make_url(db_url)
    outage = Outage(str(url.host), url.port or 5432)
    await outage.start()
    engine = engine_for(db_url.replace(f":{url.port or 5432}/", f":{outage.port}/", 1))
    runtime = Runtime(
        settings=settings, clock=clock, engine=engine, sessionmaker=make_sessionmaker(engine)
    )
    before = [User(id=8100 + i, first_name=f"주민{i}", language_code="ko") for i in range(12)]
    during = [User(id=8200 + i, first_name=f"Res{i}", language_code="en") for i in range(6)]
    try:
        async with running_bot(runtime) as bot:
            said = await _all_say(bot, before, "/start")
            assert all(said.values()), said
            saved = await _users(runtime)
            assert saved >= len(before)
            errors_before = len(bot.errors)

            outage.cut()
            said = await _all_say(bot, before[:6] + during, "/start")
            for person in during:  # an answer, in their language, that nothing was saved
                assert any("nothing was saved" in text for text in said[person.id]), said
            for person in before[:6]:
                assert said[person.id], f"{person.id} got no answer during the outage"

            outage.back()
            recovered = len(bot.errors)
            said = await _all_say(bot, before + during, "/start")
            assert all(said.values()), said
            assert not any("nothing was saved" in t for texts in said.values() for t in texts)
            assert len(bot.errors) == recovered, bot.errors[recovered:]
            assert recovered > errors_before  # the outage was real: updates failed in it
            assert await _users(runtime) == saved + len(during)
    finally:
        await outage.close()
        await engine.dispose()
