"""What an operator watches: counters of one bot process in Prometheus' text format.

Served at ``GET /metrics`` by the webhook server (:mod:`bot.telegram.webhook`). Every
process has its own :class:`Metrics` (its own registry, so tests run several side by side);
Prometheus sums the instances. Names (docs/operations.md, "What to monitor"):

``maeul_updates_total{kind}``
    Updates handled to the end (transaction committed or rolled back, replies sent), by
    update kind (``message``, ``callback_query`` …).
``maeul_update_errors_total``
    Errors that reached the error handler (the user was told nothing was saved).
``maeul_update_seconds``
    Histogram: time from the start of an update's handling to its replies sent.
``maeul_webhook_requests_total{code}``
    Telegram's POSTs by our answer: ``200``, ``400`` (not an update), ``403`` (wrong or
    missing secret header — someone other than Telegram, or a misconfigured proxy).
``maeul_update_queue``
    Updates accepted and not yet handled in this process.
``maeul_dispatch_backlog``
    Reminders and durable messages due and not yet sent (the database, all instances).
``maeul_dispatch_sent_total`` / ``maeul_dispatch_failed_total`` / ``maeul_dispatch_retried_total``
    This process's reminder dispatcher.
``maeul_rate_waits_total`` / ``maeul_rate_wait_seconds_total``
    How often and how long this process's sends (replies and reminders) waited for the
    token's rate budget (:mod:`bot.core.ratebudget`); ``maeul_rate_permits_total``: sends
    that took a permit; ``maeul_rate_pauses_total``: 429 pauses (should stay 0).
``maeul_database_up``
    1 when the last check (``/healthz`` or a scrape) reached the database, else 0.

No label ever carries a chat, a user or a text: the numbers describe the process, not
the people.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable, Iterable
from typing import TYPE_CHECKING

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy import func, select
from telegram import Update
from telegram.ext import ContextTypes

from bot.core.ratebudget import BudgetStats, budget_for
from models.events import Reminder

if TYPE_CHECKING:
    from bot.app import MaeulApplication

log = logging.getLogger(__name__)

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
_KINDS = (
    "message", "edited_message", "callback_query", "my_chat_member", "chat_member",
    "channel_post", "edited_channel_post", "inline_query", "poll_answer",
)  # fmt: skip


def update_kind(update: object) -> str:
    """A short, bounded label for an update (never its content)."""
    if isinstance(update, Update):
        for kind in _KINDS:
            if getattr(update, kind, None) is not None:
                return kind
        return "other"
    return "internal"


class _DispatcherCollector(Collector):
    """Reads the dispatcher's own counters at scrape time (no hook in its code)."""

    def __init__(self, metrics: Metrics) -> None:
        self.metrics = metrics

    def collect(self) -> Iterable[Metric]:
        app = self.metrics.app
        dispatcher = app.dispatcher if app is not None else None
        stats = getattr(dispatcher, "stats", None)
        for name, field, text in (
            ("maeul_dispatch_sent", "sent", "Reminders sent by this process"),
            ("maeul_dispatch_failed", "failed", "Reminders given up after retries"),
            ("maeul_dispatch_retried", "retried", "Reminder sends retried"),
        ):
            family = CounterMetricFamily(name, text)
            family.add_metric([], float(getattr(stats, field, 0) or 0))
            yield family
        queue = GaugeMetricFamily("maeul_update_queue", "Updates accepted, not yet handled")
        queue.add_metric([], float(app.update_queue.qsize()) if app is not None else 0.0)
        yield queue
        budget = budget_for(app.runtime).stats if app is not None else BudgetStats()
        for name, value, text in (
            ("maeul_rate_waits", budget.waits, "Sends that waited for the rate budget"),
            ("maeul_rate_wait_seconds", budget.waited_seconds, "Seconds sends waited for it"),
            ("maeul_rate_permits", budget.taken, "Sends that took a permit of the budget"),
            ("maeul_rate_pauses", budget.pauses, "Pauses after Telegram answered 429"),
        ):
            family = CounterMetricFamily(name, text)
            family.add_metric([], float(value))
            yield family


class Metrics:
    """The counters of one process; :meth:`instrument` attaches them to an application."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.app: MaeulApplication | None = None
        self._listeners: list[Callable[[Update], None]] = []
        r = self.registry
        self.updates = Counter("maeul_updates", "Updates handled to the end", ["kind"], registry=r)
        self.errors = Counter(
            "maeul_update_errors", "Errors that reached the error handler", registry=r
        )
        self.seconds = Histogram(
            "maeul_update_seconds",
            "Time to handle one update (handlers, commit, replies)",
            buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
            registry=r,
        )
        self.webhook_requests = Counter(
            "maeul_webhook_requests", "Webhook POSTs by the status answered", ["code"],
            registry=r,
        )  # fmt: skip
        self.backlog = Gauge(
            "maeul_dispatch_backlog", "Reminders due and not yet sent (all instances)",
            registry=r,
        )  # fmt: skip
        self.database_up = Gauge(
            "maeul_database_up", "1 when the database answered the last check", registry=r
        )
        self.registry.register(_DispatcherCollector(self))

    # ------------------------------------------------------------ wiring

    def instrument(self, app: MaeulApplication) -> None:
        """Count the application's updates and errors (the rate budget counts its own).

        ``process_update`` is wrapped on the instance (PTB calls it through ``self``), so
        the count is of updates *finished*, whatever the handlers did; the error handler is
        one more handler of PTB's. :meth:`on_handled` callbacks run after each update —
        the webhook answers Telegram then.
        """
        self.app = app
        original = app.process_update
        listeners = self._listeners

        async def process_update(update: object) -> None:
            started = time.monotonic()
            try:
                await original(update)
            finally:
                if isinstance(update, Update):
                    self.updates.labels(update_kind(update)).inc()
                    self.seconds.observe(time.monotonic() - started)
                    for listener in list(listeners):
                        listener(update)

        app.process_update = process_update  # type: ignore[method-assign]

        async def count_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
            self.errors.inc()

        app.add_error_handler(count_error)

    def on_handled(self, listener: Callable[[Update], None]) -> None:
        self._listeners.append(listener)

    # ------------------------------------------------------------ scraping

    async def refresh(self, check_database: Callable[[], Awaitable[bool]]) -> None:
        """Read what lives in the database (backlog, reachability) before a scrape."""
        app = self.app
        up = await check_database()
        self.database_up.set(1 if up else 0)
        if not up or app is None:
            return
        try:
            async with app.runtime.sessionmaker() as session:
                now = app.runtime.clock.utcnow()
                count = await session.scalar(
                    select(func.count())
                    .select_from(Reminder)
                    .where(Reminder.status.in_(("pending", "sending")), Reminder.due_at <= now)
                )
            self.backlog.set(float(count or 0))
        except Exception as exc:  # the scrape still answers; database_up tells the rest
            log.warning("metrics: backlog not read: %s", type(exc).__name__)

    def render(self) -> bytes:
        return generate_latest(self.registry)
