"""Helpers for the reminder tests: a dispatcher talking to the Bot API emulator, chats made
without updates, and limit checks measured on the emulator's side (no tests here)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select
from telegram import Bot
from telegram.request import HTTPXRequest

from bot import features
from bot.emulator import BotApiEmulator, Chat, Event, User
from bot.events.reminder_rows import ANNOUNCE
from bot.reminders import rows as R
from bot.reminders.dispatch import Dispatcher, Limits, RateLimiter
from bot.telegram.dispatcher import TelegramSender
from models import Reminder

TOKEN = "123456:TEST"


def open_private_chat(emu: BotApiEmulator, user_id: int, name: str = "주민") -> None:
    """A private chat the bot may write to, made without sending the bot an update."""
    state = emu._bot(TOKEN)
    emu._user_chat(state, emu._remember_user(state, User(id=user_id, first_name=name)), None)


def open_group(emu: BotApiEmulator, chat_id: int, admin_id: int = 1) -> Chat:
    group = Chat.group(chat_id, f"group {chat_id}", supergroup=True)
    emu.add_to_group(TOKEN, User(id=admin_id, first_name="admin"), group)
    return group


def announcement(i: int, chat_id: int, now: datetime, **extra) -> R.Planned:
    return R.Planned(
        kind=ANNOUNCE,
        key=f"load:{i}",
        chat_id=chat_id,
        due_at=now,
        payload={"text": f"message #{i}", "lang": "en"},
        **extra,
    )


async def enqueue(runtime, items: Iterable[R.Planned]) -> None:
    async with runtime.sessionmaker() as s:
        await R.enqueue(s, list(items), runtime.clock.now())
        await s.commit()


async def due_in_private_chats(runtime, emu: BotApiEmulator, first: int, count: int, now) -> None:
    """``count`` private chats opened, ``first`` and the ids after it, each with an
    announcement due ``now`` (announcement ``i`` to chat ``first + i``)."""
    for i in range(count):
        open_private_chat(emu, first + i)
    await enqueue(runtime, [announcement(i, first + i, now) for i in range(count)])


async def statuses(runtime) -> dict[str, int]:
    async with runtime.sessionmaker() as s:
        rows = await s.execute(select(Reminder.status, func.count()).group_by(Reminder.status))
        return dict(rows.all())


@dataclass
class Harness:
    emu: BotApiEmulator
    runtime: object
    bots: list[Bot] = field(default_factory=list)

    async def dispatcher(self, *, runtime=None, limits: Limits | None = None, **kw) -> Dispatcher:
        lanes = kw.get("lanes", 1)
        bot = Bot(
            TOKEN, base_url=self.emu.base_url, request=HTTPXRequest(connection_pool_size=lanes + 2)
        )
        await bot.initialize()
        self.bots.append(bot)
        limiter = RateLimiter(
            limits or Limits(total=1000, bulk=1000, chat_count=1, chat_window=0.2)
        )
        kw.setdefault("kinds", features.register())
        return Dispatcher(
            runtime or self.runtime, TelegramSender(bot), limiter=limiter, plan=False, **kw
        )

    def sent(self, since: int = 0) -> list[Event]:
        return [
            e
            for e in self.emu.events(TOKEN, since=since, kinds={"message"})
            if e.method == "sendMessage"
        ]


@asynccontextmanager
async def harness(runtime) -> AsyncIterator[Harness]:
    async with BotApiEmulator() as emu:
        emu.register_bot(TOKEN, username="maeul_test_bot")
        h = Harness(emu, runtime)
        try:
            yield h
        finally:
            for bot in h.bots:
                await bot.shutdown()


def violations(events: list[Event], limits: Limits) -> list[str]:
    """Every breach of the limits, measured with the emulator's clock (``mono``): in any
    window of ``window`` seconds at most ``count`` messages in all, per chat, per group."""
    found = []

    def check(times: list[float], count: int, window: float, what: str) -> None:
        times = sorted(times)
        for i in range(len(times) - count):
            if times[i + count] - times[i] < window:
                found.append(
                    f"{what}: {count + 1} messages within {times[i + count] - times[i]:.3f}s"
                )
                return

    check([e.mono for e in events], limits.total, limits.window, "all chats")
    per_chat: dict[int, list[float]] = defaultdict(list)
    for e in events:
        per_chat[e.chat_id].append(e.mono)
    for chat_id, times in per_chat.items():
        check(times, limits.chat_count, limits.chat_window, f"chat {chat_id}")
        if chat_id < 0:
            check(times, limits.group_count, limits.group_window, f"group {chat_id}")
    return found
