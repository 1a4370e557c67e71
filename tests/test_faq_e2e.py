"""/faq end to end: topics → questions → answer card → related grant (both databases)."""

from __future__ import annotations

from bot.core.i18n import Translator
from tests.conftest import SEOUL
from tests.e2e import buttons, edit_of, message_of

KO = Translator("ko", SEOUL)


async def test_topics_questions_and_answers(bot):
    chat = bot.chat()
    events = await chat.send("/faq")
    topics = events[0]
    assert KO._("Frequently asked questions") in topics.text
    assert buttons(topics) == [
        KO._("📝 Applying for grants") + " (4)",
        KO._("💰 Spending and accounts") + " (2)",
        KO._("🗳 Council and assembly") + " (4)",
        KO._("🏢 The centre and activists") + " (3)",
        KO._("📚 Trainings and news") + " (2)",
    ]
    events = await chat.press(KO._("📝 Applying for grants"))
    questions = edit_of(events)
    assert questions.message_id == topics.message_id
    assert "공모사업 사전상담은 어떻게 받나요?" in buttons(questions)
    events = await chat.press("공모사업 사전상담은 어떻게 받나요?")
    card = message_of(events)
    assert "신청 마감 2주 전까지 마을자치센터(02-555-0141)로 전화해" in card.text
    assert buttons(card)[:2] == ["📋 이웃만들기 지원사업", "📋 골목만들기 지원사업"]
    events = await chat.press("📋 골목만들기 지원사업")
    assert message_of(events).text.startswith("골목만들기 지원사업")

    events = await chat.press(KO._("◀ Topics"))
    assert KO._("Choose a topic.") in edit_of(events).text
    events = await chat.press(KO._("💰 Spending and accounts"))
    events = await chat.press("정산은 어떻게 하나요?")
    card = message_of(events)
    assert buttons(card)[0] == "📅 공모사업 선정단체 회계교육"
    events = await chat.press("📅 공모사업 선정단체 회계교육")
    assert "2027년 3월 11일 (목) 오후 7:00 ~ 9:00" in message_of(events).text


async def test_english_and_forged(bot):
    chat = bot.chat(5301, "Tom", "en")
    events = await chat.send("/faq")
    message_id = events[0].message_id
    events = await chat.press_data(message_id, "faq:show:who-can-vote")
    card = message_of(events)
    assert card.text.startswith("Q. Who can vote in the general assembly?")
    for forged in ("faq:show:atlantis", "faq:topic:gossip"):
        events = await chat.press_data(message_id, forged)
        answer = next(e for e in events if e.kind == "callback_answer")
        assert answer.params.get("show_alert")
