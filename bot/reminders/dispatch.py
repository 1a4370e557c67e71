"""The reminder dispatcher: durable, claimed atomically, within Telegram's limits.

**The database is the source of truth.** Every message the bot sends on its own is a
:class:`models.events.Reminder` row (see :mod:`bot.reminders.rows`). The JobQueue only *wakes*
the dispatcher (every ``REMINDER_WAKE_SECONDS``, and at start-up); handlers wake it too,
after their transaction commits. Each pass:

1. **plans** what the tables say is due: each feature's planners, registered at start-up
   (:mod:`bot.reminders.registry`: grant deadlines from follows, the assembly non-voter
   reminder, surveys, subscription news, registrations reconciled after a KB change);
2. puts back rows whose claimer died (``status = 'sending'`` with an expired lease);
3. **claims** due rows in small batches, atomically: on PostgreSQL
   ``UPDATE … WHERE id IN (SELECT … FOR UPDATE SKIP LOCKED)``; on SQLite a conditional
   ``UPDATE … WHERE id = :id AND status = 'pending'`` per row, checking the row count — so
   two running instances never take the same row. Claims carry a lease, renewed while the
   instance works on them;
4. **prepares** each row just before sending (:mod:`bot.reminders.render`, through the
   renderer its feature registered for its kind): what is pointless now is dropped (an
   "in one hour" reminder after the event started, a moved occurrence's old reminders, a
   vote already cast …), people who blocked the bot are skipped;
5. **sends** through one :class:`RateLimiter` and marks each row ``sent`` in its own
   committed transaction right after Telegram accepted it.

After a crash (even SIGKILL) nothing is lost: rows that became due while the bot was down
are sent by the next pass, claimed rows come back when their lease expires. What can be
duplicated is only a message *in flight* at the kill — sent to Telegram but not yet marked
``sent`` — at most one per lane (``DISPATCH_LANES``, default 1: at most **one** message).
More lanes send faster over a slow link at the price of up to that many duplicates. (A
timeout is ambiguous too: Telegram may have delivered the message before the connection
failed; its retry can then repeat it. That is Telegram's contract, not a crash window.)

**Limits.** :class:`RateLimiter` is a sliding window counted from *completions*: each
send takes a slot (global; per chat; per group chat) and the slot frees ``window``
seconds after Telegram answered. So in any window of that length at most ``count`` sends
reach Telegram, measured from Telegram's side too, whatever the latency. Defaults: 25 a
second in all (Telegram allows about 30; the rest is left for replies to users), 1 a
second per chat, 20 a minute per group. A 429's ``retry_after`` pauses every send; timeouts
and 5xx are retried with exponential backoff (``DISPATCH_MAX_ATTEMPTS``); a 403 marks the
user inactive (``users.active``) and skips their rows until they write to the bot again.

The dispatcher sends through a bot *without* PTB's AIORateLimiter (see
:mod:`bot.telegram.dispatcher`): its own limiter is the authority for its sends, so the two
never queue or retry the same request; interactive replies keep PTB's limiter. Each
instance limits itself: with two instances, give each half of the budget.

Time is injected: "now" is ``runtime.clock``; the limiter's clock and sleep are
parameters, so tests run 5,000 reminders quickly and still check every limit.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Protocol

from sqlalchemy import Table, and_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.reminders import rows as R
from bot.reminders.registry import Registry, registry
from bot.reminders.render import Prepared, prepare
from models.events import Reminder
from models.user import User

if TYPE_CHECKING:
    from bot.core.config import Settings
    from bot.core.runtime import Runtime

log = logging.getLogger(__name__)

INF = float("inf")


# ---------------------------------------------------------------------------------------
# Errors a sender raises
# ---------------------------------------------------------------------------------------


class SendError(Exception):
    """A send that did not go through; subclasses say what to do."""


class RetryLater(SendError):
    """429: wait ``seconds``, then try again."""

    def __init__(self, seconds: float) -> None:
        super().__init__(f"retry after {seconds}s")
        self.seconds = seconds


class Blocked(SendError):
    """403: the user blocked the bot, or it was removed from the group."""


class Transient(SendError):
    """A timeout or a server error: retry with backoff."""


class Permanent(SendError):
    """A request Telegram will never accept (400): give up."""


class Sender(Protocol):
    async def send(self, chat_id: int, message: R.OutMessage) -> None: ...


# ---------------------------------------------------------------------------------------
# The limiter
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Limits:
    """``count`` sends per ``window`` seconds: in all, per chat, per group chat."""

    global_count: int = 25
    global_window: float = 1.0
    chat_count: int = 1
    chat_window: float = 1.0
    group_count: int = 20
    group_window: float = 60.0

    @classmethod
    def from_settings(cls, settings: Settings) -> Limits:
        return cls(
            global_count=settings.dispatch_rate_global,
            global_window=settings.dispatch_rate_global_window,
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

    def idle_since(self, now: float) -> bool:
        return all(t <= now for t in self.free_at)


@dataclass
class Permit:
    """What one send holds; :meth:`RateLimiter.release` frees it when Telegram answered."""

    chat_id: int
    taken: list[tuple[_Slots, int]]
    released: bool = False


class RateLimiter:
    """Sliding windows counted from completions; see the module docstring.

    ``monotonic`` and ``sleep`` are injectable: a virtual clock makes a run of thousands
    of sends take no real time.
    """

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
        self._global = _Slots(self.limits.global_count, self.limits.global_window)
        self._chats: dict[int, _Slots] = {}
        self._groups: dict[int, _Slots] = {}
        self._paused_until = -INF
        self._released = asyncio.Event()

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

    def _pools(self, chat_id: int) -> list[_Slots]:
        pools = [self._global, self._chat(chat_id)]
        if chat_id < 0:
            pools.append(self._group(chat_id))
        return pools

    def ready_at(self, chat_id: int) -> float:
        """When this chat's own limits let a send start (the global one aside)."""
        times = [self._chat(chat_id).earliest()[0]]
        if chat_id < 0:
            times.append(self._group(chat_id).earliest()[0])
        return max(times)

    def pause(self, seconds: float) -> None:
        """Telegram said 429: no send starts for ``seconds``."""
        self._paused_until = max(self._paused_until, self.monotonic() + seconds)

    async def acquire(self, chat_id: int) -> Permit:
        while True:
            now = self.monotonic()
            pools = self._pools(chat_id)
            picks = [pool.earliest() for pool in pools]
            ready = max([t for t, _ in picks] + [self._paused_until])
            if ready <= now:
                taken = []
                for pool, (_, index) in zip(pools, picks, strict=True):
                    pool.free_at[index] = INF
                    taken.append((pool, index))
                return Permit(chat_id, taken)
            if ready == INF:  # every slot of a pool is in use: wait for a release
                self._released.clear()
                await self._released.wait()
            else:
                await self.sleep(ready - now)

    def release(self, permit: Permit) -> None:
        if permit.released:
            return
        permit.released = True
        now = self.monotonic()
        for pool, index in permit.taken:
            pool.free_at[index] = now + pool.window
        self._released.set()
        if len(self._chats) > 5000:
            self._prune(now)

    def _prune(self, now: float) -> None:
        for table in (self._chats, self._groups):
            for chat_id in [c for c, slots in table.items() if slots.idle_since(now)]:
                del table[chat_id]


