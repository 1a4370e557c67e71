"""The shared handler blocks (handlers/core/blocks.py): paging clamps, forged and stale
callback data refused politely, confirm dialogs, steps, edit-in-place-or-send."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from telegram import InlineKeyboardButton
from telegram.error import BadRequest

from bot.core.i18n import Translator
from handlers.core import blocks, steps

EN = Translator("en", ZoneInfo("Asia/Seoul"))
KO = Translator("ko", ZoneInfo("Asia/Seoul"))


@dataclass
class FakeQuery:
    data: str | None
    message: Any = field(default_factory=lambda: SimpleNamespace(text_html="Q?", reply_markup=1))
    edit_error: str | None = None
    answers: list[tuple[Any, bool]] = field(default_factory=list)
    edits: list[tuple[str, Any]] = field(default_factory=list)
    markups: list[Any] = field(default_factory=list)

    async def answer(self, text: Any = None, show_alert: bool = False) -> None:
        self.answers.append((text, show_alert))

    async def edit_message_text(self, text: str, **kwargs: Any) -> None:
        if self.edit_error:
            raise BadRequest(self.edit_error)
        self.edits.append((text, kwargs.get("reply_markup")))

    async def edit_message_reply_markup(self, markup: Any) -> None:
        if self.edit_error:
            raise BadRequest(self.edit_error)
        self.markups.append(markup)


@dataclass
class FakeBot:
    sent: list[tuple[int, str, dict[str, Any]]] = field(default_factory=list)

    async def send_message(self, chat_id: int, text: str, **kwargs: Any) -> None:
        self.sent.append((chat_id, text, kwargs))


@dataclass
class FakeMessage:
    replies: list[str] = field(default_factory=list)

    async def reply_text(self, text: str) -> None:
        self.replies.append(text)


def _update(data: str | None = None, *, typed: bool = False, **query: Any) -> Any:
    return SimpleNamespace(
        callback_query=None if typed else FakeQuery(data, **query),
        effective_chat=SimpleNamespace(id=42),
        effective_message=FakeMessage(),
    )


def _context(t: Translator = EN) -> Any:
    return SimpleNamespace(t=t, bot=FakeBot())


# --- paging ---------------------------------------------------------------------------


def test_paginate_clamps_forged_pages() -> None:
    items = list(range(13))
    assert blocks.paginate(items, 0, 5).items == [0, 1, 2, 3, 4]
    last = blocks.paginate(items, 9999, 5)
    assert (last.items, last.number, last.count) == ([10, 11, 12], 2, 3)
    first = blocks.paginate(items, -7, 5)
    assert (first.number, first.has_previous, first.has_next) == (0, False, True)
    empty: blocks.Page[int] = blocks.paginate([], 3, 5)
    assert (empty.items, empty.number, empty.count) == ([], 0, 1)


def test_page_count_and_clamp() -> None:
    assert [blocks.page_count(n, 5) for n in (0, 1, 5, 6, 10, 11)] == [1, 1, 1, 2, 2, 3]
    assert blocks.clamp_page(5, 11, 5) == 2
    assert blocks.clamp_page(-1, 11, 5) == 0


def test_nav_row_only_where_there_is_somewhere_to_go() -> None:
    assert blocks.nav_row(0, 1, "x:{page}") == []
    only_next = blocks.nav_row(0, 3, "x:{page}")
    assert [(b.text, b.callback_data) for b in only_next] == [("▶", "x:1")]
    both = blocks.nav_row(1, 3, lambda n: f"y:{n}", previous="<", following=">")
    assert [(b.text, b.callback_data) for b in both] == [("<", "y:0"), (">", "y:2")]
    assert [b.callback_data for b in blocks.nav_row(2, 3, "x:{page}")] == ["x:1"]


def test_choices_mark_the_chosen_and_grid_wraps() -> None:
    buttons = blocks.choices(
        [("a", "Alpha"), ("b", "Beta"), ("c", "Gamma")], lambda v: f"pick:{v}", lambda v: v == "b"
    )
    assert [b.text for b in buttons] == ["Alpha", "✓ Beta", "Gamma"]
    assert [[b.callback_data for b in row] for row in blocks.grid(buttons)] == [
        ["pick:a", "pick:b"],
        ["pick:c"],
    ]


def test_list_keyboard_puts_items_nav_and_footer_in_order() -> None:
    items = [InlineKeyboardButton(str(i), callback_data=f"v:{i}") for i in range(3)]
    nav = blocks.nav_row(0, 2, "l:{page}")
    footer = [InlineKeyboardButton("menu", callback_data="m")]
    rows = blocks.list_keyboard(items, nav, footer).inline_keyboard
    assert [[b.callback_data for b in row] for row in rows] == [
        ["v:0"],
        ["v:1"],
        ["v:2"],
        ["l:1"],
        ["m"],
    ]
    rows = blocks.list_keyboard([], None, [footer, footer], width=2).inline_keyboard
    assert [[b.callback_data for b in row] for row in rows] == [["m"], ["m"]]


# --- callback data and refusals --------------------------------------------------------

PATTERN = re.compile(r"^thing:(\d{1,9})$")


@pytest.mark.parametrize(
    "data", ["thing:abc", "thing:1;drop", "other:1", "", None, "thing:" + "9" * 80]
)
async def test_forged_callback_data_is_refused_politely(data: str | None) -> None:
    update, context = _update(data), _context()
    assert await blocks.matched(update, context, PATTERN) is None
    ((text, alert),) = update.callback_query.answers
    assert alert is True and "no longer valid" in text


async def test_matching_callback_data_is_parsed_and_not_answered() -> None:
    update = _update("thing:12")
    found = await blocks.matched(update, _context(), PATTERN)
    assert found is not None and found.group(1) == "12"
    assert update.callback_query.answers == []


async def test_refusal_in_the_users_language_and_to_typed_messages() -> None:
    update = _update("x")
    await blocks.refuse(update, _context(KO))
    ((text, alert),) = update.callback_query.answers
    assert alert and text == KO._(
        "This button is no longer valid. Please start again from the menu."
    )
    assert text != EN._("This button is no longer valid. Please start again from the menu.")
    typed = _update(typed=True)
    await blocks.refuse(typed, _context(), "No.")
    assert typed.effective_message.replies == ["No."]
    long = _update("x")
    await blocks.refuse(long, _context(), "x" * 500)
    assert len(long.callback_query.answers[0][0]) <= blocks.ALERT_MAX


def test_stale_confirmation_stamp_is_refused() -> None:
    stamp = blocks.stamp(12, 3)
    assert len(stamp) == 8 and re.fullmatch(r"[0-9a-f]{8}", stamp)
    assert blocks.stamp_matches(stamp, 12, 3)
    assert not blocks.stamp_matches(stamp, 12, 4)  # the version moved on
    assert not blocks.stamp_matches(stamp, 13, 3)
    assert not blocks.stamp_matches("forged!!", 12, 3)
    assert blocks.stamp(1, 23) != blocks.stamp(12, 3)  # parts are separated


# --- dialogs, steps, edit in place ------------------------------------------------------


async def test_confirm_dialog_answers_and_asks_with_yes_then_no() -> None:
    update, context = _update("props:w:5"), _context()
    await blocks.ask_confirm(
        update, context, "Withdraw?", yes=("Yes", "props:wy:5"), no=("No", "props:no")
    )
    assert update.callback_query.answers == [(None, False)]
    ((chat, text, kwargs),) = context.bot.sent
    assert (chat, text) == (42, "Withdraw?")
    (row,) = kwargs["reply_markup"].inline_keyboard
    assert [(b.text, b.callback_data) for b in row] == [("Yes", "props:wy:5"), ("No", "props:no")]


async def test_declined_replaces_the_question() -> None:
    update, context = _update("props:no"), _context()
    await blocks.declined(update, context)
    assert update.callback_query.edits == [("OK, nothing was changed.", None)]
    assert context.bot.sent == []


async def test_show_edits_in_place_or_sends() -> None:
    update, context = _update("a"), _context()
    await blocks.show(update, context, "<b>x</b>", None, edit=True)
    assert update.callback_query.edits == [("<b>x</b>", None)] and context.bot.sent == []
    await blocks.show(update, context, "new", None)  # not asked to edit: a new message
    assert [s[1] for s in context.bot.sent] == ["new"]


async def test_show_sends_when_the_edit_is_refused_but_not_when_unchanged() -> None:
    old = _update("a", edit_error="Message can't be edited")
    context = _context()
    await blocks.show(old, context, "text", None, edit=True)
    assert [s[1] for s in context.bot.sent] == ["text"]
    same = _update("a", edit_error="Bad Request: message is not modified")
    context = _context()
    await blocks.show(same, context, "text", None, edit=True)
    assert context.bot.sent == []


async def test_edit_text_raises_other_errors() -> None:
    query = FakeQuery("a", edit_error="Chat not found")
    with pytest.raises(BadRequest):
        await blocks.edit_text(query, "x")  # type: ignore[arg-type]


async def test_drop_keyboard_is_quiet_when_it_cannot() -> None:
    update = _update("a", edit_error="message to edit not found")
    await blocks.drop_keyboard(update)  # no exception
    fine = _update("a")
    await blocks.drop_keyboard(fine)
    assert fine.callback_query.markups == [None]


def test_step_text_escapes_and_shows_the_current_answer() -> None:
    text = steps.step_text(EN, 3, 5, "Type a <title>", now="Old & new")
    assert text.splitlines() == ["(step 3 of 5)", "Type a &lt;title&gt;", "Now: Old &amp; new"]
    ko = steps.step_text(KO, 1, 5, "동을 고르세요", heading="새 제안")
    assert ko.splitlines()[0] == "<b>새 제안</b> (5단계 중 1단계)"
    compact = steps.step_text(EN, 2, 5, "How many?")
    assert steps.step_text(EN, 2, 5, "How many?", compact=True) == "<b>2/5</b> · How many?"
    assert compact != "<b>2/5</b> · How many?"


async def test_give_back_returns_the_text_to_its_author() -> None:
    update, context = _update(typed=True), _context()
    await steps.give_back(update, context, "my <long> text")
    assert [s[1] for s in context.bot.sent][-1] == "my <long> text"
    assert "parse_mode" not in context.bot.sent[-1][2]  # sent as typed, not as HTML


async def test_cancelled_forgets_drops_buttons_and_ends() -> None:
    from telegram.ext import ConversationHandler

    update, context = _update("x:cancel"), _context(KO)
    context.user_data = {"wizard": {"step": 2}, "other": 1}
    assert await steps.cancelled(update, context, forget="wizard") == ConversationHandler.END
    assert context.user_data == {"other": 1}
    assert update.callback_query.markups == [None]
    assert [s[1] for s in context.bot.sent] == [KO._("Cancelled. Nothing was changed.")]
    typed = _update(typed=True)
    context = _context()
    context.user_data = {}
    await steps.cancelled(typed, context, "Stopped.")
    assert [s[1] for s in context.bot.sent] == ["Stopped."]


def test_conversation_is_persistent_reenterable_and_cancellable() -> None:
    from telegram.ext import CallbackQueryHandler, CommandHandler, MessageHandler, filters

    async def step(update: Any, context: Any) -> str:
        return "b"

    async def stop(update: Any, context: Any) -> int:
        return -1

    handler = steps.conversation(
        "wizard",
        entry_points=[CommandHandler("wizard", step)],
        states={"b": [MessageHandler(filters.TEXT, step)]},
        cancel=stop,
        cancel_pattern=r"^wizard:x$",
    )
    assert (handler.name, handler.persistent, handler.allow_reentry) == ("wizard", True, True)
    command, button = handler.fallbacks
    assert isinstance(command, CommandHandler) and command.commands == frozenset({"cancel"})
    assert isinstance(button, CallbackQueryHandler) and button.callback is stop
    assert isinstance(button.pattern, re.Pattern)
    assert button.pattern.match("wizard:x") and not button.pattern.match("wizard:xy")
    plain = steps.conversation("other", [CommandHandler("o", step)], {}, stop)
    assert len(plain.fallbacks) == 1


async def test_an_empty_keyboard_is_no_keyboard() -> None:
    """An empty list screen (nothing to choose, no other page) still reaches the user:
    Telegram refuses a message whose keyboard has no buttons."""
    update, context = _update("a"), _context()
    empty = blocks.list_keyboard([], blocks.nav_row(0, 1, "x:{page}"))
    await blocks.show(update, context, "nothing", empty)
    assert context.bot.sent[-1][2]["reply_markup"] is None
    await blocks.show(update, context, "nothing", empty, edit=True)
    assert update.callback_query.edits[-1] == ("nothing", None)
