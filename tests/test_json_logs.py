"""``LOG_FORMAT=json``: one JSON object a line, and the same redaction as the text format.

The real bot runs through the emulator with the app's logging set up in JSON at DEBUG (the
chatty libraries too): a resident writes personal details, presses buttons, a handler
fails. Every line written must be one JSON object with the fixed keys only, and hold no
secret, no Bot API token, no resident's text or name.
"""

from __future__ import annotations

import io
import json
import logging
import secrets

import pytest
from pydantic import SecretStr

from bot.core import logsafe
from bot.runner import configure_logging, secrets_of
from tests.e2e import TOKEN, running_bot

CHATTY = (
    "telegram",
    "httpx",
    "httpcore",
    "aiohttp",
    "bot.telegram.http",
    "apscheduler",
    "sqlalchemy",
    "asyncio",
    "aiosqlite",
    "asyncpg",
)
KEYS = {"time", "level", "logger", "message"}


@pytest.fixture
def json_log():
    """The app's JSON logging at DEBUG into a buffer; everything restored afterwards."""
    factory = logging.getLogRecordFactory()
    root = logging.getLogger()
    names = ("", *CHATTY)
    levels = {name: logging.getLogger(name).level for name in names}
    formatters = {id(h): h.formatter for h in root.handlers}
    buffer = io.StringIO()
    handler = logging.StreamHandler(buffer)
    root.addHandler(handler)

    def setup(*known: str | None) -> io.StringIO:
        configure_logging("DEBUG", *known, json_lines=True)
        root.setLevel(logging.DEBUG)  # basicConfig leaves it alone under pytest's handlers
        for name in CHATTY:
            logging.getLogger(name).setLevel(logging.DEBUG)
        return buffer

    yield setup
    root.removeHandler(handler)
    logging.setLogRecordFactory(factory)
    for name, level in levels.items():
        logging.getLogger(name).setLevel(level)
    for h in root.handlers:
        if id(h) in formatters:
            h.setFormatter(formatters[id(h)])


def parse(buffer: io.StringIO) -> list[dict[str, str]]:
    lines = [line for line in buffer.getvalue().splitlines() if line.strip()]
    assert lines, "nothing was logged"
    entries = [json.loads(line) for line in lines]  # every line is one JSON object
    for entry in entries:
        assert KEYS <= set(entry) <= KEYS | {"exception", "stack"}, entry
    return entries


def test_formatter_fields_and_redaction(json_log) -> None:
    secret = "ballot-" + secrets.token_urlsafe(32)
    buffer = json_log(secret)
    log = logging.getLogger("maeul.test")
    log.info(
        "keys: %s and %s",
        secret,
        "https://api.telegram.org/bot123456:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA/getMe",
    )
    log.info(
        "an extra value is not written", extra={"user_name": "김민지", "phone": "010-9876-5432"}
    )
    try:
        raise RuntimeError(f"failed with {secret}")
    except RuntimeError:
        log.exception("it broke")
    text = buffer.getvalue()
    entries = parse(buffer)
    assert secret not in text and "AAAAAAAAAAAAAAAAAAAA" not in text
    assert "김민지" not in text and "010-9876-5432" not in text
    assert entries[0]["message"].count(logsafe.REDACTED) == 2
    assert entries[0]["level"] == "INFO" and entries[0]["logger"] == "maeul.test"
    assert entries[0]["time"].endswith("Z")
    assert (
        "RuntimeError" in entries[-1]["exception"] and logsafe.REDACTED in entries[-1]["exception"]
    )


async def test_a_bot_session_logged_in_json_keeps_no_personal_data(runtime, json_log) -> None:
    ballot = secrets.token_urlsafe(32)
    hook = "hook-" + secrets.token_urlsafe(24)
    runtime.settings = runtime.settings.model_copy(
        update={"ballot_secret": SecretStr(ballot), "webhook_secret": SecretStr(hook)}
    )
    buffer = json_log(*secrets_of(runtime.settings))
    private = "제 전화번호는 010-9876-5432, 주소는 행복로 12입니다"
    async with running_bot(runtime) as bot:
        chat = bot.chat(user_id=5151, first_name="김비밀")
        await chat.send("/start")
        await chat.send(private)
        await chat.press("언어")
        await chat.press_data(1, "forged:data:payload-xyz")
    text = buffer.getvalue()
    entries = parse(buffer)
    assert any(e["logger"].startswith("telegram") for e in entries)  # DEBUG really on
    # the Bot API transport's request lines (their URLs hold the token): aiohttp's or httpx's
    requests = [e for e in entries if e["logger"] in ("bot.telegram.http", "httpx")]
    assert any("sendMessage" in e["message"] and logsafe.REDACTED in e["message"] for e in requests)
    for leaked in (TOKEN.split(":")[1], TOKEN, ballot, hook, "010-9876-5432", "행복로", "김비밀"):
        assert leaked not in text, leaked
    assert "payload-xyz" not in text
