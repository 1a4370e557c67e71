"""``maeul run --webhook``: Telegram POSTs updates to us instead of our long poll.

PTB's *custom webhook* pattern (examples/customwebhookbot.py): our own HTTP server (aiohttp,
already a dependency) puts each update into ``app.update_queue``; the application handles it
as it would a polled one. One port serves three routes:

* ``POST <path of WEBHOOK_URL>`` — Telegram's updates. The header
  ``X-Telegram-Bot-Api-Secret-Token`` must equal ``WEBHOOK_SECRET`` (compared in constant
  time), else **403** and the body is not even read: the webhook URL is public, and anyone
  who finds it could otherwise forge updates — a vote "from" any resident. A body that is
  not an update is answered 400.
* ``GET /healthz`` — 200 ``{"status": "ok", "database": "ok"}`` when a ``SELECT 1``
  answers within :data:`HEALTH_TIMEOUT`, else 503 with ``"database": "unreachable"``: a load
  balancer stops sending to an instance that cannot save anything.
* ``GET /metrics`` — Prometheus text format (:mod:`bot.telegram.metrics`).

**When Telegram hears 200.** Not when the update is queued, as in PTB's example, but when
it has been *handled* (committed, replies sent) — or after :data:`ACK_TIMEOUT`. An instance
killed with updates in its queue has answered none of them, so Telegram delivers them again
(behind a load balancer: to another instance) instead of their being lost. The price is
the reverse window: an update committed just before a kill, whose 200 never left, comes
again. The handlers' own guards (one ballot per voter, the reminder rows' unique keys, the
conversation state in the database) make most of those harmless; see docs/operations.md.

The webhook is registered at start (``setWebhook`` with the secret and every update kind)
and **not** deleted at stop: with several instances behind one URL, one instance stopping
must not cut off the others. ``maeul run`` without ``--webhook`` deletes it (PTB's polling
start does) — switching back to long polling needs nothing else.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from aiohttp import web
from sqlalchemy import text
from telegram import Update

from bot.telegram.metrics import CONTENT_TYPE, Metrics

if TYPE_CHECKING:
    from bot.app import MaeulApplication

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
HEALTH_TIMEOUT = 3.0
"""Seconds the database has to answer ``/healthz``."""
ACK_TIMEOUT = 50.0
"""Longest wait for an update's handling before answering 200 anyway (Telegram gives up on
a webhook request after about a minute and would send the update again)."""
MAX_UPDATE_SIZE = 1024 * 1024
"""An update is a few kilobytes; a larger body is not one."""


def webhook_path(url: str) -> str:
    """The path Telegram POSTs to, from the public URL (``/`` when it has none)."""
    return urlsplit(url).path or "/"


class WebhookServer:
    """The HTTP server of one instance: updates, health and metrics on one port."""

    def __init__(
        self,
        app: MaeulApplication,
        *,
        secret: str,
        path: str = "/telegram",
        listen: str = "127.0.0.1",
        port: int = 8080,
        metrics: Metrics | None = None,
    ) -> None:
        if not secret:
            raise ValueError("a webhook needs a secret token")
        self.app = app
        self.secret = secret.encode()
        self.path = path
        self.listen = listen
        self.port = port
        self.metrics = metrics or Metrics()
        if self.metrics.app is None:
            self.metrics.instrument(app)
        self.metrics.on_handled(self._handled)
        self._waiting: dict[int, list[asyncio.Future[None]]] = {}
        self._runner: web.AppRunner | None = None

    # ------------------------------------------------------------ lifecycle

    def make_app(self) -> web.Application:
        web_app = web.Application(client_max_size=MAX_UPDATE_SIZE)
        web_app.router.add_post(self.path, self._telegram)
        web_app.router.add_get("/healthz", self._healthz)
        web_app.router.add_get("/metrics", self._metrics)
        return web_app

    async def start(self) -> None:
        runner = web.AppRunner(self.make_app(), access_log=None, shutdown_timeout=10.0)
        await runner.setup()
        await web.TCPSite(runner, self.listen, self.port).start()
        self._runner = runner
        self.port = int(runner.addresses[0][1])  # the real one when port=0
        log.info("webhook server listening on %s:%s%s", self.listen, self.port, self.path)

    async def stop(self) -> None:
        """Stop accepting; requests in progress finish (their updates are handled)."""
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    @property
    def url(self) -> str:
        return f"http://{self.listen}:{self.port}"

    # ------------------------------------------------------------ routes

    async def _telegram(self, request: web.Request) -> web.Response:
        given = request.headers.get(SECRET_HEADER, "").encode()
        if not hmac.compare_digest(given, self.secret):
            self.metrics.webhook_requests.labels("403").inc()
            log.warning("webhook: a request without the right secret header was refused")
            return web.Response(status=403, text="forbidden")
        try:
            data = json.loads(await request.text())
            update = Update.de_json(data, self.app.bot)
            if update is None or not isinstance(data.get("update_id"), int):
                raise ValueError("not an update")
        except (ValueError, TypeError, AttributeError, KeyError):
            self.metrics.webhook_requests.labels("400").inc()
            return web.Response(status=400, text="not a Telegram update")
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiting.setdefault(update.update_id, []).append(done)
        try:
            await self.app.update_queue.put(update)
            await asyncio.wait_for(asyncio.shield(done), ACK_TIMEOUT)
        except TimeoutError:
            log.warning("webhook: update %s still in progress; answered anyway", update.update_id)
        finally:
            futures = self._waiting.get(update.update_id)
            if futures is not None and done in futures:
                futures.remove(done)
                if not futures:
                    del self._waiting[update.update_id]
        self.metrics.webhook_requests.labels("200").inc()
        return web.Response(status=200)

    def _handled(self, update: Update) -> None:
        for done in self._waiting.pop(update.update_id, []):
            if not done.done():
                done.set_result(None)

    async def database_ok(self) -> bool:
        try:
            async with asyncio.timeout(HEALTH_TIMEOUT):
                async with self.app.runtime.engine.connect() as conn:
                    await conn.execute(text("SELECT 1"))
            return True
        except Exception as exc:  # any failure is "down" for a health check
            log.warning("health check: database unreachable (%s)", type(exc).__name__)
            return False

    async def _healthz(self, request: web.Request) -> web.Response:
        up = await self.database_ok()
        self.metrics.database_up.set(1 if up else 0)
        body = {"status": "ok" if up else "unavailable", "database": "ok" if up else "unreachable"}
        return web.json_response(body, status=200 if up else 503)

    async def _metrics(self, request: web.Request) -> web.Response:
        await self.metrics.refresh(self.database_ok)
        return web.Response(body=self.metrics.render(), headers={"Content-Type": CONTENT_TYPE})


async def register_webhook(app: MaeulApplication, url: str, secret: str) -> None:
    """``setWebhook``: Telegram sends every update kind to ``url`` with our secret."""
    await app.bot.set_webhook(
        url=url, secret_token=secret, allowed_updates=Update.ALL_TYPES, max_connections=40
    )