# ---------------------------------------------------------------------------------------
# The dispatcher
# ---------------------------------------------------------------------------------------


@dataclass
class Stats:
    sent: int = 0
    dropped: int = 0
    skipped: int = 0
    failed: int = 0
    retried: int = 0
    passes: int = 0
    planned: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "sent": self.sent,
            "dropped": self.dropped,
            "skipped": self.skipped,
            "failed": self.failed,
            "retried": self.retried,
            "passes": self.passes,
        }


@dataclass
class _Job:
    prepared: Prepared
    attempts: int = 0


Planner = Callable[[AsyncSession, Any, datetime], Awaitable[int]]


class Dispatcher:
    """Sends due reminder rows; see the module docstring.

    Args:
        runtime: settings, clock ("now"), database, KB snapshot, translators.
        sender: delivers one message (raises :class:`SendError` subclasses).
        limiter: defaults to one built from the settings.
        sleep: waits between retries (inject a virtual one in tests).
        instance: names this instance in ``claimed_by`` (random by default).
    """

    def __init__(
        self,
        runtime: Runtime,
        sender: Sender,
        *,
        limiter: RateLimiter | None = None,
        lanes: int | None = None,
        batch: int | None = None,
        lease_seconds: float | None = None,
        max_attempts: int | None = None,
        backoff_seconds: float | None = None,
        sleep: Callable[[float], Awaitable[Any]] | None = None,
        instance: str | None = None,
        plan: bool = True,
        kinds: Registry | None = None,
    ) -> None:
        settings = runtime.settings
        self.runtime = runtime
        self.sender = sender
        self.limiter = limiter or RateLimiter(Limits.from_settings(settings))
        self.lanes = max(1, lanes if lanes is not None else settings.dispatch_lanes)
        self.batch = max(1, batch if batch is not None else settings.dispatch_batch)
        self.lease = timedelta(
            seconds=lease_seconds if lease_seconds is not None else settings.dispatch_lease_seconds
        )
        self.max_attempts = max(
            1, max_attempts if max_attempts is not None else settings.dispatch_max_attempts
        )
        self.backoff = (
            backoff_seconds if backoff_seconds is not None else settings.dispatch_backoff_seconds
        )
        self.sleep = sleep or self.limiter.sleep
        self.instance = instance or f"{uuid.uuid4().hex[:12]}"
        self.plan_enabled = plan
        self.registry = kinds if kinds is not None else registry
        self.stats = Stats()
        self._lock = asyncio.Lock()
        self._wake = asyncio.Event()
        self._stopping = False
        self._queue: list[_Job] = []
        self._claimed: set[int] = set()
        self._refill: asyncio.Task[None] | None = None
        self._exhausted = False
        self._serving: asyncio.Task[None] | None = None

    # --- lifecycle ----------------------------------------------------------------------

    def wake(self) -> None:
        """Ask for a pass soon (the JobQueue and handlers call this)."""
        self._wake.set()

    def stop(self) -> None:
        """Finish the sends in flight, hand the rest back, and stop serving."""
        self._stopping = True
        self._wake.set()

    @property
    def stopping(self) -> bool:
        return self._stopping

    async def serve(self) -> None:
        """Run a pass whenever woken, until :meth:`stop`."""
        while not self._stopping:
            await self._wake.wait()
            self._wake.clear()
            if self._stopping:
                break
            try:
                await self.run_pass()
            except Exception:  # a failed pass must not end the loop: the next wake retries
                log.exception("reminder pass failed")

    def start(self, create_task: Callable[[Any], asyncio.Task[Any]] | None = None) -> None:
        """Start :meth:`serve` once (``create_task``: the application's, so it is awaited
        at shutdown)."""
        if self._serving is None or self._serving.done():
            make = create_task or asyncio.ensure_future
            self._serving = make(self.serve())
        self.wake()

    # --- one pass -----------------------------------------------------------------------

    async def run_pass(self) -> Stats:
        """Plan, then send everything due now; returns the running totals."""
        async with self._lock:
            self.stats.passes += 1
            if self.plan_enabled:
                await self.plan()
            await self.recover()
            await self.drain()
            return self.stats

    async def plan(self) -> R.PassPlan:
        """Run every registered planner (:mod:`bot.reminders.registry`), each in its own
        transaction, so one failing does not hold up the others."""
        runtime = self.runtime
        now = runtime.clock.now()
        report = R.PassPlan()
        for name, planner in list(self.registry.planners.items()):
            try:
                async with runtime.sessionmaker() as session:
                    made = await planner(session, runtime, now)
                    await session.commit()
            except Exception:
                log.exception("planning %s reminders failed", name)
                continue
            for counted, n in (made.items() if isinstance(made, Mapping) else [(name, made)]):
                report.add(counted, n)
        for name, n in report.counts.items():
            self.stats.planned[name] = self.stats.planned.get(name, 0) + n
        return report

    async def recover(self) -> int:
        """Put back rows whose claimer's lease expired (it died, or was killed)."""
        now = self.runtime.clock.now()
        async with self.runtime.sessionmaker() as session:
            result = await session.execute(
                update(Reminder)
                .where(Reminder.status == "sending", Reminder.lease_until < now)
                .values(status="pending", claimed_by=None, lease_until=None)
                .execution_options(synchronize_session=False)
            )
            await session.commit()
        count = int(getattr(result, "rowcount", 0) or 0)
        if count:
            log.warning("took back %d reminder(s) from an instance that stopped", count)
        return count

    async def _claim(self, limit: int) -> list[Reminder]:
        runtime = self.runtime
        now = runtime.clock.now()
        lease_until = now + self.lease
        async with runtime.sessionmaker() as session:
            due = and_(Reminder.status == "pending", Reminder.due_at <= now)
            if session.get_bind().dialect.name == "postgresql":
                chosen = (
                    select(Reminder.id)
                    .where(due)
                    .order_by(Reminder.due_at, Reminder.id)
                    .limit(limit)
                    .with_for_update(skip_locked=True)
                    .scalar_subquery()
                )
                result = await session.execute(
                    update(Reminder)
                    .where(Reminder.id.in_(chosen), Reminder.status == "pending")
                    .values(status="sending", claimed_by=self.instance, lease_until=lease_until)
                    .returning(Reminder.id)
                    .execution_options(synchronize_session=False)
                )
                ids = list(result.scalars())
            else:
                candidates = (
                    await session.execute(
                        select(Reminder.id).where(due).order_by(Reminder.due_at, Reminder.id)
                        .limit(limit)
                    )
                ).scalars().all()  # fmt: skip
                ids = []
                for reminder_id in candidates:
                    result = await session.execute(
                        update(Reminder)
                        .where(Reminder.id == reminder_id, Reminder.status == "pending")
                        .values(status="sending", claimed_by=self.instance, lease_until=lease_until)
                        .execution_options(synchronize_session=False)
                    )
                    if int(getattr(result, "rowcount", 0) or 0) == 1:
                        ids.append(reminder_id)
            await session.commit()
            if not ids:
                return []
            rows = await session.execute(
                select(Reminder).where(Reminder.id.in_(ids)).order_by(Reminder.due_at, Reminder.id)
            )
            return list(rows.scalars())

    async def _fill(self) -> None:
        """Claim and prepare the next batch into the queue."""
        try:
            rows = await self._claim(self.batch)
            if not rows:
                self._exhausted = True
                return
            self._claimed.update(r.id for r in rows)
            async with self.runtime.sessionmaker() as session:
                prepared = await prepare(
                    session,
                    rows,
                    self.runtime.clock.now(),
                    self.runtime.settings.tz,
                    self.runtime.translator,
                    self.registry,
                )
            for item in prepared:
                if item.message is None:
                    await self._close(item, item.status or "dropped", item.reason)
                else:
                    self._queue.append(_Job(item))
        finally:
            self._refill = None

    async def _next(self) -> _Job | None:
        """The job whose chat can be sent to soonest. Claims more rows while the queue is
        short, or while everything in it waits for its chat's limit (so one busy group
        never holds up everybody else), up to ``4 × batch`` rows in memory."""
        while True:
            if self._stopping:
                return None
            best, best_at = -1, INF
            for index, job in enumerate(self._queue):
                at = self.limiter.ready_at(job.prepared.chat_id)
                if at < best_at or best < 0:
                    best, best_at = index, at
            waiting = best < 0 or best_at > self.limiter.monotonic()
            if (
                self._refill is None
                and not self._exhausted
                and len(self._queue) < 4 * self.batch
                and (len(self._queue) <= self.lanes or waiting)
            ):
                self._refill = asyncio.ensure_future(self._fill())
            if best >= 0 and (not waiting or self._refill is None):
                return self._queue.pop(best)
            if self._refill is not None:
                await asyncio.shield(self._refill)
                continue
            return None

    async def drain(self) -> None:
        """Send everything due now (until :meth:`stop`)."""
        self._exhausted = False
        renew = asyncio.ensure_future(self._renew_leases())
        try:
            lanes = [asyncio.ensure_future(self._lane()) for _ in range(self.lanes)]
            await asyncio.gather(*lanes)
            if self._refill is not None:
                await self._refill
        finally:
            renew.cancel()
            await self._give_back()

    async def _renew_leases(self) -> None:
        interval = max(0.05, self.lease.total_seconds() / 3)
        while True:
            await asyncio.sleep(interval)
            if not self._claimed:
                continue
            try:
                async with self.runtime.sessionmaker() as session:
                    await session.execute(
                        update(Reminder)
                        .where(Reminder.claimed_by == self.instance, Reminder.status == "sending")
                        .values(lease_until=self.runtime.clock.now() + self.lease)
                        .execution_options(synchronize_session=False)
                    )
                    await session.commit()
            except Exception:
                log.warning("could not renew reminder leases", exc_info=True)

    async def _give_back(self) -> None:
        """Stopping: rows claimed but not sent go back to pending at once."""
        leftover = [job.prepared.reminder_id for job in self._queue]
        self._queue.clear()
        if not leftover:
            return
        async with self.runtime.sessionmaker() as session:
            await session.execute(
                update(Reminder)
                .where(
                    Reminder.id.in_(leftover),
                    Reminder.claimed_by == self.instance,
                    Reminder.status == "sending",
                )
                .values(status="pending", claimed_by=None, lease_until=None)
                .execution_options(synchronize_session=False)
            )
            await session.commit()
        self._claimed.difference_update(leftover)

    async def _lane(self) -> None:
        while True:
            job = await self._next()
            if job is None:
                return
            await self._attempt(job)

    async def _attempt(self, job: _Job) -> None:
        item = job.prepared
        assert item.message is not None
        permit = await self.limiter.acquire(item.chat_id)
        job.attempts += 1
        try:
            await self.sender.send(item.chat_id, item.message)
        except RetryLater as exc:
            self.limiter.release(permit)
            self.limiter.pause(exc.seconds)
            self.stats.retried += 1
            await self._note_failure(item, str(exc))
            self._queue.append(job)  # the limiter holds every send back meanwhile
        except Blocked as exc:
            self.limiter.release(permit)
            await self._blocked(item, str(exc))
        except Transient as exc:
            self.limiter.release(permit)
            if job.attempts >= self.max_attempts:
                await self._close(
                    item, "failed", f"{exc} (after {job.attempts} attempts)", attempts=1
                )
                return
            self.stats.retried += 1
            await self._note_failure(item, str(exc))
            await self.sleep(min(60.0, self.backoff * 2 ** (job.attempts - 1)))
            self._queue.append(job)
        except Permanent as exc:
            self.limiter.release(permit)
            await self._close(item, "failed", str(exc), attempts=1)
        except Exception as exc:  # a bug in rendering or sending: keep the row, say why
            self.limiter.release(permit)
            log.exception("sending reminder %s failed", item.reminder_id)
            await self._close(item, "failed", repr(exc), attempts=1)
        else:
            self.limiter.release(permit)
            await self._close(item, "sent", None, attempts=1)

    async def _note_failure(self, item: Prepared, error: str) -> None:
        async with self.runtime.sessionmaker() as session:
            await session.execute(
                update(Reminder)
                .where(Reminder.id == item.reminder_id)
                .values(attempts=Reminder.attempts + 1, last_error=error[:500])
                .execution_options(synchronize_session=False)
            )
            await session.commit()

    async def _close(
        self, item: Prepared, status: str, reason: str | None, *, attempts: int = 0
    ) -> None:
        """Finish a row; ``attempts``: 1 when this follows a send attempt (earlier failed
        attempts were counted as they happened)."""
        now = self.runtime.clock.now()
        table: Table = Reminder.__table__  # type: ignore[assignment]
        values: dict[str, Any] = {"status": status, "claimed_by": None, "lease_until": None}
        if reason:  # a success keeps the error of the attempt before it, if any
            values["last_error"] = reason[:500]
        if status == "sent":
            values["sent_at"] = now
        if attempts:
            values["attempts"] = table.c.attempts + attempts
        # Core, not the ORM: this runs once per message, committed at once (see the
        # module docstring on duplicates), so it is kept as cheap as possible.
        async with self.runtime.engine.begin() as conn:
            await conn.execute(update(table).where(table.c.id == item.reminder_id).values(**values))
        self._claimed.discard(item.reminder_id)
        if status == "sent":
            self.stats.sent += 1
        elif status == "dropped":
            self.stats.dropped += 1
        elif status == "skipped":
            self.stats.skipped += 1
        else:
            self.stats.failed += 1

    async def _blocked(self, item: Prepared, error: str) -> None:
        """403: a private chat marks its user inactive (their other rows are skipped at
        preparation); for a group, the features clean up (``on_blocked``: its subscriptions)."""
        async with self.runtime.sessionmaker() as session:
            if item.group:
                for hook in self.registry.on_blocked:
                    await hook(session, item.chat_id)
            else:
                await session.execute(
                    update(User)
                    .where(User.telegram_id == item.chat_id)
                    .values(active=False)
                    .execution_options(synchronize_session=False)
                )
            await session.commit()
        log.info("chat %s blocked the bot: marked inactive", item.chat_id)
        await self._close(item, "skipped", error, attempts=1)


def nudge_after_commit(session: AsyncSession, dispatcher: Dispatcher | None) -> None:
    """Wake the dispatcher once this session's transaction has committed (rows a handler
    enqueued go out at once instead of at the next timer wake)."""
    if dispatcher is None:
        return
    from sqlalchemy import event

    def _after_commit(_: Any) -> None:
        dispatcher.wake()

    event.listen(session.sync_session, "after_commit", _after_commit, once=True)


__all__ = [
    "Blocked",
    "Dispatcher",
    "Limits",
    "Permanent",
    "Permit",
    "RateLimiter",
    "RetryLater",
    "SendError",
    "Sender",
    "Stats",
    "Transient",
    "nudge_after_commit",
]
