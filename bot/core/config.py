"""Configuration from the environment and an optional ``.env`` file.

Every setting has one name in the environment (``BOT_TOKEN``, ``DATABASE_URL`` …). A bad
value is reported as one line naming the variable (:class:`ConfigError`); the CLI turns
that into exit status 2 without a traceback.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

SUPPORTED_LANGUAGES: tuple[str, ...] = ("ko", "en")
TOKEN_RE = re.compile(r"^\d+:[A-Za-z0-9_-]+$")
CONSOLE_TOKEN = "1000:console"
"""The token of the local console (``maeul console``, or ``maeul run`` without a token)."""


def _secret(value: object, valid: Callable[[str], bool], expected: str) -> str | None:
    """A secret setting: unset or empty is None; otherwise its text, stripped, must be
    ``valid`` (else a ValueError says what is ``expected`` and how to make one)."""
    if value is None or value == "":
        return None
    raw = value.get_secret_value() if isinstance(value, SecretStr) else value
    if not isinstance(raw, str) or not valid(raw.strip()):
        raise ValueError(
            f"expected {expected}, e.g. from "
            "python -c 'import secrets; print(secrets.token_urlsafe(32))'"
        )
    return raw.strip()


class ConfigError(Exception):
    """A configuration value is missing or malformed; the message names the variable."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        case_sensitive=False,
    )

    bot_token: str | None = None
    telegram_base_url: str | None = None
    telegram_base_file_url: str | None = None
    database_url: str = "sqlite+aiosqlite:///maeul.db"
    default_language: str = "ko"
    timezone: str = "Asia/Seoul"
    admin_ids: Annotated[frozenset[int], NoDecode] = Field(default_factory=frozenset)
    kb_path: Path | None = None
    maeul_now: datetime | None = None
    telegram_rate_limit: bool = True
    # the Bot API's HTTP client: aiohttp (a sixth of httpx's CPU a call) or PTB's httpx
    telegram_transport: Literal["aiohttp", "httpx"] = "aiohttp"
    log_level: str = "INFO"
    max_text_length: int = 2000
    concurrent_updates: int = Field(default=64, ge=1, le=1024)  # chats handled at once
    # skip an update whose id was handled already (a webhook's redelivery); only where ids are
    # Telegram's: the console and tests restart them at 1 (bot/telegram/persistence.py)
    update_dedup: bool = False
    proposals_per_day: int = Field(default=5, ge=1)  # new agenda proposals per user per day
    ballot_secret: SecretStr | None = None  # keys of the assembly ballot box (bot.assembly)
    qa_model: Literal["e5", "none"] = "e5"  # Q&A semantic matching (bot/qa/embedding.py)
    qa_cache_dir: Path | None = None  # Q&A vector cache (default ~/.cache/maeul)
    # The reminder dispatcher (bot.dispatch): limits are `count` sends per `window` seconds.
    reminder_wake_seconds: float = Field(default=30.0, gt=0)  # JobQueue wake-up interval
    reminder_first_wake_seconds: float = Field(default=2.0, ge=0)  # first pass after start
    dispatch_rate_global: int = Field(default=25, ge=1)  # Telegram allows ~30/s in all
    # One budget per bot token (bot.core.ratebudget): replies may use TELEGRAM_RATE_GLOBAL
    # a second, reminders DISPATCH_RATE_GLOBAL of them; shared on PostgreSQL (auto).
    telegram_rate_global: int = Field(default=30, ge=1)
    rate_budget: Literal["auto", "local", "postgres"] = "auto"
    dispatch_rate_global_window: float = Field(default=1.0, gt=0)
    dispatch_rate_chat: int = Field(default=1, ge=1)  # 1 a second per chat
    dispatch_rate_chat_window: float = Field(default=1.0, gt=0)
    dispatch_rate_group: int = Field(default=20, ge=1)  # 20 a minute per group
    dispatch_rate_group_window: float = Field(default=60.0, gt=0)
    dispatch_lanes: int = Field(default=1, ge=1, le=64)  # parallel sends (= max duplicates)
    dispatch_batch: int = Field(default=50, ge=1, le=1000)  # rows claimed at a time
    dispatch_lease_seconds: float = Field(default=120.0, gt=0)  # a dead claimer's rows return
    dispatch_max_attempts: int = Field(default=5, ge=1)  # timeouts/5xx before giving up
    dispatch_backoff_seconds: float = Field(default=1.0, ge=0)  # doubled per attempt
    # maeul run --webhook (bot/telegram/webhook.py, docs/operations.md)
    webhook_url: str | None = None  # the public https URL Telegram POSTs to
    webhook_listen: str = "127.0.0.1"  # where the webhook server binds (behind nginx)
    webhook_port: int = Field(default=8080, ge=1, le=65535)
    webhook_secret: SecretStr | None = None  # X-Telegram-Bot-Api-Secret-Token; required
    log_format: Literal["text", "json"] = "text"  # json: one JSON object a line
    # Retention (bot/core/privacy.py, README "Privacy"): `maeul privacy purge`, also daily
    # by the dispatcher, deletes what is older. Days; 0 keeps it for ever.
    retention_audit_days: int = Field(default=1095, ge=0)  # staff actions, role changes: 3 years
    retention_message_log_days: int = Field(default=90, ge=0)  # sent/failed reminder rows
    retention_unanswered_days: int = Field(default=180, ge=0)  # questions without an answer
    retention_conversation_days: int = Field(default=30, ge=0)  # abandoned conversations, drafts
    # a step-by-step dialogue left unanswered this long is over: the next message is read as
    # a new one (a question, a command), not as the dialogue's answer; 0: never
    conversation_idle_minutes: int = Field(default=360, ge=0)
    # a step's question still not known to be delivered this long after its step committed
    # (the process died in between): the step ends and the person is told to try again
    unconfirmed_question_seconds: int = Field(default=30, ge=1)

    @field_validator("ballot_secret", mode="before")
    @classmethod
    def _ballot_secret(cls, value: object) -> object:
        return _secret(value, lambda raw: len(raw) >= 32, "at least 32 random characters")

    @field_validator("webhook_secret", mode="before")
    @classmethod
    def _webhook_secret(cls, value: object) -> object:
        return _secret(
            value,
            lambda raw: re.fullmatch(r"[A-Za-z0-9_-]{16,256}", raw) is not None,
            "16 to 256 characters A-Z a-z 0-9 _ -",
        )

    @field_validator("webhook_url", mode="before")
    @classmethod
    def _webhook_url(cls, value: object) -> object:
        if value is None or value == "":
            return None
        if not isinstance(value, str) or not re.match(r"^https?://[^\s/]+\S*$", value.strip()):
            raise ValueError(
                "expected the public URL Telegram posts to, e.g. https://maeul.example.org/telegram"
            )
        return value.strip()

    @field_validator("log_format", mode="before")
    @classmethod
    def _log_format(cls, value: object) -> object:
        return value.strip().lower() if isinstance(value, str) else value

    @field_validator("bot_token", mode="before")
    @classmethod
    def _token(cls, value: object) -> object:
        if value is None or value == "":
            return None
        if not isinstance(value, str) or not TOKEN_RE.match(value.strip()):
            raise ValueError("expected a Telegram bot token such as 123456:ABC-DEF")
        return value.strip()

    @field_validator("telegram_base_url", "telegram_base_file_url", mode="before")
    @classmethod
    def _url(cls, value: object) -> object:
        if value is None or value == "":
            return None
        if not isinstance(value, str) or not re.match(r"^https?://[^\s/]+", value):
            raise ValueError("expected an http(s) URL such as http://127.0.0.1:8081/bot")
        return value.strip()

    @field_validator("database_url")
    @classmethod
    def _db(cls, value: str) -> str:
        if not (
            value.startswith("sqlite+aiosqlite://") or value.startswith("postgresql+asyncpg://")
        ):
            raise ValueError(
                "expected sqlite+aiosqlite:///FILE or postgresql+asyncpg://USER@HOST/DB"
            )
        return value

    @field_validator("default_language")
    @classmethod
    def _lang(cls, value: str) -> str:
        value = value.strip().lower()
        if value not in SUPPORTED_LANGUAGES:
            raise ValueError(f"expected one of {', '.join(SUPPORTED_LANGUAGES)}")
        return value

    @field_validator("timezone")
    @classmethod
    def _tz(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError("expected an IANA time zone such as Asia/Seoul") from exc
        return value

    @field_validator("admin_ids", mode="before")
    @classmethod
    def _admins(cls, value: object) -> object:
        if value is None or value == "":
            return frozenset()
        if isinstance(value, str):
            parts = [p for p in re.split(r"[,\s]+", value.strip()) if p]
            if not all(re.fullmatch(r"-?\d+", p) for p in parts):
                raise ValueError("expected Telegram user ids separated by commas")
            return frozenset(int(p) for p in parts)
        return value

    @field_validator("maeul_now", mode="before")
    @classmethod
    def _now(cls, value: object) -> object:
        if value is None or value == "":
            return None
        if isinstance(value, str):
            try:
                return datetime.fromisoformat(value.strip())
            except ValueError as exc:
                raise ValueError(
                    "expected an ISO datetime such as 2027-02-12T19:00:00+09:00"
                ) from exc
        return value

    @field_validator("log_level")
    @classmethod
    def _level(cls, value: str) -> str:
        value = value.upper()
        if value not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
            raise ValueError("expected DEBUG, INFO, WARNING, ERROR or CRITICAL")
        return value

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def now_start(self) -> datetime | None:
        """MAEUL_NOW as an aware datetime (a naive value is read in the configured zone)."""
        if self.maeul_now is None:
            return None
        if self.maeul_now.tzinfo is None:
            return self.maeul_now.replace(tzinfo=self.tz)
        return self.maeul_now


def load_settings(**overrides: object) -> Settings:
    """Read settings; raise :class:`ConfigError` with one line naming the bad variable."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        first = exc.errors()[0]
        name = str(first["loc"][0]).upper() if first.get("loc") else "configuration"
        message = str(first.get("msg", "invalid value")).removeprefix("Value error, ")
        raise ConfigError(f"{name}: {message}") from None
