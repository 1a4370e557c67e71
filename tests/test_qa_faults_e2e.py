"""Bot API faults in the Q&A answer flow, end to end (both databases).

A resident's question is answered with one ``sendMessage`` after the update's commit
(bot/app.py: the outbox); an answer about an online vote carries "🗳 투표 열기", whose press
is answered (``answerCallbackQuery``) and replaced by the vote's card
(``editMessageText``, or a new ``sendMessage`` when the edit cannot be made); a follow-up
question ("그럼 언제까지요?") is answered from the record the chat was last told about.

Here each of those calls fails — a 429 with ``retry_after``, a 500, a 502, or the
connection dropped by the server (before or after it carried the call out: the emulator
has no such fault, :class:`DroppingEmulator` adds it over the same real HTTP) — and what
the resident ends up seeing is checked against what is stored: the day's question
counts, the unanswered-question log, and the chat's follow-up context (``qa_last``,
handlers/core/topic.py, which says the chat "was just told" about its record). Every
fault must really have been met (:func:`fired`), and no handler may raise.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from aiohttp import web
from sqlalchemy import func, select

from bot import app as bot_app
from bot.emulator import BotApiEmulator, Event
from models import UnansweredQuestion
from models.persistence import PtbChatData
from models.qa_counts import QuestionCount
from tests import e2e
from tests.e2e import TOKEN, buttons, running_bot
from tests.test_qa_assembly import DURING

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("warm_vectors")]

VOTE_QUESTION = "한빛1동 주민총회 온라인 투표 언제까지 해요?"
VOTE_ANSWER = "지금 온라인 투표를 할 수 있어요. 마감: 2027년 6월 14일 (월) 오후 6:00"
FOLLOW_UP = "그럼 언제까지요?"  # alone: not about the vote (a list of FAQ choices)
OPEN = "🗳 투표 열기"
CARD = "2027 한빛1동 주민총회 온라인 투표\n한빛1동\n투표 기간:"
VOTE_TOPIC = ("assembly", "hanbit1-2027")
GRANT_QUESTION = "이웃만들기 신청 언제까지예요?"
GRANT_TOPIC = ("grant", "neighbour-making")


class DroppingEmulator(BotApiEmulator):
    """The emulator, with one more fault: the server drops the connection of a Bot API
    call, without carrying it out (``before``) or after it did (``after``: the message is
    there, the bot never hears so)."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.drops: dict[str, list[str]] = {}
        self.dropped: list[tuple[str, str]] = []

    def drop_next(self, method: str, times: int = 1, *, when: str = "before") -> None:
        self.drops.setdefault(method.lower(), []).extend([when] * times)

    def make_app(self) -> web.Application:
        app = super().make_app()

        @web.middleware
        async def dropping(request: web.Request, handler):
            method = request.match_info.get("method", "").lower()
            queue = self.drops.get(method) if request.path.startswith("/bot") else None
            if not queue:
                return await handler(request)
            when = queue.pop(0)
            if when == "after":
                await handler(request)
            self.dropped.append((method, when))
            assert request.transport is not None
            request.transport.abort()  # no response: the client sees the connection go
            return web.Response()

        app.middlewares.append(dropping)
        return app


Inject = Callable[[DroppingEmulator, str, int], None]

FAULTS: dict[str, Inject] = {
    "429": lambda emu, method, n: emu.fail_next(TOKEN, method, n, error_code=429, retry_after=1),
    "500": lambda emu, method, n: emu.fail_next(TOKEN, method, n, error_code=500),
    "502": lambda emu, method, n: emu.fail_next(TOKEN, method, n, error_code=502),
    "dropped": lambda emu, method, n: emu.drop_next(method, n),
}


def fired(bot) -> int:
    """How many injected faults the bot has met so far (every failed call and every
    dropped connection)."""
    return len(bot.emu.api_errors(TOKEN)) + len(bot.emu.dropped)


