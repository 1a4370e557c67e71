"""One rate budget per bot token: replies, the reminder dispatcher and every instance.

Telegram limits a bot, not a process: about **30 messages a second in all**, **one a
second per chat**, **20 a minute per group**; beyond that it answers 429 with a
``retry_after`` during which *every* send of the bot is refused. So every new message the
bot sends — an after-commit reply (:class:`bot.app.MaeulBot`) or a reminder row
(:mod:`bot.reminders.dispatch`) — first takes a :class:`Permit` from the one budget of its
token, and gives it back when Telegram has answered.

**How the limits are counted.** Sliding windows counted from *completions*: a permit
holds a slot of each pool it belongs to (all sends; its chat; its group) and the slot frees
``window`` seconds after Telegram answered. In any window of that length at most ``count``
sends reach Telegram, measured on Telegram's side too, whatever the latency. What counts
is a new message (``send*`` but ``sendChatAction``, ``copyMessage(s)``,
``forwardMessage(s)``): edits, callback answers and reads are not messages.

**Replies first, reminders with what is left.** A reply may use all ``total`` slots; a
bulk send (a reminder) only ``bulk`` of them (default 25 of 30), so a reply never waits a
whole window behind a fan-out, and within an instance a bulk send waits while any reply
waits. When no one chats, reminders get their 25 a second.

**One budget across instances.** :class:`LocalBudget` keeps the slots in memory: right for
the embedded SQLite default (one process, no extra service). :class:`SharedBudget` adds
PostgreSQL (already required for several instances): each permit is a row of
``rate_sends`` taken under a transaction-scoped advisory lock per token, with the
database's clock (no skew between hosts); a 429's pause is the ``rate_budgets`` row of
the token, seen by every instance at its next take. Why PostgreSQL and not Redis: a take
costs about 1 ms here (measured, bench/README-rate.md), 30 takes a second are nothing
for the database, and an operator runs no extra service; Redis would be faster per take
but the budget needs only tens a second. A permit held by an instance that died frees
itself after ``LEASE`` seconds. The local layer stays in front of the shared one: it
orders replies before reminders in the process and keeps a chat's hint (when the
database said it is busy) so the dispatcher picks other chats meanwhile.

**A busy chat never stalls the others.** :meth:`LocalBudget.take` waits only for room in
the *global* pool (and a 429 pause); when the chat's own limit is full it returns ``None``
and :meth:`ready_at` says when to try again, so the caller sends to someone else
meanwhile. :meth:`LocalBudget.acquire` (replies) waits for everything.

**What Telegram refused is not counted.** A send Telegram answered with a server error
(5xx but 504: the Bot API did not take the message) gives its permit back with
:meth:`LocalBudget.cancel`: its slots are free at once, as if it had never been taken. A
timeout or a broken connection (Telegram may have delivered it) and every other answer are
given back with :meth:`LocalBudget.release` and count for the whole window.

Time is injected (``monotonic`` and ``sleep``) in the local budget: tests run thousands
of sends on a virtual clock.
"""

from __future__ import annotations

import asyncio
import contextvars
import hashlib
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

if TYPE_CHECKING:
    from bot.core.config import Settings
    from bot.core.runtime import Runtime

log = logging.getLogger(__name__)

INF = float("inf")
LEASE = 30.0
"""Seconds after which a permit whose holder never gave it back (it died) frees itself."""

held: contextvars.ContextVar[bool] = contextvars.ContextVar("ratebudget_held", default=False)
"""True while a task sends with a permit it already took (the dispatcher's sends go
through the application's bot, which must not take a second permit for them)."""


def counts(endpoint: str) -> bool:
    """Whether a Bot API call is a new message that the budget counts."""
    name = endpoint.lower()
    if name == "sendchataction":
        return False
    return name.startswith(("send", "copymessage", "forwardmessage"))


