"""Follow-ups: the words beside a part that name nothing (coming, thanks, counts, a verb's
forms, where one lives or works), papers named, voting on site after the assembly day, how many
may come. Written in session 29, each from a question of my own (none from a question set)."""

from __future__ import annotations

import pytest

from bot.qa.engine import _ends_in_ssang_siot
from tests.qa_helpers import NOW, assert_follows, assert_not_about

pytestmark = pytest.mark.usefixtures("warm_vectors")  # answers independent of timing

GRANT = ("grant", "neighbour-making")
YOUTH = ("grant", "youth-idea")
DAY = ("event", "general-assembly-hanbit1")
TRAINING = ("event", "secretary-training")
FESTIVAL = ("event", "village-festival-2026")


def assert_sure(engine, question: str, follow: tuple[str, str], facet: str) -> None:
    """``question``, asked right after an answer about ``follow``, is a sure answer about it,
    telling ``facet`` (by the follow-up or by its own words)."""
    answer = engine.ask(question, NOW, follow=follow)
    assert (answer.kind, answer.id, answer.facet, answer.confident) == (*follow, facet, True), (
        answer
    )


# Right after an answer about a dong's assembly day (voting on site), voting *on site* asked is
# that day's, not the dong's online vote (which any other vote question follows).
@pytest.mark.parametrize(
    "question",
    [
        "현장투표는 몇 시까지 받아요?",
        "現場投票は何時に終わりますか",
        "until what time can I vote in person?",
    ],
)
def test_voting_on_site_after_the_assembly_day_is_that_day(demo, question):
    assert_sure(demo, question, DAY, "time")


def test_online_voting_after_the_assembly_day_is_still_the_online_vote(demo):
    answer = demo.ask("온라인 투표는 언제까지예요?", NOW, follow=DAY)
    assert (answer.kind, answer.id) == ("assembly", "hanbit1-2027"), answer


# How many may come, in words of its own ("정원", "定員", "capacity"): a part of the event
# (who signs up and how many), not a thing the event does not speak of.
@pytest.mark.parametrize(
    "question",
    [
        "정원은 몇 명이에요?",
        "定員は何人ですか",
        "what's the capacity?",
        "how many seats are there?",
    ],
)
def test_how_many_may_come_is_a_part_of_the_event(demo, question):
    answer = demo.ask(question, NOW, follow=TRAINING)
    assert (answer.kind, answer.id, answer.confident) == (*TRAINING, True), answer
    assert answer.facet in ("registration", "people"), answer


# "Where is it held?", "when does it start?": an event's own doing names nothing else.
@pytest.mark.parametrize(
    ("question", "facet"), [("Where is it held?", "place"), ("What time does it start?", "time")]
)
def test_an_events_own_doing_in_english_names_nothing(demo, question, facet):
    assert_follows(demo, question, FESTIVAL, facet)


# A count of minutes or sheets ("몇분", "두장") and a verb's form ending in ㅆ ("껴있", "받았")
# are not nouns the KB never uses: the asker's own case is still asked of the record.
@pytest.mark.parametrize(
    ("question", "follow", "facet"),
    [
        ("팀에 39살 한명 껴있으면 안돼?", YOUTH, "eligibility"),
        ("서류 몇장 내요?", GRANT, "documents"),
    ],
)
def test_counts_and_verbs_are_no_unknown_thing(demo, question, follow, facet):
    assert_sure(demo, question, follow, facet)


@pytest.mark.parametrize(
    ("word", "ends"),
    [("껴있", True), ("받았", True), ("했", True), ("있", True), ("팀", False), ("사업", False),
     ("abc", False), ("", False)],
)  # fmt: skip
def test_ends_in_ssang_siot(word, ends):
    assert _ends_in_ssang_siot(word) is ends


# Guards: still not the record just answered.
@pytest.mark.parametrize(
    ("question", "follow"),
    [
        ("주민등록등본은 어디서 떼요?", DAY),
        ("여권 발급은 몇 시까지 해요?", FESTIVAL),
        ("다른 교육 정원은 몇 명이에요?", TRAINING),
    ],
)
def test_other_matters_are_still_not_the_record(demo, question, follow):
    assert_not_about(demo, question, follow)


