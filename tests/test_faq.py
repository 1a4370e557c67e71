"""bot.kb.faq: FAQ entries grouped by topic without a topic field in the KB."""

from __future__ import annotations

from bot.kb import faq as faqtopics
from bot.kb import records as kb
from tests.kbdemo import demo_kb as demo


def with_faq(*entries: dict) -> kb.KnowledgeBase:
    doc = demo().model_dump(exclude_none=True)
    doc["faq"] = list(entries)
    parsed, problems = kb.validate(doc)
    assert parsed is not None, problems
    return parsed


def test_demo_topics():
    found = {t.key: [f.id for f in t.entries] for t in faqtopics.topics(demo())}
    assert found == {
        "applying": [
            "pre-consultation",
            "duplicate-application",
            "individual-application",
            "results-announcement",
        ],
        "money": ["ineligible-costs", "accounting"],
        "council": ["become-council-member", "what-is-assembly", "who-can-vote", "propose-agenda"],
        "centre": ["village-activist", "centre-location", "space-rental"],
        "trainings": ["satisfaction-survey", "newsletter"],
    }
    assert sum(len(t.entries) for t in faqtopics.topics(demo())) == len(demo().faq)


def test_unmatched_entries_go_to_other_last_and_related_ids_count():
    parsed = with_faq(
        {"id": "parking", "question": {"ko": "주차할 수 있나요?"}, "answer": {"ko": "네."}},
        {
            "id": "which-first",
            "question": {"ko": "무엇부터 하면 되나요?"},
            "answer": {"ko": "이웃만들기부터요."},
            "related": ["neighbour-making"],
        },
        {
            "id": "after-class",
            "question": {"ko": "수업 뒤에는요?"},
            "answer": {"ko": "설문이 와요."},
            "related": ["secretary-training"],
        },
        {
            "id": "english-only-keywords",
            "question": {"ko": "질문", "en": "Where do I borrow a projector?"},
            "answer": {"ko": "센터에서요."},
            "keywords": ["borrow"],
        },
    )
    assert faqtopics.topic_of(parsed.faq[0], parsed) == faqtopics.OTHER
    assert faqtopics.topic_of(parsed.faq[1], parsed) == "applying"  # a related grant
    assert faqtopics.topic_of(parsed.faq[2], parsed) == "trainings"  # a related training
    assert faqtopics.topic_of(parsed.faq[3], parsed) == "centre"
    keys = [t.key for t in faqtopics.topics(parsed)]
    assert keys[-1] == faqtopics.OTHER
    assert faqtopics.get_topic(parsed, "money") is None  # empty topics are not offered
    assert faqtopics.get_faq(parsed, "parking").answer.ko == "네."
    assert faqtopics.get_faq(parsed, "atlantis") is None
