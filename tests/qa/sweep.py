"""A template sweep of the Q&A engine: every grant and event of every KB, asked as residents ask.

``python -m tests.qa.sweep [--misses] [--kb NAME] [--json OUT.jsonl]``

For each grant and each event of the demo KB and of every ``tests/qa/<district>/kb.yaml``,
questions are generated from templates (tests/qa/SWEEP.md): the record's name in several
forms (official, without 지원사업, clipped to its first word + 사업, without spaces, with a
typo, in English) × what is asked (deadline, amount, eligibility, documents, how to apply,
contact, what it is; an event's time, place, registration), in Korean (polite, casual, no
spaces), English, Chinese, Vietnamese and Japanese. Each is asked of the engine built as the
bot builds it (:func:`bot.qa.service.build_engine`), at the moment the district's own
question sets are asked at. A case is right when the answer's kind, record and facet are the
expected ones (as :func:`tests.qa.evaluate.is_right` counts a record × facet question); sure
answers are counted apart. Printed: accuracy per template, per family (name form × facet),
per language and per KB.

The templates were written from how people write, not from any question set; a name form
that would name two records of the KB at once (two grants clipped to the same word) is left
out for that KB, since no answer could be right.
"""

from __future__ import annotations

import json
import re
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import yaml

from bot.kb import records as kb

HERE = Path(__file__).parent
DEMO_NOW = "2027-01-25T10:00:00+09:00"  # the demo district's sets are all asked then


# --------------------------------------------------------------------------------------
# Name forms
# --------------------------------------------------------------------------------------

_GRANT_SUFFIX_RE = re.compile(r"\s*(지원\s?사업|지원|사업|공모사업|공모)$")
_EN_SUFFIX_RE = re.compile(r"\s*\b(grant|fund|project|support|programme|program)$", re.I)
_PAREN_RE = re.compile(r"\s*[(（][^)）]*[)）]")
_YEAR_RE = re.compile(r"^\d{4}\s*")


def has_final(word: str) -> bool:
    """Whether the last syllable of ``word`` ends in a consonant (받침); Latin: by sound,
    roughly (a word ending in a vowel letter has none)."""
    last = word.rstrip()[-1:]
    if "가" <= last <= "힣":
        return (ord(last) - 0xAC00) % 28 != 0
    return last.lower() not in "aeiouy"


def josa(word: str, pair: str) -> str:
    """``word`` with the particle of ``pair`` ("이/가", "은/는", "을/를", "이에요/예요")."""
    with_final, without = pair.split("/")
    return word + (with_final if has_final(word) else without)


# vowels residents mistype for one another (ㅐ/ㅔ, ㅓ/ㅗ, ㅜ/ㅡ, ㅣ/ㅢ)
_VOWEL_SWAP = {1: 5, 5: 1, 4: 8, 8: 4, 13: 18, 18: 13, 20: 19, 19: 20}


def typo(name: str) -> str | None:
    """``name`` with one vowel mistyped (the syllable after the first, so the head of the
    name stays as it was typed): "이웃만들기" → "이웃만둘기"; None when no vowel fits."""
    chars = list(name)
    hangul = [i for i, c in enumerate(chars) if "가" <= c <= "힣"]
    for i in hangul[2:] + hangul[1:2]:
        code = ord(chars[i]) - 0xAC00
        initial, vowel, final = code // 588, (code % 588) // 28, code % 28
        if vowel in _VOWEL_SWAP:
            chars[i] = chr(0xAC00 + initial * 588 + _VOWEL_SWAP[vowel] * 28 + final)
            return "".join(chars)
    return None


def bare(name: str) -> str:
    """A grant's name without 지원사업 (and without a parenthesis)."""
    out = _GRANT_SUFFIX_RE.sub("", _PAREN_RE.sub("", name)).strip()
    return out or name


def clip(name: str) -> str:
    """The grant's name clipped to its first word ("이웃 사업" for 이웃만들기 지원사업): the
    first word of a name of several words, the first two syllables of a name of one."""
    short = bare(name).replace("·", " ")
    first = short.split()[0]
    if first == short.strip() and len(first) >= 4:
        first = first[:2]
    return f"{first} 사업"


def en_bare(name: str) -> str:
    return _EN_SUFFIX_RE.sub("", _PAREN_RE.sub("", name)).strip() or name


def event_title(title: str) -> str:
    """An event's title as a resident says it: no year, no parenthesis."""
    return _YEAR_RE.sub("", _PAREN_RE.sub("", title)).strip()