# A paper to hand in named ("동의서", "견적서", "임대차계약서"), or handed in asked ("要交…吗",
# "what do we need to hand in?"): the documents, even beside "who" or "must"; the application
# form sent is still how one applies.
@pytest.mark.parametrize(
    ("question", "facet"),
    [
        ("동의서 꼭 내야 돼요?", "documents"),
        ("what do we need to hand in?", "documents"),
        ("一定要交复印件吗？", "documents"),
        ("신청서 어디로 내요?", "how_to_apply"),
    ],
)
def test_a_paper_named_asks_the_documents(demo, question, facet):
    assert_sure(demo, question, GRANT, facet)


def test_a_paper_named_beside_who_asks_the_documents(demo):
    # (the partner's letter of the social-problem grant: who writes it is of the papers)
    assert_sure(
        demo, "협력기관 확인서는 누가 써줘요?", ("grant", "social-problem-solving"), "documents"
    )


# Where one signs up for an event ("어디다 신청해요"), how many days before (申し込みは何日前
# まで): its registration, not its place or its date.
@pytest.mark.parametrize("question", ["참가는 어디다 신청해요?", "申し込みは何日前までですか"])
def test_where_or_how_long_before_one_signs_up_is_registration(demo, question):
    assert_sure(demo, question, FESTIVAL, "registration")


@pytest.mark.parametrize(
    ("question", "follow"),
    [
        ("재직증명서 떼려면 어디 가요?", GRANT),
        ("가족관계증명서 발급 어디서 해요", GRANT),
        ("근로계약서 안쓰고 일했는데 괜찮은건가요", GRANT),
        ("영수증 이중으로 받았는데 환불 어떻게 해요", FESTIVAL),
    ],
)
def test_papers_of_other_matters_are_not_the_record(demo, question, follow):
    assert_not_about(demo, question, follow)


VOTE = ("assembly", "hanbit1-2027")


# Words of coming, joining, announcing, "the next time", a Japanese verb's "して", "좀요": they
# name nothing, so a part asked with them is a part of the record just answered.
@pytest.mark.parametrize(
    ("question", "follow", "facet"),
    [
        ("When will the results come out?", VOTE, "result"),
        ("结果什么时候公布？", VOTE, "result"),
        ("How many people can join?", TRAINING, "registration"),
        ("下次是什么时候？", TRAINING, "time"),
        ("Do I need to sign up or can I just show up?", TRAINING, "registration"),
        ("담당자 번호 좀요", GRANT, "contact"),
        ("メールで出してもいいですか", GRANT, "how_to_apply"),
        ("How do I send in my plan?", GRANT, "how_to_apply"),
    ],
)
def test_words_of_coming_or_announcing_name_nothing(demo, question, follow, facet):
    assert_sure(demo, question, follow, facet)


# "신청하고 가야돼요?": signing up before going, of an event; a month or a day said with "may I
# hand it in then?" ("11월에 내도 돼요?", "5월 28일 밤에 내도 되죠?"): the deadline.
@pytest.mark.parametrize(
    ("question", "follow", "facet"),
    [
        ("신청하고 가야돼요?", TRAINING, "registration"),
        ("11월에 내도 돼요?", GRANT, "deadline"),
        ("3월 28일 밤에 내도 되죠?", GRANT, "deadline"),
    ],
)
def test_signing_up_first_or_a_day_to_hand_in(demo, question, follow, facet):
    assert_sure(demo, question, follow, facet)


def test_is_it_free_to_come_is_the_events_fee(demo):
    answer = demo.ask("Is it free to come?", NOW, follow=FESTIVAL)
    assert (answer.kind, answer.id, answer.confident) == (*FESTIVAL, True), answer
    assert "fee" in answer.facets, answer


@pytest.mark.parametrize(
    ("question", "follow"),
    [
        ("Where can I go to renew my passport?", GRANT),
        ("When does the passport office open?", TRAINING),
        ("여권 언제 나와요?", GRANT),
        ("When will my tax refund come?", FESTIVAL),
    ],
)
def test_coming_words_beside_another_matter_are_not_the_record(demo, question, follow):
    assert_not_about(demo, question, follow)


# Where the asker lives, works or studies, told as their case, then "may I vote?": who may
# vote, of the vote just answered ("직장", "원룸" are no things of their own; "투표돼요?" ends
# the case as "돼요?" does).
@pytest.mark.parametrize(
    "question",
    [
        "한빛1동 주민은 아닌데 거기 직장 다녀요. 투표돼요?",
        "원룸 사는데 주소는 안 옮겼어요 투표 가능해요?",
    ],
)
def test_where_one_lives_or_works_told_asks_who_may_vote(demo, question):
    assert_sure(demo, question, VOTE, "eligibility")


