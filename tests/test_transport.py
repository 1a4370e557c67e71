"""The aiohttp transport of bot/telegram/transport.py keeps HTTPXRequest's contract: form
fields, file uploads, timeouts as TimedOut, broken connections as NetworkError."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp import web
from telegram import Bot, InputFile
from telegram.error import NetworkError, TimedOut
from telegram.request import HTTPXRequest

from bot.telegram.transport import AiohttpRequest, make_request, was_not_sent

MESSAGE = {
    "message_id": 7,
    "date": 1_700_000_000,
    "chat": {"id": 42, "type": "private"},
    "text": "hi",
}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def _serve(app: web.Application) -> tuple[int, web.AppRunner]:
    """``app`` on a port of the system's choosing (bound at once: no race for a free one)."""
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    return int(runner.addresses[0][1]), runner


@pytest.fixture
async def server() -> AsyncIterator[tuple[str, list[dict[str, Any]]]]:
    """A Bot API stand-in: records what each call carried; ``sleep`` in a field stalls it."""
    seen: list[dict[str, Any]] = []

    async def call(request: web.Request) -> web.Response:
        got: dict[str, Any] = {"method": request.match_info["method"]}
        got["content_type"] = request.content_type
        if request.content_type == "multipart/form-data":
            async for part in await request.multipart():
                got[part.name] = (
                    part.filename,
                    part.headers.get("Content-Type"),
                    await part.read(),
                )
        else:
            got.update(await request.post())
        seen.append(got)
        if "sleep" in got:
            await asyncio.sleep(float(got["sleep"]))
        result: Any = {**MESSAGE, "text": got.get("text", "")} if got["method"] != "getMe" else {
            "id": 1, "is_bot": True, "first_name": "Maeul", "username": "maeul_bot"
        }  # fmt: skip
        return web.json_response({"ok": True, "result": result})

    app = web.Application()
    app.router.add_post("/bot1:T/{method}", call)
    port, runner = await _serve(app)
    yield f"http://127.0.0.1:{port}/bot", seen
    await runner.cleanup()


async def test_fields_and_files_arrive(server: tuple[str, list[dict[str, Any]]]) -> None:
    base, seen = server
    async with Bot("1:T", base_url=base, request=AiohttpRequest()) as bot:
        message = await bot.send_message(42, "안녕하세요 & <b>")
        assert message.text == "안녕하세요 & <b>"
        await bot.send_document(
            42, InputFile(b"PK\x03\x04 xlsx bytes", filename="명단.xlsx"), caption="출석"
        )
    text, document = seen[1], seen[2]
    assert text["content_type"] == "application/x-www-form-urlencoded"
    assert (text["chat_id"], text["text"]) == ("42", "안녕하세요 & <b>")
    assert document["content_type"] == "multipart/form-data"
    assert document["caption"][2] == "출석".encode()
    filename, content_type, content = document["document"]
    assert filename == "명단.xlsx"
    assert content_type == ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    assert content == b"PK\x03\x04 xlsx bytes"


async def test_a_slow_answer_is_timed_out(server: tuple[str, list[dict[str, Any]]]) -> None:
    base, _ = server
    async with Bot("1:T", base_url=base, request=AiohttpRequest(read_timeout=0.2)) as bot:
        with pytest.raises(TimedOut) as raised:
            await bot.send_message(42, "x", api_kwargs={"sleep": "1"})
        assert not was_not_sent(raised.value)  # it left: it may have been carried out
        # an explicit read timeout wins over the default
        assert await bot.send_message(42, "y", read_timeout=3, api_kwargs={"sleep": "0.3"})


@pytest.mark.parametrize("kind", [AiohttpRequest, HTTPXRequest])
async def test_no_free_connection_is_a_timeout_that_sent_nothing(
    server: tuple[str, list[dict[str, Any]]], kind: type
) -> None:
    """One connection, held by a slow call: the next waits for the pool and times out
    before it is sent (the after-commit sending and the dispatcher send it again). PTB's
    own transport says so in the same words."""
    base, _ = server
    request = kind(connection_pool_size=1, pool_timeout=0.2)
    async with Bot("1:T", base_url=base, request=request) as bot:
        slow = asyncio.create_task(bot.send_message(42, "x", api_kwargs={"sleep": "1"}))
        await asyncio.sleep(0.1)
        with pytest.raises(TimedOut) as raised:
            await bot.send_message(42, "y")
        assert was_not_sent(raised.value)
        assert await slow


async def test_no_server_is_a_network_error() -> None:
    request = AiohttpRequest()
    await request.initialize()
    try:
        with pytest.raises(NetworkError) as raised:
            await request.post(f"http://127.0.0.1:{_free_port()}/bot1:T/getMe")
        assert not isinstance(raised.value, TimedOut)
    finally:
        await request.shutdown()


async def test_not_initialized_and_shut_down() -> None:
    request = AiohttpRequest()
    with pytest.raises(RuntimeError):
        await request.do_request("http://127.0.0.1:1/x", "POST")
    await request.initialize()
    await request.shutdown()
    await request.shutdown()  # twice is fine, as PTB may do
    with pytest.raises(RuntimeError):
        await request.do_request("http://127.0.0.1:1/x", "POST")


def test_the_setting_chooses() -> None:
    assert isinstance(make_request("aiohttp"), AiohttpRequest)
    assert isinstance(make_request("httpx"), HTTPXRequest)


async def test_a_proxy_from_the_environment_is_used(monkeypatch: pytest.MonkeyPatch) -> None:
    """As with httpx, HTTP_PROXY carries the calls (a centre's network may allow no other
    way out); the stand-in proxy answers itself and records the host asked for."""
    hosts: list[str] = []

    async def proxy(request: web.Request) -> web.Response:
        hosts.append(request.host)
        return web.json_response(
            {"ok": True, "result": {"id": 1, "is_bot": True, "first_name": "M", "username": "m"}}
        )

    app = web.Application()
    app.router.add_post("/bot1:T/{method}", proxy)
    port, runner = await _serve(app)
    for name in ("NO_PROXY", "no_proxy", "HTTPS_PROXY", "https_proxy", "http_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{port}")
    try:
        async with Bot("1:T", base_url="http://telegram.invalid/bot", request=AiohttpRequest()):
            pass  # initialize() asks getMe
        assert hosts == ["telegram.invalid"]
        monkeypatch.setenv("NO_PROXY", "telegram.invalid")  # a host NO_PROXY names goes direct
        with pytest.raises(NetworkError):
            async with Bot("1:T", base_url="http://telegram.invalid/bot", request=AiohttpRequest()):
                pass
        assert hosts == ["telegram.invalid"]
    finally:
        await runner.cleanup()
