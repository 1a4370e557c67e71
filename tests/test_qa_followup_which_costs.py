"""Follow-ups: what "is there …?" or "which …?" asks, "will this do too?" in other languages,
a household cost asked of a grant, the way of applying, the programme itself. Written in
session 28 (as tests/test_qa_session28.py), each from a question of my own (none from a
question set)."""

from __future__ import annotations

import pytest

from tests.qa_helpers import NOW, assert_follows, assert_not_about

pytestmark = pytest.mark.usefixtures("warm_vectors")  # answers independent of timing

GRANT = ("grant", "neighbour-making")
SPACE = ("grant", "village-space")
FESTIVAL = ("event", "village-festival-2026")


# "Which team?", "어느 층?", "số nào?", "is there a form?": right after an answer these ask one
# part of that record, not for a list of records.
@pytest.mark.parametrize(
    ("question", "follow", "facet"),
    [
        ("which team handles this? what's the phone number?", GRANT, "contact"),
        ("담당 어느 팀이에요?", GRANT, "contact"),
        ("Ai phụ trách vậy, số điện thoại nào?", GRANT, "contact"),
        ("which floor is it on?", FESTIVAL, "place"),
        ("có mẫu đơn không?", GRANT, "documents"),
    ],
)
def test_which_or_is_there_of_one_part_after_an_answer_is_that_part(demo, question, follow, facet):
    assert_follows(demo, question, follow, facet)


@pytest.mark.parametrize(
    "question",
    ["다른 행사 있어요?", "뭐 있어요?", "교육 있어요?", "Are there any other events?",
     "어떤 행사들 있어요?"],
)  # fmt: skip
def test_a_list_asked_after_an_answer_is_still_a_list(demo, question):
    assert_not_about(demo, question, FESTIVAL)


# "Will this do too?" in the other languages residents write: who may, of the grant just told.
@pytest.mark.parametrize(
    "question",
    ["学生だけのチームでも大丈夫ですか？", "người nước ngoài cũng được không?",
     "高校生のグループでもいいですか"],
)  # fmt: skip
def test_will_this_do_too_in_other_languages_asks_who_may(demo, question):
    assert_follows(demo, question, GRANT, "eligibility")


# Rent, upkeep, power asked of a grant just told ("월세도 지원돼요?"): what that grant pays for
# (its card), not another office's service.
@pytest.mark.parametrize(
    "question",
    ["월세도 지원돼요?", "공간 월세도 이걸로 낼 수 있어요?", "관리비도 되나요?", "家賃にも使えますか？",
     "can we use it to pay the rent?", "房租也可以用这个付吗？", "tiền thuê nhà có được không?",
     "전기세도 여기서 쓸 수 있나요?"],
)  # fmt: skip
def test_a_household_cost_asked_of_a_grant_is_what_the_grant_pays_for(demo, question):
    assert_follows(demo, question, SPACE, "summary")


@pytest.mark.parametrize(
    "question",
    # the national youth rent support by name; a rent asked with no grant just told
    ["청년 월세 지원도 돼요?", "청년월세 신청 어디서 해요?"],
)
def test_a_rent_service_by_name_stays_another_offices(demo, question):
    answer = demo.ask(question, NOW, follow=SPACE)
    assert (answer.kind, answer.reason) == ("none", "service"), answer


def test_a_rent_asked_alone_stays_another_offices(demo):
    answer = demo.ask("월세도 지원돼요?", NOW)
    assert (answer.kind, answer.reason) == ("none", "service"), answer


# The way of applying (online, by e-mail, in person) names no other record.
@pytest.mark.parametrize(
    "question",
    [
        "How do I apply? online?",
        "面试是线上还是线下？",
        "申请是线上吗？",
        "신청 이메일로 해도 돼요?",
    ],
)
def test_the_way_of_applying_asked_after_a_grant_is_how_to_apply(demo, question):
    assert_follows(demo, question, GRANT, "how_to_apply")


