"""Hostile and random input, property-based: whatever a client sends, the bot neither
crashes nor stays silent.

Hypothesis draws short sessions of updates — unicode of every plane, zero-width and
right-to-left marks, 4,096-character texts, commands with garbage arguments, forged and
replayed callback data, media where text is expected, edited messages, messages in a group
the bot is in — and plays them through the emulator into the real application. Every
example is a new person (conversations start empty) on one running bot, so states pile up
the way they do in life. The properties:

* no update ends in an unhandled exception (the test's error handler sees every one);
* every private message — text, command, photo, sticker, document — gets a visible reply;
* every button press, forged or stale, is answered (the client's spinner stops).

Hypothesis is synchronous and the bot is asyncio: the bot runs in a thread of its own with
its own event loop, and each example hands its steps to that loop.
"""

from __future__ import annotations

import asyncio
import secrets
import threading
from collections.abc import Coroutine
from concurrent.futures import Future
from contextlib import AsyncExitStack
from itertools import count
from pathlib import Path
from typing import Any, TypeVar

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import SecretStr

from bot.core.clock import ManualClock
from bot.core.config import Settings
from bot.core.db import create_engine, make_sessionmaker
from bot.core.runtime import Runtime
from bot.emulator import Chat, EmulatorError, User
from tests.conftest import TEST_NOW, migrated
from tests.e2e import TOKEN, BotUnderTest, running_bot

pytestmark = pytest.mark.e2e
T = TypeVar("T")
VISIBLE = {"message", "edit", "callback_answer"}
GROUP = Chat.group(-100777, "Fuzz group")

COMMANDS = [
    "/start", "/help", "/language", "/mydong", "/cancel", "/grants", "/events", "/faq",
    "/check", "/propose", "/proposals", "/vote", "/calendar", "/checkin", "/subscribe",
    "/mydata", "/forget", "/review", "/assembly", "/newevent", "/announce", "/kbedit",
    "/unanswered", "/stats", "/staffevents", "/survey", "/nonsense",
]  # fmt: skip
ODD = [
    "\u200b", "\u200d", "\u202e", "\u2066", "\ufeff", "\u0301", "\U0001f3f3\ufe0f\u200d\U0001f308",
    "\u05d0\u05d1", "\u0627\u0644", "\ud7a3", "\u3164", "<b>", "</i>", "&amp;", "%s", "{title}",
    "{0}", "\\", "'", '"', "\n", "\t", "🏠", "１２３", "٣", "NaN", "-1", "99999999999999999999",
    "0x", "../", "\x7f", "vote_", "proposal_", "role_", "checkin_", "review_",
]  # fmt: skip
ODD_DATA = [
    "", ":", "::", "prop:ok:", "prop:ok:999999", "rev:k:-1", "vote:c:0", "vote:x", "g:p:-5",
    "ev:r:abc", "props:v:0", "lang:xx", "dong:atlantis", "blk:1:2:3", "\u202e", "a" * 64,
]  # fmt: skip

piece = st.one_of(
    st.sampled_from(ODD),
    st.text(st.characters(exclude_categories=("Cs",)), max_size=40),
    st.text("가나다라마바사아자차카타파하 0123456789", max_size=20),
)
texts = st.one_of(
    st.lists(piece, max_size=6).map("".join),
    st.builds(
        lambda c, a: f"{c} {a}", st.sampled_from(COMMANDS), st.lists(piece, max_size=3).map("".join)
    ),
    st.sampled_from(COMMANDS),
    st.sampled_from(
        ["가" * 4096, "a" * 4096, "\u200b" * 4096, "🏠" * 2048, "/start " + "x" * 4000]
    ),
)
callback_data = st.one_of(
    st.sampled_from(ODD_DATA),
    st.text(st.characters(min_codepoint=32, max_codepoint=126), max_size=64),
)
action = st.one_of(
    st.tuples(st.just("text"), texts),
    st.tuples(st.just("press"), st.integers(0, 20)),  # a real button of the last screen
    st.tuples(st.just("forge"), callback_data),
    st.tuples(st.just("replay"), st.integers(0, 20)),  # the same button pressed twice
    st.tuples(st.just("edit"), texts),
    st.tuples(st.just("photo"), st.none()),
    st.tuples(st.just("sticker"), st.none()),
    st.tuples(st.just("document"), st.binary(min_size=1, max_size=200)),
    st.tuples(st.just("group"), texts),
)
sessions = st.tuples(
    st.sampled_from(["ko", "en", "zh-hans", "vi", None, "xx"]),
    st.lists(action, min_size=1, max_size=6),
)

PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000100e221bc330000000049454e44ae426082"
)


