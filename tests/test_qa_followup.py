"""Follow-up questions ("그럼 서류는요?"), the user's language on one screen, thanks."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import select

from models.persistence import PtbChatData
from tests.conftest import SEOUL
from tests.e2e import running_bot
from tests.qa_helpers import NOW

pytestmark = pytest.mark.usefixtures("warm_vectors")  # answers independent of timing


# --- the engine -----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("question", "follow", "facet"),
    [
        ("그럼 서류는요?", ("grant", "neighbour-making"), "documents"),
        ("언제까지요?", ("grant", "alley-making"), "deadline"),
        ("얼마 받을 수 있어요?", ("grant", "youth-idea"), "amount"),
        ("거기 어디예요?", ("event", "secretary-training"), "place"),
        ("그거 몇 시에 해요?", ("event", "accounting-class"), "time"),
        ("and the documents?", ("grant", "local-lab"), "documents"),
    ],
)
def test_a_question_without_a_topic_is_about_the_last_record(demo, question, follow, facet):
    answer = demo.ask(question, NOW, follow=follow)
    assert (answer.kind, answer.id, answer.facet, answer.confident) == (*follow, facet, True)
    assert answer.reason == "follow-up"


def test_without_a_previous_record_it_is_not_guessed(demo):
    answer = demo.ask("그럼 서류는요?", NOW)
    assert not (answer.confident and answer.kind != "none")


@pytest.mark.parametrize(
    "question",
    ["그럼 골목만들기 서류는요?", "청년 사업은 언제까지예요?", "안녕하세요", "감사합니다"],
)
def test_a_question_with_its_own_topic_is_not_a_follow_up(demo, question):
    answer = demo.ask(question, NOW, follow=("grant", "neighbour-making"))
    assert answer.reason != "follow-up" and answer.id != "neighbour-making"


@pytest.mark.parametrize(
    ("question", "follow"),
    [
        ("안건은 뭐예요?", ("assembly", "hanbit1-2027")),
        ("what are the items?", ("assembly", "hanbit1-2027")),
        ("회계교육 말고 다른 교육은요?", None),  # (another record's words: not the last one)
    ],
)
def test_a_question_in_the_last_records_own_words_is_about_it(demo, question, follow):
    # the vote's items ("안건") are its own words: two votes were offered before, and the
    # chat had just been told about 한빛1동's (without the last record: no follow-up)
    last = follow or ("event", "accounting-class")
    answer = demo.ask(question, datetime(2027, 6, 1, 10, 0, tzinfo=SEOUL), follow=last)
    if follow is None:
        assert answer.reason != "follow-up", answer
    else:
        assert (answer.kind, answer.id, answer.confident, answer.reason) == (
            *follow,
            True,
            "follow-up",
        ), answer


@pytest.mark.parametrize(
    ("question", "follow"),
    [
        ("설명회 언제해요?", ("event", "village-walk")),
        ("설명회언제해요", ("grant", "neighbour-making")),
        ("교육 있어요?", ("grant", "neighbour-making")),
    ],
)
def test_another_kind_of_event_asked_is_not_a_follow_up(demo, question, follow):
    # (its kind word is all its topic: it was read as a part of the last record)
    answer = demo.ask(question, NOW, follow=follow)
    assert answer.reason != "follow-up" and answer.id != follow[1], answer
    assert answer.kind == "event"


@pytest.mark.parametrize("question", ["몇시에 모여요?", "어디서 만나요?"])
def test_meeting_at_the_last_event_is_a_follow_up(demo, question):
    answer = demo.ask(question, NOW, follow=("event", "village-walk"))
    assert (answer.kind, answer.id, answer.reason) == ("event", "village-walk", "follow-up")


def test_the_centre_named_after_a_grant_is_the_centres(demo):
    # (the grant's text speaks of the centre too: its words are no follow-up then)
    answer = demo.ask("센터 전화번호 뭐예요", NOW, follow=("grant", "neighbour-making"))
    assert answer.kind == "centre" or answer.id == "centre-location", answer


def test_after_is_it_one_of_these_a_follow_up_asks_which_again(demo):
    offered = ("neighbour-making", "local-lab", "accounting-class")
    answer = demo.ask("그럼 서류는요?", NOW, choices=offered)
    assert (answer.confident, answer.reason, answer.alternatives) == (False, "which", offered)
    assert answer.facet == "documents"
    # a question with its own topic is its own question
    answer = demo.ask("골목만들기 서류는요?", NOW, choices=offered)
    assert (answer.kind, answer.id, answer.reason) == ("grant", "alley-making", "name")


@pytest.mark.parametrize(
    ("typed", "chosen", "facet"),
    [
        ("2", "local-lab", "summary"),
        ("3번이요", "accounting-class", "summary"),
        ("첫 번째 거요", "neighbour-making", "summary"),
        ("1번 서류는요?", "neighbour-making", "documents"),
        ("세 번째 언제 해요", "accounting-class", "time"),
        ("the second one, how much?", "local-lab", "amount"),
    ],
)
def test_a_number_typed_for_a_choice_is_that_record(demo, typed, chosen, facet):
    offered = ("neighbour-making", "local-lab", "accounting-class")
    answer = demo.ask(typed, NOW, choices=offered)
    assert (answer.id, answer.facet, answer.confident, answer.reason) == (
        chosen,
        facet,
        True,
        "chosen",
    )


@pytest.mark.parametrize("typed", ["4번", "1번 골목만들기 서류", "2명이서 신청해요"])
def test_a_number_that_is_not_a_choice_is_a_question(demo, typed):
    offered = ("neighbour-making", "local-lab", "accounting-class")
    assert demo.ask(typed, NOW, choices=offered).reason != "chosen"


# --- in the bot: per chat, persisted, a few minutes -------------------------------------------
BOT_NOW = datetime(2027, 1, 25, 10, 0, tzinfo=SEOUL)  # the clock when `bot` starts


async def test_a_follow_up_in_a_chat_survives_a_restart_and_expires(runtime):
    runtime.clock.set(datetime(2027, 1, 25, 10, 0, tzinfo=SEOUL))
    async with running_bot(runtime) as first:
        chat = first.chat()
        events = await chat.send("이웃만들기 지원사업 마감 언제예요?")
        assert "2027년 2월 12일" in events[0].text
        other = first.chat(5002, "수진")  # another chat has no topic yet
        events = await other.send("그럼 서류는요?")
        assert "활동계획서" not in events[0].text
    async with runtime.sessionmaker() as session:
        rows = (await session.execute(select(PtbChatData))).scalars().all()
    saved = {row.chat_id: row.data for row in rows}
    assert saved[5001]["qa_last"]["id"] == "neighbour-making"
    runtime.clock.advance(minutes=2)
    async with running_bot(runtime, seed=False) as second:  # a restarted bot
        chat = second.chat()
        events = await chat.send("그럼 서류는요?")
        assert "이웃만들기 지원사업" in events[0].text and "활동계획서" in events[0].text
        runtime.clock.advance(minutes=30)
        events = await chat.send("언제까지요?")
        assert "2027년 2월 12일" not in events[0].text  # too late to be about it


async def test_a_japanese_question_gets_one_language_on_the_screen(bot):
    chat = bot.chat()  # a Korean interface
    events = await chat.send("明日の天気はどうですか")
    reply = events[0]
    assert reply.text.startswith("죄송") and "Sorry" not in reply.text
    assert "(안내 내용은 한국어와 영어로만 있습니다.)" in reply.text
    labels = [b["text"] for row in reply.reply_markup["inline_keyboard"] for b in row]
    assert labels and all(not label.isascii() for label in labels)  # the Korean menu
    english = bot.chat(6002, "Ann", "en")
    events = await english.send("明日の天気はどうですか")
    assert events[0].text.startswith("Sorry") and "available in Korean and English" in (
        events[0].text
    )


async def test_thanks_are_not_a_greeting(bot):
    chat = bot.chat()
    events = await chat.send("감사합니다")
    assert events[0].text.startswith("천만에요") and "안녕" not in events[0].text
    events = await chat.send("안녕하세요")
    assert events[0].text.startswith("안녕하세요")


async def test_a_follow_up_after_a_list_of_choices_offers_the_same_choices(bot):
    chat = bot.chat()
    events = await chat.send("동네 엄마들이랑 아이들 책 읽어주는 모임 만들고 싶어요")
    first = events[0]
    assert first.text.startswith("어느 것을 말씀하시는지")
    offered = [b["text"] for row in first.reply_markup["inline_keyboard"] for b in row]
    assert offered
    events = await chat.send("그럼 서류는요?")
    again = events[0]
    # one of them is meant: pick it (not "not sure … if not, ask the centre" again)
    assert again.text.startswith("어느 것을 말씀하시는지 골라 주세요. 아래에서 누르거나 번호를")
    assert "문의해 주세요" not in again.text
    assert [b["text"] for row in again.reply_markup["inline_keyboard"] for b in row] == offered
    events = await chat.send("2")  # its number
    assert events[0].text.startswith(offered[1]), events[0].text


async def test_a_card_opened_from_the_choices_is_what_the_next_question_is_about(bot):
    chat = bot.chat()
    events = await chat.send("동네 엄마들이랑 아이들 책 읽어주는 모임 만들고 싶어요")
    first = events[0].reply_markup["inline_keyboard"][0][0]["text"]
    assert first == "이웃만들기 지원사업"
    await chat.press(first)  # its card
    events = await chat.send("그럼 서류는요?")
    assert "이웃만들기 지원사업" in events[0].text and "활동계획서" in events[0].text


async def test_a_choice_typed_as_a_number_is_answered_and_followed(bot):
    chat = bot.chat()
    await chat.send("동네 엄마들이랑 아이들 책 읽어주는 모임 만들고 싶어요")
    events = await chat.send("1번이요")
    assert events[0].text.startswith("이웃만들기 지원사업")
    events = await chat.send("서류는요?")
    assert "활동계획서" in events[0].text


async def test_start_begins_afresh(bot):
    chat = bot.chat()
    events = await chat.send("이웃만들기 신청 언제까지예요?")
    assert "이웃만들기 지원사업" in events[0].text
    await chat.send("/start")
    events = await chat.send("그럼 서류는요?")
    assert "활동계획서" not in events[0].text  # not the grant answered before /start
