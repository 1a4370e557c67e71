"""Follow-ups about handing in: the application in a language, presenting it to the panel, a
paper named that the KB never names. Written in session 30, each from a question of my own
(none from a question set)."""

from __future__ import annotations

import pytest

from bot.qa.criteria import find_amount
from bot.qa.facets import detect_facets
from tests.qa_helpers import NOW, assert_follows, assert_not_about

pytestmark = pytest.mark.usefixtures("warm_vectors")  # answers independent of timing

GRANT = ("grant", "neighbour-making")
TRAINING = ("event", "secretary-training")


# The application in a language, asked right after a grant: how one applies (the grant's
# how-to says in what and where), not the list of documents nor who may.
@pytest.mark.parametrize(
    "question",
    [
        "계획서를 영어로 써도 되나요?",
        "중국어 신청 양식도 있어요?",
        "Is the application available in Vietnamese?",
        "Could I write it in Russian?",
        "申请书能用英文填吗？",
        "有越南文的表格吗",
        "đơn có bản tiếng Anh không?",
        "viet don bang tieng Trung duoc khong",
        "申込書は中国語でも書けますか",
    ],
)
def test_the_application_in_a_language_is_how_to_apply(demo, question):
    assert_follows(demo, question, GRANT, "how_to_apply")


# Presenting the plan to the panel (a step of applying), in each language
@pytest.mark.parametrize(
    "question",
    [
        "발표 준비는 뭘 해야 돼요?",
        "심사 때 발표하러 가야 하나요?",
        "Do we have to give a presentation?",
        "プレゼンはありますか",
        "có phải thuyết trình không?",
    ],
)
def test_presenting_to_the_panel_is_how_to_apply(demo, question):
    assert_follows(demo, question, GRANT, "how_to_apply")
    # (and only that: going to present is no result announced, "발표하러" as "발표해야")
    assert "result" not in demo.ask(question, NOW, follow=GRANT).facets


# …but 발표 said of the results is still the result
@pytest.mark.parametrize("question", ["발표 언제 나요?", "결과 발표는 언제예요"])
def test_the_results_announced_stay_the_result(demo, question):
    assert_follows(demo, question, GRANT, "result")


# A language said of an event's own doing asks no application ("is it held in English?")
@pytest.mark.parametrize("question", ["영어로 진행해요?", "Is the class in English?"])
def test_a_language_without_a_form_is_no_application(question):
    assert "how_to_apply" not in detect_facets(question).facets


# A paper the KB never names, asked whether it goes in: the grant's list of documents says
@pytest.mark.parametrize(
    "question",
    ["수료증도 내야 해요?", "재직증명서 있어야 돼요?", "견적은 몇 군데 받아요?"],
)
def test_a_paper_named_asks_the_documents(demo, question):
    assert_follows(demo, question, GRANT, "documents")


# Another office's paper or a language school is still no part of the grant
@pytest.mark.parametrize(
    "question",
    [
        "주민등록등본 어디서 떼요?",
        "여권 발급 신청서는 어디서 받아요?",
        "운전면허증 갱신은 어디서 해요?",
        "영어 학원 어디가 좋아요?",
    ],
)
def test_another_offices_paper_is_not_the_grant(demo, question):
    assert_not_about(demo, question, GRANT)


# …it asks the event's card (the language it is held in)
@pytest.mark.parametrize("question", ["영어로 진행해요?", "Is it in English?", "用中文讲吗？"])
def test_the_language_an_event_is_held_in_is_its_card(demo, question):
    assert_follows(demo, question, TRAINING, "summary")


# How many of us, said in words, and "will that do?": who may (the grant's rule of members)
@pytest.mark.parametrize(
    "question",
    [
        "둘이서 해도 돼요?",
        "넷이면 충분해요?",
        "3명이면 충분해요?",
        "我们五个人够吗？",
        "is four of us enough?",
        "우리 이모랑 사촌이랑 셋이 하면 되나요?",
    ],
)
def test_how_many_of_us_will_do_is_who_may(demo, question):
    assert_follows(demo, question, GRANT, "eligibility")