@pytest.fixture(autouse=True)
def quick_retries_and_drops(monkeypatch):
    """The bot's pauses before sending a failed reply again a tenth as long (the same
    attempts in the same order) — a 429's too: its ``retry_after`` of 1 s is 0.1 s —
    and the emulator that can drop a connection."""
    monkeypatch.setattr(bot_app, "_SENT_AGAIN_AFTER", (0.05, 0.15))
    monkeypatch.setattr(bot_app, "_LONGEST_FLOOD_WAIT", 0.1)
    monkeypatch.setattr(e2e, "BotApiEmulator", DroppingEmulator)


@pytest.fixture
async def bot(runtime):  # Bot API errors on purpose: not clean_bot
    runtime.clock.set(DURING)  # hanbit1-2027's online vote is open
    async with running_bot(runtime) as under_test:
        yield under_test
        assert under_test.errors == []  # no handler raised, whatever Telegram did
        emu = under_test.emu
        assert not any(emu._bot(TOKEN).failures.values()), "a fault was never met"
        assert not any(emu.drops.values()), "a drop was never met"


@dataclass(frozen=True)
class Stored:
    answered: int
    unanswered: int
    logged: tuple[str, ...]
    topic: tuple[str, str] | tuple[str, ...] | None


async def stored(bot, chat) -> Stored:
    async with bot.runtime.sessionmaker() as s:
        answered, unanswered = (
            await s.execute(
                select(
                    func.coalesce(func.sum(QuestionCount.answered), 0),
                    func.coalesce(func.sum(QuestionCount.unanswered), 0),
                )
            )
        ).one()
        logged = tuple((await s.execute(select(UnansweredQuestion.text))).scalars())
        row = await s.get(PtbChatData, chat.chat_id)
    last = (row.data if row else {}).get("qa_last")
    topic: tuple[str, ...] | None = None
    if last and "choices" in last:
        topic = tuple(last["choices"])
    elif last:
        topic = (last["kind"], last["id"])
    return Stored(int(answered), int(unanswered), logged, topic)


def sent(events: list[Event]) -> list[Event]:
    return [e for e in events if e.kind == "message"]


def edited(events: list[Event]) -> list[Event]:
    return [e for e in events if e.kind == "edit"]


def toasts(events: list[Event]) -> list[Event]:
    return [e for e in events if e.kind == "callback_answer"]


# --- each call fails once: PTB's retry lands, and everything is there once -----------------


@pytest.mark.parametrize("fault", FAULTS)
async def test_every_call_of_the_vote_answer_failing_once_still_shows_everything_once(bot, fault):
    inject = FAULTS[fault]
    chat = bot.chat()

    inject(bot.emu, "sendMessage", 1)  # the answer
    events = await chat.send(VOTE_QUESTION)
    assert fired(bot) == 1
    [answer] = sent(events)
    assert VOTE_ANSWER in (answer.text or "") and buttons(answer) == [OPEN]

    inject(bot.emu, "answerCallbackQuery", 1)  # the press's toast
    events = await chat.press(OPEN)
    assert fired(bot) == 2
    assert len(toasts(events)) == 1 and sent(events) == []
    [card] = edited(events)
    assert (card.text or "").startswith(CARD)
    assert card.message and card.message["message_id"] == answer.message["message_id"]

    inject(bot.emu, "sendMessage", 1)  # the follow-up's answer
    events = await chat.send(FOLLOW_UP)
    assert fired(bot) == 3
    [again] = sent(events)
    assert VOTE_ANSWER in (again.text or "") and buttons(again) == [OPEN]

    inject(bot.emu, "editMessageText", 1)  # its press: the card
    events = await chat.press(OPEN)
    assert fired(bot) == 4
    assert sent(events) == []  # in place, not a second copy
    [card] = edited(events)
    assert (card.text or "").startswith(CARD)

    assert await stored(bot, chat) == Stored(2, 0, (), VOTE_TOPIC)


