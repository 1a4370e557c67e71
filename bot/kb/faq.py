"""FAQ topics for /faq. The KB's FAQ entries have no topic field, so topics are derived.

A small, explicit mapping: each topic has keywords (Korean and English, as residents and
the KB's ``keywords`` write them). An entry scores one point per KB keyword that is a
topic keyword, half a point per topic keyword found in its Korean or English question,
and one point for a related grant (the "applying" topic) or a related training (the
"trainings" topic). The best score wins, ties go to the earlier topic, and an entry that
scores nothing goes to "other". Nothing here knows Telegram.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.core.i18n import N_
from bot.kb.records import FaqSpec, KnowledgeBase

OTHER = "other"


@dataclass(frozen=True)
class TopicSpec:
    key: str
    label: str
    """An English msgid (translate where shown)."""
    keywords: frozenset[str]


TOPIC_SPECS: tuple[TopicSpec, ...] = (
    TopicSpec(
        "applying",
        N_("📝 Applying for grants"),
        frozenset(
            "사전상담 상담 컨설팅 중복 중복지원 동시 여러 혼자 개인 개인신청 1명 결과 발표 "
            "선정 합격 신청 공모 지원사업 consultation duplicate alone individual results "
            "apply grant".split()
        ),
    ),
    TopicSpec(
        "money",
        N_("💰 Spending and accounts"),
        frozenset(
            "정산 회계 영수증 비용 인건비 식비 보조금 사용 술 불가 예산 spend accounting "
            "receipts budget money".split()
        ),
    ),
    TopicSpec(
        "council",
        N_("🗳 Council and assembly"),
        frozenset(
            "주민자치회 위원 자치위원 추첨 모집 총회 주민총회 투표 투표권 투표코드 의제 제안 "
            "council assembly vote agenda propose".split()
        ),
    ),
    TopicSpec(
        "centre",
        N_("🏢 The centre and activists"),
        frozenset(
            "센터 위치 주소 어디 운영시간 몇시 대관 공간 회의실 물품 대여 빌리 활동가 "
            "마을지원활동가 코디네이터 location hours rental borrow activist centre".split()
        ),
    ),
    TopicSpec(
        "trainings",
        N_("📚 Trainings and news"),
        frozenset(
            "교육 만족도 설문 조사 소식 뉴스레터 알림 구독 training survey newsletter "
            "subscribe news".split()
        ),
    ),
)

OTHER_LABEL = N_("📌 Other questions")


@dataclass
class Topic:
    key: str
    label: str
    entries: list[FaqSpec] = field(default_factory=list)


def _score(
    spec: TopicSpec, faq: FaqSpec, grant_ids: frozenset[str], trainings: frozenset[str]
) -> float:
    keywords = {k.lower() for k in faq.keywords}
    score = float(len(keywords & spec.keywords))
    question = " ".join(faq.question.as_dict().values()).lower()
    score += 0.5 * sum(1 for word in spec.keywords if word in question)
    for related in faq.related:
        if spec.key == "applying" and related in grant_ids:
            score += 1
        if spec.key == "trainings" and related in trainings:
            score += 1
    return score


def _pools(kb: KnowledgeBase) -> tuple[frozenset[str], frozenset[str]]:
    grant_ids = frozenset(g.id for g in kb.grants)
    trainings = frozenset(e.id for e in kb.events if e.kind == "training")
    return grant_ids, trainings


def _topic_key(faq: FaqSpec, grant_ids: frozenset[str], trainings: frozenset[str]) -> str:
    best, best_score = OTHER, 0.0
    for spec in TOPIC_SPECS:
        score = _score(spec, faq, grant_ids, trainings)
        if score > best_score:
            best, best_score = spec.key, score
    return best


def topic_of(faq: FaqSpec, kb: KnowledgeBase) -> str:
    return _topic_key(faq, *_pools(kb))


_last: tuple[KnowledgeBase, list[Topic]] | None = None


def topics(kb: KnowledgeBase) -> list[Topic]:
    """The non-empty topics in display order ("other" last), entries in the KB's order.

    Computed once per KB snapshot (snapshots are immutable; a new one replaces it).
    """
    global _last
    if _last is not None and _last[0] is kb:
        return _last[1]
    by_key = {spec.key: Topic(spec.key, spec.label) for spec in TOPIC_SPECS}
    by_key[OTHER] = Topic(OTHER, OTHER_LABEL)
    grant_ids, trainings = _pools(kb)
    for faq in kb.faq:
        by_key[_topic_key(faq, grant_ids, trainings)].entries.append(faq)
    found = [topic for topic in by_key.values() if topic.entries]
    _last = (kb, found)
    return found


def get_topic(kb: KnowledgeBase, key: str) -> Topic | None:
    return next((topic for topic in topics(kb) if topic.key == key), None)


def get_faq(kb: KnowledgeBase, faq_id: str) -> FaqSpec | None:
    return next((f for f in kb.faq if f.id == faq_id), None)


__all__ = [
    "OTHER",
    "TOPIC_SPECS",
    "Topic",
    "TopicSpec",
    "get_faq",
    "get_topic",
    "topic_of",
    "topics",
]
