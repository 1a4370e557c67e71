"""A real bot process killed with SIGKILL between the steps of /propose and of registering
for an event (the vote's: tests/test_trust_kill.py).

The emulator holds the bot's first reply to a step (``stall_next``): by then the update's
transaction has committed — replies are sent only after it — so the bot is killed while the
person has been told nothing. After a restart what is stored is checked against what they
were told, the button they still see pressed again makes no duplicate, and they can go on.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path

from bot.emulator import BotApiEmulator, User
from tests.process_helpers import killed_while_replying, stop_process
from tests.test_process import TOKEN, SlowChat, start_bot

NOW = {"MAEUL_NOW": "2027-01-20T10:00:00+09:00"}  # the secretaries' training takes registrations
TRAINING = "events:occ:secretary-training@20270209"


def _rows(tmp_path: Path, query: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(tmp_path / "maeul.db") as db:
        return list(db.execute(query).fetchall())


async def _button(chat: SlowChat, wanted) -> tuple[int, str]:
    """The newest button whose label or data ``wanted`` accepts: (message id, data) —
    waited for (the bot is a busy process)."""
    for _ in range(400):
        for message in reversed(chat.emu.messages(TOKEN, chat.chat_id)):
            for row in (message.get("reply_markup") or {}).get("inline_keyboard") or []:
                for button in row:
                    if wanted(button.get("text", ""), button.get("callback_data", "")):
                        return message["message_id"], button["callback_data"]
        await asyncio.sleep(0.1)
    raise AssertionError("no such button")


async def _said(chat: SlowChat, since: int, needle: str) -> list[str]:
    """What the chat was told since ``since``, once it includes ``needle`` (waited for)."""
    for _ in range(400):
        told = _told(chat.emu, chat, since)
        if any(needle in text for text in told):
            return told
        await asyncio.sleep(0.1)
    raise AssertionError(f"never told {needle!r}: {_told(chat.emu, chat, since)}")


async def _killed_at(
    tmp_path: Path, emu: BotApiEmulator, method: str, steps, clock: dict[str, str] = NOW
) -> int:
    """Start the bot, take ``steps`` (they return the action to kill the bot in: a message
    sent or a button pressed) and SIGKILL the bot once that action's update has committed
    and it calls ``method`` (:func:`tests.process_helpers.killed_while_replying`).
    ``clock``: the settings of its clock (``{}``: the real one)."""
    proc = await start_bot(tmp_path, emu, **clock)
    try:
        return await killed_while_replying(proc, emu, TOKEN, method, await steps())
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()


def _told(emu: BotApiEmulator, chat: SlowChat, since: int) -> list[str]:
    return [e.text or "" for e in emu.events(TOKEN) if e.seq > since and e.chat_id == chat.chat_id]


async def _draft_to_preview(chat: SlowChat) -> None:
    await chat.send("/start")
    await chat.send("/propose")
    await chat.press("Garam-dong")
    await chat.press("Culture and arts")
    await chat.send("A small gallery in the community centre")
    await chat.send("Local painters could show their work in the lobby every month.")
    await chat.press("Skip")  # no photo: the preview


TITLE = "A small gallery in the centre"


def _to_title(chat: SlowChat, title: str):
    """The steps of :func:`_killed_at` up to /propose's title, then ``title`` typed."""

    async def steps():
        await chat.send("/start")
        await chat.send("/propose")
        await chat.press("Garam-dong")
        await chat.press("Culture and arts")
        return lambda: chat.emu.send_text(TOKEN, chat.user, title)

    return steps


@contextlib.asynccontextmanager
async def _emulated(user_id: int) -> AsyncIterator[tuple[BotApiEmulator, SlowChat]]:
    async with BotApiEmulator() as emu:
        emu.register_bot(TOKEN, username="maeul_bot")
        user = User(id=user_id, first_name="Minji", language_code="en")
        yield emu, SlowChat(emu, user, token=TOKEN)


@contextlib.asynccontextmanager
async def _restarted(
    tmp_path: Path, emu: BotApiEmulator, clock: dict[str, str] = NOW, **extra: str
) -> AsyncIterator[int]:
    """The bot started again; yields the event sequence number it starts from."""
    proc = await start_bot(tmp_path, emu, **clock, **extra)
    try:
        yield emu.last_seq(TOKEN)
    finally:
        await stop_process(proc)


async def test_sigkill_between_a_proposals_commit_and_its_confirmation(tmp_path):
    async with _emulated(4646) as (emu, chat):

        async def to_submit():
            await _draft_to_preview(chat)
            ok = await _button(chat, lambda _text, data: data.startswith("prop:ok:"))
            return lambda: emu.press(TOKEN, chat.user, chat.chat_id, *ok)

        since = await _killed_at(tmp_path, emu, "answerCallbackQuery", to_submit)
        assert not any("#1" in text for text in _told(emu, chat, since))  # told nothing
        assert _rows(tmp_path, "SELECT id, status FROM proposals") == [(1, "submitted")]

        async with _restarted(tmp_path, emu) as since:
            ok = await _button(chat, lambda _text, data: data.startswith("prop:ok:"))
            await chat.press_data(*ok)  # the preview's Submit, pressed again
            await _said(chat, since, "Your newest proposal is #1")
            assert _rows(tmp_path, "SELECT id, status FROM proposals") == [(1, "submitted")]
            since = emu.last_seq(TOKEN)
            await chat.send("/propose")  # and they can go on: a new proposal
            await _said(chat, since, "Which dong")