def test_an_online_vote_asked_after_a_grant_is_not_that_grant(demo):
    assert_not_about(demo, "온라인 투표는 언제 해요?", GRANT)


# "This programme", "briefly": words that point at the record just told.
@pytest.mark.parametrize(
    "question",
    [
        "これ何をする事業ですか？簡単に",
        "이 사업 간단히 뭐예요?",
        "what is this programme about, briefly?",
    ],
)
def test_the_programme_itself_asked_after_an_answer_is_its_card(demo, question):
    assert_follows(demo, question, GRANT, "summary")


ACCOUNTING = ("event", "accounting-class")


# The asker's own case, told in more ways: an apostrophe dropped ("we re"), a time past
# ("1년 좀 넘었는데"), "may someone like that join too?" ("…사람도 낄 수 있어요?"), a parent's
# age and their group ("울 아부지 67세 친구분들이랑 노래모임 하시는데"), "我是…，可以参加吗？".
@pytest.mark.parametrize(
    ("question", "follow", "facet"),
    [
        ("We're a Korean family, no foreigners. Can we join?", FESTIVAL, "audience"),
        ("작년에 만든 모임이라 이제 1년 좀 넘었는데 괜찮나요", GRANT, "eligibility"),
        ("이사온지 얼마 안된 사람도 낄 수 있어요?", GRANT, "eligibility"),
        ("울 아부지 70세 친구분들이랑 등산모임 하시는데 이거 해당되나", GRANT, "eligibility"),
        ("우리 엄마 80세인데 가도 되나요", FESTIVAL, "audience"),
        ("我是越南留学生，可以参加吗？", GRANT, "eligibility"),
        ("我爸爸70岁，住在这里，他们的登山队能申请吗", GRANT, "eligibility"),
    ],
)
def test_more_ways_of_telling_ones_own_case(demo, question, follow, facet):
    assert_follows(demo, question, follow, facet)


@pytest.mark.parametrize(
    "question",
    # an age asked as a list of grants, after an answer, is still a list
    ["70세 이상 받을 수 있는 사업 뭐 있어요?", "65세 넘어도 되는 사업 전부 알려줘"],
)
def test_an_age_in_a_list_asked_after_an_answer_is_still_a_list(demo, question):
    assert_not_about(demo, question, GRANT)


# "What if I miss it / can't come?" right after an answer about an event: that event's card
# (what it says of attending), in the languages residents write.
@pytest.mark.parametrize(
    "question",
    ["빠지면 어떻게 돼요?", "그날 야근인데 못 가면 어케돼요", "못 오면 나중에 따로 들을 수 있어요?",
     "what if I can't make it?", "What happens if I miss it?", "如果去不了怎么办？",
     "参加できない場合はどうなりますか", "nếu không đến được thì sao?"],
)  # fmt: skip
def test_missing_an_event_asked_after_it_is_its_card(demo, question):
    assert_follows(demo, question, ACCOUNTING, "summary")


@pytest.mark.parametrize(
    "question",
    # another thing asked beside missing it: another date, a doctor
    ["못 가면 다른 날 있어요?", "아파서 못 가면 병원 어디로 가요?"],
)
def test_missing_it_beside_another_thing_is_not_its_card(demo, question):
    answer = demo.ask(question, NOW, follow=ACCOUNTING)
    assert not (answer.id == ACCOUNTING[1] and answer.facet == "summary" and answer.confident)


def test_missing_it_asked_alone_is_not_any_event(demo):
    answer = demo.ask("빠지면 어떻게 돼요?", NOW)
    assert not (answer.kind == "event" and answer.confident), answer


# Food at an event ("간식 나와요?", "is lunch provided?"), asked right after an answer about
# it: its card (what it says of the day), not a FAQ entry on what a grant may pay for.
@pytest.mark.parametrize(
    "question",
    ["점심 줘요?", "간식 나와요?", "is lunch provided?", "will there be snacks?", "管饭吗？",
     "お弁当は出ますか", "có đồ ăn không?"],
)  # fmt: skip
def test_food_at_an_event_asked_after_it_is_its_card(demo, question):
    assert_follows(demo, question, ACCOUNTING, "summary")


