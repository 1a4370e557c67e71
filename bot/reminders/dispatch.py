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
   ``UPDATE … WHERE id IN (SELECT … FOR UPDATE SKIP LOCKED)``; on SQLite one
   ``UPDATE … WHERE id IN (SELECT …) AND status = 'pending' RETURNING id`` under its write
   lock — so two running instances never take the same row. Claims carry a lease, renewed
   while the instance works on them;
4. **prepares** each row just before sending (:mod:`bot.reminders.render`, through the
   renderer its feature registered for its kind): what is pointless now is dropped (an
   "in one hour" reminder after the event started, a moved occurrence's old reminders, a
   vote already cast …), people who blocked the bot are skipped;
5. **sends** within the bot token's one rate budget (:mod:`bot.core.ratebudget`) and marks
   each row ``sent`` in its own committed transaction right after Telegram accepted it.

After a crash (even SIGKILL) nothing is lost: rows that became due while the bot was down
are sent by the next pass, claimed rows come back when their lease expires. What can be
duplicated is only a message *in flight* at the kill — sent to Telegram but not yet marked
``sent`` — at most one per lane (``DISPATCH_LANES``, default 1: at most **one** message).
More lanes send faster over a slow link at the price of up to that many duplicates. (A
timeout is ambiguous too: Telegram may have delivered the message before the connection
failed; its retry can then repeat it. That is Telegram's contract, not a crash window.)

**Limits.** One budget per bot token, shared with the replies to users and, on
PostgreSQL, with every instance (:mod:`bot.core.ratebudget`): 30 messages a second in all,
reminders 25 of them (``DISPATCH_RATE_GLOBAL``; replies first, reminders with what is
left), 1 a second per chat, 20 a minute per group. A 429's ``retry_after`` pauses the
whole budget, for every instance.

**A failing or busy chat never stalls the others.** The dispatcher waits only for room
in all; when a chat's own limit is full it sends to another chat meanwhile (a row that
would wait longer than ``DEFER_AFTER`` goes back to the table with its due time moved).
A timeout or 5xx moves *that row's* due time (``DISPATCH_BACKOFF_SECONDS``, doubled per
attempt, up to ``DISPATCH_MAX_ATTEMPTS``) and the lane goes on with the next row: no lane
ever sleeps for one chat's back-off. The row is claimed again as soon as it is due and
goes before the rows in memory (a pass goes on while one comes due within
``RETRY_HORIZON``). A send Telegram refused (5xx but 504, :class:`NotSent`) gives its
permit back uncounted; a timeout counts (it may have gone out). A 403 marks the user
inactive (``users.active``) and skips their rows until they write to the bot again.

The dispatcher's sends go through the application's bot with the permit already taken
(:data:`bot.core.ratebudget.held`), so the bot does not take a second one for them.

