"""``maeul run --webhook``: the real bot behind its webhook server, the emulator POSTing to it.

Real HTTP everywhere: the emulator delivers updates to the bot's server (with the secret
header), the bot answers through the emulator's Bot API, and the tests call ``/healthz``,
``/metrics`` and the webhook path themselves.
"""

from __future__ import annotations

import asyncio
import json
import re
import socket
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from bot.app import MaeulApplication, build_application
from bot.core.clock import ManualClock
from bot.core.config import Settings
from bot.core.db import create_engine, make_sessionmaker
from bot.core.runtime import Runtime
from bot.emulator import BotApiEmulator, User
from bot.emulator.webhook import Webhook
from bot.kb import records as kb
from bot.runner import start_webhook, stop_webhook
from bot.telegram.webhook import SECRET_HEADER, WebhookServer
from tests.conftest import TEST_NOW
from tests.e2e import ChatDriver, texts
from tests.process_helpers import process_env, start_process, stop_process

TOKEN = "123456:TEST"
SECRET = "webhook-secret_0123456789abcdef"
ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def metric(body: str, name: str, labels: str = "") -> float:
    """The value of one sample in Prometheus text (0 when absent)."""
    pattern = re.escape(name) + (re.escape("{" + labels + "}") if labels else "") + r" (\S+)"
    found = re.search(r"^" + pattern + r"$", body, re.MULTILINE)
    return float(found.group(1)) if found else 0.0


@pytest.fixture(autouse=True)
def fast_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(Webhook, "retry_first", 0.02)
    monkeypatch.setattr(Webhook, "retry_max", 0.2)


@dataclass
class WebhookBot:
    emu: BotApiEmulator
    app: MaeulApplication
    server: WebhookServer
    http: httpx.AsyncClient

    def chat(self, user_id: int = 5001, first_name: str = "민지") -> ChatDriver:
        return ChatDriver(
            self.emu, User(id=user_id, first_name=first_name, language_code="ko"), token=TOKEN
        )


@pytest.fixture
async def webhook_bot(runtime: Runtime) -> AsyncIterator[WebhookBot]:
    async with BotApiEmulator() as emu:
        emu.register_bot(TOKEN, username="maeul_test_bot")
        port = free_port()
        runtime.settings = runtime.settings.model_copy(
            update={
                "telegram_base_url": emu.base_url,
                "telegram_base_file_url": emu.base_file_url,
                "bot_token": TOKEN,
                "webhook_url": f"http://127.0.0.1:{port}/telegram",
                "webhook_port": port,
                "webhook_secret": Settings(webhook_secret=SECRET).webhook_secret,  # type: ignore[call-arg]
            }
        )
        parsed, problems = kb.validate(kb.load_file(kb.demo_kb_path()))
        assert parsed is not None, problems
        async with runtime.sessionmaker() as session, session.begin():
            await kb.import_kb(session, parsed, runtime.clock.utcnow())
        app = build_application(runtime)
        server = await start_webhook(app, runtime.settings)
        try:
            async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as http:
                yield WebhookBot(emu, app, server, http)
        finally:
            await stop_webhook(app, server)


async def test_the_bot_answers_through_its_webhook(webhook_bot: WebhookBot) -> None:
    emu = webhook_bot.emu
    info = await emu.call_api(TOKEN, "getWebhookInfo")
    assert info["url"] == webhook_bot.app.runtime.settings.webhook_url
    hook = emu.webhook(TOKEN)
    assert hook is not None and hook.secret_token == SECRET
    assert hook.urls == [f"http://127.0.0.1:{webhook_bot.server.port}/telegram"]

    before = (await webhook_bot.http.get("/metrics")).text
    events = await webhook_bot.chat().send("/start")
    assert any("안녕하세요, 민지님!" in t for t in texts(events))
    assert hook.delivered >= 1
    assert emu.call_counts(TOKEN).get("getupdates", 0) == 0  # no polling at all
    after = (await webhook_bot.http.get("/metrics")).text
    kind = 'kind="message"'
    assert (
        metric(after, "maeul_updates_total", kind)
        == metric(before, "maeul_updates_total", kind) + 1
    )
    assert metric(after, "maeul_webhook_requests_total", 'code="200"') >= 1
    assert metric(after, "maeul_update_seconds_count") >= 1
    assert metric(after, "maeul_database_up") == 1
    for name in ("maeul_dispatch_backlog", "maeul_rate_waits_total", "maeul_update_errors_total"):
        assert re.search(rf"^{name} ", after, re.MULTILINE), name


