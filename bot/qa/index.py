"""A small search index over the knowledge base's grants, FAQ entries and events.

Two signals, both cheap and fully offline:

* **lexical**: BM25 over character bigrams of Hangul (spaces removed, so spacing mistakes
  do not matter), English word stems and Han characters, in two fields (names and
  FAQ questions; everything else), normalised so that 1.0 means "every informative
  part of the question is in this record";
* **names**: the best fuzzy alignment of a record's names and aliases inside the question,
  on jamo (one mistyped consonant costs one jamo, not a syllable), with rapidfuzz.
"""

from __future__ import annotations

import heapq
import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from itertools import pairwise

from bot.qa.text import compact, jamo, normalize

try:  # measured in bench/README-qa.md: typo'd names need it; the matcher degrades without it
    from rapidfuzz import fuzz as _fuzz
except ImportError:  # pragma: no cover - rapidfuzz is a dependency
    _fuzz = None  # type: ignore[assignment]

_WORD_RE = re.compile(r"[a-z]+|\d+|[\uac00-\ud7a3]+|[\u4e00-\u9fff]|[^\s\W\d_]+", re.UNICODE)
_HANGUL_WORD = re.compile(r"^[\uac00-\ud7a3]+$")
_EN_STOP = frozenset(
    """a an the of to in on at for is are was be do does did can could would should i we you
    my our your it this that and or with me us what when where who how which there any about
    from by as have has get much many please tell know want need will""".split()
)

K1 = 1.2
WEIGHT_BIGRAM = 1.0
WEIGHT_CROSS = 0.3  # a bigram across a space: matches a spacing variant, costs little if not
WEIGHT_UNIGRAM = 0.2
WEIGHT_HAN = 0.6
UNSEEN = 0.7  # weight of the question's terms the KB never uses (see bench/README-qa.md)


def stem(word: str) -> str:
    for suffix in ("ing", "ies", "es", "ed", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)] + ("y" if suffix == "ies" else "")
    return word


def weighted_terms(text: str, *, query: bool = False) -> dict[str, float]:
    """Index terms of ``text`` with their weights (queries weigh weak terms down)."""
    terms: dict[str, float] = defaultdict(float)
    words = _WORD_RE.findall(normalize(text))
    run: list[str] = []

    def flush() -> None:
        if not run:
            return
        for word in run:
            for i in range(len(word) - 1):
                terms["b:" + word[i : i + 2]] += WEIGHT_BIGRAM if query else 1
            for char in word:
                terms["u:" + char] += WEIGHT_UNIGRAM if query else 1
        for left, right in pairwise(run):
            # across a space: matches a spacing variant; a query's is marked optional
            terms[("o:" if query else "b:") + left[-1] + right[0]] += WEIGHT_CROSS if query else 1
        run.clear()

    for word in words:
        if _HANGUL_WORD.match(word):
            run.append(word)
            continue
        flush()
        if word.isdigit():
            terms["n:" + word] += 1
        elif "\u4e00" <= word[0] <= "\u9fff":
            terms["h:" + word] += WEIGHT_HAN if query else 1
        elif word.isascii():
            if word not in _EN_STOP and len(word) > 1:
                terms["w:" + stem(word)] += 1
        else:  # another script (Vietnamese words without diacritics handled as Latin)
            terms["w:" + word] += 1
    flush()
    return terms


@dataclass
class _Field:
    postings: dict[str, dict[int, float]] = field(default_factory=lambda: defaultdict(dict))
    lengths: list[int] = field(default_factory=list)
    b: float = 0.5

    binary: bool = False  # names repeat (ko, en, aliases): count a term once

    def add(self, doc: int, terms: dict[str, float]) -> None:
        if self.binary:
            terms = dict.fromkeys(terms, 1.0)
        self.lengths.append(int(sum(terms.values())))
        for term, count in terms.items():
            self.postings[term][doc] = count

    def finish(self) -> None:
        avg = (sum(self.lengths) / len(self.lengths)) if self.lengths else 1.0
        avg = avg or 1.0
        for docs in self.postings.values():
            for doc, tf in docs.items():
                norm = K1 * (1 - self.b + self.b * self.lengths[doc] / avg)
                docs[doc] = tf * (K1 + 1) / (tf + norm)


@dataclass(frozen=True)
class Record:
    """One searchable record: what it is, its names, and its text."""

    kind: str  # grant | faq | event
    id: str
    names: tuple[str, ...]  # names and aliases (fuzzy-matched)
    title: str  # names, aliases, FAQ questions and keywords
    body: str  # everything else


@dataclass
class Scored:
    doc: int
    title: float
    body: float
    name: float = 0.0
    body_factor: float = 0.75
    matched: str = ""  # the name that matched best

    @property
    def lexical(self) -> float:
        return _lexical(self.title, self.body, self.body_factor)


def _lexical(title: float, body: float, body_factor: float) -> float:
    """One score from the two fields: names count most, the rest supports them."""
    return max(title, 0.6 * title + 0.4 * body, body_factor * body)


