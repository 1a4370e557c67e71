"""Session 28's fixes of the Q&A engine, each from a question of my own (none from a question
set): what a follow-up asks with "is there …?" or "which …?", "will this do too?" in other
languages, a household cost asked of a grant, the way of applying, the programme itself."""

from __future__ import annotations

import pytest

from tests.qa_helpers import NOW
from tests.test_qa_session26 import assert_follows

pytestmark = pytest.mark.usefixtures("warm_vectors")  # answers independent of timing

GRANT = ("grant", "neighbour-making")
SPACE = ("grant", "village-space")
FESTIVAL = ("event", "village-festival-2026")


def assert_not_about(engine, question: str, follow: tuple[str, str]) -> None:
    answer = engine.ask(question, NOW, follow=follow)
    assert not (answer.kind, answer.id, answer.confident) == (*follow, True), answer


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
