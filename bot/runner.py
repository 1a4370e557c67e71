"""Starting the bot: prepare the database, then long-poll Telegram (or the emulator), or
serve Telegram's webhook (``maeul run --webhook``, :mod:`bot.telegram.webhook`)."""

from __future__ import annotations

import asyncio
import logging
import signal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from telegram import Update

from bot import features
from bot.app import MaeulApplication, build_application
from bot.core import logsafe, migrate
from bot.core.config import ConfigError, Settings
from bot.core.runtime import Runtime
from bot.kb import records as kb

if TYPE_CHECKING:
    from bot.telegram.webhook import WebhookServer

log = logging.getLogger(__name__)


NOISY_LOGGERS = (
    "httpx",
    "httpcore",
    "bot.telegram.http",
    "apscheduler",
    "aiohttp.access",
    "sqlalchemy",
    "aiosqlite",
    "asyncpg",
)
"""Quiet below WARNING even at DEBUG: request lines, and SQLAlchemy's statement and row echo
(rows of the poll book, the persistence tables and residents' questions; aiosqlite logs each
statement with its parameters)."""


def configure_logging(
    level: str, *secrets: str | None, fmt: str | None = None, json_lines: bool = False
) -> None:
    """The process's logging: ``level`` for our loggers, and :mod:`bot.core.logsafe` so that no
    line carries ``secrets`` (pass the bot token and BALLOT_SECRET), a Bot API token or a
    Telegram payload (votes, codes, trackers). ``json_lines`` (``LOG_FORMAT=json``): one JSON
    object a line (:class:`bot.core.logsafe.JsonFormatter`), redacted the same way."""
    logsafe.install(*secrets)
    logging.basicConfig(
        level=level, format=fmt or "%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    if json_lines:
        for handler in logging.getLogger().handlers:
            handler.setFormatter(logsafe.JsonFormatter())
    for noisy in NOISY_LOGGERS:
        logging.getLogger(noisy).setLevel(max(logging.WARNING, logging.getLevelName(level)))


def secrets_of(settings: Settings) -> tuple[str | None, ...]:
    """What :func:`configure_logging` must keep out of the log."""
    ballot = settings.ballot_secret.get_secret_value() if settings.ballot_secret else None
    hook = settings.webhook_secret.get_secret_value() if settings.webhook_secret else None
    return settings.bot_token, ballot, hook


def logging_for(settings: Settings) -> None:
    """:func:`configure_logging` as the settings say (level, format, secrets)."""
    configure_logging(
        settings.log_level, *secrets_of(settings), json_lines=settings.log_format == "json"
    )


def webhook_settings(settings: Settings) -> tuple[str, str]:
    """``(WEBHOOK_URL, WEBHOOK_SECRET)``, or :class:`ConfigError` naming what is missing."""
    if not settings.webhook_url:
        raise ConfigError(
            "WEBHOOK_URL: required with --webhook (the public https URL Telegram posts to, "
            "e.g. https://maeul.example.org/telegram)"
        )
    if settings.webhook_secret is None:
        raise ConfigError(
            "WEBHOOK_SECRET: required with --webhook (16+ characters A-Z a-z 0-9 _ -, e.g. "
            "from python -c 'import secrets; print(secrets.token_urlsafe(32))')"
        )
    return settings.webhook_url, settings.webhook_secret.get_secret_value()


async def prepare(runtime: Runtime) -> None:
    """Migrate the database to the newest schema; import the knowledge base on first run."""
    await migrate.upgrade(runtime.engine)
    async with runtime.sessionmaker() as session:
        if await kb.kb_is_empty(session):
            path = runtime.settings.kb_path or kb.demo_kb_path()
            await seed_kb(runtime, Path(path))


async def seed_kb(runtime: Runtime, path: Path) -> None:
    notes: list[str] = []
    parsed, problems = kb.load_and_validate(path, notes)
    for note in notes:
        log.warning("%s: %s", path, note)
    if parsed is None:
        raise SystemExit(
            f"KB_PATH {path}: the knowledge base has problems:\n" + "\n".join(problems)
        )
    async with runtime.sessionmaker() as session, session.begin():
        await kb.import_kb(session, parsed, runtime.clock.utcnow())
    log.info("imported the knowledge base from %s", path)


async def start_polling(app: MaeulApplication) -> None:
    await app.initialize()
    if app.post_init is not None:  # run_polling() would call it; we start the parts ourselves
        await app.post_init(app)
    await app.start()
    assert app.updater is not None
    await app.updater.start_polling(poll_interval=0.0, timeout=10, allowed_updates=Update.ALL_TYPES)


async def stop_polling(app: MaeulApplication) -> None:
    if app.updater is not None and app.updater.running:
        await app.updater.stop()
    if app.running:
        await app.stop()
    await app.shutdown()


async def start_webhook(app: MaeulApplication, settings: Settings) -> WebhookServer:
    """Start the application, our webhook server, then tell Telegram where to POST (in this
    order: the first update may arrive as soon as ``setWebhook`` returns)."""
    from bot.telegram.webhook import WebhookServer, register_webhook, webhook_path

    url, secret = webhook_settings(settings)
    # Telegram redelivers an update whose POST was not answered (an instance killed after
    # the commit): behind a webhook, each update id is handled once (UPDATE_DEDUP).
    app.runtime.settings = app.runtime.settings.model_copy(update={"update_dedup": True})
    server = WebhookServer(
        app,
        secret=secret,
        path=webhook_path(url),
        listen=settings.webhook_listen,
        port=settings.webhook_port,
    )
    await app.initialize()
    if app.post_init is not None:
        await app.post_init(app)
    await app.start()
    try:
        await server.start()
        await register_webhook(app, url, secret)
    except BaseException:
        await server.stop()
        await app.stop()
        await app.shutdown()
        raise
    return server


async def stop_webhook(app: MaeulApplication, server: WebhookServer) -> None:
    """Stop taking updates (requests in progress finish), then stop the application. The
    webhook stays registered: other instances behind the same URL keep serving."""
    await server.stop()
    if app.running:
        await app.stop()
    await app.shutdown()


async def serve(settings: Settings, *, webhook: bool = False) -> None:
    """Long-poll (or serve the webhook) until SIGINT/SIGTERM."""
    if webhook:
        webhook_settings(settings)  # a missing setting stops us before anything starts
    runtime = Runtime.create(settings)
    try:
        await prepare(runtime)
        app = build_application(runtime)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        if webhook:
            server = await start_webhook(app, settings)
            log.info(
                "Maeul is running as @%s, webhook on %s:%s",
                app.bot.username, settings.webhook_listen, server.port,
            )  # fmt: skip
            try:
                await stop.wait()
            finally:
                await stop_webhook(app, server)
            return
        await start_polling(app)
        log.info("Maeul is running as @%s; press Ctrl-C to stop", app.bot.username)
        try:
            await stop.wait()
        finally:
            await stop_polling(app)
    finally:
        await runtime.close()


async def run_worker(runtime: Runtime, stop: asyncio.Event | None = None) -> None:
    """The dispatcher alone, without polling for updates: a pass at start and every
    ``REMINDER_WAKE_SECONDS`` until ``stop`` is set."""
    from telegram import Bot

    from bot.reminders.dispatch import Dispatcher
    from bot.telegram.dispatcher import TelegramSender
    from bot.telegram.transport import make_request

    settings = runtime.settings
    stop = stop or asyncio.Event()
    bot = Bot(
        settings.bot_token or "",
        base_url=settings.telegram_base_url or "https://api.telegram.org/bot",
        request=make_request(
            settings.telegram_transport, connection_pool_size=settings.dispatch_lanes + 2
        ),
    )
    await bot.initialize()
    dispatcher = Dispatcher(runtime, TelegramSender(bot), kinds=features.register())
    pass_task: asyncio.Task[Any] | None = None
    try:
        while not stop.is_set():
            pass_task = asyncio.ensure_future(dispatcher.run_pass())
            stopper = asyncio.ensure_future(stop.wait())
            await asyncio.wait({pass_task, stopper}, return_when=asyncio.FIRST_COMPLETED)
            if stop.is_set():
                dispatcher.stop()
            await pass_task
            stopper.cancel()
            try:
                await asyncio.wait_for(stop.wait(), timeout=settings.reminder_wake_seconds)
            except TimeoutError:
                pass
    finally:
        dispatcher.stop()
        await bot.shutdown()