Time is injected: "now" is ``runtime.clock``; the limiter's clock and sleep are
parameters, so tests run 5,000 reminders quickly and still check every limit.
"""

from __future__ import annotations

import asyncio
import heapq
import logging
import uuid
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Protocol

from sqlalchemy import Table, and_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core import statements
from bot.core.ratebudget import Limits, LocalBudget, Permit, held
from bot.reminders import rows as R
from bot.reminders.registry import Registry, registry
from bot.reminders.render import Prepared, prepare
from models.events import Reminder
from models.user import User

if TYPE_CHECKING:
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


class NotSent(Transient):
    """Telegram answered with a server error (5xx but 504): it did not take the message.
    Retried like any :class:`Transient`, but the send counts against no rate limit (its
    permit is cancelled, :meth:`bot.core.ratebudget.LocalBudget.cancel`)."""


class Permanent(SendError):
    """A request Telegram will never accept (400): give up."""


class Sender(Protocol):
    async def send(self, chat_id: int, message: R.OutMessage) -> None: ...


RateLimiter = LocalBudget
"""The dispatcher's limiter is the token's budget (:mod:`bot.core.ratebudget`)."""

DEFER_AFTER = 5.0
"""A row whose chat cannot be sent to for longer than this (a group's minute is full) goes
back to the table with its due time moved, instead of holding a place in memory."""
RETRY_HORIZON = 20.0
"""A pass goes on while a retried row comes due within this many seconds."""
RETRY_EARLY = timedelta(seconds=0.05)
"""A row this instance moved back is claimed again when due, or up to this much before."""


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
    """Attempts so far, this row's earlier passes included."""


Planner = Callable[[AsyncSession, Any, datetime], Awaitable[int]]


class Dispatcher:
    """Sends due reminder rows; see the module docstring.

    Args:
        runtime: settings, clock ("now"), database, KB snapshot, translators.
        sender: delivers one message (raises :class:`SendError` subclasses).
        budget: the bot token's rate budget (default: the runtime's,
            :func:`bot.core.ratebudget.budget_for`); ``limiter`` is its old name.
        sleep: waits while no row can be sent (inject a virtual one in tests).
        instance: names this instance in ``claimed_by`` (random by default).
    """

    def __init__(
        self,
        runtime: Runtime,
        sender: Sender,
        *,
        budget: LocalBudget | None = None,
        limiter: LocalBudget | None = None,
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
        if budget is None and limiter is None:
            from bot.core.ratebudget import budget_for

            budget = budget_for(runtime)
        self.budget: LocalBudget = budget or limiter  # type: ignore[assignment]
        self.limiter = self.budget
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
        self._retries: list[tuple[float, int]] = []
        """(a heap) the rows this instance moved back: (monotonic) when due, and their id."""

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
            self._retries.clear()
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
            for counted, n in made.items() if isinstance(made, Mapping) else [(name, made)]:
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
        count = statements.rowcount(result)
        if count:
            log.warning("took back %d reminder(s) from an instance that stopped", count)
        return count

    async def _claim(self, limit: int, ids: list[int] | None = None) -> list[Reminder]:
        """Claim up to ``limit`` due rows, the longest due first; or, with ``ids``, those
        of them that are still pending and due (rows this instance moved back)."""
        runtime = self.runtime
        now = runtime.clock.now()
        lease_until = now + self.lease
        async with runtime.sessionmaker() as session:
            due = and_(Reminder.status == "pending", Reminder.due_at <= now)
            if ids is not None:
                # up to RETRY_EARLY before their due time: the monotonic clock that said
                # they are due and the wall clock of ``due_at`` may drift apart a little
                which = and_(
                    Reminder.id.in_(ids),
                    Reminder.status == "pending",
                    Reminder.due_at <= now + RETRY_EARLY,
                )
            elif session.get_bind().dialect.name == "postgresql":
                # A materialized CTE, not ``id IN (subquery)``: PostgreSQL may run that
                # subquery again per row, and with SKIP LOCKED it then claimed far more
                # than ``limit`` rows (one instance took a whole fan-out).
                chosen = (
                    select(Reminder.id)
                    .where(due)
                    .order_by(Reminder.due_at, Reminder.id)
                    .limit(limit)
                    .with_for_update(skip_locked=True)
                    .cte("chosen")
                    .prefix_with("MATERIALIZED")
                )
                which = and_(Reminder.id == chosen.c.id, Reminder.status == "pending")
            else:
                # One statement: SQLite runs it under its write lock, so no other instance
                # claims between the choice and the update; the lock is held for that one
                # statement (a row-by-row claim held it for a batch's worth of round trips,
                # while every lane waited to mark its message sent).
                picked = (
                    select(Reminder.id)
                    .where(due)
                    .order_by(Reminder.due_at, Reminder.id)
                    .limit(limit)
                    .scalar_subquery()
                )
                which = and_(Reminder.id.in_(picked), Reminder.status == "pending")
            result = await session.execute(
                update(Reminder)
                .where(which)
                .values(status="sending", claimed_by=self.instance, lease_until=lease_until)
                .returning(Reminder.id)
                .execution_options(synchronize_session=False)
            )
            ids = list(result.scalars())
            await session.commit()
            if not ids:
                return []
            rows = await session.execute(
                select(Reminder).where(Reminder.id.in_(ids)).order_by(Reminder.due_at, Reminder.id)
            )
            return list(rows.scalars())

    async def _fill(self, ids: list[int] | None = None) -> None:
        """Claim and prepare the next batch into the queue (with ``ids``: those rows moved
        back that are due again)."""
        try:
            rows = await self._claim(self.batch, ids)
            if not rows:
                if ids is None:
                    self._exhausted = True
                return
            self._claimed.update(r.id for r in rows)
            attempts = {r.id: r.attempts for r in rows}
            async with self.runtime.sessionmaker() as session:
                prepared = await prepare(
                    session,
                    rows,
                    self.runtime.clock.now(),
                    self.runtime.settings.tz,
                    self.runtime.translator,
                    self.registry,
                )
            jobs: list[_Job] = []
            for item in prepared:
                if item.message is None:
                    await self._close(item, item.status or "dropped", item.reason)
                else:
                    jobs.append(_Job(item, attempts.get(item.reminder_id, 0)))
            if ids is None:
                self._queue.extend(jobs)
            else:  # rows moved back go first: they were due before any row in the queue
                self._queue[:0] = jobs
        finally:
            self._refill = None

    async def _next(self) -> _Job | None:
        """The job whose chat can be sent to soonest. Claims more rows while the queue is
        short (half a batch left), or while everything in it waits for its chat's limit
        (so one busy group never holds up everybody else), up to ``4 × batch`` rows in
        memory; rows that would wait longer than ``DEFER_AFTER`` go back to the table;
        rows moved back are claimed again as soon as they are due."""
        while True:
            if self._stopping:
                return None
            now = self.budget.monotonic()
            if self._refill is None and self._retries and self._retries[0][0] <= now:
                # Rows moved back are due again: claim them now, between the others (by
                # due time they would come after every row due before them, i.e. all at
                # the end of a fan-out, where a second failure's back-off idles the lanes).
                due: list[int] = []
                while self._retries and self._retries[0][0] <= now:
                    due.append(heapq.heappop(self._retries)[1])
                self._refill = asyncio.ensure_future(self._fill(due))
            best, best_at = -1, INF
            for index, job in enumerate(self._queue):
                at = self.budget.ready_at(job.prepared.chat_id)
                if at < best_at or best < 0:
                    best, best_at = index, at
                    if at <= now:  # the first one that can go now: no need to look further
                        break
            waiting = best < 0 or best_at > now
            if (
                self._refill is None
                and not self._exhausted
                and len(self._queue) < 4 * self.batch
                and (len(self._queue) <= max(self.lanes, self.batch // 2) or waiting)
            ):
                # claimed while half a batch is left: the lanes send meanwhile, instead of
                # waiting for the claim and the preparation of the next batch
                self._refill = asyncio.ensure_future(self._fill())
            if best >= 0 and not waiting:
                return self._queue.pop(best)
            if self._refill is not None:
                await asyncio.shield(self._refill)
                continue
            if best >= 0:
                if best_at == INF:  # its chat's message is in flight on another lane
                    await self.budget.changed(0.05)
                    continue
                if best_at - now > DEFER_AFTER:
                    await self._defer_waiting(now)
                    continue
                await self.sleep(best_at - now)  # nothing at all can be sent before then
                continue
            if self._retries and self._retries[0][0] - now <= RETRY_HORIZON:
                # wait for the earliest row moved back (or for a lane's row to be moved)
                await self.budget.changed(max(0.0, self._retries[0][0] - now))
                continue
            return None

    async def _defer_waiting(self, now: float) -> None:
        """Rows whose chat is full for longer than ``DEFER_AFTER`` go back to the table,
        due when their chat has room again (their place in memory goes to others)."""
        keep: list[_Job] = []
        for job in self._queue:
            wait = self.budget.ready_at(job.prepared.chat_id) - now
            if DEFER_AFTER < wait < INF:
                await self._move_back(job.prepared, wait, None, attempts=0)
            else:
                keep.append(job)
        self._queue = keep

    async def _move_back(
        self, item: Prepared, delay: float, error: str | None, *, attempts: int
    ) -> None:
        """Put a claimed row back to ``pending``, due ``delay`` seconds from now."""
        values: dict[str, Any] = {
            "status": "pending",
            "claimed_by": None,
            "lease_until": None,
            "due_at": self.runtime.clock.now() + timedelta(seconds=delay),
        }
        if error:
            values["last_error"] = error[:500]
        if attempts:
            values["attempts"] = Reminder.attempts + attempts
        async with self.runtime.sessionmaker() as session:
            await session.execute(
                update(Reminder)
                .where(
                    Reminder.id == item.reminder_id,
                    Reminder.claimed_by == self.instance,
                    Reminder.status == "sending",
                )
                .values(**values)
                .execution_options(synchronize_session=False)
            )
            await session.commit()
        self._claimed.discard(item.reminder_id)
        heapq.heappush(self._retries, (self.budget.monotonic() + delay, item.reminder_id))

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
        """Send rows one at a time. A lane writes down the outcome of its last send
        (``sent``, moved back …) while it picks its next row and waits for room in the
        budget, but takes the permit and sends only once the last outcome is committed: a
        kill finds at most one message per lane sent and not marked."""
        writing: asyncio.Future[None] | None = None
        try:
            while True:
                job = await self._next()
                if job is None:
                    if writing is None:
                        return
                    await writing  # its row may have been moved back: look again
                    writing = None
                    continue
                writing = await self._attempt(job, writing)
        finally:
            if writing is not None:
                await writing

    async def _attempt(
        self, job: _Job, before: asyncio.Future[None] | None
    ) -> asyncio.Future[None] | None:
        """Send ``job`` once ``before`` (the lane's last outcome) is written down; returns
        the writing of this one's outcome, under way."""
        item = job.prepared
        assert item.message is not None
        if before is not None:
            if not before.done():  # meanwhile, wait for room (the permit is taken after:
                # held during the writing, it would count that time against the rate)
                room = asyncio.ensure_future(self.budget.room(bulk=True))
                try:
                    await asyncio.wait({before, room})
                finally:
                    room.cancel()
            await before
        permit = await self.budget.take(item.chat_id, bulk=True)
        if permit is None:  # the chat is full (another instance or a reply used it)
            self._queue.append(job)
            return None
        job.attempts += 1
        later = asyncio.ensure_future
        try:
            await self._send(item, permit)
        except RetryLater as exc:
            await self.budget.release(permit)
            await self.budget.pause(exc.seconds)  # every send of the token waits
            self.stats.retried += 1
            return later(self._note_failure(item, str(exc), job))
        except Blocked as exc:
            await self.budget.release(permit)
            return later(self._blocked(item, str(exc)))
        except Transient as exc:
            if isinstance(exc, NotSent):  # Telegram did not take it: not counted
                await self.budget.cancel(permit)
            else:  # a timeout: it may have gone out, so it counts
                await self.budget.release(permit)
            if job.attempts >= self.max_attempts:
                reason = f"{exc} (after {job.attempts} attempts)"
                return later(self._close(item, "failed", reason, attempts=1))
            self.stats.retried += 1
            delay = min(60.0, self.backoff * 2 ** (job.attempts - 1))
            return later(self._move_back(item, delay, str(exc), attempts=1))  # no lane sleeps
        except Permanent as exc:
            await self.budget.release(permit)
            return later(self._close(item, "failed", str(exc), attempts=1))
        except Exception as exc:  # a bug in rendering or sending: keep the row, say why
            await self.budget.release(permit)
            log.exception("sending reminder %s failed", item.reminder_id)
            return later(self._close(item, "failed", repr(exc), attempts=1))
        await self.budget.release(permit)
        return later(self._close(item, "sent", None, attempts=1))

    async def _send(self, item: Prepared, permit: Permit) -> None:
        """Send with the permit taken (the application's bot must not take another)."""
        assert item.message is not None
        token = held.set(True)
        try:
            await self.sender.send(item.chat_id, item.message)
        finally:
            held.reset(token)

    async def _note_failure(self, item: Prepared, error: str, job: _Job) -> None:
        """A 429: the attempt is counted, and the row waits in the queue for the pause."""
        async with self.runtime.sessionmaker() as session:
            await session.execute(
                update(Reminder)
                .where(Reminder.id == item.reminder_id)
                .values(attempts=Reminder.attempts + 1, last_error=error[:500])
                .execution_options(synchronize_session=False)
            )
            await session.commit()
        self._queue.append(job)

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
    "NotSent",
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