def test_food_asked_alone_is_not_an_event(demo):
    answer = demo.ask("간식 나와요?", NOW)
    assert not (answer.kind == "event" and answer.confident), answer


# More parts' cues: how often it is held (time), a dialect's verb ending,
# a share in per cent (amount), a presentation review (how to apply) in Japanese.
@pytest.mark.parametrize(
    ("question", "follow", "facet"),
    [
        ("Is it every week or only once?", ACCOUNTING, "time"),
        ("매주 하는 거예요?", ACCOUNTING, "time"),
        ("현장에 못가면요?", ACCOUNTING, "summary"),
        ("신청 안하고 가도 되능가", ACCOUNTING, "registration"),
        ("tu bo bao nhieu phan tram vay", GRANT, "amount"),
        ("発表審査はありますか", GRANT, "how_to_apply"),
    ],
)
def test_more_cues_of_a_part(demo, question, follow, facet):
    assert_follows(demo, question, follow, facet)


# What the card is shown for ("월세도 지원돼요?", "간식 나와요?", "빠지면 어떻게 돼요?") and
# does not say: the bot says the notice is silent on it and whom to ask, as it does of a fee.
def _said(engine, question, follow, lang="ko"):
    from bot.core.i18n import Translator
    from bot.qa.render import render

    answer = engine.ask(question, NOW, follow=follow)
    return render(engine, answer, Translator(lang, NOW.tzinfo), NOW)


def test_a_running_cost_the_notice_is_silent_on_is_said_so(demo):
    text = _said(demo, "월세도 지원돼요?", SPACE)
    grant = demo.grants[SPACE[1]]
    assert grant.summary.ko in text, text  # the card
    assert "임대료나 관리비 같은 운영비를 지원하는지는" in text and "02-555-0141" in text, text
    english = _said(demo, "can we use it to pay the rent?", SPACE, "en")
    assert "does not say whether it pays for rent" in english, english


def test_a_running_cost_the_notice_speaks_of_is_the_card_alone(demo, monkeypatch):
    grant = demo.grants[SPACE[1]]
    told = grant.model_copy(
        update={
            "summary": grant.summary.model_copy(update={"ko": "공간 임차료 일부를 지원합니다."})
        }
    )
    monkeypatch.setitem(demo.grants, SPACE[1], told)
    text = _said(demo, "월세도 지원돼요?", SPACE)
    assert "공간 임차료 일부를 지원합니다." in text and "운영비를 지원하는지는" not in text, text


def test_food_the_notice_is_silent_on_is_said_so(demo):
    text = _said(demo, "간식 나와요?", ACCOUNTING)
    assert demo.events[ACCOUNTING[1]].place.ko in text, text
    assert "식사나 간식이 나오는지는" in text and "02-555-0140" in text, text


def test_missing_it_when_the_notice_speaks_of_attending_is_the_card_alone(demo):
    # (the accounting class says one member of each group must attend)
    text = _said(demo, "빠지면 어떻게 돼요?", ACCOUNTING)
    assert "꼭 참석해야" in text and "나와 있지 않아요" not in text, text


def test_missing_it_when_the_notice_is_silent_is_said_so(demo):
    text = _said(demo, "빠지면 어떻게 돼요?", ("event", "secretary-training"))
    assert "빠지면 어떻게 되는지는" in text, text
    english = _said(demo, "what if I can't make it?", ("event", "secretary-training"), "en")
    assert "does not say what happens if you miss it" in english, english


