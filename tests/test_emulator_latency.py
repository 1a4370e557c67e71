"""The emulator's per-call latency (``BotApiEmulator(latency=...)``, ``--latency``).

Every Bot API call but ``getUpdates`` is answered ``latency`` seconds late, and calls wait
side by side (as on Telegram, where a bot has many requests in flight). Checked without
upper time bounds: a call takes at least the latency, and two calls are both in flight at
once (both counted, neither answered yet) — the overlap is seen in the emulator's state,
not in a stopwatch.
"""

from __future__ import annotations

import asyncio
import time

import httpx
import pytest

import bot.emulator.__main__ as emulator_main
import bot.emulator.core as core_module
from bot.emulator import BotApiEmulator, EmulatorCore, User

TOKEN = "123:ABC"
ALICE = User(id=1001, first_name="Alice")
BOB = User(id=1002, first_name="Bob")


def _open_chats(emu: EmulatorCore, *users: User) -> None:
    for user in users:  # the bot may write to a user who wrote to it
        emu.send_text(TOKEN, user, "hi")


async def test_a_call_is_answered_no_sooner_than_the_latency() -> None:
    emu = EmulatorCore(latency=0.2)
    try:
        _open_chats(emu, ALICE)
        started = time.monotonic()
        result = await emu.call_api(TOKEN, "sendMessage", {"chat_id": ALICE.id, "text": "x"})
        assert time.monotonic() - started >= 0.2
        assert result["text"] == "x"
        # the message exists from the moment it is answered, not from the request
        [event] = emu.events(TOKEN, chat_id=ALICE.id, kinds={"message"})
        assert event.mono - started >= 0.2
    finally:
        emu.close_files()


async def test_get_updates_is_not_delayed() -> None:
    # an hour per call: only a getUpdates that skips the latency can come back
    emu = EmulatorCore(latency=3600)
    try:
        emu.send_text(TOKEN, ALICE, "/start")
        updates = await asyncio.wait_for(
            emu.call_api(TOKEN, "getUpdates", {"timeout": 0}), timeout=60
        )
        assert [u["message"]["text"] for u in updates] == ["/start"]
    finally:
        emu.close_files()


async def test_without_latency_nothing_waits() -> None:
    emu = EmulatorCore()
    try:
        _open_chats(emu, ALICE)
        # answered in the same step of the event loop: no sleep at all on the way
        task = asyncio.ensure_future(
            emu.call_api(TOKEN, "sendMessage", {"chat_id": ALICE.id, "text": "x"})
        )
        for _ in range(3):
            await asyncio.sleep(0)
        assert task.done()
        assert emu.latency == 0
    finally:
        emu.close_files()


async def test_concurrent_calls_over_http_overlap() -> None:
    async with BotApiEmulator(latency=0.3) as emu:
        _open_chats(emu, ALICE, BOB)
        async with httpx.AsyncClient(base_url=emu.url, timeout=30) as http:

            async def send(user: User) -> httpx.Response:
                return await http.post(
                    f"/bot{TOKEN}/sendMessage", json={"chat_id": user.id, "text": "late"}
                )

            calls = asyncio.gather(send(ALICE), send(BOB))
            # both requests reach the emulator and wait there at the same time
            await emu.wait_for(lambda: emu.call_counts(TOKEN).get("sendmessage") == 2, timeout=20)
            assert emu.events(TOKEN, kinds={"message"}) == []
            first, second = await calls
        assert first.json()["ok"] and second.json()["ok"]
        sent = emu.events(TOKEN, kinds={"message"})
        assert sorted(e.chat_id for e in sent) == [ALICE.id, BOB.id]


async def test_calls_wait_side_by_side_not_in_turn(monkeypatch: pytest.MonkeyPatch) -> None:
    """Both calls are in their wait at the same moment: no lock serialises them."""
    latency = 0.123
    real_sleep = asyncio.sleep
    waiting: list[int] = []
    most = 0
    gate = asyncio.Event()

    async def held_sleep(delay: float, *args: object) -> None:
        nonlocal most
        if delay != latency:
            await real_sleep(delay, *args)
            return
        waiting.append(1)
        most = max(most, len(waiting))
        try:
            await gate.wait()
        finally:
            waiting.pop()

    emu = EmulatorCore(latency=latency)
    try:
        _open_chats(emu, ALICE, BOB)
        monkeypatch.setattr(core_module.asyncio, "sleep", held_sleep)
        calls = asyncio.gather(
            *(
                emu.call_api(TOKEN, "sendMessage", {"chat_id": u.id, "text": "late"})
                for u in (ALICE, BOB)
            )
        )

        async def both_waiting() -> None:
            while len(waiting) < 2:
                await real_sleep(0.01)

        await asyncio.wait_for(both_waiting(), timeout=30)  # a hang guard, not a bound
        assert emu.events(TOKEN, kinds={"message"}) == []  # nobody answered yet
        gate.set()
        await calls
        assert most == 2
        assert len(emu.events(TOKEN, kinds={"message"})) == 2
    finally:
        emu.close_files()


async def test_a_failure_is_answered_late_too() -> None:
    emu = EmulatorCore(latency=0.2)
    try:
        _open_chats(emu, ALICE)
        emu.fail_next(TOKEN, "sendMessage", error_code=429, retry_after=3)
        started = time.monotonic()
        with pytest.raises(Exception) as caught:
            await emu.call_api(TOKEN, "sendMessage", {"chat_id": ALICE.id, "text": "x"})
        assert time.monotonic() - started >= 0.2
        assert getattr(caught.value, "code", None) == 429
    finally:
        emu.close_files()


def test_negative_latency_is_refused() -> None:
    with pytest.raises(ValueError):
        EmulatorCore(latency=-0.1)


def test_command_line_passes_the_latency(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: dict[str, float] = {}

    class Stop(Exception):
        pass

    class Recording(BotApiEmulator):
        async def start(self) -> None:
            seen["latency"] = self.latency
            raise Stop

    monkeypatch.setattr(emulator_main, "BotApiEmulator", Recording)
    with pytest.raises(Stop):
        emulator_main.main(["--port", "0", "--latency", "0.05"])
    assert seen == {"latency": 0.05}
    with pytest.raises(SystemExit):
        emulator_main.main(["--latency", "-1"])