async def test_a_request_without_the_right_secret_is_refused(webhook_bot: WebhookBot) -> None:
    http = webhook_bot.http
    update = {
        "update_id": 999_001,
        "message": {
            "message_id": 1,
            "date": 0,
            "chat": {"id": 666, "type": "private"},
            "from": {"id": 666, "is_bot": False, "first_name": "Mallory"},
            "text": "/start",
        },
    }
    r = await http.post("/telegram", json=update)
    assert r.status_code == 403
    r = await http.post(
        "/telegram", json=update, headers={SECRET_HEADER: "wrong-secret-0123456789"}
    )
    assert r.status_code == 403
    r = await http.post("/telegram", content=b"{not json", headers={SECRET_HEADER: SECRET})
    assert r.status_code == 400
    await asyncio.sleep(0.3)
    assert webhook_bot.emu.messages(TOKEN, 666) == []  # nothing was handled
    body = (await http.get("/metrics")).text
    assert metric(body, "maeul_webhook_requests_total", 'code="403"') == 2
    assert metric(body, "maeul_webhook_requests_total", 'code="400"') == 1
    assert metric(body, "maeul_updates_total", 'kind="message"') == 0
    # with the secret: handled before the 200 (the reply to this unknown chat is refused
    # by the emulator, as by Telegram — what counts here is that it was handled)
    r = await http.post("/telegram", json=update, headers={SECRET_HEADER: SECRET})
    assert r.status_code == 200
    body = (await http.get("/metrics")).text
    assert metric(body, "maeul_updates_total", 'kind="message"') == 1


async def test_healthz_with_the_database_up(webhook_bot: WebhookBot) -> None:
    r = await webhook_bot.http.get("/healthz")
    assert r.status_code == 200 and r.json() == {"status": "ok", "database": "ok"}


async def test_healthz_503_when_the_database_is_unreachable(tmp_path: Path) -> None:
    """A PostgreSQL port nobody listens on: /healthz says 503, /metrics still answers."""
    dead = f"postgresql+asyncpg://postgres@127.0.0.1:{free_port()}/maeul"
    settings = Settings(_env_file=None, database_url=dead, bot_token=TOKEN)  # type: ignore[call-arg]
    engine = create_engine(dead)
    runtime = Runtime(
        settings=settings, clock=ManualClock(TEST_NOW), engine=engine,
        sessionmaker=make_sessionmaker(engine),
    )  # fmt: skip
    app = build_application(runtime)
    server = WebhookServer(app, secret=SECRET, port=0)
    await server.start()
    try:
        async with httpx.AsyncClient(base_url=server.url) as http:
            r = await http.get("/healthz")
            assert r.status_code == 503
            assert r.json() == {"status": "unavailable", "database": "unreachable"}
            r = await http.get("/metrics")
            assert r.status_code == 200 and r.headers["content-type"].startswith("text/plain")
            assert metric(r.text, "maeul_database_up") == 0
    finally:
        await server.stop()
        await engine.dispose()


# ----------------------------------------------------------------------- a real process


def _env(tmp_path: Path, emu: BotApiEmulator | None = None, **extra: str) -> dict[str, str]:
    return process_env(tmp_path, TOKEN, emu, LOG_LEVEL="INFO", QA_MODEL="none", **extra)


