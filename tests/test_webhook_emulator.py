"""The emulator delivers webhooks (bot/emulator/webhook.py): real HTTP both ways.

A small aiohttp server stands in for the bot's webhook endpoint; the emulator POSTs to it.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from aiohttp import web

from bot.emulator import BotApiEmulator, User
from bot.emulator.webhook import SECRET_HEADER, Webhook

TOKEN = "123:ABC"
ALICE = User(id=1001, first_name="Alice")
SECRET = "s3cret-Token_1"


@dataclass
class Endpoint:
    """A webhook endpoint that records what it receives; ``status`` decides its answer."""

    name: str
    received: list[tuple[dict[str, Any], str | None]] = field(default_factory=list)
    status: Callable[[int], int] = lambda n: 200
    url: str = ""
    runner: web.AppRunner | None = None

    async def handle(self, request: web.Request) -> web.Response:
        body = json.loads(await request.text())
        self.received.append((body, request.headers.get(SECRET_HEADER)))
        return web.Response(status=self.status(len(self.received)))

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/telegram", self.handle)
        self.runner = web.AppRunner(app, access_log=None)
        await self.runner.setup()
        site = web.TCPSite(self.runner, "127.0.0.1", 0)
        await site.start()
        port = self.runner.addresses[0][1]
        self.url = f"http://127.0.0.1:{port}/telegram"

    async def stop(self) -> None:
        if self.runner is not None:
            await self.runner.cleanup()

    def texts(self) -> list[str]:
        return [u["message"]["text"] for u, _ in self.received if "message" in u]


@pytest.fixture(autouse=True)
def fast_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(Webhook, "retry_first", 0.02)
    monkeypatch.setattr(Webhook, "retry_max", 0.1)


@pytest.fixture
async def emu() -> AsyncIterator[BotApiEmulator]:
    async with BotApiEmulator() as emulator:
        yield emulator


@pytest.fixture
async def http(emu: BotApiEmulator) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=emu.url) as client:
        yield client


@pytest.fixture
async def endpoints() -> AsyncIterator[list[Endpoint]]:
    made = [Endpoint("a"), Endpoint("b")]
    for e in made:
        await e.start()
    yield made
    for e in made:
        await e.stop()


async def until(predicate: Callable[[], bool], timeout: float = 5.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not predicate():
        assert asyncio.get_running_loop().time() < deadline, "condition not reached in time"
        await asyncio.sleep(0.01)


async def test_updates_are_posted_with_the_secret_and_getupdates_conflicts(
    emu: BotApiEmulator, http: httpx.AsyncClient, endpoints: list[Endpoint]
) -> None:
    a = endpoints[0]
    emu.send_text(TOKEN, ALICE, "queued before")  # waits in the queue, then goes out too
    r = await http.post(
        f"/bot{TOKEN}/setWebhook",
        data={"url": a.url, "secret_token": SECRET, "allowed_updates": '["message"]'},
    )
    assert r.json() == {"ok": True, "result": True}
    emu.send_text(TOKEN, ALICE, "hello")
    await until(lambda: len(a.received) == 2)
    assert a.texts() == ["queued before", "hello"]
    assert {secret for _, secret in a.received} == {SECRET}
    ids = [u["update_id"] for u, _ in a.received]
    assert ids == sorted(ids)

    info = (await http.get(f"/bot{TOKEN}/getWebhookInfo")).json()["result"]
    assert info["url"] == a.url and info["pending_update_count"] == 0
    assert info["allowed_updates"] == ["message"] and "last_error_date" not in info

    r = await http.post(f"/bot{TOKEN}/getUpdates", data={"timeout": "0"})
    assert r.status_code == 409 and "webhook is active" in r.json()["description"]

    # deleteWebhook: back to polling; nothing is posted any more
    assert (await http.post(f"/bot{TOKEN}/deleteWebhook")).json()["result"] is True
    emu.send_text(TOKEN, ALICE, "polled")
    r = await http.post(f"/bot{TOKEN}/getUpdates", data={"timeout": "0"})
    assert [u["message"]["text"] for u in r.json()["result"]] == ["polled"]
    assert len(a.received) == 2


async def test_bad_secret_token_is_refused(http: httpx.AsyncClient) -> None:
    r = await http.post(
        f"/bot{TOKEN}/setWebhook",
        data={"url": "http://127.0.0.1:9/x", "secret_token": "no spaces!"},
    )
    assert r.status_code == 400 and "unallowed characters" in r.json()["description"]
    r = await http.post(f"/bot{TOKEN}/setWebhook", data={"url": "ftp://example.org/x"})
    assert r.status_code == 400 and "bad webhook" in r.json()["description"]


async def test_a_failing_webhook_is_retried_until_it_answers(
    emu: BotApiEmulator, http: httpx.AsyncClient, endpoints: list[Endpoint]
) -> None:
    a = endpoints[0]
    a.status = lambda n: 403 if n <= 3 else 200  # refuses three times (a wrong secret …)
    await emu.set_webhook(TOKEN, a.url, SECRET)
    emu.send_text(TOKEN, ALICE, "one")
    emu.send_text(TOKEN, ALICE, "two")
    await until(lambda: len(a.received) == 5)
    assert a.texts() == ["one", "one", "one", "one", "two"]  # order kept, nothing lost
    info = (await http.get(f"/bot{TOKEN}/getWebhookInfo")).json()["result"]
    assert info["last_error_message"] == "Wrong response from the webhook: 403 Forbidden"
    assert info["pending_update_count"] == 0


async def test_a_webhook_that_is_down_gets_the_update_when_it_comes_back(
    emu: BotApiEmulator, http: httpx.AsyncClient
) -> None:
    late = Endpoint("late")
    await late.start()
    url = late.url
    await late.stop()  # the port is closed: connection refused
    await emu.set_webhook(TOKEN, url)
    emu.send_text(TOKEN, ALICE, "while down")
    await until(lambda: (emu.webhook(TOKEN) or Webhook).failed_posts >= 2)  # type: ignore[arg-type]
    info = (await http.get(f"/bot{TOKEN}/getWebhookInfo")).json()["result"]
    assert info["pending_update_count"] == 1 and info["last_error_message"] == "Connection refused"
    # the same port again
    port = int(url.rsplit(":", 1)[1].split("/")[0])
    app = web.Application()
    app.router.add_post("/telegram", late.handle)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    try:
        await until(lambda: late.texts() == ["while down"])
    finally:
        await runner.cleanup()


async def test_round_robin_behind_a_routed_public_url(
    emu: BotApiEmulator, http: httpx.AsyncClient, endpoints: list[Endpoint]
) -> None:
    a, b = endpoints
    public = "https://maeul.example.org/telegram"
    r = await http.post(
        f"{emu.user_api_url}/{TOKEN}/webhook_route", json={"url": public, "targets": [a.url, b.url]}
    )
    assert r.json()["ok"] is True
    # both instances register the same public URL at start-up: the second changes nothing
    for _ in range(2):
        await http.post(f"/bot{TOKEN}/setWebhook", data={"url": public, "secret_token": SECRET})
    for i in range(6):
        emu.send_text(TOKEN, ALICE, f"m{i}")
    await until(lambda: len(a.received) + len(b.received) == 6)
    assert a.texts() == ["m0", "m2", "m4"] and b.texts() == ["m1", "m3", "m5"]
    info = (await http.get(f"/bot{TOKEN}/getWebhookInfo")).json()["result"]
    assert info["url"] == public  # what the bot registered, not the balancer's targets

    # one instance down: its turns go to the other one on retry, nothing is lost
    await b.stop()
    for i in range(6, 10):
        emu.send_text(TOKEN, ALICE, f"m{i}")
    await until(lambda: len(a.received) == 7)
    assert a.texts()[3:] == ["m6", "m7", "m8", "m9"]
    seen = (await http.get(f"{emu.user_api_url}/{TOKEN}/webhook")).json()["result"]
    assert seen["delivered"] == 10 and seen["targets"] == [a.url, b.url]


async def test_set_webhook_with_a_list(emu: BotApiEmulator, endpoints: list[Endpoint]) -> None:
    a, b = endpoints
    await emu.set_webhook(TOKEN, [a.url, b.url], SECRET)
    for i in range(4):
        emu.send_text(TOKEN, ALICE, f"x{i}")
    await until(lambda: len(a.received) + len(b.received) == 4)
    assert a.texts() == ["x0", "x2"] and b.texts() == ["x1", "x3"]
    assert await emu.delete_webhook(TOKEN) is True
    assert emu.webhook(TOKEN) is None
