"""Two real ``maeul run --webhook`` processes and a ``maeul reminders run`` dispatcher on one
PostgreSQL database, behind one webhook (issue 12).

The emulator plays Telegram and the load balancer: the bot's webhook URL is routed to both
instances in turn (:meth:`~bot.emulator.core.EmulatorCore.route_webhook`), so one user's
updates alternate between the two processes. A proposal written step by step goes on
where it was on whichever process gets the next step and is filed once; an announcement
fanned out to a few hundred residents — while three dispatchers (one in each instance and
the worker) share the queue — reaches each of them exactly once; and voters casting
their ballots meanwhile, their updates spread over both processes, are each counted once.
The processes run with the one rate budget on: the emulator's record of what the bot sent
shows no second with more than 30 messages and no private chat with two in one second.
"""

from __future__ import annotations

import asyncio
import itertools
import secrets
import uuid
from collections import Counter
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from bot import assembly as A
from bot.assembly.crypto import keyring_for
from bot.core.clock import make_clock
from bot.core.config import Settings
from bot.core.db import create_engine, make_sessionmaker
from bot.core.runtime import Runtime
from bot.emulator import BotApiEmulator, User
from bot.reminders import rows as R
from models import Ballot, Proposal, Reminder
from tests.conftest import PG_URL, need_postgres
from tests.process_helpers import process_env, start_process
from tests.staff_helpers import propose_a_gallery
from tests.test_reminders_support import announcement, open_private_chat
from tests.test_webhook import (  # noqa: F401  (fast_retries: an autouse fixture)
    fast_retries,
    free_port,
    metric,
)

TOKEN = "123456:TEST"
SECRET = "multi-instance-secret_0123456789"
PUBLIC = "https://maeul.example.org/telegram"
ROOT = Path(__file__).resolve().parent.parent
FAN_OUT = 240
VOTERS = 24
BALLOT_SECRET = secrets.token_urlsafe(32)


@pytest.fixture
async def pg_database() -> AsyncIterator[str]:
    """A fresh PostgreSQL database (not a schema: the processes get a plain URL)."""
    await need_postgres()
    import asyncpg

    url = make_url(PG_URL)
    name = f"t_multi_{uuid.uuid4().hex[:10]}"
    admin = dict(host=url.host, port=url.port or 5432, user=url.username, database=url.database)
    conn = await asyncpg.connect(**admin)
    await conn.execute(f'CREATE DATABASE "{name}"')
    await conn.close()
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        conn = await asyncpg.connect(**admin)
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await conn.close()


def _env(home: Path, database_url: str, emu: BotApiEmulator, **extra: str) -> dict[str, str]:
    return process_env(
        home, TOKEN, emu,
        DATABASE_URL=database_url, QA_MODEL="none", REMINDER_WAKE_SECONDS="0.5", **extra,
    )  # fmt: skip


async def _until(check, what: str, procs, timeout: float = 60.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        if await check():
            return
        for proc in procs:
            if proc.returncode is not None:
                _, err = await proc.communicate()
                raise AssertionError(f"a process exited ({what}): {err.decode()[-3000:]}")
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"timed out: {what}")
        await asyncio.sleep(0.1)


class Resident:
    """One resident typing and pressing; waits for the bot's visible reaction."""

    def __init__(self, emu: BotApiEmulator, user_id: int, name: str) -> None:
        self.emu = emu
        self.user = User(id=user_id, first_name=name, language_code="en")

    async def _reaction(self, since: int) -> list:
        return await self.emu.wait_for_events(
            # quiet > 1 s: with the rate budget on, a chat gets at most a message a second
            TOKEN, chat_id=self.user.id, since=since, timeout=30, quiet=1.3,
            kinds={"message", "edit", "callback_answer"},
        )  # fmt: skip

    async def send(self, text: str) -> list:
        since = self.emu.last_seq(TOKEN)
        self.emu.send_text(TOKEN, self.user, text)
        return await self._reaction(since)

    async def press(self, label: str = "", data_prefix: str = "") -> list:
        for message in reversed(self.emu.messages(TOKEN, self.user.id)):
            for row in (message.get("reply_markup") or {}).get("inline_keyboard") or []:
                for b in row:
                    data = b.get("callback_data", "")
                    if data and label in b.get("text", "") and data.startswith(data_prefix):
                        since = self.emu.last_seq(TOKEN)
                        self.emu.press(TOKEN, self.user, self.user.id, message["message_id"], data)
                        return await self._reaction(since)
        raise AssertionError(f"no button {label!r} {data_prefix!r}")