@dataclass(frozen=True)
class Limits:
    """``count`` sends per ``window`` seconds: in all (``total``; ``bulk`` of them for
    reminders), per chat, per group chat."""

    total: int = 30
    bulk: int = 25
    window: float = 1.0
    chat_count: int = 1
    chat_window: float = 1.0
    group_count: int = 20
    group_window: float = 60.0

    @classmethod
    def from_settings(cls, settings: Settings) -> Limits:
        total = max(settings.telegram_rate_global, settings.dispatch_rate_global)
        return cls(
            total=total,
            bulk=min(settings.dispatch_rate_global, total),
            window=settings.dispatch_rate_global_window,
            chat_count=settings.dispatch_rate_chat,
            chat_window=settings.dispatch_rate_chat_window,
            group_count=settings.dispatch_rate_group,
            group_window=settings.dispatch_rate_group_window,
        )


class _Slots:
    """``count`` slots; each holds the time it is free again (INF while in use)."""

    __slots__ = ("free_at", "window")

    def __init__(self, count: int, window: float) -> None:
        self.free_at = [-INF] * max(1, count)
        self.window = window

    def earliest(self) -> tuple[float, int]:
        index = min(range(len(self.free_at)), key=self.free_at.__getitem__)
        return self.free_at[index], index

    def room_at(self, now: float, usable: int) -> float:
        """When at most ``usable - 1`` slots are busy (a free one may be taken)."""
        busy = sorted(t for t in self.free_at if t > now)
        over = len(busy) - max(1, usable) + 1
        return now if over <= 0 else busy[over - 1]

    def idle_since(self, now: float) -> bool:
        return all(t <= now for t in self.free_at)


@dataclass
class Permit:
    """What one send holds; :meth:`LocalBudget.release` frees it when Telegram answered."""

    chat_id: int
    bulk: bool
    taken: list[tuple[_Slots, int, float]] = field(default_factory=list)
    row_id: int | None = None
    released: bool = False


@dataclass
class BudgetStats:
    """For /metrics and the logs: how often and how long sends waited for the budget."""

    taken: int = 0
    waits: int = 0
    waited_seconds: float = 0.0
    pauses: int = 0


