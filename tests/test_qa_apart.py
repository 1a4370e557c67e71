"""A record named in the story of a question, another office's matter asked apart from it.

Long questions tell who asks before what they ask ("…언어교환 모임에서 만난 친구가 비자가
끝난대요. … 체류기간 연장은 어디서 해요?"), or set a record aside ("…말고요", "…는 다음에
듣기로 하고요"). A record named there is no answer to the question: it is offered, not
answered surely (`QAEngine._asked_apart`, `QAEngine._set_aside`). Every question here is my
own, none from a question set; each was answered surely at 8c350cb, lexically and with the
model alike.
"""

from __future__ import annotations

import pytest

from tests.qa_helpers import NOW, answers, edited_demo, lexical, with_model


@pytest.mark.parametrize(
    ("question", "kind", "id_"),
    [
        # set aside, another thing asked
        ("공동체성장 지원사업 말고요, 구청 소상공인 창업 보조금은 어디서 알아봐요", "grant", "community-growth"),
        ("주민자치학교는 다음에 듣기로 하고요, 구민체육센터 헬스장 월 이용료 얼마예요?", "event", "autonomy-school"),
        # named in the story; another office's service, another centre or a thing the KB
        # does not know asked in a sentence (or a clause) of its own
        ("마을학교 수업 듣고 있는데요, 다음 달에 이사 가서 전입신고를 해야 돼요. 온라인으로 되나요?", "event", "village-school"),
        ("마을공간 활성화 지원받아서 공방 운영하고 있어요. 공방 건물 화재보험 가입은 어디서 해요?", "grant", "village-space"),
        ("이웃만들기 모임 하는데요. 모임 장소 근처 공영주차장 월정기권은 어디서 사요?", "grant", "neighbour-making"),
        ("아파트공동체 지원사업 알아보고 있어요. 근데 우리 단지 엘리베이터 교체 공사 민원은 어디에 넣어요?", "grant", "apartment-community"),
        ("I joined the village walk last spring. Where do I renew my alien registration card?", "event", "village-walk"),
        # a short Korean question naming a record and asking for a thing the KB does not know
        # beside it (QAEngine.unknown_head): once the name kept its answer
        ("골목만들기 골목에 과속방지턱 설치 요청", "grant", "alley-making"),
        ("마을학교 강의실 주차권 어디서 받아요", "event", "village-school"),
        # a programme named like ours, said to be the city's, the province's, a ministry's or
        # the district next door's (QAEngine._namesake): answered surely at 5d016a5, as are
        # the rest
        ("서울시 이웃만들기 지원사업은 언제 공모해요?", "grant", "neighbour-making"),
        ("옆동네 달빛구도 골목만들기 한다던데 거기는 얼마 줘요?", "grant", "alley-making"),
        ("행안부에서 하는 아파트공동체 지원사업 마감 언제예요", "grant", "apartment-community"),
        ("경기도청 마을공간 활성화 지원사업 자격 알려주세요", "grant", "village-space"),
        # the thing asked said before what asks of it, the question ending in a verb
        # (QAEngine._asked_thing); a clause ending in …디 (dialect of …데) is a clause of its
        # own
        ("마을공간 활성화 지원사업 받은 공간 건축물대장은 어디서 떼요", "grant", "village-space"),
        ("골목만들기 하는 사람인디 골목에 가로등 고장난거 어디다 말해요", "grant", "alley-making"),
        ("마을학교 다니는 손주 다른 학교로 전학시키려면 무슨 서류 떼가요", "event", "village-school"),
        # (a compound's own noun before 지원 is the thing: "연탄지원" was dropped whole)
        ("이웃만들기 하는데 연탄지원도 돼요?", "grant", "neighbour-making"),
    ],
)  # fmt: skip
def test_a_record_named_beside_another_matter_is_offered(demo, question, kind, id_):
    answer = answers(demo, question, kind=kind, id=id_)
    assert not answer.confident and answer.reason == "gate", answer
    assert answer.alternatives  # "is it one of these? … or call the centre"