# 만 before an age says full years ("초5 만11살"), no sum of ten thousand won: who may, of
# the grant just told, not a list of grants by amount
def test_full_years_of_age_are_no_sum(demo):
    assert find_amount("큰애가 초4 만10살인데 걔도 되나요") is None
    assert find_amount("5 만원 받을 수 있어요?") is not None
    assert_follows(demo, "작은애가 초3 만9세인데 얘도 할 수 있어요?", GRANT, "eligibility")


# Held on another day too, and for how long, right after an event: its time
@pytest.mark.parametrize(
    "question",
    [
        "토요일에도 해요?",
        "주말에도 열려요?",
        "Do you do it on Sundays too?",
        "周六也有吗？",
        "몇 시간 동안 해요?",
        "how long does it last?",
    ],
)
def test_another_day_or_how_long_is_the_events_time(demo, question):
    assert_follows(demo, question, TRAINING, "time")


# A sum checked right after a grant: that grant's sum, not the grants that give it
@pytest.mark.parametrize(
    "question",
    [
        "최대 300만원 맞죠?",
        "200만원까지 받을 수 있는 거 맞아요?",
        "Is 500k the max?",
        "is 2 million the most we can get?",
    ],
)
def test_a_sum_checked_after_a_grant_is_its_amount(demo, question):
    assert_follows(demo, question, GRANT, "amount")


# …but a list asked with a sum is still the list, and the sum asked alone still filters
def test_a_sum_with_a_list_asked_is_still_a_list(demo):
    after = demo.ask("300만원 주는 다른 사업 있어요?", NOW, follow=GRANT)
    alone = demo.ask("최대 300만원 맞죠?", NOW)
    assert after.is_filter and alone.is_filter, (after, alone)


WALK = ("event", "village-walk")
YOUTH = ("grant", "youth-idea")


# Plain follow-ups a resident types after an answer, each a part of the record just told
@pytest.mark.parametrize(
    ("question", "follow", "facet"),
    [
        ("팀 최소 몇 명?", YOUTH, "eligibility"),  # (최소, 최대 name nothing)
        ("오늘 내도 되나", YOUTH, "deadline"),  # a day said and "may I hand it in then?"
        ("이번 주에 제출해도 돼요?", YOUTH, "deadline"),
        ("담당 주무관님 성함이요", YOUTH, "contact"),
        ("신청서 양식 어디서 받아요", YOUTH, "how_to_apply"),  # where the form is had
        ("where do I get the form?", YOUTH, "how_to_apply"),
        ("우편 접수도 돼요?", YOUTH, "how_to_apply"),
        ("can a foreigner be on the team?", YOUTH, "eligibility"),
        ("when do we find out?", YOUTH, "result"),
        ("留学生可以吗？", YOUTH, "eligibility"),
        ("어디서 출발해요", WALK, "place"),  # setting off, gathering
        ("在哪里集合？", WALK, "place"),
        ("신청해야 돼요 아님 그냥 가면 돼요", WALK, "registration"),
        ("폰으로 하는 거죠?", ("assembly", "hanbit1-2027"), "how_to_apply"),
    ],
)
def test_plain_follow_ups_are_parts_of_the_record(demo, question, follow, facet):
    assert_follows(demo, question, follow, facet)


# …and the same words of another office's matter, asked after an answer, are not
@pytest.mark.parametrize(
    "question",
    ["공영주차장 정기권은 어디서 사요?", "孩子上小学去哪里报名？", "工资拖欠了去哪里投诉？"],
)
def test_another_offices_matter_in_the_same_words_is_not_the_record(demo, question):
    assert_not_about(demo, question, WALK)


SPACE = ("grant", "village-space")
SESSION = ("event", "grant-info-session")