@pytest.mark.parametrize(
    "question", ["회사 다니는데 건강검진 받을 수 있어요?", "원룸 사는데 전세 대출 돼요?"]
)
def test_where_one_works_beside_another_matter_is_not_the_vote(demo, question):
    assert_not_about(demo, question, VOTE)


# Vietnamese words of handing in and signing up ("nộp", "những", "đăng ký"), thanks said first,
# "일반" and the asker's kind of group with who may asked, a verb ending in ㅆ ("알수있"), half
# a year ("반년") and a dialect's "will it do?" ("될랑가요"): nothing named but the part.
@pytest.mark.parametrize(
    ("question", "follow", "facet"),
    [
        ("Tôi cần nộp những giấy tờ gì?", GRANT, "documents"),
        ("아 네 감사합니다 근데 붙었는지는 언제 알수있어요?", GRANT, "result"),
        ("일반 모임은 신청 못하는거에요?", GRANT, "eligibility"),
        ("모임 만든지 반년 됐는디 될랑가요", GRANT, "eligibility"),
    ],
)
def test_fillers_and_the_askers_group_name_nothing(demo, question, follow, facet):
    assert_sure(demo, question, follow, facet)


@pytest.mark.parametrize(
    "question",
    [
        "감사합니다 근데 여권 언제 나와요?",
        "일반 쓰레기 버리는 날 언제예요?",
        "Tôi cần nộp thuế ở đâu?",
    ],
)
def test_fillers_beside_another_matter_are_not_the_record(demo, question):
    assert_not_about(demo, question, GRANT)


# A span or a count and a verb, asked, naming nothing else ("3주 다 들어야돼요?", "두시간
# 걸려요?", "하루에 다 해요?"): of the event just answered.
@pytest.mark.parametrize(
    ("question", "facet"),
    [
        ("3주 다 들어야돼요?", "summary"),
        ("두시간 걸려요?", "time"),
        ("이틀 다 와야 돼요?", "summary"),
    ],
)
def test_only_a_span_asked_is_of_the_event(demo, question, facet):
    assert_sure(demo, question, TRAINING, facet)


@pytest.mark.parametrize("question", ["3주 동안 여권 나와요?", "두시간 주차 돼요?"])
def test_a_span_beside_another_matter_is_not_the_event(demo, question):
    assert_not_about(demo, question, TRAINING)


# A case told first, then "may I?" ("…할 수 있어요?" too): what the case's own words cue
# ("떨어졌" of a result, "마감" of a deadline) is the story, and who may is asked.
@pytest.mark.parametrize(
    "question",
    [
        "작년에 떨어졌는데 올해 다시 넣을 수 있어요?",
        "지난번 마감 놓쳤는데 이번엔 신청할 수 있나요?",
    ],
)
def test_a_case_told_then_may_i_asks_who_may(demo, question):
    assert_sure(demo, question, GRANT, "eligibility")


def test_a_result_asked_after_a_case_is_still_the_result(demo):
    assert_sure(demo, "작년에 신청했는데 결과 발표는 언제 나와요?", GRANT, "result")


GROWTH = ("grant", "community-growth")


# The grant before it named as the asker's story ("…받은지 1년밖에 안됐는데", "…안
# 받았으면"), right after an answer about the grant that follows it: who may, of that one.
@pytest.mark.parametrize(
    "question",
    ["이웃만들기 받은지 얼마 안 됐는데 이것도 신청돼요?", "이웃만들기 안 받았으면 못하는거예요?"],
)
def test_the_grant_before_told_asks_who_may_of_the_one_after(demo, question):
    assert_sure(demo, question, GROWTH, "eligibility")


def test_an_address_told_in_the_case_is_not_the_place_asked(demo):
    assert_sure(demo, "한빛대 다니는데 주소는 딴데에요 투표 가능?", VOTE, "eligibility")


# Thanks first and a word of one's own plans, no part asked ("ok cam on nha, de em ban voi nhom
# da": thanks, I'll talk it over with my group): not a sure answer about the record.
@pytest.mark.parametrize(
    "question", ["ok cam on nha, de em ban voi nhom da", "감사합니다 모임 사람들이랑 얘기해볼게요"]
)
def test_thanks_and_ones_own_plans_are_no_sure_answer(demo, question):
    assert_not_about(demo, question, GRANT)


def test_thanks_then_a_part_asked_is_still_that_part(demo):
    assert_sure(demo, "감사합니다 근데 서류는 뭐 내요?", GRANT, "documents")
