"""Helpers the staff end-to-end tests share: a bot through the Bot API emulator that must
end without Bot API errors, granting the staff role, and picking the last screen or the
alert out of a press's events."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from pydantic import SecretStr

from bot.core import users
from tests.e2e import TOKEN, running_bot, texts


@asynccontextmanager
async def clean_bot(
    runtime: Any, *, ballot_secret: bool = False, polling_errors: bool = True
) -> AsyncIterator[Any]:
    """The bot under test; afterwards no Bot API call may have failed and no handler may
    have raised. ``ballot_secret`` gives it a fresh secret-ballot key (assembly votes);
    ``polling_errors=False`` lets failed ``getUpdates`` calls pass (a restart)."""
    if ballot_secret:
        runtime.settings = runtime.settings.model_copy(
            update={"ballot_secret": SecretStr(secrets.token_urlsafe(32))}
        )
    async with running_bot(runtime) as under_test:
        yield under_test
        errors = under_test.emu.api_errors(TOKEN)
        if not polling_errors:
            errors = [e for e in errors if e.method != "getUpdates"]
        assert errors == []
        assert not under_test.errors


async def make_staff(bot: Any, telegram_id: int, dong: str) -> None:
    """Make ``telegram_id`` staff of ``dong``."""
    async with bot.runtime.sessionmaker() as s:
        await users.grant_role(
            s, telegram_id, "staff", dong_id=dong, actor="t", now=bot.runtime.clock.utcnow()
        )
        await s.commit()


def latest(events: list[Any]) -> Any:
    """The last message sent or edited among ``events``."""
    return [e for e in events if e.kind in ("message", "edit")][-1]


def first_answer(events: list[Any]) -> Any:
    """The first answer to a button press among ``events``."""
    return next(e for e in events if e.kind == "callback_answer")


def alert(events: list[Any]) -> str:
    """The text of the last alert (an answer with ``show_alert``) among ``events``."""
    answers = [e for e in events if e.kind == "callback_answer" and e.params.get("show_alert")]
    assert answers, texts(events)
    return answers[-1].text or ""