# "What comes next?" after applying or a stage passed: how one applies (its steps), of the
# grant just told.
@pytest.mark.parametrize(
    "question",
    ["서류 통과하면 그 다음엔 뭐 해요?", "what happens next after we apply?", "신청하고 나면 다음 절차는요?",
     "what is the next step after we hand it in?"],
)  # fmt: skip
def test_the_next_step_after_a_grant_is_how_to_apply(demo, question):
    assert_follows(demo, question, GRANT, "how_to_apply")


# The engine's own best guess, not sure, is the record just answered: the chat's topic and the
# question's words agree, so that record, surely ("동네 산책 모임 처음 해보는데 받을 수 있을까요"
# after the neighbour grant, whose card speaks of walking groups).
def test_a_guess_that_is_the_record_just_answered_is_sure(demo):
    question = "동네 산책 모임 처음 해보는데 받을 수 있을까요"
    assert not demo.ask(question, NOW).confident  # (asked alone: not sure)
    assert_follows(demo, question, GRANT, "eligibility")


@pytest.mark.parametrize(
    ("question", "follow"),
    [
        # a thing the KB never speaks of, another office's service
        ("셋째 낳으면 출산장려금 얼마 줘요?", GRANT),
        ("근데 우리 골목 가로등 고장 난 건 어디 신고해요", ("grant", "alley-making")),
    ],
)
def test_a_guess_beside_a_thing_of_its_own_stays_as_it_was(demo, question, follow):
    assert_not_about(demo, question, follow)


# Not sure, right after an answer about a record, of a question that turns nowhere else: the
# record is the first choice offered ("is it one of these?"), one tap away.
def test_not_sure_after_an_answer_offers_that_record_first(demo):
    from bot.qa.render import offered

    question = "모임 회의록 써야 돼요?"
    alone = demo.ask(question, NOW)
    assert not alone.confident and GRANT[1] not in offered(alone)
    answer = demo.ask(question, NOW, follow=GRANT)
    assert not answer.confident and offered(answer)[0] == GRANT[1], answer
    text = _said(demo, question, GRANT)
    assert "1. " + demo.grants[GRANT[1]].name.ko in text, text


def test_not_sure_turning_to_another_thing_does_not_offer_the_last_record(demo):
    from bot.qa.render import offered

    answer = demo.ask("다른 행사 뭐 있어요?", NOW, follow=GRANT)
    assert GRANT[1] not in offered(answer), answer
    # (another record named in words the record does not use: found in the console)
    answer = demo.ask("accounting class when?", NOW, follow=SPACE)
    assert offered(answer)[:1] != (SPACE[1],), answer


# A number typed alone with no list or choices shown ("1번", "2번이요", "the first one"): no
# record is guessed from it (not the event held at exit 2, not the workshop of 한빛1동); the bot
# says there is nothing to pick from. Right after an answer about one record, "1번" is that one.
@pytest.mark.parametrize("question", ["1번", "2번이요", "두번째", "the first one", "3"])
def test_a_number_alone_with_no_list_names_no_record(demo, question):
    answer = demo.ask(question, NOW)
    assert (answer.kind, answer.reason, answer.confident) == ("none", "no_list", True), answer
    text = _said(demo, question, None)
    assert "번호로 고를 목록이 없어요" in text, text


def test_the_first_one_right_after_one_record_is_that_record(demo):
    answer = demo.ask("1번", NOW, follow=GRANT)
    assert (answer.kind, answer.id, answer.confident) == (*GRANT, True), answer
    answer = demo.ask("2번", NOW, follow=GRANT)
    assert (answer.kind, answer.reason) == ("none", "no_list"), answer


def test_a_number_with_a_question_or_choices_is_as_before(demo):
    # (with choices offered, the engine picks the line; with words after it, a follow-up)
    answer = demo.ask("2번", NOW, choices=("neighbour-making", "community-growth"))
    assert (answer.kind, answer.id) == ("grant", "community-growth"), answer
    answer = demo.ask("2번 출구 앞에서 모이는 거 언제예요?", NOW)
    assert answer.reason != "no_list", answer