async def test_sigkill_mid_proposal_then_the_draft_is_continued(tmp_path):
    """Killed after the title's step committed, before its next question was sent: the
    person saw nothing, so they ask again with /propose and continue the draft."""
    async with _emulated(4747) as (emu, chat):
        since = await _killed_at(tmp_path, emu, "sendMessage", _to_title(chat, TITLE))
        assert not any("Describe" in text for text in _told(emu, chat, since))
        title = [(TITLE,)]
        assert _rows(tmp_path, "SELECT title FROM proposal_drafts") == title

        async with _restarted(tmp_path, emu) as since:
            await chat.send("/propose")
            await _said(chat, since, TITLE)
            await _button(chat, lambda text, _data: text == "Continue it")
            await chat.press("Continue it")
            await _said(chat, since, "Describe")
            await chat.send("Local painters could show their work in the lobby every month.")
            await _button(chat, lambda text, _data: text == "Skip")
            await chat.press("Skip")
            ok = await _button(chat, lambda _text, data: data.startswith("prop:ok:"))
            await chat.press_data(*ok)
            await _said(chat, since, "Your proposal #1 was submitted")
            assert _rows(tmp_path, "SELECT title, status FROM proposals") == [
                (title[0][0], "submitted")
            ]


async def test_sigkill_before_a_steps_question_then_what_is_typed_is_not_its_answer(tmp_path):
    """Killed after the title's step committed, before its next question ("Describe …") was
    sent. The step must not wait for the answer to a question nobody saw: after the restart
    the person is told to try again, and the title they type again (they saw no reply) is
    not stored as the description."""
    async with _emulated(4949) as (emu, chat):
        title = TITLE

        since = await _killed_at(tmp_path, emu, "sendMessage", _to_title(chat, title))
        assert not any("Describe" in text for text in _told(emu, chat, since))
        drafts = "SELECT title, description FROM proposal_drafts"
        assert _rows(tmp_path, drafts) == [(title, None)]

        async with _restarted(tmp_path, emu, UNCONFIRMED_QUESTION_SECONDS="1") as since:
            await _said(chat, since, "my last message did not reach you")
            since = emu.last_seq(TOKEN)
            await chat.send(title)  # typed again: read anew, not as the description
            assert _rows(tmp_path, drafts) == [(title, None)]
            assert not any("photo of the place" in text for text in _told(emu, chat, since))
            await chat.send("/propose")  # the draft is kept, to continue
            await _said(chat, since, title)
            await _button(chat, lambda text, _data: text == "Continue it")


async def test_sigkill_before_a_steps_question_then_typed_again_at_once(tmp_path):
    """As above, but the person types the title again as soon as the bot is back, long
    before the sweep's 30 seconds: that message ends the step, and they are told. On the
    real clock (``MAEUL_NOW`` starts each process at the same moment again)."""
    async with _emulated(5050) as (emu, chat):
        title = TITLE

        await _killed_at(tmp_path, emu, "sendMessage", _to_title(chat, title), clock={})
        drafts = "SELECT title, description FROM proposal_drafts"
        await asyncio.sleep(2.5)  # the bot takes a moment to come back after a kill
        async with _restarted(tmp_path, emu, clock={}) as since:
            await chat.send(title)
            told = await _said(chat, since, "my last message did not reach you")
            assert not any("photo of the place" in text for text in told), told
            assert _rows(tmp_path, drafts) == [(title, None)]


async def test_sigkill_between_a_registrations_commit_and_its_reply(tmp_path):
    async with _emulated(4848) as (emu, chat):

        async def to_register():
            await chat.send("/start")
            await chat.press_data(chat.last_message_with_buttons()["message_id"], TRAINING)
            register = await _button(chat, lambda text, _data: "Register" in text)
            return lambda: emu.press(TOKEN, chat.user, chat.chat_id, *register)

        since = await _killed_at(tmp_path, emu, "answerCallbackQuery", to_register)
        assert not any("registered" in text for text in _told(emu, chat, since))
        registered = "SELECT status FROM event_registrations"
        reminders = "SELECT count(*) FROM reminders WHERE kind = 'event'"
        assert _rows(tmp_path, registered) == [("registered",)]
        [(planned,)] = _rows(tmp_path, reminders)

        async with _restarted(tmp_path, emu) as since:
            register = await _button(chat, lambda text, _data: "Register" in text)
            await chat.press_data(*register)  # the card's Register, again
            await _said(chat, since, "You are already registered.")
            assert _rows(tmp_path, registered) == [("registered",)]
            assert _rows(tmp_path, reminders) == [(planned,)]
            await _button(chat, lambda text, _data: "Cancel my registration" in text)
            await chat.press("❌ Cancel my registration")  # and they can go on
            await _button(chat, lambda text, _data: text == "Yes, cancel it")
            await chat.press("Yes, cancel it")
            await _said(chat, since, "Cancelled")
            assert _rows(tmp_path, registered) == [("cancelled",)]


if os.name != "posix":  # pragma: no cover
    test_sigkill_between_a_proposals_commit_and_its_confirmation = None  # type: ignore[assignment]
    test_sigkill_mid_proposal_then_the_draft_is_continued = None  # type: ignore[assignment]
    test_sigkill_between_a_registrations_commit_and_its_reply = None  # type: ignore[assignment]
    test_sigkill_before_a_steps_question_then_what_is_typed_is_not_its_answer = None  # type: ignore[assignment]
    test_sigkill_before_a_steps_question_then_typed_again_at_once = None  # type: ignore[assignment]