def assert_within_telegrams_limits(sent: list) -> None:
    """≤ 30 messages in any second in all; ≤ 1 a second in a private chat (the emulator's
    clock when each arrived; a few ms of slack for the HTTP round trip)."""
    times = sorted(e.mono for e in sent)
    busiest = max(
        (sum(1 for t in times[i : i + 40] if t < start + 1.0) for i, start in enumerate(times)),
        default=0,
    )
    assert busiest <= 30, f"{busiest} messages in one second"
    by_chat: dict[int, list[float]] = {}
    for e in sent:
        if e.chat_id > 0:
            by_chat.setdefault(e.chat_id, []).append(e.mono)
    gaps = [b - a for ts in by_chat.values() for a, b in itertools.pairwise(ts)]
    assert min(gaps, default=1.0) >= 0.95, f"two messages {min(gaps):.3f} s apart in one chat"


def shown(events: list) -> str:
    return [e.text or "" for e in events if e.kind in ("message", "edit")][-1]


async def test_two_webhook_processes_and_a_dispatcher_on_one_database(tmp_path, pg_database):
    ports = [free_port(), free_port()]
    procs: list[asyncio.subprocess.Process] = []
    async with BotApiEmulator() as emu:
        emu.register_bot(TOKEN, username="maeul_bot")
        emu.route_webhook(PUBLIC, [f"http://127.0.0.1:{port}/telegram" for port in ports])
        common = {
            "WEBHOOK_URL": PUBLIC,
            "WEBHOOK_SECRET": SECRET,
            "BALLOT_SECRET": BALLOT_SECRET,
            "TELEGRAM_RATE_LIMIT": "true",  # the one rate budget, shared through PostgreSQL
        }

        async def start(*args: str, **settings: str) -> None:
            env = _env(tmp_path, pg_database, emu, **common, **settings)
            procs.append(await start_process(tmp_path, env, *args))

        try:
            # the first instance migrates and seeds the database; then the others start
            await start("run", "--webhook", WEBHOOK_PORT=str(ports[0]))

            async def registered() -> bool:
                return emu.webhook(TOKEN) is not None

            await _until(registered, "the first instance registers its webhook", procs, 120)
            await start("run", "--webhook", WEBHOOK_PORT=str(ports[1]))
            await start("reminders", "run")
            async with httpx.AsyncClient() as http:

                async def healthy() -> bool:
                    try:
                        r = await http.get(f"http://127.0.0.1:{ports[1]}/healthz")
                    except httpx.HTTPError:
                        return False
                    return r.status_code == 200

                await _until(healthy, "the second instance answers /healthz", procs, 120)

                # one resident's updates, alternating between the two processes
                ann = Resident(emu, 5501, "Ann")
                events = await propose_a_gallery(ann)
                assert "A small gallery in the community centre" in shown(events)
                events = await ann.press(data_prefix="prop:ok:")
                handled = []
                for port in ports:
                    body = (await http.get(f"http://127.0.0.1:{port}/metrics")).text
                    handled.append(
                        sum(
                            metric(body, "maeul_updates_total", f'kind="{kind}"')
                            for kind in ("message", "callback_query")
                        )
                    )
            assert handled == [4, 4], handled  # 8 updates, each instance every other one

            settings = Settings(
                _env_file=None,  # type: ignore[call-arg]
                database_url=pg_database,
                bot_token=TOKEN,
                ballot_secret=BALLOT_SECRET,
            )
            engine = create_engine(pg_database)
            runtime = Runtime(
                settings=settings,
                clock=make_clock(settings.tz, None),
                engine=engine,
                sessionmaker=make_sessionmaker(engine),
            )
            try:
                async with runtime.sessionmaker() as s:
                    proposals = (await s.execute(select(Proposal))).scalars().all()
                assert [p.title for p in proposals] == ["A small gallery in the community centre"]
                assert any(f"#{proposals[0].id}" in (e.text or "") for e in events)

                # a fan-out, with three dispatchers on the queue: each resident gets it once
                first = 700_000
                for i in range(FAN_OUT):
                    open_private_chat(emu, first + i)
                now = datetime.now(UTC)
                async with runtime.sessionmaker() as s:
                    await R.enqueue(
                        s, [announcement(i, first + i, now) for i in range(FAN_OUT)], now
                    )
                    await s.commit()

                async def all_sent() -> bool:
                    async with runtime.sessionmaker() as s:
                        left = await s.execute(
                            select(func.count())
                            .select_from(Reminder)
                            .where(Reminder.status != "sent")
                        )
                        return int(left.scalar_one()) == 0

                # voters cast while the fan-out goes out, on both processes
                ring = keyring_for(settings)
                now = runtime.clock.now()
                async with runtime.sessionmaker() as s:
                    vote = await A.create_vote(
                        s, assembly_id="multi", dong_id="garam", title={"ko": "다중", "en": "Multi"},
                        opens_at=now - timedelta(hours=1), closes_at=now + timedelta(days=7),
                        method="approve_reject", max_choices=None,
                        items=[A.NewItem({"en": "Park works", "ko": "공원 정비"})],
                        actor="t", now=now,
                    )  # fmt: skip
                    codes = await A.issue_codes(s, ring, vote, VOTERS, actor="t", now=now)
                    await s.commit()

                async def cast(n: int, code: str) -> str:
                    voter = Resident(emu, 710_000 + n, f"v{n}")
                    await voter.send(f"/start vote_{code}")
                    await voter.press("Yes")
                    events = await voter.press("Cast my vote")
                    return shown(events)

                receipts = await asyncio.gather(*(cast(n, c) for n, c in enumerate(codes)))
                assert all("Your vote is counted." in r for r in receipts), receipts
                await _until(all_sent, "the fan-out is sent", procs, 180)
                async with runtime.sessionmaker() as s:
                    vote = await A.get_vote(s, "multi", runtime.clock.now())
                    report = await A.audit(s, ring, vote)
                    ballots = await s.scalar(select(func.count()).select_from(Ballot))
                    await s.commit()
                assert report.ok, report.problems
                assert report.ballots == report.counted == ballots == VOTERS
            finally:
                await engine.dispose()
            got = Counter(
                e.chat_id
                for e in emu.events(TOKEN, kinds={"message"})
                if first <= e.chat_id < first + FAN_OUT
            )
            assert len(got) == FAN_OUT and set(got.values()) == {1}, got.most_common(3)
            sent = [e for e in emu.events(TOKEN, kinds={"message"})]
            assert_within_telegrams_limits(sent)
        finally:
            for proc in procs:
                if proc.returncode is None:
                    proc.terminate()
            errors = []
            for proc in procs:
                _, err = await asyncio.wait_for(proc.communicate(), timeout=30)
                errors.append(err.decode())
        for proc, err in zip(procs, errors, strict=True):
            assert proc.returncode == 0, err[-3000:]
            assert "Traceback" not in err, err[-3000:]


def test_the_limit_check_catches_what_a_bot_without_the_budget_would_send():
    """The check above is no formality: 31 messages within one second, or two in one private
    chat 0.5 s apart, fail it; 30 spread over a second, one a second per chat, pass."""
    from types import SimpleNamespace as Sent

    within = [Sent(mono=i / 30, chat_id=1000 + i) for i in range(30)]
    within += [Sent(mono=1.5 + i, chat_id=2000) for i in range(3)]
    assert_within_telegrams_limits(within)
    burst = [Sent(mono=i / 31, chat_id=1000 + i) for i in range(31)]
    with pytest.raises(AssertionError, match="31 messages in one second"):
        assert_within_telegrams_limits(burst)
    twice = [Sent(mono=0.0, chat_id=7), Sent(mono=0.5, chat_id=7)]
    with pytest.raises(AssertionError, match="apart in one chat"):
        assert_within_telegrams_limits(twice)