class LiveBot:
    """The bot under test, running in a thread with its own event loop."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.stack = AsyncExitStack()
        self.bot: BotUnderTest | None = None
        self.ids = count(770_001)

    def run(self, coroutine: Coroutine[Any, Any, T], timeout: float = 120) -> T:
        future: Future[T] = asyncio.run_coroutine_threadsafe(coroutine, self.loop)
        return future.result(timeout)

    def start(self) -> None:
        self.thread.start()
        self.run(self._start())

    def stop(self) -> None:
        self.run(self.stack.aclose())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)

    async def _start(self) -> None:
        url = f"sqlite+aiosqlite:///{self.directory / 'fuzz.db'}"
        await migrated(url)
        engine = create_engine(url)
        self.stack.push_async_callback(engine.dispose)
        runtime = Runtime(
            settings=Settings(
                _env_file=None,  # type: ignore[call-arg]
                database_url=url,
                bot_token=TOKEN,
                telegram_rate_limit=False,
                admin_ids=frozenset({900}),
                ballot_secret=SecretStr(secrets.token_urlsafe(32)),
            ),
            clock=ManualClock(TEST_NOW),
            engine=engine,
            sessionmaker=make_sessionmaker(engine),
        )
        self.bot = await self.stack.enter_async_context(running_bot(runtime))
        admin = User(id=900, first_name="관리자", language_code="ko")
        self.bot.emu.add_to_group(TOKEN, admin, GROUP, admin=True)
        await self.bot.emu.wait_for_events(TOKEN, chat_id=GROUP.id, timeout=1)

    async def play(self, language: str | None, steps: list[tuple[str, Any]]) -> None:
        assert self.bot is not None
        bot, emu = self.bot, self.bot.emu
        user = User(id=next(self.ids), first_name="퍼즈", language_code=language)
        errors_before = len(bot.errors)
        pressed: dict[str, Any] | None = None
        for kind, arg in steps:
            chat_id = GROUP.id if kind == "group" else user.id
            since = emu.last_seq(TOKEN)
            expect_reply = kind in {"text", "photo", "sticker", "document"}
            query = None
            try:
                if kind in {"text", "group"}:
                    emu.send_text(TOKEN, user, arg, GROUP if kind == "group" else None)
                elif kind == "photo":
                    emu.send_photo(TOKEN, user, PNG)
                elif kind == "sticker":
                    emu.send_sticker(TOKEN, user)
                elif kind == "document":
                    emu.send_document(TOKEN, user, arg, "notes.bin")
                elif kind == "edit":
                    mine = [
                        m for m in emu.messages(TOKEN, user.id)
                        if m.get("from", {}).get("id") == user.id and "text" in m
                    ]  # fmt: skip
                    if not mine:
                        continue
                    emu.edit_text(TOKEN, user, user.id, mine[-1]["message_id"], arg + " ✎")
                else:
                    message, data = self._button(user, kind, arg, pressed)
                    if message is None:
                        continue
                    query = emu.press(TOKEN, user, user.id, message["message_id"], data,
                                      forge=True)  # fmt: skip
                    pressed = {"message": message, "data": data}
            except EmulatorError:  # Telegram would not deliver it either (empty, too long…)
                continue
            await self.settled()
            events = emu.events(TOKEN, chat_id=chat_id, since=since, kinds=VISIBLE)
            assert len(bot.errors) == errors_before, f"{kind} {arg!r}: {bot.errors[-1]!r}"
            if expect_reply:
                assert events, f"no reply to {kind} {arg!r} ({language})"
            if query is not None:
                answered = [e for e in emu.events(TOKEN, since=since)
                            if e.kind == "callback_answer"]  # fmt: skip
                assert answered, f"press {query['data']!r} was not answered"

    async def settled(self, timeout: float = 30) -> None:
        """Until the bot has processed every update and its replies are out (see
        ``tests.e2e.track_settled``): whatever it was going to say, it has said."""
        assert self.bot is not None
        settled = self.bot.emu._bot(TOKEN).settled
        assert settled is not None
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not settled():
            assert loop.time() < deadline, "the bot did not settle"
            await asyncio.sleep(0.005)
        await asyncio.sleep(0.01)  # a reply's HTTP response may still be on its way in

    def _button(
        self, user: User, kind: str, arg: Any, pressed: dict[str, Any] | None
    ) -> tuple[dict[str, Any] | None, str]:
        assert self.bot is not None
        emu = self.bot.emu
        if kind == "replay" and pressed is not None:
            return pressed["message"], pressed["data"]
        mine = [m for m in emu.messages(TOKEN, user.id) if m.get("from", {}).get("id") != user.id]
        if not mine:
            return None, ""
        message = mine[-1]
        if kind == "forge":
            return message, arg
        rows = (message.get("reply_markup") or {}).get("inline_keyboard") or []
        data = [b["callback_data"] for row in rows for b in row if "callback_data" in b]
        if not data:
            return None, ""
        return message, data[arg % len(data)]


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory):
    bot = LiveBot(tmp_path_factory.mktemp("fuzz"))
    bot.start()
    try:
        yield bot
    finally:
        bot.stop()


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    derandomize=True,  # the same examples every run: a failure reproduces
)
@given(session=sessions)
def test_random_sessions_never_crash_and_are_always_answered(live: LiveBot, session) -> None:
    language, steps = session
    live.run(live.play(language, steps))