@pytest.mark.parametrize(
    ("question", "id_", "facet"),
    [
        # the sentence after the name asks about the record itself
        ("이웃만들기 하려는데요. 모임 인원은 몇 명 이상이어야 해요?", "neighbour-making", "eligibility"),
        ("공동체성장 지원사업 신청하려는데 서류는 뭐가 필요해요?", "community-growth", "documents"),
        ("골목만들기 신청하려는데요, 자부담 비율이 얼마예요?", "alley-making", "amount"),  # (a share)
        ("마을학교 신청했어요. 수업은 어디서 해요?", "village-school", "place"),
        ("마을공간 활성화 사업에 선정됐는데요. 공간 임대료도 지원금으로 낼 수 있어요?", "village-space", None),
        ("청년 마을 아이디어 지원사업 알아보는 중이에요. 저 스물아홉인데 신청 돼요?", "youth-idea", "eligibility"),
    ],
)  # fmt: skip
def test_a_record_named_and_asked_about_is_still_answered_surely(demo, question, id_, facet):
    answer = demo.ask(question, NOW)
    assert answer.id == id_ and answer.confident, answer
    assert facet is None or answer.facet == facet, answer


def test_a_name_with_the_setting_aside_word_in_it_is_not_set_aside():
    # "혼밥말고함밥" (a dinner club's name in the twentieth district): 말고 inside a name
    answer = lexical("twentieth").ask("혼밥말고함밥 다음 모임 어디서 해요?", NOW)
    assert (answer.kind, answer.id) == ("event", "solo-dinner") and answer.confident, answer


@pytest.mark.parametrize(
    "question",
    [
        "이웃만들기 회원 다섯 명이에요 신청 돼요?",  # (who, and how many: no thing asked)
        "골목만들기 자부담 얼마예요",
        "동네발전소 컨소시엄 몇 팀까지 돼요?",
        # a place said of the asker, not of the programme
        "부산에서 이사 왔는데 이웃만들기 신청할 수 있어요?",  # (where the asker comes from)
        "옆동네 사는데 골목만들기 같이 해도 돼요?",
        "서울시 청년인데 청년 마을 아이디어 지원사업 신청돼요?",
        # a record's own matter said before the question word
        "공동체성장 지원사업 정산은 언제까지 해요",
        "골목만들기 자부담은 얼마예요",
        "마을공간 활성화 지원사업 임대료는 어떻게 해요",
        "마을학교 수업은 언제 해요",
        "청년 마을 아이디어 지원사업 발표는 언제예요",
        "이웃만들기 신청서는 어디서 받아요",
        "이웃만들기 하려면 무슨 서류 내요",
        "공간지원 받고 싶어요",
    ],
)
def test_a_record_named_with_its_own_matters_keeps_its_answer(demo, question):
    assert demo.ask(question, NOW).confident


def test_an_faq_entry_set_aside_is_offered_with_the_model():
    # (answered surely with the model at 8c350cb; an entry is found by its words, not a name)
    engine = with_model()
    answer = engine.ask("센터 물품 대여 말고요, 구민회관 대강당 대관료는 얼마예요?", NOW)
    assert answer.id == "space-rental" and not answer.confident, answer


# The same in Chinese and Japanese: a record named in the first sentence, another office's
# service asked in the next (answered surely at 5d016a5); asked of the record, kept
@pytest.mark.parametrize(
    ("question", "confident"),
    [
        ("我在上마을학교的课。请问外国人签证怎么延长？", False),
        ("마을학교に通っています。ところで、国民健康保険の手続きはどこですか？", False),
        ("我在上마을학교的课。上课的地方在哪里？", True),
    ],
)
def test_another_language_asking_apart_from_a_record_named(demo, question, confident):
    answer = demo.ask(question, NOW)
    assert answer.id == "village-school" and answer.confident is confident, answer


# The asker's own papers or place on a list to be looked up (QAEngine: _OWN_STATUS_RE): no
# record answers that — the centre can check it (answered surely with a record at 454518f)
@pytest.mark.parametrize(
    "question",
    [
        "지난주에 이웃만들기 신청서 냈는데 접수된거 맞는지 확인 좀 해주세요",
        "작년 골목만들기 정산서류 통과됐는지 알려주세요",
        "Can you check whether my application for the neighbour-making grant arrived?",
    ],
)
def test_the_askers_own_status_to_be_looked_up_is_sent_to_the_centre(demo, question):
    answers(demo, question, kind="none", reason="own_status")


