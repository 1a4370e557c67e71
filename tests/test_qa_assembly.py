"""Questions about an assembly's online vote itself: when it is open, how many items one may
choose, what is on the ballot (questions written for these tests).

The engine tests use the demo KB with the lexical engine; the end-to-end test asks through
the emulator, where the answer follows the vote as it stands (closed early by staff).
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from bot.assembly import service as A
from bot.core.i18n import Translator
from bot.qa import render
from tests.e2e import buttons
from tests.qa_helpers import NOW, SEOUL, answers

DURING = datetime(2027, 6, 1, 10, 0, tzinfo=SEOUL)  # hanbit1-2027: 05-28 09:00 – 06-14 18:00


@pytest.mark.parametrize(
    ("question", "assembly", "facet"),
    [
        ("한빛1동 주민총회 온라인 투표 언제까지 해요?", "hanbit1-2027", "time"),
        ("새터동 온라인 투표 몇 개까지 고를 수 있어요?", "saeteo-2027", "summary"),
        ("When does online voting for the Hanbit 1-dong assembly close?", "hanbit1-2027", "time"),
        # "can I" beside "until when": the window, not who may vote
        ("Until when can I vote online for Hanbit 1-dong?", "hanbit1-2027", "time"),
        ("Can I still vote online in Hanbit 1-dong, and until when?", "hanbit1-2027", "time"),
    ],
)
def test_the_online_vote_itself_is_answered(demo, question, assembly, facet):
    # (it was the on-site assembly event, or a FAQ entry on the assembly)
    answer = answers(demo, question, kind="assembly", id=assembly, facet=facet)
    assert answer.confident


@pytest.mark.parametrize(
    ("question", "kind", "id_"),
    [
        ("주민총회 투표는 누가 할 수 있나요?", "faq", "who-can-vote"),  # voting in general
        ("한빛1동 주민총회 현장 투표 어디서 해요?", "event", "general-assembly-hanbit1"),
        (
            "When can I vote in person at the Hanbit 1-dong assembly?",
            "event",
            "general-assembly-hanbit1",
        ),
    ],
)
def test_voting_in_general_and_the_on_site_vote_stay_theirs(demo, question, kind, id_):
    answers(demo, question, kind=kind, id=id_)


def test_an_items_words_are_no_vote_asked(demo):
    # the demo's 새터동 ballot has a dog-walkers' patrol; registering a dog is no vote
    answer = demo.ask("반려견 등록 어떻게 하나요", NOW)
    assert answer.kind != "assembly"


@pytest.mark.parametrize(
    ("now", "said"),
    [
        (NOW, "온라인 투표는 아직 시작 전이에요. 기간: 2027년 5월 28일 (금) 오전 9:00 ~ "),
        (DURING, "지금 온라인 투표를 할 수 있어요. 마감: 2027년 6월 14일 (월) 오후 6:00"),
        (DURING + timedelta(days=20), "온라인 투표는 마감되었어요. 마감: 2027년 6월 14일"),
    ],
)
def test_the_vote_window_is_said_against_now(demo, now, said):
    answer = demo.ask("한빛1동 주민총회 온라인 투표 언제까지 해요?", now)
    text = render(demo, answer, Translator("ko", SEOUL), now)
    assert text.startswith("2027 한빛1동 주민총회 온라인 투표\n")
    assert said in text


@pytest.mark.parametrize(
    ("now", "said"),
    [
        (DURING, "결과는 투표가 끝나면 /vote에서 볼 수 있어요."),
        (DURING + timedelta(days=20), "결과는 /vote를 보내고 이 투표를 고르면 볼 수 있어요."),
    ],
)
def test_where_the_results_are_before_and_after_the_close(demo, now, said):
    answer = answers(
        demo, "한빛1동 주민총회 온라인 투표 결과 언제 나와요?", now, kind="assembly", facet="result"
    )
    text = render(demo, answer, Translator("ko", SEOUL), now)
    assert said in text, text
    assert "투표하려면" not in text  # (how to vote is no answer to where the results are)


def test_the_ballot_and_how_many_to_choose_in_english(demo):
    answer = demo.ask("What items are on the Saeteo-dong online ballot?", DURING)
    text = render(demo, answer, Translator("en", SEOUL), DURING)
    assert "Online voting is open now, until Mon 14 Jun 2027, 6:00 PM." in text
    assert "Choose up to 3 items." in text
    assert "1. Shared kitchen" in text
    assert "To vote, send /vote with the voting code you were given." in text


BOT_NOW = DURING


@pytest.mark.e2e
async def test_a_vote_closed_early_is_said_to_be_closed(bot):
    chat = bot.chat()
    events = await chat.send("한빛1동 주민총회 온라인 투표 언제까지 해요?")
    assert "지금 온라인 투표를 할 수 있어요. 마감: 2027년 6월 14일 (월) 오후 6:00" in events[0].text
    # its button opens the vote's own card (/vote's), where a voter goes on
    card = await chat.press("🗳 투표 열기")
    assert card[-1].text.startswith("2027 한빛1동 주민총회 온라인 투표\n한빛1동\n투표 기간:")
    now = bot.runtime.clock.now()
    async with bot.runtime.sessionmaker() as session, session.begin():
        vote = await A.get_vote(session, "hanbit1-2027", now)
        assert vote is not None
        await A.close_now(session, vote, actor="tg:1", now=now)
    # the KB still says 6월 14일: the answer follows the vote, which staff closed today
    events = await chat.send("한빛1동 주민총회 온라인 투표 아직 할 수 있어요?")
    text = events[0].text
    assert "온라인 투표는 마감되었어요. 마감: 2027년 6월 1일 (화)" in text, text
    # where its results are (the card shows them to anyone from the close), not how to vote
    assert "결과는 /vote를 보내고 이 투표를 고르면 볼 수 있어요." in text, text
    assert "투표하려면" not in text
    assert buttons(events[0]) == ["🗳 투표 열기"]  # (its card shows the results once counted)


@pytest.mark.e2e
async def test_the_votes_offered_as_choices_open_their_cards(bot):
    # no dong said, two dongs vote online: both are offered, each button its vote's card
    chat = bot.chat()
    events = await chat.send("주민총회 온라인 투표 언제까지예요?")
    labels = buttons(events[0])
    assert {"2027 새터동 주민총회 온라인 투표", "2027 한빛1동 주민총회 온라인 투표"} <= set(labels)
    card = await chat.press("2027 새터동 주민총회 온라인 투표")
    assert card[-1].text.startswith("2027 새터동 주민총회 온라인 투표\n새터동\n투표 기간:")


@pytest.mark.parametrize(
    ("question", "facet"),
    [
        ("한빛1동 투표 결과 언제 나와요?", "result"),
        ("한빛1동 주민총회 투표 고등학생 딸도 할 수 있어요?", "eligibility"),
        ("I live in Hanbit 1-dong, can my 15-year-old vote in the assembly?", "eligibility"),
    ],
)
def test_the_results_and_who_may_vote_with_the_dong_named_are_that_votes(demo, question, facet):
    # (not the on-site assembly event's, nor a list of grants for that age)
    answers(demo, question, DURING, kind="assembly", id="hanbit1-2027", facet=facet)


def test_who_may_vote_in_general_stays_the_faqs(demo):
    answers(demo, "총회 투표는 누가 할 수 있어요?", DURING, kind="faq", id="who-can-vote")


@pytest.mark.parametrize(
    "question",
    [
        "한빛1동 투표 언제 마감해요?",
        "When does voting end in Hanbit 1-dong?",
        "Bo phieu Hanbit 1-dong ket thuc luc nao?",  # Vietnamese without its marks
    ],
)
def test_when_voting_ends_is_the_online_votes_close(demo, question):
    answers(demo, question, DURING, kind="assembly", id="hanbit1-2027", facet="time")


# --- changing a vote once cast: each vote's own rule ----------------------------------------------
@pytest.mark.parametrize(
    "question",
    [
        "한빛1동 온라인 투표 잘못 눌렀는데 다시 바꿀 수 있어요?",
        "Hanbit 1-dong online vote: can I change my vote?",
        "Hanbit 1-dong 网上投票投错了能改吗？",
    ],
)
def test_changing_a_vote_is_that_votes_rule(demo, question):
    # (it was who may vote, or a FAQ entry on who may vote)
    answer = answers(demo, question, DURING, kind="assembly", id="hanbit1-2027", facet="revote")
    text = render(demo, answer, Translator("ko", SEOUL), DURING)
    assert (
        "투표가 마감되기 전까지는 바꿀 수 있어요. /vote 를 보내 다시 투표하면 마지막 투표만" in text
    )
    after = render(demo, answer, Translator("en", SEOUL), DURING + timedelta(days=20))
    assert "Voting has closed: a vote can no longer be changed." in after


@pytest.mark.e2e
async def test_a_vote_that_allows_no_change_says_so(bot):
    # staff turned re-voting off before the vote opened: the answer follows the vote
    bot.runtime.clock.set(DURING - timedelta(days=10))
    now = bot.runtime.clock.now()
    async with bot.runtime.sessionmaker() as session, session.begin():
        vote = await A.get_vote(session, "hanbit1-2027", now)
        assert vote is not None and vote.revoting
        await A.configure(session, vote, actor="tg:1", now=now, revoting=False)
    bot.runtime.clock.set(DURING)
    events = await bot.chat().send("한빛1동 온라인 투표 하고 나서 선택 변경 가능한가요?")
    text = events[0].text
    assert "이 투표는 한 번 제출하면 바꿀 수 없어요." in text, text
    assert "마지막 투표만" not in text


@pytest.mark.parametrize(
    ("question", "revote"),
    [
        ("투표 잘못 찍었어요 어떡해요", True),
        ("I changed my mind, can I vote again?", True),
        ("Tôi có thể đổi phiếu không?", True),
        ("投票を変更できますか", True),
        ("투표 기간 변경됐어요?", False),  # the window changed, not a vote
        ("이웃만들기 서류 수정해도 돼요?", False),
    ],
)
def test_changing_a_vote_is_told_from_other_changes(question, revote):
    from bot.qa.facets import detect_facets

    assert ("revote" in detect_facets(question).facets) is revote
