"""The shared opening of handlers (handlers.core.blocks.opened_by) and the usual /cancel of a
conversation with a draft (handlers.core.steps.forgetting)."""

from __future__ import annotations

from typing import Any

from handlers.core import blocks, steps
from tests.test_blocks import _context, _update


async def test_opened_by_calls_the_handler_with_what_was_found() -> None:
    calls: list[tuple[Any, Any, str]] = []

    async def find(update: Any, context: Any) -> str | None:
        return "draft" if update.callback_query.data == "ok" else None

    @blocks.opened_by(find, "stay")
    async def step(update: Any, context: Any, found: str) -> str:
        """A step."""
        calls.append((update, context, found))
        return "next"

    update, context = _update("ok"), _context()
    assert await step(update, context) == "next"
    assert calls == [(update, context, "draft")]
    assert (step.__name__, step.__doc__) == ("step", "A step.")


async def test_opened_by_returns_otherwise_without_calling_the_handler() -> None:
    async def find(update: Any, context: Any) -> str | None:
        await blocks.refuse(update, context)  # what find does before saying None
        return None

    async def step(update: Any, context: Any, found: str) -> str:
        raise AssertionError("not to be called")

    update = _update("forged")
    assert await blocks.opened_by(find, "stay")(step)(update, _context()) == "stay"
    assert update.callback_query.answers[-1][1] is True  # the refusal, as an alert
    assert await blocks.opened_by(find)(step)(_update("forged"), _context()) is None


async def test_forgetting_drops_the_draft_and_says_cancelled() -> None:
    update, context = _update("x:cancel"), _context()
    context.user_data = {"draft": {"title": "…"}, "other": 1}
    assert await steps.forgetting("draft")(update, context) == -1  # ConversationHandler.END
    assert context.user_data == {"other": 1}
    assert [s[1] for s in context.bot.sent] == ["Cancelled. Nothing was changed."]
    assert update.callback_query.markups == [None]  # the pressed message's buttons removed