def event_head(title: str) -> str:
    """The head of an event's title: before a dash, and a long title without its first
    word ("마을학교 - 인문학 시민교육" → 마을학교)."""
    head = re.split(r"\s+[-–—]\s+", event_title(title))[0].strip()
    parts = head.split()
    return " ".join(parts[1:]) if len(parts) >= 4 else head


# --------------------------------------------------------------------------------------
# Templates: (family, lang, facet, form, text)
#   form: which name goes in {n}: official | bare | clip | nospace | typo | en | en_bare
#   {n} the name; {n_이} {n_은} {n_을} {n_예요} the name with its particle
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Template:
    key: str
    lang: str
    facet: str
    form: str
    text: str
    squeeze: bool = False  # the whole question typed without spaces

    @property
    def family(self) -> str:
        return f"{self.form}×{self.facet}"


T = Template
GRANT_TEMPLATES: list[Template] = [
    # deadline
    T("g-deadline-official", "ko", "deadline", "official", "{n} 마감 언제예요?"),
    T("g-deadline-bare", "ko", "deadline", "bare", "{n} 언제까지 신청해요?"),
    T("g-deadline-casual", "ko", "deadline", "bare", "{n} 마감 언제임"),
    T("g-deadline-nospace", "ko", "deadline", "bare", "{n} 언제까지예요", squeeze=True),
    T("g-deadline-clip", "ko", "deadline", "clip", "{n} 언제까지예요?"),
    T("g-deadline-typo", "ko", "deadline", "typo", "{n} 마감일 알려주세요"),
    T("g-deadline-en", "en", "deadline", "en", "When is the deadline for the {n}?"),
    T("g-deadline-en-bare", "en", "deadline", "en_bare", "{n} deadline?"),
    T("g-deadline-zh", "zh", "deadline", "bare", "{n}什么时候截止？"),
    T("g-deadline-vi", "vi", "deadline", "bare", "Hạn chót nộp đơn {n} là khi nào?"),
    T("g-deadline-ja", "ja", "deadline", "bare", "{n}の締め切りはいつですか？"),
    # amount
    T("g-amount-official", "ko", "amount", "official", "{n} 얼마 받을 수 있어요?"),
    T("g-amount-bare", "ko", "amount", "bare", "{n} 지원금 얼마예요?"),
    T("g-amount-upto", "ko", "amount", "bare", "{n} 얼마까지 받아요?"),
    T("g-amount-casual", "ko", "amount", "bare", "{n} 얼마 줌?"),
    T("g-amount-nospace", "ko", "amount", "bare", "{n} 얼마까지 받아요", squeeze=True),
    T("g-amount-clip", "ko", "amount", "clip", "{n} 얼마 나와요?"),
    T("g-amount-en", "en", "amount", "en", "How much can we get from the {n}?"),
    T("g-amount-en-bare", "en", "amount", "en_bare", "how much is {n}"),
    T("g-amount-zh", "zh", "amount", "bare", "{n}能拿多少钱？"),
    T("g-amount-vi", "vi", "amount", "en", "{n} được hỗ trợ bao nhiêu tiền?"),
    T("g-amount-ja", "ja", "amount", "bare", "{n}はいくらもらえますか？"),
    # eligibility
    T("g-elig-official", "ko", "eligibility", "official", "{n} 신청 자격이 어떻게 되나요?"),
    T("g-elig-who", "ko", "eligibility", "bare", "{n} 누가 신청할 수 있어요?"),
    T("g-elig-me", "ko", "eligibility", "bare", "{n} 저도 신청 되나요?"),
    T("g-elig-casual", "ko", "eligibility", "bare", "{n} 누가 신청 가능?"),
    T("g-elig-clip", "ko", "eligibility", "clip", "{n} 아무나 신청할 수 있나요?"),
    T("g-elig-typo", "ko", "eligibility", "typo", "{n} 대상이 누구예요?"),
    T("g-elig-en", "en", "eligibility", "en", "Who can apply for the {n}?"),
    T("g-elig-en-bare", "en", "eligibility", "en_bare", "Am I eligible for {n}?"),
    T("g-elig-zh", "zh", "eligibility", "bare", "谁可以申请{n}？"),
    T("g-elig-vi", "vi", "eligibility", "bare", "Ai được đăng ký {n}?"),
    # documents
    T("g-docs-official", "ko", "documents", "official", "{n} 신청할 때 필요한 서류가 뭐예요?"),
    T("g-docs-bare", "ko", "documents", "bare", "{n} 서류 뭐 내야 돼요?"),
    T("g-docs-what", "ko", "documents", "bare", "{n} 신청하려면 뭘 내요?"),
    T("g-docs-nospace", "ko", "documents", "bare", "{n} 서류 뭐 필요해요", squeeze=True),
    T("g-docs-clip", "ko", "documents", "clip", "{n} 서류 뭐예요?"),
    T("g-docs-en", "en", "documents", "en", "What documents do I need for the {n}?"),
    T("g-docs-zh", "zh", "documents", "bare", "{n}需要什么材料？"),
    T("g-docs-vi", "vi", "documents", "bare", "Cần giấy tờ gì cho {n}?"),
    T("g-docs-ja", "ja", "documents", "bare", "{n}に必要な書類は何ですか？"),
    # how to apply
    T("g-how-official", "ko", "how_to_apply", "official", "{n} 어떻게 신청해요?"),
    T("g-how-bare", "ko", "how_to_apply", "bare", "{n} 신청 방법 알려주세요"),
    T("g-how-casual", "ko", "how_to_apply", "bare", "{n} 신청 어떻게 해?"),
    T("g-how-nospace", "ko", "how_to_apply", "bare", "{n} 어떻게 신청해요", squeeze=True),
    T("g-how-clip", "ko", "how_to_apply", "clip", "{n} 어떻게 신청하나요?"),
    T("g-how-en", "en", "how_to_apply", "en", "How do I apply for the {n}?"),
    T("g-how-en-bare", "en", "how_to_apply", "en_bare", "how to apply {n}"),
    T("g-how-zh", "zh", "how_to_apply", "en", "{n}怎么申请？"),
    T("g-how-vi", "vi", "how_to_apply", "en", "Làm sao để đăng ký {n}?"),
    T("g-how-ja", "ja", "how_to_apply", "bare", "{n}の申請方法を教えてください"),
    # contact
    T("g-contact-official", "ko", "contact", "official", "{n} 문의는 어디로 하나요?"),
    T("g-contact-phone", "ko", "contact", "bare", "{n} 담당자 전화번호 알려주세요"),
    T("g-contact-casual", "ko", "contact", "bare", "{n} 문의처"),
    T("g-contact-en", "en", "contact", "en", "Who do I contact about the {n}?"),
    T("g-contact-en-bare", "en", "contact", "en_bare", "{n} phone number"),
    T("g-contact-ja", "ja", "contact", "bare", "{n}の問い合わせ先は？"),
    # what it is
    T("g-summary-official", "ko", "summary", "official", "{n_은} 어떤 사업이에요?"),
    T("g-summary-bare", "ko", "summary", "bare", "{n_이} 뭐예요?"),
    T("g-summary-casual", "ko", "summary", "bare", "{n_이} 뭐야?"),
    T("g-summary-clip", "ko", "summary", "clip", "{n_이} 뭐예요?"),
    T("g-summary-typo", "ko", "summary", "typo", "{n_이} 뭔가요?"),
    T("g-summary-en", "en", "summary", "en", "What is the {n}?"),
    T("g-summary-en-bare", "en", "summary", "en_bare", "Tell me about {n}"),
    T("g-summary-zh", "zh", "summary", "bare", "{n}是什么？"),
    T("g-summary-vi", "vi", "summary", "en", "{n} là gì?"),
]