class Index:
    def __init__(self, records: Sequence[Record], *, fuzzy: bool = True) -> None:
        self.records = list(records)
        self.fuzzy = fuzzy and _fuzz is not None
        self.title = _Field(b=0.0, binary=True)
        self.body = _Field(b=0.6)
        df: Counter[str] = Counter()
        for i, record in enumerate(self.records):
            title_terms = weighted_terms(record.title)
            body_terms = weighted_terms(record.body)
            self.title.add(i, title_terms)
            self.body.add(i, body_terms)
            df.update(set(title_terms) | set(body_terms))
        self.title.finish()
        self.body.finish()
        n = len(self.records)
        self.df = df
        self.common = max(50, n // 10)
        self.idf = {t: math.log(1 + (n - c + 0.5) / (c + 0.5)) for t, c in df.items()}
        self.unseen_idf = math.log(1 + (n + 0.5) / 0.5)
        self.names: list[list[tuple[str, str]]] = [
            [(c, jamo(c)) for c in {compact(n) for n in record.names} if len(c) >= 2]
            for record in self.records
        ]
        self.kinds_of = [record.kind for record in self.records]
        self.body_factors = [0.6 if r.kind == "faq" else 0.75 for r in self.records]
        self.exact: dict[str, list[int]] = defaultdict(list)  # names of 3+ characters
        for doc, names in enumerate(self.names):
            for name, _ in names:
                if len(name) >= 3:
                    self.exact[name].append(doc)
        self.longest_name = max((len(n) for n in self.exact), default=0)

    def knows(self, text: str) -> bool:
        """Does any word or bigram of ``text`` occur in the knowledge base?"""
        return any(t in self.idf for t in weighted_terms(text) if not t.startswith("u:"))

    def idf_of(self, term: str) -> float:
        return self.idf.get(term, self.unseen_idf)

    def lexical(
        self, query: dict[str, float], limit: int = 40, kinds: frozenset[str] | None = None
    ) -> list[Scored]:
        """The best ``limit`` records by normalised BM25 (1.0 ≈ all of the query found)."""
        weights: dict[str, float] = {}
        for term, weight in query.items():
            if term.startswith("o:"):  # an optional bigram across a space counts if found
                term = "b:" + term[2:]
                if term not in self.idf:
                    continue
            factor = 0.35 if term.startswith("u:") else 1.0
            if term not in self.idf:  # a word the KB never uses: weighs less than one it does
                factor *= UNSEEN
            weights[term] = weights.get(term, 0.0) + weight * self.idf_of(term) * factor
        total = sum(weights.values())
        if total <= 0:
            return []
        title: dict[int, float] = defaultdict(float)
        body: dict[int, float] = defaultdict(float)
        for term, weight in weights.items():
            if self.df.get(term, 0) > self.common:  # in a large KB: too common to rank by
                continue
            for doc, value in self.title.postings.get(term, {}).items():
                title[doc] += weight * value
            for doc, value in self.body.postings.get(term, {}).items():
                body[doc] += weight * value
        wanted = self.kinds_of
        best = heapq.nlargest(
            limit,
            (
                (_lexical(t / total, b / total, self.body_factors[doc]), doc)
                for doc in set(title) | set(body)
                if kinds is None or wanted[doc] in kinds
                for t, b in ((title.get(doc, 0.0), body.get(doc, 0.0)),)
            ),
        )
        return [
            Scored(
                doc,
                title.get(doc, 0.0) / total,
                body.get(doc, 0.0) / total,
                body_factor=self.body_factors[doc],
            )
            for _, doc in best
        ]

    def name_score(self, doc: int, question: str) -> tuple[float, str]:
        """How well one of the record's names appears in the question (0–1), and which."""
        q = compact(question)
        if not q:
            return 0.0, ""
        qj = jamo(q)
        best, best_name = 0.0, ""
        for name, name_jamo in self.names[doc]:
            if name in q:  # exact; a longer name is the more specific ("…2호" over "…")
                score = 1.0 + min(len(name), 30) / 300 if len(name) >= 3 else 0.85
            elif len(name) <= 2 or not self.fuzzy:
                continue
            elif len(name_jamo) <= len(qj):
                score = _fuzz.partial_ratio(name_jamo, qj) / 100
            else:  # the question is shorter than the name: a part of it at best
                score = _fuzz.partial_ratio(qj, name_jamo) / 100 * len(qj) / len(name_jamo)
            if score > best:
                best, best_name = score, name
        return best, best_name

    def search(
        self,
        query_text: str,
        extra: Iterable[str] = (),
        limit: int = 40,
        *,
        known_only: bool = False,
        kinds: frozenset[str] | None = None,
    ) -> list[Scored]:
        """Records by lexical score, each with its name score.

        ``extra`` are glossary expansions; ``known_only`` drops the question's terms the
        index has never seen (for languages the KB is not written in, where only names,
        numbers and loan words can match).
        """

        def kept(term: str) -> bool:  # (an optional bigram counts only if found anyway)
            return not known_only or term in self.idf or term[:2] == "o:"

        terms = defaultdict(
            float, {t: w for t, w in weighted_terms(query_text, query=True).items() if kept(t)}
        )
        for text in extra:  # (a glossary word the KB never uses only weighs the rest down)
            for term, weight in weighted_terms(text, query=True).items():
                if kept(term):
                    terms[term] += weight * (1.0 if known_only else 0.5)
        results = self.lexical(terms, limit, kinds)
        seen = {s.doc for s in results}
        q = compact(query_text)
        # records named exactly but drowned lexically still compete on their name
        for start in range(len(q)):
            for end in range(start + 3, min(len(q), start + self.longest_name) + 1):
                for doc in self.exact.get(q[start:end], ()):
                    if doc not in seen and (kinds is None or self.kinds_of[doc] in kinds):
                        seen.add(doc)
                        results.append(Scored(doc, 0.0, 0.0))
        for scored in results:
            scored.name, scored.matched = self.name_score(scored.doc, query_text)
        exact = [s.matched for s in results if s.name >= 1.0]
        for scored in results:  # "텃밭모임" inside "텃밭모임2호": the longer name was meant
            if scored.name >= 1.0 and any(
                scored.matched in other and scored.matched != other for other in exact
            ):
                scored.name = 0.0
        return results
