"""Generate knowledge-base documents in the shared format (not the demo district).

``make_kb(grants=1000, faq=5000, events=200)`` builds a fictional district, 다솔구
(Dasol-gu), with programmes named from word lists, so that the Q&A engine can be
benchmarked on a KB of any size and tested on one it was not tuned on. Deterministic.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

THEMES = [
    ("garden", "텃밭", "Garden"), ("reading", "책읽기", "Reading"), ("repair", "수리", "Repair"),
    ("music", "음악", "Music"), ("walking", "걷기", "Walking"), ("cooking", "요리", "Cooking"),
    ("kids", "아이돌봄", "Childcare"), ("elders", "어르신", "Elders"), ("pets", "반려동물", "Pets"),
    ("energy", "에너지", "Energy"), ("market", "장터", "Market"), ("mural", "벽화", "Mural"),
    ("film", "영화", "Film"), ("sports", "생활체육", "Sports"), ("history", "마을역사", "History"),
    ("sharing", "나눔", "Sharing"), ("recycle", "재활용", "Recycling"),
    ("safety", "안전", "Safety"),
    ("library", "작은도서관", "Library"), ("theatre", "연극", "Theatre"),
]  # fmt: skip
KINDS = [("모임", "Group"), ("학교", "School"), ("공방", "Workshop"), ("축제", "Festival"),
         ("네트워크", "Network"), ("실험실", "Lab")]  # fmt: skip
FAQ_TOPICS = [
    ("신청서 양식은 어디서 받나요?", "Where do I get the form?", "홈페이지 자료실에서 받습니다."),
    ("지원금은 언제 들어오나요?", "When is the money paid?", "협약 후 2주 안에 입금됩니다."),
    ("사업 계획을 바꿀 수 있나요?", "Can we change the plan?", "변경 신청서를 내면 됩니다."),
    ("중간보고는 꼭 해야 하나요?", "Is the interim report required?", "네, 7월에 냅니다."),
    ("카드 영수증을 잃어버렸어요.", "I lost a card receipt.", "카드사 매출전표로 대신합니다."),
]  # fmt: skip


def make_kb(grants: int = 12, faq: int = 10, events: int = 8, seed: int = 7) -> dict[str, Any]:
    rng = random.Random(seed)
    doc: dict[str, Any] = {
        "version": 1,
        "region": {
            "id": "dasol-gu",
            "name": {"ko": "다솔구", "en": "Dasol-gu"},
            "timezone": "Asia/Seoul",
            "centre": {"ko": "다솔구 마을센터", "en": "Dasol-gu Village Centre"},
            "contact": {
                "phone": "031-777-0100",
                "email": "village@dasol.example.org",
                "address": {"ko": "다솔구 솔내로 7", "en": "7 Sollae-ro, Dasol-gu"},
                "hours": {"ko": "평일 9시~18시", "en": "Weekdays 9:00-18:00"},
            },
        },
        "dongs": [
            {"id": "sollae", "name": {"ko": "솔내동", "en": "Sollae-dong"}},
            {"id": "haneul", "name": {"ko": "하늘동", "en": "Haneul-dong"}},
        ],
        "categories": [
            {"id": "green", "name": {"ko": "환경", "en": "Environment"}},
            {"id": "young", "name": {"ko": "청년", "en": "Youth"}},
            {"id": "care", "name": {"ko": "돌봄", "en": "Care"}},
        ],
        "grants": [],
        "faq": [],
        "events": [],
    }
    start = date(2027, 3, 1)
    for i in range(grants):
        theme_id, theme_ko, theme_en = THEMES[i % len(THEMES)]
        kind_ko, kind_en = KINDS[(i // len(THEMES)) % len(KINDS)]
        n = i // (len(THEMES) * len(KINDS))
        suffix_ko = f" {n + 1}호" if n else ""
        suffix_en = f" No. {n + 1}" if n else ""
        name_ko = f"{theme_ko} {kind_ko} 지원사업{suffix_ko}"
        opens = start + timedelta(days=rng.randrange(0, 200))
        young = i % 7 == 3
        doc["grants"].append(
            {
                "id": f"g{i:04d}-{theme_id}",
                "name": {"ko": name_ko, "en": f"{theme_en} {kind_en} Grant{suffix_en}"},
                "aliases": [f"{theme_ko}{kind_ko}{suffix_ko.strip()}"],
                "categories": ["young"] if young else [rng.choice(["green", "care"])],
                "summary": {
                    "ko": f"주민들이 함께 {theme_ko} {kind_ko} 활동을 꾸리도록 돕습니다.",
                    "en": f"Helps residents run a {theme_en.lower()} {kind_en.lower()} together.",
                },
                "eligibility": {"ko": "다솔구 주민 3명 이상", "en": "Three or more residents"},
                "rules": {"min_members": 3, **({"min_age": 19, "max_age": 34} if young else {})},
                "amount": {"max_krw": rng.choice([500_000, 1_000_000, 3_000_000, 12_000_000])},
                "application": {
                    "opens": opens.isoformat(),
                    "closes": (opens + timedelta(days=28)).isoformat(),
                    "how": {"ko": "이메일로 신청서를 냅니다.", "en": "Send the form by e-mail."},
                },
                "documents": [{"ko": "신청서", "en": "Application form"}],
                "support": {"ko": "컨설팅 1회", "en": "One consulting visit"},
                "contact": {
                    "team": {"ko": "마을팀", "en": "Village team"},
                    "phone": "031-777-0101",
                },
            }
        )
    for i in range(faq):
        q_ko, q_en, a_ko = FAQ_TOPICS[i % len(FAQ_TOPICS)]
        theme_id, theme_ko, theme_en = THEMES[(i // len(FAQ_TOPICS)) % len(THEMES)]
        doc["faq"].append(
            {
                "id": f"f{i:05d}",
                "question": {
                    "ko": f"[{theme_ko}] {q_ko} ({i})",
                    "en": f"[{theme_en}] {q_en} ({i})",
                },
                "answer": {"ko": a_ko, "en": "Please see the guide."},
                "keywords": [theme_ko],
            }
        )
    for i in range(events):
        theme_id, theme_ko, theme_en = THEMES[i % len(THEMES)]
        day = date(2027, 3, 2) + timedelta(days=7 * i)
        event: dict[str, Any] = {
            "id": f"e{i:04d}-{theme_id}",
            "kind": "training" if i % 2 == 0 else "meeting",
            "title": {"ko": f"{theme_ko} 교실", "en": f"{theme_en} class"},
            "starts_at": f"{day.isoformat()}T19:00:00+09:00",
            "ends_at": f"{day.isoformat()}T21:00:00+09:00",
            "place": {"ko": "다솔마을회관", "en": "Dasol village hall"},
            "audience": {"ko": "주민 누구나", "en": "All residents"},
            "description": {"ko": f"{theme_ko}을 함께 배웁니다.", "en": f"Learn {theme_en}."},
        }
        if i % 3 == 0:
            event["rrule"] = "FREQ=WEEKLY;COUNT=4"
        doc["events"].append(event)
    return doc
