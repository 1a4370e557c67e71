"""Secrets never reach a log line, at any level (issue 9 §3).

:func:`install` wraps the logging record factory, so the redaction happens where a record is
made — before any handler, whoever added it (the app's stream, pytest's capture, an error
reporter) — and applies to every logger, including the children of ``telegram`` and
``httpx`` that a filter on one logger would miss:

* **Secrets** given to :func:`install` (the bot token, ``BALLOT_SECRET``) and any Bot API
  URL's token (``…/bot<token>/…``, ``…/file/bot<token>/…``: httpx, the PTB base URL, the
  emulator's access log) are replaced by ``[redacted]`` in the message, its arguments and
  the formatted traceback.
* **Payloads** python-telegram-bot (and the database layer) log at DEBUG — whole updates
  ("Processing update …": a typed voting code, a pressed draft ``vote:c:…:ynay``), the
  parameters and return values of every Bot API call (a receipt's tracker, the drafts in a
  keyboard's callback data), webhook bodies, SQL parameters and rows — are withheld: the
  record keeps its template, the endpoint and the update id, not the content. A DEBUG log
  stays useful for "what happened when", never "who voted what".

Our own code logs no vote data in the first place (``handlers/core/errors.py`` describes a
button by its prefix only and withholds the user for vote updates).

**JSON lines** (``LOG_FORMAT=json``, :class:`JsonFormatter`) are made from the same,
already-cleaned record, and from a fixed set of its fields only: a value passed with
``extra=`` (which a text format would never print either) cannot slip into the output, and
whatever the message held is redacted a second time when written.
"""

from __future__ import annotations

import json
import logging
import re
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

REDACTED = "[redacted]"
WITHHELD = "[withheld]"
MIN_SECRET_LENGTH = 6
"""Shorter values are not redacted (they would blank out ordinary words and numbers)."""

URL_TOKEN_RE = re.compile(r"(/bot)(\d+:[^/\s'\"?#]+)")
"""The token in a Bot API URL path: ``/bot123:ABC/getMe``, ``/file/bot123:ABC/photos/x``."""
BARE_TOKEN_RE = re.compile(r"\b\d{6,12}:[A-Za-z0-9_-]{30,}")
"""The shape of a Telegram bot token, wherever it appears."""
TELEGRAM_PAYLOAD_LOGGERS = ("telegram", "aiosqlite", "asyncpg", "sqlalchemy.engine")
"""Loggers whose arguments are payloads: python-telegram-bot's updates and calls, and the
database's DEBUG lines (aiosqlite logs every statement *with its parameters*, SQLAlchemy's
echo every row read — a resident's question, a name). The runner also keeps these below
DEBUG; this holds when someone turns them up."""
SCALARS = (int, float, bool, type(None))

_secrets: set[str] = set()
_lock = threading.Lock()
_installed: Callable[..., logging.LogRecord] | None = None


def redact(text: str) -> str:
    """``text`` without any known secret or Bot API token."""
    for secret in sorted(_secrets, key=len, reverse=True):
        if secret in text:
            text = text.replace(secret, REDACTED)
    text = URL_TOKEN_RE.sub(rf"\1{REDACTED}", text)
    return BARE_TOKEN_RE.sub(REDACTED, text)


def _withhold_payloads(record: logging.LogRecord) -> None:
    """Keep python-telegram-bot's DEBUG templates, drop the content of their arguments."""
    if not record.name.startswith(TELEGRAM_PAYLOAD_LOGGERS):
        return
    if not isinstance(record.args, tuple) or not record.args:
        return  # no arguments, or mapping-style ones (python-telegram-bot uses neither)
    kept: list[Any] = []
    for arg in record.args:
        if isinstance(arg, SCALARS):
            kept.append(arg)
        elif isinstance(arg, list | tuple) and all(isinstance(a, int) for a in arg):
            kept.append(arg)  # update ids
        elif isinstance(arg, str) and record.levelno > logging.DEBUG:
            kept.append(arg)
        elif isinstance(arg, str) and _endpoint_like(arg):
            kept.append(arg)
        elif hasattr(arg, "update_id") and isinstance(arg.update_id, int):
            kept.append(f"<update {arg.update_id}: {WITHHELD}>")
        else:
            kept.append(f"<{type(arg).__name__}: {WITHHELD}>")
    record.args = tuple(kept)


def _endpoint_like(value: str) -> bool:
    """A Bot API method name or a short identifier: safe to keep."""
    return len(value) <= 40 and value.replace("_", "").isalnum()


def _clean(record: logging.LogRecord) -> logging.LogRecord:
    _withhold_payloads(record)
    try:
        message = record.getMessage()
    except Exception:  # a bad format string: let the handler report it as usual
        return record
    cleaned = redact(message)
    if cleaned != message:
        record.msg, record.args = cleaned, None
    if record.exc_info and record.exc_info[1] is not None:
        # format the traceback now, redacted; formatters reuse ``exc_text``
        text = logging.Formatter().formatException(record.exc_info)
        record.exc_text = redact(text)
    if record.stack_info:
        record.stack_info = redact(record.stack_info)
    return record


def install(*secrets: str | None) -> None:
    """Redact ``secrets`` (and any Bot API token) from every log record from now on.

    Idempotent: called again, it adds secrets and keeps one wrapper.
    """
    global _installed
    with _lock:
        _secrets.update(s for s in secrets if s and len(s) >= MIN_SECRET_LENGTH)
        if _installed is not None and logging.getLogRecordFactory() is _installed:
            return
        previous = logging.getLogRecordFactory()

        def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
            return _clean(previous(*args, **kwargs))

        _installed = factory
        logging.setLogRecordFactory(factory)


class JsonFormatter(logging.Formatter):
    """One JSON object a line: ``time`` (UTC, ISO 8601), ``level``, ``logger``, ``message``,
    and ``exception`` when there is one — nothing else from the record."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": self.formatTime(record),
            "level": record.levelname,
            "logger": record.name,
            "message": redact(record.getMessage()),
        }
        if record.exc_info and record.exc_info[1] is not None:
            if not record.exc_text:
                record.exc_text = self.formatException(record.exc_info)
            entry["exception"] = redact(record.exc_text)
        if record.stack_info:
            entry["stack"] = redact(record.stack_info)
        return json.dumps(entry, ensure_ascii=False)

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:
        stamp = datetime.fromtimestamp(record.created, tz=UTC)
        return stamp.isoformat(timespec="milliseconds").replace("+00:00", "Z")