# The way there, copies and "at most" name nothing beside the part asked
@pytest.mark.parametrize(
    ("question", "follow", "facet"),
    [
        ("지하철역에서 가까워요?", SESSION, "place"),
        ("is it near the station?", SESSION, "place"),
        ("要交几份材料？", SPACE, "documents"),
        ("How much can we get at most?", SPACE, "amount"),
    ],
)
def test_the_way_there_copies_and_at_most_name_nothing(demo, question, follow, facet):
    assert_follows(demo, question, follow, facet)


# …while a region (지역, not a station) or another office's paper still names something
@pytest.mark.parametrize("question", ["다른 지역 사업도 있어요?", "营业执照怎么办？"])
def test_a_region_or_a_licence_is_not_the_grant(demo, question):
    assert_not_about(demo, question, SPACE)


# "near" said in a story of another matter is no place asked
def test_near_in_another_matter_is_not_the_events_place(demo):
    assert_not_about(demo, "I got a parking ticket near the market, how do I appeal it?", SESSION)


# The same, on a district of many foreign residents (tests/qa/sixth), in their languages
MIGRANT = ("grant", "migrant-village-activity")
EVENINGS = ("event", "consultation-evenings")


@pytest.mark.parametrize(
    ("question", "follow", "facet"),
    [
        ("Is it only on Thursdays?", EVENINGS, "time"),  # only that day, or other days
        ("只有星期四吗？", EVENINGS, "time"),
        ("목요일 말고 다른 요일은 없어요?", EVENINGS, "time"),
        ("Chỉ có thứ Năm thôi à?", EVENINGS, "time"),
        ("How long is each slot?", EVENINGS, "time"),
        ("한국 사람도 같이 해도 돼요?", MIGRANT, "eligibility"),  # someone too, together
        ("韩国人可以一起参加吗？", MIGRANT, "eligibility"),
        ("Người Hàn có tham gia cùng được không?", MIGRANT, "eligibility"),
        ("계획서를 사진으로 내도 돼요?", MIGRANT, "how_to_apply"),  # a paper in another form
        ("Can I send photos instead of a written plan?", MIGRANT, "how_to_apply"),
        ("Khi nào biết kết quả?", MIGRANT, "result"),  # (biết: to know)
    ],
)
def test_follow_ups_of_foreign_residents(engines, question, follow, facet):
    assert_follows(engines("sixth"), question, follow, facet)


# A visa's extension is the immigration office's, even where the grant's rule speaks of visas
@pytest.mark.parametrize("question", ["Gia hạn visa ở đâu?", "签证延期去哪里办？"])
def test_a_visa_extension_is_not_the_grant(engines, question):
    assert_not_about(engines("sixth"), question, MIGRANT)


# …and on the demo KB, in other words
@pytest.mark.parametrize(
    ("question", "follow", "facet"),
    [
        ("토요일만 해요?", TRAINING, "time"),
        ("is it just on weekdays?", TRAINING, "time"),
        ("외국인도 같이 참여해도 돼요?", GRANT, "eligibility"),
        ("활동계획서를 그림으로 대신해도 되나요?", GRANT, "how_to_apply"),
    ],
)
def test_only_a_day_together_and_another_form_on_the_demo(demo, question, follow, facet):
    assert_follows(demo, question, follow, facet)


VOTE = ("assembly", "hanbit1-2027")


# Right after an answer about a dong's online vote: its code, a vote changed, who may, results
@pytest.mark.parametrize(
    ("question", "facet"),
    [
        ("How do I get the voting code?", "how_to_apply"),
        ("투표 코드는 어디서 받아요?", "how_to_apply"),
        ("코드 잃어버렸어요", "how_to_apply"),
        ("잘못 찍었는데 바꿀 수 있어요?", "revote"),  # (a verb's tail left by the cue)
        ("세입자도 투표돼요?", "eligibility"),  # what the asker is
        ("몇 살부터 투표해요?", "eligibility"),
        ("Kết quả khi nào công bố?", "result"),  # (công bố: announced)
    ],
)
def test_follow_ups_of_an_online_vote(demo, question, facet):
    assert_follows(demo, question, VOTE, facet)