def test_the_askers_own_status_is_told_in_their_language(demo):
    from bot.core.i18n import Translator
    from bot.qa.render import render

    answer = demo.ask("작년 골목만들기 정산서류 통과됐는지 알려주세요", NOW)
    for lang, said in (("ko", "제가 확인할 수 없어요"), ("en", "I cannot look up your own")):
        text = render(demo, answer, Translator(lang, NOW.tzinfo), NOW)
        assert said in text and "02-" in text, text


@pytest.mark.parametrize(
    "question",
    [
        "이웃만들기 신청서 접수는 어디서 해요",
        "제 이름으로 이웃만들기 신청해도 되는지 알려주세요",  # (a name to apply under)
        "이웃만들기 접수된 서류는 돌려받을 수 있는지 알려주세요",  # (papers handed in)
    ],
)
def test_a_record_asked_about_papers_keeps_the_answer(demo, question):
    answer = demo.ask(question, NOW)
    assert answer.id == "neighbour-making" and answer.confident, answer


def test_a_ministrys_programme_is_sent_to_them_not_to_a_district(demo):
    # (the message once said "ask the district you mean" of a ministry's contest)
    from bot.core.i18n import Translator
    from bot.qa.render import render

    answer = demo.ask("행안부에서 하는 주민자치 우수사례 경진대회 접수마감 언제예요", NOW)
    assert answer.kind == "none" and answer.reason == "elsewhere", answer
    text = render(demo, answer, Translator("ko", NOW.tzinfo), NOW)
    assert "중앙부처" in text and "02-" in text, text


def test_a_city_the_kb_itself_names_is_no_namesake():
    # a district whose programme the city funds says so: "서울시 …" before its name is its own
    def edit(document: dict) -> None:
        grant = next(g for g in document["grants"] if g["id"] == "neighbour-making")
        grant["summary"]["ko"] += " 서울시 마을공동체 사업비로 운영합니다."

    answer = edited_demo(edit).ask("서울시 이웃만들기 지원사업은 언제 공모해요?", NOW)
    assert answer.id == "neighbour-making" and answer.confident, answer


def test_a_record_set_aside_in_chinese_is_only_offered():
    # "…的项目，以后再说。" sets the programme aside as "…는 다음에 하기로 하고요" does; what is
    # asked after it (a broken streetlight) is another office's. Without the setting aside the
    # programme named keeps its sure answer, and so does asking whether it may wait.
    engine = lexical("twentieth")
    named = "我们几个邻居想申请多文化融合小组支援项目"
    asked = "我家楼下的路灯坏了，应该找谁修？"
    aside = engine.ask(f"{named}，以后再说。{asked}", NOW)
    assert aside.id == "multicultural-together" and not aside.confident, aside
    assert engine.ask(f"{named}。{asked}", NOW).confident
    later = engine.ask("多文化融合小组支援项目以后再申请也可以吗？", NOW)
    assert later.id == "multicultural-together" and later.confident, later


def test_a_half_known_word_beside_a_programme_named_is_another_thing(demo):
    # 임차권 (a lease right): the KB knows 임차 but never the word; beside a programme named
    # it is no mistyped name but the thing asked — the registry's, not the programme's
    question = "공유공간 지원 받는 가게 임차권 서류 뭐 내요"
    a = demo._analyse(question, NOW)
    assert demo.unknown_head(a) is None and demo.unknown_head(a, half_known=True) == "임차권"
    answer = demo.ask(question, NOW)
    assert answer.id == "village-space" and not answer.confident, answer


@pytest.mark.parametrize("question", ["区役所の登録窓口は何時までですか", "区政府登记处在哪里？"])
def test_the_ward_office_named_in_japanese_or_chinese_is_its_own_matter(question):
    # the ward office's registration desk: an event sharing 登録 (its registration) was the
    # sure answer before; now only offered
    answer = lexical("twentieth").ask(question, NOW)
    assert not answer.confident, answer


def test_another_office_s_word_is_no_clipped_programme_name():
    # 이자 (interest) starts 이사철 and 자원순환 in the tenth district's 이사철 자원순환 문제해결
    # 프로젝트: read as its clipping, the programme was named and answered surely
    engine = lexical("tenth")
    question = "대학원생인데 은행 이자 지원받을 수 있어요?"
    assert engine._unclip(question) == question
    answer = engine.ask(question, NOW)
    assert answer.id != "zero-waste-move" or not answer.confident, answer
