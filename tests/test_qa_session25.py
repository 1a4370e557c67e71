"""Session 25's general fixes of the Q&A engine, each from a question of my own (none from a
question set)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import pytest

from bot.qa import Answer, QAEngine
from bot.qa.criteria import find_criteria
from bot.qa.facets import detect_facets
from bot.qa.text import normalize
from tests.qa_helpers import NOW, SEOUL, shown_first


@pytest.mark.parametrize(
    "question",
    [
        "이웃만들기 오백 다 받을 수 있어요?",  # 500만원, 만원 left unsaid
        "골목만들기 이천 받을 수 있나요",
        "공동체성장 400 받을 수 있을까요",
    ],
)
def test_a_sum_said_in_words_or_bare_digits_asks_the_amount(question: str) -> None:
    assert detect_facets(question).primary == "amount"


def test_a_word_ending_in_a_number_syllable_is_no_sum() -> None:
    assert "amount" not in detect_facets("공백 받을 수 있나요").facets


@pytest.mark.parametrize(
    "question",
    [
        "이웃만들기 하려는데 저희는 아파트 주민 셋이에요 되나요?",  # who we are, "will it do?"
        "작년에 만든 동아리고 7명입니다. 공동체성장 하고 싶어요",  # our size told
        "공동체성장은 하고 싶은데 이웃만들기는 한 번도 안 해 봤어요",  # the step before not done
        "このグループに入れますか",  # may we join
    ],
)
def test_the_askers_own_situation_told_asks_whether_they_qualify(question: str) -> None:
    assert detect_facets(question).primary == "eligibility", detect_facets(question)


def test_a_group_size_after_another_cue_leaves_that_cue_first() -> None:
    assert detect_facets("우리 4명인데 자리 있어요?").primary == "registration"
    assert detect_facets("우리 모임 6명입니다 언제까지 내요?").primary == "deadline"


@pytest.mark.parametrize(
    ("question", "facet"),
    [
        ("이웃만들기 삼백 다 받을 수 있어요?", "amount"),
        ("이웃만들기 하려는데 저희는 아파트 주민 셋이에요 되나요?", "eligibility"),
    ],
)
def test_what_is_asked_of_a_named_grant(
    demo_with_model: QAEngine, question: str, facet: str
) -> None:
    answer = demo_with_model.ask(question, NOW)
    assert (answer.kind, answer.id, answer.facet) == ("grant", "neighbour-making", facet), answer


@pytest.mark.parametrize(
    "question",
    [
        "Which programmes make us pay a share of the costs ourselves?",
        "Which grants need us to put in our own money?",
    ],
)
def test_a_share_the_group_pays_said_in_english_words(question: str) -> None:
    assert find_criteria(normalize(question)).self_funding is True


def test_our_own_money_said_of_something_else_lists_nothing(demo_with_model: QAEngine) -> None:
    answer = demo_with_model.ask("Can we use our own money for snacks at the meeting?", NOW)
    assert not answer.is_filter, answer


def test_the_english_self_funding_question_lists_those_grants(demo_with_model: QAEngine) -> None:
    with_share = {
        grant.id for grant in demo_with_model.kb.grants if grant.amount.self_funding_percent
    }
    answer = demo_with_model.ask(
        "Which programmes make us pay a share of the costs ourselves?", NOW
    )
    assert with_share and answer.is_filter and set(answer.matches) == with_share, answer


@pytest.mark.parametrize(
    "question",
    [
        "센터 가려는데 몇 시에 열어요?",  # going there: its hours are asked
        "센터 들르려고 하는데 전화번호 알려주세요",
    ],
)
def test_going_to_the_centre_asks_of_the_centre(demo_with_model: QAEngine, question: str) -> None:
    answer = demo_with_model.ask(question, NOW)
    # the centre's card, or the KB's own entry about the centre (the demo has one)
    assert answer.kind == "centre" or (answer.confident and answer.id == "centre-location"), answer


def test_a_service_asked_before_a_grant_told_is_not_the_grant(
    demo_with_model: QAEngine, neoul: QAEngine
) -> None:
    """The move reported (전입신고) is asked; the grant is only why one moved."""
    answer = neoul.ask("전입신고는 어디 가서 해요? 섬돌봄 사업 하려고 들어왔거든요", NEOUL_NOW)
    assert not (answer.confident and answer.id == "island-mobility-care"), answer
    asked_of_it = demo_with_model.ask("이웃만들기 서류 뭐예요? 작년에 이사 왔거든요", NOW)
    assert (asked_of_it.id, asked_of_it.confident) == ("neighbour-making", True), asked_of_it


def test_every_grant_of_a_theme_asked_for_is_the_list(demo_with_model: QAEngine) -> None:
    """ "전부 알려주세요": all of the care grants, though one shares more of the words."""
    space = {grant.id for grant in demo_with_model.kb.grants if "space" in grant.categories}
    answer = demo_with_model.ask("공동체 공간 분야 사업 목록 보여줘", NOW)
    assert len(space) > 1 and answer.is_filter and set(answer.matches) == space, answer


@pytest.mark.parametrize("question", ["下午三点去中心有人吗？", "中午十二点去中心有人吗？"])
def test_a_clock_time_in_chinese_asks_the_centres_hours(
    demo_with_model: QAEngine, question: str
) -> None:
    answer = demo_with_model.ask(question, NOW)
    assert answer.kind == "centre" or (answer.confident and answer.id == "centre-location"), answer


@pytest.fixture(scope="module")
def neoul(engines: Callable[[str], QAEngine]) -> QAEngine:
    """The eighth district's KB (너울군, islands and fishing villages), with the model."""
    return engines("eighth")


