"""Webhook delivery for the emulator: ``setWebhook`` / ``deleteWebhook`` / ``getWebhookInfo``.

Once a bot has set a webhook, every new update is POSTed to it as JSON, with the header
``X-Telegram-Bot-Api-Secret-Token`` when the bot gave a ``secret_token``, instead of waiting
for ``getUpdates`` (which then fails with 409, as on Telegram). What Telegram does, and so
the emulator:

* an update counts as delivered when the webhook answers 2xx; anything else (another
  status, a refused connection, no answer within :attr:`Webhook.timeout`) is retried later,
  with a growing delay (:attr:`Webhook.retry_first` doubled up to :attr:`Webhook.retry_max`),
  until it is delivered or the webhook is deleted — nothing is dropped;
  ``getWebhookInfo`` shows ``pending_update_count``, ``last_error_date`` and
  ``last_error_message`` (``"Wrong response from the webhook: 403 Forbidden"``);
* updates go out in ``update_id`` order. The emulator keeps one POST in flight per bot
  (Telegram may use up to ``max_connections`` at once; one at a time keeps tests
  deterministic while the bot, answering 200 at once and processing later, still handles
  updates side by side).

**Test feature — a load balancer.** A webhook may be a *list* of URLs used round-robin:
each POST (a retry too) goes to the next URL, like nginx alternating between two upstream
instances and trying the other one when an instance is down. Two ways to get one:

* :meth:`~bot.emulator.core.EmulatorCore.route_webhook` ``(public_url, [url_a, url_b])``:
  when a bot sets its webhook to ``public_url`` — what every instance behind one load
  balancer does at start-up — the emulator delivers to ``url_a``, ``url_b``, ``url_a`` …
  (user-side HTTP API: ``webhook_route`` with ``url`` and ``targets``);
* :meth:`~bot.emulator.core.EmulatorCore.set_webhook` ``(token, [url_a, url_b], …)`` sets
  the list directly, as if the bot had called ``setWebhook``.

Real Telegram knows one URL per bot; the list exists for tests of several instances.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import logging
import re
import time
from collections import deque
from collections.abc import Callable, Sequence
from typing import Any, Protocol

import aiohttp

__all__ = ["SECRET_HEADER", "Webhook", "parse_secret", "parse_urls"]

JSON = dict[str, Any]
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
_SECRET_RE = re.compile(r"[A-Za-z0-9_-]{1,256}")
_log = logging.getLogger(__name__)


class _Waitable(Protocol):
    async def wait(self, delay: float | None) -> None: ...


def parse_urls(value: Any) -> list[str]:
    """One URL, a list of URLs, or URLs separated by commas/whitespace → a list.

    Raises :class:`ValueError` with Telegram's wording when one is not an http(s) URL.
    """
    if isinstance(value, str):
        items = [u for u in re.split(r"[,\s]+", value.strip()) if u]
    elif isinstance(value, Sequence):
        items = [str(u).strip() for u in value if str(u).strip()]
    else:
        raise ValueError("bad webhook: url must be a string")
    for url in items:
        if not re.match(r"^https?://[^\s/]+", url):
            raise ValueError(f"bad webhook: invalid URL {url!r}")
    return items


def parse_secret(value: Any) -> str | None:
    """``secret_token``: 1–256 characters ``A-Z a-z 0-9 _ -`` (Telegram's rule)."""
    if value is None or value == "":
        return None
    if not isinstance(value, str) or not _SECRET_RE.fullmatch(value):
        raise ValueError("secret token contains unallowed characters")
    return value


class Webhook:
    """The webhook of one bot and the task that delivers its queued updates.

    ``updates`` is the bot's update queue (shared with ``getUpdates``): the task POSTs its
    head and removes it once the webhook answered 2xx. ``signal`` wakes the task when an
    update is queued; ``changed`` is called after each delivery or failure (the
    emulator's observers).
    """

    retry_first = 0.05
    """Seconds before the first retry of a failed POST (doubled per failure)."""
    retry_max = 1.0
    """Longest pause between retries."""
    timeout = 10.0
    """Seconds a webhook has to answer a POST."""

    def __init__(
        self,
        urls: list[str],
        *,
        public_url: str,
        secret_token: str | None,
        max_connections: int,
        ip_address: str | None,
        updates: deque[JSON],
        signal: _Waitable,
        changed: Callable[[], None],
    ) -> None:
        if not urls:
            raise ValueError("a webhook needs at least one URL")
        self.urls = list(urls)
        self.public_url = public_url
        self.secret_token = secret_token
        self.max_connections = max_connections
        self.ip_address = ip_address
        self._updates = updates
        self._signal = signal
        self._changed = changed
        self._next_url = itertools.cycle(self.urls)
        self.last_error_date: int | None = None
        self.last_error_message: str | None = None
        self.delivered = 0
        self.failed_posts = 0
        self.posts: list[tuple[str, int]] = []
        """``(url, update_id)`` of every successful POST, in order (for tests)."""
        self._closed = False
        self._task: asyncio.Task[None] | None = None
        self._session: aiohttp.ClientSession | None = None

    # ------------------------------------------------------------ lifecycle

    def start(self) -> None:
        """Start delivering (from inside the running event loop)."""
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._run())

    async def close(self) -> None:
        """Stop delivering; undelivered updates stay queued (for ``getUpdates``)."""
        self._closed = True
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        if self._session is not None:
            await self._session.close()
            self._session = None

    def same_as(self, other: Webhook) -> bool:
        """Whether setting ``other`` changes nothing a bot could notice (a second instance
        registering the same URL and secret at start-up)."""
        return (
            self.urls == other.urls
            and self.public_url == other.public_url
            and self.secret_token == other.secret_token
            and self.max_connections == other.max_connections
        )

    def info(self, allowed_updates: frozenset[str] | None) -> JSON:
        """The ``WebhookInfo`` object."""
        result: JSON = {
            "url": self.public_url,
            "has_custom_certificate": False,
            "pending_update_count": len(self._updates),
            "max_connections": self.max_connections,
        }
        if self.ip_address:
            result["ip_address"] = self.ip_address
        if self.last_error_date is not None:
            result["last_error_date"] = self.last_error_date
            result["last_error_message"] = self.last_error_message
        if allowed_updates:
            result["allowed_updates"] = sorted(allowed_updates)
        return result

    # ------------------------------------------------------------ delivery

    async def _run(self) -> None:
        delay = self.retry_first
        while not self._closed:
            if not self._updates:
                await self._signal.wait(None)
                continue
            update = self._updates[0]
            url = next(self._next_url)
            error = await self._post(url, update)
            if error is None:
                # The head may have been dropped meanwhile (drop_pending_updates).
                if self._updates and self._updates[0] is update:
                    self._updates.popleft()
                self.delivered += 1
                self.posts.append((url, int(update["update_id"])))
                delay = self.retry_first
            else:
                self.failed_posts += 1
                self.last_error_date = int(time.time())
                self.last_error_message = error
                _log.debug("webhook %s: %s (retry in %.2fs)", url, error, delay)
            self._changed()
            if error is not None:
                await asyncio.sleep(delay)
                delay = min(delay * 2, self.retry_max)

    async def _post(self, url: str, update: JSON) -> str | None:
        """POST one update; ``None`` when delivered, else Telegram's error text."""
        if self._session is None:
            self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=self.timeout))
        headers = {"Content-Type": "application/json"}
        if self.secret_token:
            headers[SECRET_HEADER] = self.secret_token
        body = json.dumps(update, ensure_ascii=False).encode()
        try:
            async with self._session.post(url, data=body, headers=headers) as response:
                await response.read()
                if 200 <= response.status < 300:
                    return None
                return f"Wrong response from the webhook: {response.status} {response.reason}"
        except TimeoutError:
            return "Read timeout expired"
        except aiohttp.ClientConnectorError:
            return "Connection refused"
        except aiohttp.ClientError as exc:
            return f"Connection error: {type(exc).__name__}"
