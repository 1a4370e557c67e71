"""The rate limiter on a virtual clock: Telegram's real limits over thousands of sends in
no real time, with several lanes in parallel, and the violation check itself."""

from __future__ import annotations

import asyncio
import heapq
import itertools
import random
from types import SimpleNamespace

from bot.reminders.dispatch import Limits, RateLimiter
from tests.test_reminders_support import violations


class VirtualClock:
    """Time moves only when every task waits on it: then to the earliest wake-up."""

    def __init__(self) -> None:
        self.now = 0.0
        self._sleepers: list[tuple[float, int, asyncio.Future[None]]] = []
        self._seq = itertools.count()

    def monotonic(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        future = asyncio.get_running_loop().create_future()
        heapq.heappush(self._sleepers, (self.now + max(0.0, seconds), next(self._seq), future))
        await future

    async def drive(self, tasks: list[asyncio.Task]) -> None:
        loop = asyncio.get_running_loop()
        while not all(t.done() for t in tasks):
            # let every runnable task run until it waits: when this task resumes and
            # nothing else is ready to run, every other task is waiting (on this clock
            # or on a future only a running task could complete)
            await asyncio.sleep(0)
            while loop._ready:  # type: ignore[attr-defined]  # noqa: ASYNC110
                await asyncio.sleep(0)
            if self._sleepers:
                at, _, future = heapq.heappop(self._sleepers)
                self.now = max(self.now, at)
                if not future.done():  # a sleep cut short (a permit came back) is gone
                    future.set_result(None)
        for task in tasks:
            task.result()


async def run_sends(limits: Limits, chats: list[int], lanes: int, latency=(0.02, 0.4)):
    clock = VirtualClock()
    limiter = RateLimiter(limits, monotonic=clock.monotonic, sleep=clock.sleep)
    queue = list(chats)
    sent: list[SimpleNamespace] = []
    rng = random.Random(7)

    async def lane() -> None:
        while queue:  # like the dispatcher: the chat that can be sent to soonest
            best = min(range(min(len(queue), 200)), key=lambda i: limiter.ready_at(queue[i]))
            chat_id = queue.pop(best)
            permit = await limiter.acquire(chat_id)
            started = clock.now
            await clock.sleep(rng.uniform(*latency))  # Telegram receives it somewhere here
            received = rng.uniform(started, clock.now)
            sent.append(SimpleNamespace(chat_id=chat_id, mono=received))
            await limiter.release(permit)

    tasks = [asyncio.ensure_future(lane()) for _ in range(lanes)]
    await clock.drive(tasks)
    return sent, clock.now


async def test_telegram_limits_hold_for_5000_sends_on_a_virtual_clock():
    limits = Limits(bulk=30)  # Telegram's limits (the defaults), every send a reminder
    assert (limits.total, limits.window, limits.chat_count, limits.chat_window) == (30, 1, 1, 1)
    assert (limits.group_count, limits.group_window) == (20, 60)
    rng = random.Random(1)
    chats = [rng.choice(range(1, 1500)) for _ in range(4700)] + [-100 - i % 3 for i in range(300)]
    rng.shuffle(chats)
    sent, duration = await run_sends(limits, chats, lanes=8)
    assert len(sent) == 5000
    assert violations(sent, limits) == []
    # the groups bound the run: 100 messages each at 20 a minute take at least 4 minutes
    assert duration >= 4 * 60
    # and the global limit is used well: the private messages went out near 30 a second
    private = sorted(e.mono for e in sent if e.chat_id > 0)
    assert len(private) / (private[-1] - private[0]) > 0.8 * 30 * 0.7


async def test_a_429_pause_holds_every_send_back():
    clock = VirtualClock()
    limiter = RateLimiter(Limits(), monotonic=clock.monotonic, sleep=clock.sleep)
    permit = await limiter.acquire(1)
    await limiter.release(permit)
    await limiter.pause(5.0)
    times: list[float] = []

    async def send(chat_id: int) -> None:
        got = await limiter.acquire(chat_id)
        times.append(clock.now)
        await limiter.release(got)

    await clock.drive([asyncio.ensure_future(send(c)) for c in (2, 3, 4)])
    assert min(times) >= 5.0


async def test_the_violation_check_finds_breaches():
    limits = Limits(
        total=2,
        bulk=2,
        window=1.0,
        chat_count=1,
        chat_window=1.0,
        group_count=2,
        group_window=10.0,
    )
    ok = [SimpleNamespace(chat_id=c, mono=t) for c, t in [(1, 0.0), (2, 0.5), (1, 1.0)]]
    assert violations(ok, limits) == []
    too_many = [*ok, SimpleNamespace(chat_id=3, mono=0.9)]
    assert violations(too_many, limits)[0].startswith("all chats: 3 messages")
    same_chat = [SimpleNamespace(chat_id=1, mono=0.0), SimpleNamespace(chat_id=1, mono=0.99)]
    assert violations(same_chat, limits) == ["chat 1: 2 messages within 0.990s"]
    group = [SimpleNamespace(chat_id=-5, mono=t) for t in (0.0, 3.0, 6.0)]
    assert violations(group, limits) == ["group -5: 3 messages within 6.000s"]