async def test_maeul_run_webhook_process(tmp_path: Path) -> None:
    port = free_port()
    async with BotApiEmulator() as emu:
        emu.register_bot(TOKEN, username="maeul_bot")
        env = _env(
            tmp_path,
            emu,
            WEBHOOK_URL=f"http://127.0.0.1:{port}/hook",
            WEBHOOK_PORT=str(port),
            WEBHOOK_SECRET=SECRET,
            LOG_FORMAT="json",
        )
        proc = await start_process(tmp_path, env, "run", "--webhook")
        try:
            async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as http:
                for _ in range(400):  # until the process has registered its webhook
                    if emu.webhook(TOKEN) is not None:
                        break
                    assert proc.returncode is None, "maeul run --webhook exited"
                    await asyncio.sleep(0.1)
                assert emu.webhook(TOKEN) is not None, "no webhook registered"
                jihun = User(id=4242, first_name="지훈", language_code="ko")
                since = emu.last_seq(TOKEN)
                emu.send_text(TOKEN, jihun, "/start")
                events = await emu.wait_for_events(TOKEN, chat_id=4242, since=since, timeout=30)
                assert any("안녕하세요, 지훈님!" in (e.text or "") for e in events)
                assert (await http.get("/healthz")).status_code == 200
                body = (await http.get("/metrics")).text
                assert metric(body, "maeul_updates_total", 'kind="message"') == 1
                assert (await http.post("/hook", json={"update_id": 1})).status_code == 403
        finally:
            err = await stop_process(proc)
        assert proc.returncode == 0, err.decode()
        lines = [json.loads(line) for line in err.decode().splitlines() if line.strip()]
        assert any(e["message"].startswith("Maeul is running") for e in lines)
        assert all({"time", "level", "logger", "message"} <= set(e) for e in lines)
        assert SECRET not in err.decode() and TOKEN.split(":")[1] not in err.decode()
        assert emu.webhook(TOKEN) is not None  # left registered for the other instances


@pytest.mark.parametrize(
    ("missing", "named"),
    [({"WEBHOOK_SECRET": ""}, "WEBHOOK_SECRET"), ({"WEBHOOK_URL": ""}, "WEBHOOK_URL")],
)
def test_webhook_settings_missing_exit_2(
    tmp_path: Path, missing: dict[str, str], named: str
) -> None:
    import subprocess

    env = _env(
        tmp_path,
        WEBHOOK_URL="https://maeul.example.org/telegram",
        WEBHOOK_SECRET=SECRET,
    )
    env.update(missing)
    proc = subprocess.run(
        [sys.executable, "-m", "bot", "run", "--webhook"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and named in lines[0] and "Traceback" not in proc.stderr


async def test_metrics_count_the_rate_budgets_waits(webhook_bot: WebhookBot) -> None:
    """The budget of the token (bot.core.ratebudget, shared by replies and the
    dispatcher): one message more than the budget allows in a window waits, and /metrics
    says so."""
    from bot.core.ratebudget import budget_for

    budget = budget_for(webhook_bot.app.runtime)
    before = (await webhook_bot.http.get("/metrics")).text
    assert metric(before, "maeul_rate_waits_total") == 0
    sends = budget.limits.total + 1
    held = [await budget.acquire(chat_id) for chat_id in range(7000, 7000 + sends - 1)]
    one_more = asyncio.ensure_future(budget.acquire(7999))  # the budget is full: it waits
    await asyncio.sleep(0.3)
    assert not one_more.done()
    for permit in held:
        await budget.release(permit)
    await budget.release(await asyncio.wait_for(one_more, 10))
    after = (await webhook_bot.http.get("/metrics")).text
    assert metric(after, "maeul_rate_waits_total") == 1
    assert metric(after, "maeul_rate_wait_seconds_total") >= 0.3
    assert metric(after, "maeul_rate_permits_total") == sends


async def test_a_redelivered_update_is_handled_once(webhook_bot: WebhookBot) -> None:
    """Telegram sends an update again when its POST went unanswered (an instance killed
    after the commit): behind the webhook, each update id is handled once."""
    assert webhook_bot.app.runtime.settings.update_dedup
    chat = webhook_bot.chat(5077, "Ann")
    await chat.send("/start")  # the emulator knows the chat: replies to it are accepted
    update = {
        "update_id": 999_101,
        "message": {
            "message_id": 9001,
            "date": 0,
            "chat": {"id": 5077, "type": "private", "first_name": "Ann"},
            "from": {"id": 5077, "is_bot": False, "first_name": "Ann", "language_code": "en"},
            "text": "/help",
            "entities": [{"type": "bot_command", "offset": 0, "length": 5}],
        },
    }
    before = len(webhook_bot.emu.messages(TOKEN, 5077))
    for _ in range(2):
        r = await webhook_bot.http.post("/telegram", json=update, headers={SECRET_HEADER: SECRET})
        assert r.status_code == 200  # answered only once handled (or skipped)
    assert len(webhook_bot.emu.messages(TOKEN, 5077)) == before + 1