@pytest.mark.parametrize("fault", ["502", "dropped"])  # (429: the test above)
async def test_the_offered_votes_survive_a_failing_answer_and_press(bot, fault):
    """No dong said: both dongs' votes are offered ("is it one of these?"), each a button to
    its vote's card; the choices are the chat's context."""
    inject = FAULTS[fault]
    chat = bot.chat()
    inject(bot.emu, "sendMessage", 1)
    events = await chat.send("주민총회 온라인 투표 언제까지예요?")
    [offer] = sent(events)
    labels = buttons(offer)
    assert {"2027 새터동 주민총회 온라인 투표", "2027 한빛1동 주민총회 온라인 투표"} <= set(labels)
    offered = (await stored(bot, chat)).topic
    assert offered is not None and {"saeteo-2027", "hanbit1-2027"} <= set(offered)
    inject(bot.emu, "answerCallbackQuery", 1)
    inject(bot.emu, "editMessageText", 1)
    events = await chat.press("2027 새터동 주민총회 온라인 투표")
    assert fired(bot) == 3
    [card] = edited(events)
    assert (card.text or "").startswith("2027 새터동 주민총회 온라인 투표\n새터동\n투표 기간:")
    # the choices are an answer (the KB has both votes): counted once, not logged for staff
    assert await stored(bot, chat) == Stored(1, 0, (), offered)


# --- the connection dropped after Telegram carried the call out ---------------------------


async def test_an_answer_whose_connection_drops_after_it_arrived_is_stored_once(bot):
    """The bot cannot tell this from a drop before (it retries a dropped sendMessage): the
    resident may see the answer twice, but the question is asked, counted and followed
    once."""
    chat = bot.chat()
    bot.emu.drop_next("sendMessage", when="after")
    events = await chat.send(VOTE_QUESTION)
    assert bot.emu.dropped == [("sendmessage", "after")]
    answers = sent(events)
    assert answers and all(VOTE_ANSWER in (a.text or "") for a in answers)
    assert await stored(bot, chat) == Stored(1, 0, (), VOTE_TOPIC)


@pytest.mark.parametrize("method", ["answerCallbackQuery", "editMessageText"])
async def test_a_press_whose_connection_drops_after_it_arrived_shows_the_card_once(bot, method):
    chat = bot.chat()
    await chat.send(VOTE_QUESTION)
    bot.emu.drop_next(method, when="after")
    events = await chat.press(OPEN)
    assert bot.emu.dropped == [(method.lower(), "after")]
    assert len(toasts(events)) == 1 and sent(events) == []  # repeated, not shown twice
    [card] = edited(events)
    assert (card.text or "").startswith(CARD)


# --- every attempt fails -------------------------------------------------------------------


@pytest.mark.parametrize("fault", ["502", "dropped"])
async def test_an_answer_that_never_arrives_is_not_what_the_chat_talks_about(bot, fault):
    """The answer about the vote is lost (three attempts): the chat was never told about the
    vote, so its follow-up context is still the grant it was told about before, and a
    follow-up question is about that grant, not about an answer nobody saw."""
    chat = bot.chat()
    events = await chat.send(GRANT_QUESTION)
    assert "이웃만들기 지원사업" in (sent(events)[0].text or "")
    assert (await stored(bot, chat)).topic == GRANT_TOPIC
    FAULTS[fault](bot.emu, "sendMessage", 3)
    events = await chat.send(VOTE_QUESTION)
    assert fired(bot) == 3
    assert sent(events) == []  # nothing reached the resident …
    # … the question was still asked and answered (counted once), but not told
    assert await stored(bot, chat) == Stored(2, 0, (), GRANT_TOPIC)
    events = await chat.send("그럼 서류는요?")
    [reply] = sent(events)
    assert "이웃만들기 지원사업" in (reply.text or "") and "활동계획서" in (reply.text or "")
    assert OPEN not in buttons(reply)