EVENT_TEMPLATES: list[Template] = [
    # time
    T("e-time-title", "ko", "time", "title", "{n} 언제예요?"),
    T("e-time-head", "ko", "time", "head", "{n} 몇 시에 해요?"),
    T("e-time-casual", "ko", "time", "head", "{n} 언제 함?"),
    T("e-time-nospace", "ko", "time", "head", "{n} 언제 해요", squeeze=True),
    T("e-time-en", "en", "time", "en", "When is the {n}?"),
    T("e-time-en-hour", "en", "time", "en", "What time does the {n} start?"),
    T("e-time-zh", "zh", "time", "title", "{n}什么时候？"),
    T("e-time-vi", "vi", "time", "en", "{n} tổ chức khi nào?"),
    T("e-time-ja", "ja", "time", "title", "{n}はいつですか？"),
    # place
    T("e-place-title", "ko", "place", "title", "{n} 어디서 해요?"),
    T("e-place-head", "ko", "place", "head", "{n} 장소가 어디예요?"),
    T("e-place-casual", "ko", "place", "head", "{n} 어디서 함?"),
    T("e-place-en", "en", "place", "en", "Where is the {n}?"),
    T("e-place-zh", "zh", "place", "head", "{n}在哪里？"),
    T("e-place-vi", "vi", "place", "en", "{n} ở đâu?"),
    T("e-place-ja", "ja", "place", "head", "{n}の場所はどこですか？"),
    # registration
    T("e-reg-title", "ko", "registration", "title", "{n} 신청 어떻게 해요?"),
    T("e-reg-head", "ko", "registration", "head", "{n} 미리 신청해야 돼요?"),
    T("e-reg-casual", "ko", "registration", "head", "{n} 예약해야 됨?"),
    T("e-reg-en", "en", "registration", "en", "How do I sign up for the {n}?"),
    T("e-reg-en-need", "en", "registration", "en", "Do I need to register for the {n}?"),
]