class LocalBudget:
    """The budget of one process; see the module docstring."""

    def __init__(
        self,
        limits: Limits | None = None,
        *,
        monotonic: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep,
    ) -> None:
        self.limits = limits or Limits()
        self.monotonic = monotonic
        self.sleep = sleep
        self.stats = BudgetStats()
        self._global = _Slots(self.limits.total, self.limits.window)
        self._chats: dict[int, _Slots] = {}
        self._groups: dict[int, _Slots] = {}
        self._hints: dict[int, float] = {}
        self._paused_until = -INF
        self._replies_waiting = 0
        self._changed: asyncio.Future[None] | None = None

    # --- the pools ---------------------------------------------------------------------

    def _chat(self, chat_id: int) -> _Slots:
        slots = self._chats.get(chat_id)
        if slots is None:
            slots = self._chats[chat_id] = _Slots(self.limits.chat_count, self.limits.chat_window)
        return slots

    def _group(self, chat_id: int) -> _Slots:
        slots = self._groups.get(chat_id)
        if slots is None:
            slots = self._groups[chat_id] = _Slots(
                self.limits.group_count, self.limits.group_window
            )
        return slots

    def _own(self, chat_id: int) -> list[_Slots]:
        pools = [self._chat(chat_id)]
        if chat_id < 0:
            pools.append(self._group(chat_id))
        return pools

    def ready_at(self, chat_id: int) -> float:
        """When this chat's own limits let a send start (the global one aside)."""
        times = [pool.earliest()[0] for pool in self._own(chat_id)]
        times.append(self._hints.get(chat_id, -INF))
        return max(times)

    def paused_for(self) -> float:
        return max(0.0, self._paused_until - self.monotonic())

    def _global_ready(self, now: float, bulk: bool) -> float:
        usable = self.limits.bulk if bulk else self.limits.total
        return max(self._global.room_at(now, usable), self._paused_until)

    # --- waiting -----------------------------------------------------------------------

    def _notify(self) -> None:
        if self._changed is not None and not self._changed.done():
            self._changed.set_result(None)
        self._changed = None

    async def _wait(self, seconds: float) -> None:
        """Sleep ``seconds`` (INF: until something changes), or less if a permit comes
        back or a reply stops waiting."""
        if self._changed is None:
            self._changed = asyncio.get_running_loop().create_future()
        changed = self._changed
        if seconds == INF:
            await asyncio.shield(changed)
            return
        sleeper = asyncio.ensure_future(self.sleep(max(0.0, seconds)))
        try:
            await asyncio.wait({sleeper, changed}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            if not sleeper.done():
                sleeper.cancel()

    async def changed(self, seconds: float) -> None:
        """Wait until a permit comes back, or ``seconds``."""
        await self._wait(seconds)

    # --- taking and giving back ---------------------------------------------------------

    def _take_local(self, chat_id: int, bulk: bool, now: float) -> Permit:
        permit = Permit(chat_id, bulk)
        for pool in (self._global, *self._own(chat_id)):
            _, index = pool.earliest()
            permit.taken.append((pool, index, pool.free_at[index]))
            pool.free_at[index] = INF
        self._hints.pop(chat_id, None)
        return permit

    def _undo_local(self, permit: Permit) -> None:
        for pool, index, before in permit.taken:
            pool.free_at[index] = before
        permit.taken.clear()
        permit.released = True
        self._notify()

    async def take(self, chat_id: int, *, bulk: bool = True) -> Permit | None:
        """A permit for one message to ``chat_id``; waits for room in all (and for a
        429's pause), but returns ``None`` when the chat's own limits are full
        (:meth:`ready_at` says until when)."""
        started = self.monotonic()
        waited = queued = False
        try:
            while True:
                now = self.monotonic()
                if bulk and self._replies_waiting:
                    waited = True
                    await self._wait(INF)
                    continue
                if self.ready_at(chat_id) > now:
                    return None
                ready = self._global_ready(now, bulk)
                seconds = ready - now
                if ready <= now:
                    permit = self._take_local(chat_id, bulk, now)
                    try:
                        shared = await self._take_shared(permit)
                    except BaseException:  # the database failed (or we were cancelled)
                        self._undo_local(permit)
                        raise
                    if shared is None:
                        self.stats.taken += 1
                        return permit
                    self._undo_local(permit)
                    kind, seconds = shared
                    if kind == "chat":
                        self._hints[chat_id] = self.monotonic() + seconds
                        return None
                # Waiting for room in all: a reply goes before every bulk send.
                if not bulk and not queued:
                    queued = True
                    self._replies_waiting += 1
                waited = True
                await self._wait(seconds)
        finally:
            if queued:
                self._replies_waiting -= 1
                self._notify()
            if waited:
                self.stats.waits += 1
                self.stats.waited_seconds += self.monotonic() - started

    async def room(self, *, bulk: bool = True) -> None:
        """Wait until a send could start (room in all, no pause; for a bulk send, no reply
        waiting) without taking anything: the caller takes its permit when it is ready."""
        while True:
            now = self.monotonic()
            if bulk and self._replies_waiting:
                await self._wait(INF)
                continue
            ready = self._global_ready(now, bulk)
            if ready <= now:
                return
            await self._wait(ready - now)

    async def acquire(self, chat_id: int, *, bulk: bool = False) -> Permit:
        """A permit, waiting for every limit (an after-commit reply waits its turn)."""
        while True:
            permit = await self.take(chat_id, bulk=bulk)
            if permit is not None:
                return permit
            await self._wait(max(0.0, self.ready_at(chat_id) - self.monotonic()))

    async def release(self, permit: Permit) -> None:
        """Telegram answered (whatever it said): the slots free ``window`` from now."""
        if permit.released:
            return
        permit.released = True
        now = self.monotonic()
        for pool, index, _ in permit.taken:
            pool.free_at[index] = now + pool.window
        self._notify()
        if permit.row_id is not None:
            await self._release_shared(permit)
        if len(self._chats) > 5000:
            self._prune(now)

    async def cancel(self, permit: Permit) -> None:
        """Telegram answered that it did not take the message (a 5xx error status): the
        permit counts against no limit, its slots are free again at once. Telegram counts
        what it delivers; a refused request is not a message, and counting it would cost
        the fan-out one slot for a whole window per failure (5 % of the rate when 5 % of
        the sends fail). A timeout is not a refusal (the message may have gone out): it is
        given back with :meth:`release` like any answer."""
        if permit.released:
            return
        self._undo_local(permit)
        if permit.row_id is not None:
            await self._cancel_shared(permit)

    async def pause(self, seconds: float) -> None:
        """Telegram said 429: no send of this token starts for ``seconds``."""
        self.stats.pauses += 1
        self._paused_until = max(self._paused_until, self.monotonic() + seconds)
        await self._pause_shared(seconds)

    def _prune(self, now: float) -> None:
        for table in (self._chats, self._groups):
            for chat_id in [c for c, slots in table.items() if slots.idle_since(now)]:
                del table[chat_id]
        for chat_id in [c for c, at in self._hints.items() if at <= now]:
            del self._hints[chat_id]

    # --- the shared layer (none here) ----------------------------------------------------

    async def _take_shared(self, permit: Permit) -> tuple[str, float] | None:
        """``None``: taken; else what is full (``"all"`` or ``"chat"``) and a wait."""
        return None

    async def _release_shared(self, permit: Permit) -> None:
        return None

    async def _cancel_shared(self, permit: Permit) -> None:
        return None

    async def _pause_shared(self, seconds: float) -> None:
        return None


_LOCK = text("SELECT set_config('synchronous_commit', 'off', true), pg_advisory_xact_lock(:k)")
"""The token's lock for this transaction; and no wait for the disk at its commit: a permit
lost in a crash of the database only means a send the budget did not count, while a
durable commit would hold the lock (and every other instance) for a disk flush."""
_TAKE = text(
    """
    WITH n AS (SELECT extract(epoch FROM clock_timestamp())::float8 AS t)
    SELECT n.t,
      coalesce((SELECT b.paused_until FROM rate_budgets b WHERE b.bucket = :b), 0),
      (SELECT count(*) FROM rate_sends s WHERE s.bucket = :b
         AND (s.done > n.t - CAST(:gw AS float8) OR (s.done IS NULL AND s.lease > n.t))),
      (SELECT min(s.done) FROM rate_sends s WHERE s.bucket = :b
         AND s.done > n.t - CAST(:gw AS float8)),
      (SELECT count(*) FROM rate_sends s WHERE s.bucket = :b AND s.chat_id = :c
         AND (s.done > n.t - CAST(:cw AS float8) OR (s.done IS NULL AND s.lease > n.t))),
      (SELECT min(s.done) FROM rate_sends s WHERE s.bucket = :b AND s.chat_id = :c
         AND s.done > n.t - CAST(:cw AS float8)),
      (SELECT count(*) FROM rate_sends s WHERE s.bucket = :b AND s.chat_id = :c
         AND CAST(:c AS bigint) < 0
         AND (s.done > n.t - CAST(:rw AS float8) OR (s.done IS NULL AND s.lease > n.t))),
      (SELECT min(s.done) FROM rate_sends s WHERE s.bucket = :b AND s.chat_id = :c
         AND CAST(:c AS bigint) < 0 AND s.done > n.t - CAST(:rw AS float8))
    FROM n
    """
)
_INSERT = text(
    "INSERT INTO rate_sends (bucket, chat_id, bulk, started, lease) "
    "VALUES (:b, :c, :bulk, CAST(:t AS float8), CAST(:t AS float8) + CAST(:lease AS float8))"
    " RETURNING id"
)
_RELEASE = text("UPDATE rate_sends SET done = extract(epoch FROM clock_timestamp()) WHERE id = :id")
_CANCEL = text("DELETE FROM rate_sends WHERE id = :id")
_PAUSE = text(
    """
    INSERT INTO rate_budgets (bucket, paused_until)
    VALUES (:b, extract(epoch FROM clock_timestamp())::float8 + CAST(:s AS float8))
    ON CONFLICT (bucket) DO UPDATE
      SET paused_until = greatest(rate_budgets.paused_until, excluded.paused_until)
    """
)
_PRUNE = text(
    "DELETE FROM rate_sends WHERE bucket = :b AND coalesce(done, lease) < "
    "extract(epoch FROM clock_timestamp())::float8 - CAST(:keep AS float8)"
)
_POLL = 0.02
"""How soon to look again when the database's slots are all in flight (no known end)."""


class SharedBudget(LocalBudget):
    """The budget of a token shared by every instance on one PostgreSQL database."""

    def __init__(self, engine: AsyncEngine, token: str, limits: Limits | None = None) -> None:
        super().__init__(limits)
        self.engine = engine
        self.bucket = hashlib.sha256(token.encode()).hexdigest()[:16]  # never the token
        digest = hashlib.sha256(f"rate:{token}".encode()).digest()
        self.lock_key = int.from_bytes(digest[:8], "big", signed=True)
        self._takes = 0

    async def _take_shared(self, permit: Permit) -> tuple[str, float] | None:
        lim = self.limits
        async with self.engine.begin() as conn:
            await conn.execute(_LOCK, {"k": self.lock_key})
            row = (
                await conn.execute(
                    _TAKE,
                    {
                        "b": self.bucket,
                        "c": permit.chat_id,
                        "gw": lim.window,
                        "cw": lim.chat_window,
                        "rw": lim.group_window,
                    },
                )
            ).one()
            now, paused, n_all, first_all, n_chat, first_chat, n_group, first_group = row
            if paused > now:
                return "all", paused - now
            usable = lim.bulk if permit.bulk else lim.total
            if n_all >= usable:
                return "all", (first_all + lim.window - now) if first_all else _POLL
            if n_chat >= lim.chat_count:
                return "chat", (
                    (first_chat + lim.chat_window - now) if first_chat else lim.chat_window
                )
            if permit.chat_id < 0 and n_group >= lim.group_count:
                return "chat", (
                    (first_group + lim.group_window - now) if first_group else lim.chat_window
                )
            permit.row_id = (
                await conn.execute(
                    _INSERT,
                    {
                        "b": self.bucket,
                        "c": permit.chat_id,
                        "bulk": permit.bulk,
                        "t": now,
                        "lease": LEASE,
                    },
                )
            ).scalar_one()
            self._takes += 1
            if self._takes % 500 == 0:
                keep = max(lim.window, lim.chat_window, lim.group_window) + LEASE
                await conn.execute(_PRUNE, {"b": self.bucket, "keep": keep})
        return None

    async def _release_shared(self, permit: Permit) -> None:
        try:
            async with self.engine.connect() as conn:  # one statement, one round trip
                auto = await conn.execution_options(isolation_level="AUTOCOMMIT")
                await auto.execute(_RELEASE, {"id": permit.row_id})
        except Exception:  # the permit's lease frees it; the send itself went through
            log.warning("could not give back a rate permit", exc_info=True)

    async def _cancel_shared(self, permit: Permit) -> None:
        try:
            async with self.engine.connect() as conn:
                auto = await conn.execution_options(isolation_level="AUTOCOMMIT")
                await auto.execute(_CANCEL, {"id": permit.row_id})
        except Exception:  # its lease frees it: counted a little longer than needed
            log.warning("could not cancel a rate permit", exc_info=True)

    async def _pause_shared(self, seconds: float) -> None:
        try:
            async with self.engine.begin() as conn:
                await conn.execute(_PAUSE, {"b": self.bucket, "s": float(seconds)})
        except Exception:
            log.warning("could not share a 429 pause", exc_info=True)


def make_budget(settings: Settings, engine: AsyncEngine, token: str | None = None) -> LocalBudget:
    """The budget for a database: shared on PostgreSQL (``RATE_BUDGET=auto``/``postgres``),
    in memory on SQLite or with ``RATE_BUDGET=local``."""
    limits = Limits.from_settings(settings)
    shared = settings.rate_budget == "postgres" or (
        settings.rate_budget == "auto" and engine.dialect.name == "postgresql"
    )
    if shared:
        if engine.dialect.name != "postgresql":
            raise ValueError("RATE_BUDGET=postgres needs a PostgreSQL DATABASE_URL")
        return SharedBudget(engine, token or settings.bot_token or "", limits)
    return LocalBudget(limits)


def budget_for(runtime: Runtime) -> LocalBudget:
    """The one budget of this runtime's bot token (made once, then shared by the
    application's replies and its dispatcher)."""
    budget = runtime.__dict__.get("rate_budget")
    if not isinstance(budget, LocalBudget):
        budget = make_budget(runtime.settings, runtime.engine)
        runtime.__dict__["rate_budget"] = budget
    return budget


__all__ = [
    "LEASE",
    "BudgetStats",
    "Limits",
    "LocalBudget",
    "Permit",
    "SharedBudget",
    "budget_for",
    "counts",
    "held",
    "make_budget",
]