async def test_a_follow_up_answer_that_never_arrives_leaves_the_context_as_it_was(bot):
    chat = bot.chat()
    await chat.send(VOTE_QUESTION)
    async with bot.runtime.sessionmaker() as s:
        before = (await s.get(PtbChatData, chat.chat_id)).data["qa_last"]
    bot.runtime.clock.advance(minutes=8)
    FAULTS["502"](bot.emu, "sendMessage", 3)
    events = await chat.send(FOLLOW_UP)
    assert fired(bot) == 3 and sent(events) == []
    async with bot.runtime.sessionmaker() as s:
        after = (await s.get(PtbChatData, chat.chat_id)).data["qa_last"]
    assert after == before  # told at 10:00, not at 10:08
    bot.runtime.clock.advance(minutes=3)  # ten minutes after what the chat was told
    events = await chat.send(FOLLOW_UP)
    assert VOTE_ANSWER not in (sent(events)[0].text or "")


async def test_choices_that_never_arrive_are_not_taken_for_a_number_typed_next(bot):
    chat = bot.chat()
    FAULTS["502"](bot.emu, "sendMessage", 3)
    events = await chat.send("주민총회 온라인 투표 언제까지예요?")
    assert fired(bot) == 3 and sent(events) == []
    assert (await stored(bot, chat)).topic is None
    events = await chat.send("2번이요")  # not a choice: nothing was offered
    assert "주민총회 온라인 투표" not in (sent(events)[0].text or "")


@pytest.mark.parametrize(("fault", "times"), [("429", 1), ("dropped", 1), ("502", 3)])
async def test_an_unanswered_question_is_logged_once_whatever_its_reply_met(bot, fault, times):
    chat = bot.chat()
    FAULTS[fault](bot.emu, "sendMessage", times)
    events = await chat.send("오늘 날씨 어때요?")
    assert fired(bot) == times
    if times == 1:  # the retry landed: the centre's contact, once
        [reply] = sent(events)
        assert "02-555-0140" in (reply.text or "")
    else:
        assert sent(events) == []
    assert await stored(bot, chat) == Stored(0, 1, ("오늘 날씨 어때요?",), None)


async def test_a_press_whose_toast_is_lost_still_opens_the_card(bot):
    chat = bot.chat()
    await chat.send(VOTE_QUESTION)
    FAULTS["502"](bot.emu, "answerCallbackQuery", 3)
    events = await chat.press(OPEN)
    assert fired(bot) == 3
    assert toasts(events) == []  # (Telegram stops the spinner on its own)
    [card] = edited(events)
    assert (card.text or "").startswith(CARD)


@pytest.mark.parametrize("fault", ["502", "dropped"])
async def test_a_card_that_cannot_replace_the_answer_comes_as_a_new_message(bot, fault):
    chat = bot.chat()
    events = await chat.send(VOTE_QUESTION)
    [answer] = sent(events)
    FAULTS[fault](bot.emu, "editMessageText", 3)
    events = await chat.press(OPEN)
    assert fired(bot) == 3
    assert edited(events) == []
    [card] = sent(events)
    assert (card.text or "").startswith(CARD) and buttons(card)
    # the answer is still there, as it was
    shown = bot.emu.message(TOKEN, chat.chat_id, answer.message["message_id"])
    assert shown is not None and VOTE_ANSWER in shown["text"]


@pytest.mark.parametrize("fault", ["502", "dropped"])
async def test_a_card_sent_instead_of_its_edit_is_retried_like_any_reply(bot, fault):
    """The edit fails three times, then the new message that stands in for it fails once:
    it is sent again (bot/app.py MaeulBot._instead goes through _send_one's retries), and
    the card arrives once."""
    chat = bot.chat()
    await chat.send(VOTE_QUESTION)
    FAULTS[fault](bot.emu, "editMessageText", 3)
    FAULTS[fault](bot.emu, "sendMessage", 1)
    events = await chat.press(OPEN)
    assert fired(bot) == 4
    assert edited(events) == []
    cards = [e for e in sent(events) if (e.text or "").startswith(CARD)]
    assert len(cards) == 1, "the card never came"
    assert buttons(cards[0])