def _fill(template: Template, name: str) -> str:
    text = template.text.format(
        n=name,
        n_이=josa(name, "이/가"),
        n_은=josa(name, "은/는"),
        n_을=josa(name, "을/를"),
    )
    return text.replace(" ", "") if template.squeeze else text


@dataclass(frozen=True)
class Case:
    kb: str
    template: Template
    q: str
    kind: str
    id: str


def _unique(
    forms: dict[str, str], key: Callable[[str], str] = lambda s: s.replace(" ", "")
) -> set[str]:
    """The ids whose form is no other record's (compared without spaces)."""
    seen: dict[str, int] = defaultdict(int)
    for form in forms.values():
        seen[key(form)] += 1
    return {i for i, form in forms.items() if seen[key(form)] == 1}


def grant_forms(grants: list[kb.GrantSpec]) -> dict[str, dict[str, str | None]]:
    by_form: dict[str, dict[str, str]] = {
        "official": {g.id: g.name.ko for g in grants},
        "bare": {g.id: bare(g.name.ko) for g in grants},
        "clip": {g.id: clip(g.name.ko) for g in grants},
        "en": {g.id: g.name.en or "" for g in grants},
        "en_bare": {g.id: en_bare(g.name.en or "") for g in grants},
    }
    out: dict[str, dict[str, str | None]] = {g.id: {} for g in grants}
    for form, names in by_form.items():
        unique = _unique(names, lambda s: s.replace(" ", "").lower())
        for gid, name in names.items():
            out[gid][form] = name if gid in unique and name else None
    for g in grants:
        out[g.id]["typo"] = typo(bare(g.name.ko))
        # a clipped head found in another grant's name names that one too ("공동 사업":
        # 공동체성장 or 공동체공간 자산화)
        head = by_form["clip"][g.id].removesuffix(" 사업").replace(" ", "")
        if any(o.id != g.id and head in o.name.ko.replace(" ", "") for o in grants):
            out[g.id]["clip"] = None
    return out


def event_forms(events: list[kb.EventSpec]) -> dict[str, dict[str, str | None]]:
    by_form: dict[str, dict[str, str]] = {
        "title": {e.id: event_title(e.title.ko) for e in events},
        "head": {e.id: event_head(e.title.ko) for e in events},
        "en": {e.id: re.split(r"\s+[-–—]\s+", event_title(e.title.en or ""))[0] for e in events},
    }
    out: dict[str, dict[str, str | None]] = {e.id: {} for e in events}
    for form, names in by_form.items():
        unique = _unique(names, lambda s: s.replace(" ", "").lower())
        for eid, name in names.items():
            # a head that is part of another event's title names that one too
            clash = form == "head" and any(
                other != eid and name.replace(" ", "") in t.replace(" ", "")
                for other, t in by_form["title"].items()
            )
            out[eid][form] = name if eid in unique and name and not clash else None
    return out


def cases_for(name: str, base: kb.KnowledgeBase) -> Iterator[Case]:
    forms = grant_forms(base.grants)
    for g in base.grants:
        for t in GRANT_TEMPLATES:
            n = forms[g.id].get(t.form)
            if n:
                yield Case(name, t, _fill(t, n), "grant", g.id)
    # (an on-site assembly's title, its "(현장 투표)" taken off, names the dong's online
    # vote as well: left out)
    events = [e for e in base.events if not e.cancelled and e.kind != "assembly"]
    eforms = event_forms(events)
    for e in events:
        for t in EVENT_TEMPLATES:
            n = eforms[e.id].get(t.form)
            if n:
                yield Case(name, t, _fill(t, n), "event", e.id)


# --------------------------------------------------------------------------------------
# The KBs and their moment
# --------------------------------------------------------------------------------------