NEOUL_NOW = datetime(2027, 3, 2, 10, 0, tzinfo=SEOUL)


@pytest.mark.parametrize(
    ("question", "entry"),
    [
        # Vietnamese typed without its marks: a storm, a class cancelled; volunteer hours
        ("Troi co bao thi buoi hoc co bi huy khong?", "bad-weather"),
        ("Hoc sinh di nhat rac co duoc tinh gio tinh nguyen khong?", "volunteer-hours"),
    ],
)
def test_unmarked_vietnamese_words_of_weather_and_volunteering(
    neoul: QAEngine, question: str, entry: str
) -> None:
    assert shown_first(neoul.ask(question, NEOUL_NOW)) == entry


def test_a_grants_window_said_from_its_opening_scores_as_the_opening_asked() -> None:
    """The evaluation scores what the resident is told: a grant's "deadline" answer with
    its opening asked first is said as the opening (bot/qa/render.py)."""
    from tests.qa.evaluate import is_right

    case = {"q": "접수 언제 시작해요", "kind": "grant", "id": "g", "facet": "opens"}
    assert is_right(case, Answer("grant", id="g", facet="deadline", opening=True))
    assert not is_right(case, Answer("grant", id="g", facet="deadline", opening=False))
    assert not is_right(case, Answer("grant", id="g", facet="amount", opening=True))


@pytest.mark.parametrize(
    ("question", "facet"),
    [
        ("이웃만들기는 누가 신청하는 거예요?", "eligibility"),  # who it is for
        ("신청은 누가 해야 돼요?", "how_to_apply"),  # who hands it in
        ("작년에 했는데 올해 골목만들기도 낼 수 있나요?", "eligibility"),
        ("저희 같은 동아리도 돼요?", "eligibility"),
    ],
)
def test_who_may_apply_said_in_other_words(question: str, facet: str) -> None:
    assert detect_facets(question).primary == facet, detect_facets(question)


@pytest.fixture(scope="module")
def gaon(engines: Callable[[str], QAEngine]) -> QAEngine:
    """The tenth district's KB (가온구), with the model; it has no FAQ entry on the centre."""
    return engines("tenth")


@pytest.mark.parametrize("question", ["목요일은 몇 시까지 하세요?", "토요일은 몇 시에 닫아요?"])
def test_a_weekday_and_what_time_alone_asks_the_centres_hours(
    gaon: QAEngine, question: str
) -> None:
    answer = gaon.ask(question, datetime(2027, 3, 15, 10, 0, tzinfo=SEOUL))
    assert answer.kind == "centre", answer


def test_a_day_and_what_time_is_no_centre_question(gaon: QAEngine) -> None:
    """ "내일 몇 시에 해요?" asks of something on that day, not of the centre's week."""
    answer = gaon.ask("내일 몇 시에 해요?", datetime(2027, 3, 15, 10, 0, tzinfo=SEOUL))
    assert answer.kind != "centre", answer


@pytest.mark.parametrize(
    ("district", "entry"),
    [("eighth", "village-news"), ("thirteenth", "notifications"), ("twentieth", "news-alerts")],
)
@pytest.mark.parametrize(
    "question",
    [
        "새로운 지원사업 나오면 카톡이나 문자로 알려줄 수 있어요?",
        "공모 올라오면 연락 받을 수 있나요",
        "Please let me know when new grants come out",
    ],
)
def test_being_told_of_new_calls_is_the_entry_on_the_kbs_news(
    engines: Callable[[str], QAEngine], district: str, entry: str, question: str
) -> None:
    """Not the entry on how results are told, which shares 알려/문자/message."""
    answer = engines(district).ask(question, NEOUL_NOW)
    assert (answer.kind, shown_first(answer)) == ("faq", entry), answer


def test_results_told_by_text_stays_the_results_entry(neoul: QAEngine) -> None:
    answer = neoul.ask("선정되면 문자로 알려주나요", NEOUL_NOW)
    assert shown_first(answer) == "results-announcement", answer


@pytest.mark.parametrize(
    ("district", "entry"),
    [("twentieth", "not-allowed"), (None, "ineligible-costs")],
)
def test_paying_by_the_grants_card_asks_what_it_may_be_spent_on(
    engines: Callable[[str], QAEngine], demo_with_model: QAEngine, district: str | None, entry: str
) -> None:
    """카드로 긁어도 (paid by card) is spending, not the entry on the group's bank account."""
    engine = engines(district) if district else demo_with_model
    answer = engine.ask("회식비 보조금 체크카드로 긁어도 되나요", NEOUL_NOW)
    assert (answer.kind, shown_first(answer)) == ("faq", entry), answer


def test_what_time_said_politely_after_an_event_is_about_that_event(gaon: QAEngine) -> None:
    """ "몇 시까지 하세요?" right after an answer about an event asks of that event (alone, of
    the centre: above)."""
    event = gaon.kb.events[0].id
    now = datetime(2027, 3, 15, 10, 0, tzinfo=SEOUL)
    answer = gaon.ask("몇 시까지 하세요?", now, follow=("event", event))
    assert (answer.kind, answer.id, answer.reason) == ("event", event, "follow-up"), answer