def now_of(folder: Path, base: kb.KnowledgeBase) -> str:
    """When the district's own (non-blind) question sets are asked; for a district with
    none, 10:00 on the day its grants' calls open (the median opening)."""
    for file in ("dev.yaml", "oos.yaml"):
        path = folder / file
        if path.exists():
            return str(yaml.safe_load(path.read_text(encoding="utf-8"))["now"])
    opens = sorted(g.application.opens for g in base.grants if g.application.opens)
    if not opens:
        return DEMO_NOW
    day = opens[len(opens) // 2] + timedelta(days=3)
    return f"{day.isoformat()}T10:00:00+09:00"


def knowledge_bases(only: str | None = None) -> Iterator[tuple[str, kb.KnowledgeBase, datetime]]:
    paths = [("demo", kb.demo_kb_path())] + [
        (p.parent.name, p) for p in sorted(HERE.glob("*/kb.yaml"))
    ]
    for name, path in paths:
        if only and name != only:
            continue
        parsed, problems = kb.load_and_validate(path)
        assert parsed is not None, problems
        now = DEMO_NOW if name == "demo" else now_of(path.parent, parsed)
        yield name, parsed, datetime.fromisoformat(now)


# --------------------------------------------------------------------------------------
# Running and counting
# --------------------------------------------------------------------------------------


@dataclass
class Tally:
    n: int = 0
    right: int = 0
    sure: int = 0  # right and confident
    sure_wrong: int = 0  # confident and wrong

    def add(self, right: bool, confident: bool) -> None:
        self.n += 1
        self.right += right
        self.sure += right and confident
        self.sure_wrong += confident and not right

    def line(self, label: str) -> str:
        rate = self.right / self.n if self.n else 0.0
        return (
            f"{label:34} {self.right:5}/{self.n:<5} = {rate:6.1%}   sure-right {self.sure:5}"
            f"   sure-wrong {self.sure_wrong:4}"
        )


def run(
    only: str | None = None, misses: bool = False, out: Path | None = None
) -> dict[str, dict[str, Tally]]:
    from bot.qa.service import build_engine

    tallies: dict[str, dict[str, Tally]] = {
        k: defaultdict(Tally) for k in ("template", "family", "facet", "form", "lang", "kb", "all")
    }
    sink = out.open("w", encoding="utf-8") if out else None
    started = time.perf_counter()
    kb_kinds: dict[str, dict[str, Tally]] = defaultdict(lambda: defaultdict(Tally))
    for name, base, now in knowledge_bases(only):
        engine = build_engine(base)
        if engine.semantic is not None:
            engine.semantic.wait(600)
        for case in cases_for(name, base):
            a = engine.ask(case.q, now)
            right = a.kind == case.kind and a.id == case.id and a.facet == case.template.facet
            confident = a.confident and a.kind != "none"
            t = case.template
            for key, label in (
                ("template", t.key),
                ("family", f"{case.kind[0]}:{t.family}"),
                ("facet", f"{case.kind}:{t.facet}"),
                ("form", f"{case.kind}:{t.form}"),
                ("lang", t.lang),
                ("kb", name),
                ("all", "all"),
            ):
                tallies[key][label].add(right, confident)
            kb_kinds[name][case.kind].add(right, confident)
            if sink:
                sink.write(
                    json.dumps(
                        {
                            "kb": name,
                            "template": t.key,
                            "q": case.q,
                            "right": right,
                            "conf": confident,
                            "want": f"{case.kind}:{case.id} {t.facet}",
                            "got": f"{a.kind}:{a.id} {a.facet} ({a.reason}) s={a.score:.2f}",
                        },
                        ensure_ascii=False,
                    )
                    + "\n"
                )
            if misses and not right:
                print(
                    f"[{name}] {t.key}: {case.q!r} want {case.kind}:{case.id} {t.facet} -> "
                    f"{a.kind}:{a.id} {a.facet} conf={a.confident} ({a.reason})"
                )
    if sink:
        sink.close()
    for key in ("template", "family", "facet", "form", "lang", "kb"):
        print(f"\n== per {key}")
        for label, tally in sorted(tallies[key].items()):
            print(tally.line(label))
    print()
    print(tallies["all"]["all"].line("ALL"))
    print(f"({time.perf_counter() - started:.0f} s)")
    return tallies


def main() -> int:
    only = sys.argv[sys.argv.index("--kb") + 1] if "--kb" in sys.argv else None
    out = Path(sys.argv[sys.argv.index("--json") + 1]) if "--json" in sys.argv else None
    run(only, misses="--misses" in sys.argv, out=out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
