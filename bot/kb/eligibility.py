"""Which grants fit a group, and why the others do not: the /check wizard's domain logic.

:func:`check` is a pure function of the answers, the knowledge base and today. It reads
each grant's machine-checkable ``rules`` and says, per grant, whether it fits, the
reasons it does not (members, ages, how long the group has existed, a grant it needs to
have done first) and what the group still has to confirm itself (residency, every team
member's age, a group age the answer cannot settle). Every grant is in the result, with
its application window (open / closing soon / upcoming / closed): closed ones are shown
as closed, never dropped.

The parsers turn what residents type ("25살", "만 25세", "5명", "1년 6개월", "8 months")
into numbers, raising :class:`AnswerError` with a code the wizard turns into a message.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date

from bot.kb import grants
from bot.kb.grants import GrantStatus
from bot.kb.records import GrantRules, GrantSpec, KnowledgeBase, LocalizedText

MAX_AGE = 120
MAX_MEMBERS = 10_000
MAX_GROUP_MONTHS = 100 * 12


# ---------------------------------------------------------------------------------------
# Answers
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class GroupAge:
    """How long a group has existed, as a range of whole months (both ends inclusive).

    ``max_months`` None: open-ended ("3 years or more").
    """

    min_months: int
    max_months: int | None

    @classmethod
    def exactly(cls, months: int) -> GroupAge:
        return cls(months, months)


GROUP_AGE_BUCKETS: dict[str, GroupAge] = {
    "new": GroupAge(0, 0),  # just starting
    "lt6m": GroupAge(0, 5),
    "6to12m": GroupAge(6, 11),
    "1to3y": GroupAge(12, 35),
    "3yplus": GroupAge(36, None),
}
"""The wizard's buttons: 처음 시작, 6개월 미만, 6개월~1년, 1~3년, 3년 이상."""


@dataclass(frozen=True)
class Answers:
    age: int
    """The person asking, in full years (만 나이)."""
    members: int
    group_age: GroupAge
    prior_grants: frozenset[str] = frozenset()
    """Grant ids the group has received before."""
    dong: str | None = None


class AnswerError(ValueError):
    """Input the wizard cannot use; ``code`` says why (see the handler's messages)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


_INT_RE = re.compile(r"\d+(?:[.,]\d+)?")


def _normalise(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip().lower()


def _one_whole_number(text: str, low: int, high: int) -> int:
    text = _normalise(text)
    numbers = _INT_RE.findall(text)
    if len(numbers) != 1:
        raise AnswerError("not_a_number" if not numbers else "several_numbers")
    raw = numbers[0]
    if not raw.isdigit():
        raise AnswerError("not_whole")
    if re.search(r"-\s*" + re.escape(raw), text):
        raise AnswerError("out_of_range")
    value = int(raw)
    if not low <= value <= high:
        raise AnswerError("out_of_range")
    return value


def parse_age(text: str) -> int:
    """'25', '25살', '만 25세', 'I am 25' → 25; 0–120."""
    return _one_whole_number(text, 0, MAX_AGE)


def parse_members(text: str) -> int:
    """'5', '5명', '다섯 명' is not understood (digits please) → 1–10,000."""
    return _one_whole_number(text, 1, MAX_MEMBERS)


_PAIR_RE = re.compile(
    r"(?P<n>\d+(?:\.\d+)?)\s*(?:(?P<y>년|해|years?(?![a-z])|yrs?(?![a-z])|y(?![a-z]))"
    r"|(?P<m>개월|달|months?(?![a-z])|mos?(?![a-z])|m(?![a-z])))"
)
_AT_LEAST = ("이상", "넘", "over", "more than", "at least", "+")
_LESS_THAN = ("미만", "안 됐", "안됐", "안 되", "안되", "less than", "under", "<")
_NEW_WORDS = ("처음", "새로", "시작", "막 ", "new", "just start", "not yet")


def parse_group_age(text: str) -> GroupAge:
    """How long the group has existed, as typed: '8개월', '2년', '1년 6개월', '1년 반',
    '1.5년', '18 months', '2 years', '3년 이상', '6개월 미만', '처음 시작해요'.

    A bare number is refused (``unit``): 8 months and 8 years are far apart.
    """
    clean = _normalise(text).replace(",", ".")
    if not clean:
        raise AnswerError("not_a_number")
    if not re.search(r"\d", clean):
        if any(word in clean for word in _NEW_WORDS):
            return GROUP_AGE_BUCKETS["new"]
        raise AnswerError("not_a_number")
    months = 0.0
    for match in _PAIR_RE.finditer(clean):
        months += float(match.group("n")) * (12 if match.group("y") else 1)
    if re.search(r"(?:년|해)\s*반", clean):
        months += 6
    if re.search(r"\d", _PAIR_RE.sub(" ", clean)):
        raise AnswerError("unit")  # a number without 년/개월 (or several readings)
    if months != int(months):
        months = round(months)
    whole = int(months)
    if whole > MAX_GROUP_MONTHS:
        raise AnswerError("out_of_range")
    if any(word in clean for word in _AT_LEAST):
        return GroupAge(whole, None)
    if any(word in clean for word in _LESS_THAN):
        return GroupAge(0, max(0, whole - 1))
    return GroupAge.exactly(whole)


# ---------------------------------------------------------------------------------------
# Verdicts
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Reason:
    """Why a grant does not fit (or, in ``Verdict.confirm``, what to check oneself).

    Codes and their fields:

    * ``members``: the grant needs at least ``number`` members;
    * ``min_age`` / ``max_age``: the age limit ``number``;
    * ``group_age``: the group must have existed at least ``number`` years;
    * ``group_age_months``: … at least ``number`` months (a rule not in whole years);
    * ``prior_grant``: the group must have done ``grant_id`` first;
    * ``applicants``: only ``kinds`` may apply (a person on their own is not one of them);
    * ``team_ages`` (confirm): every member aged ``number``–``upper`` (either may be None);
    * ``residency`` (confirm): ``text``;
    * ``group_age`` / ``group_age_months`` (confirm): the answer cannot tell whether the
      group is that old;
    * ``applicants`` (confirm): only ``kinds`` may apply, and the answers cannot tell
      whether the group is one (a resident council, an organisation);
    * ``condition`` (confirm): ``text``, a condition of the grant no answer settles.
    """

    code: str
    number: int | None = None
    upper: int | None = None
    grant_id: str | None = None
    text: LocalizedText | None = None
    kinds: tuple[str, ...] = ()


@dataclass(frozen=True)
class Verdict:
    grant: GrantSpec
    window: GrantStatus
    reasons: tuple[Reason, ...] = ()
    confirm: tuple[Reason, ...] = ()

    @property
    def fits(self) -> bool:
        return not self.reasons


@dataclass(frozen=True)
class Result:
    fitting: list[Verdict] = field(default_factory=list)
    """Grants the group fits: open or closing soon first, then upcoming, then closed."""
    not_fitting: list[Verdict] = field(default_factory=list)
    """Grants that do not fit, with the reasons, in the same order."""


def _group_age_outcome(group_age: GroupAge, need: int) -> str:
    """'yes', 'no' or 'unknown': has the group existed ``need`` months?"""
    if group_age.min_months >= need:
        return "yes"
    if group_age.max_months is not None and group_age.max_months < need:
        return "no"
    return "unknown"


def _group_age_reason(rules: GrantRules) -> tuple[int, Reason] | None:
    """The group-age rule in months, and how to say it (in years when it is whole years)."""
    years, months = rules.min_group_age_years or 0, rules.min_group_age_months or 0
    need = max(years * 12, months)
    if not need:
        return None
    if need % 12 == 0:
        return need, Reason("group_age", number=need // 12)
    return need, Reason("group_age_months", number=need)


def judge(grant: GrantSpec, answers: Answers, today: date) -> Verdict:
    """Every machine-checkable rule of ``grant`` against the answers.

    Each rule the schema has is applied here (a test checks that none is ignored); what
    the answers cannot settle — residency, a group's kind, the grant's other conditions —
    is listed in ``confirm``, so a grant never "fits" in silence on a condition nobody
    checked.
    """
    rules = grant.rules
    reasons: list[Reason] = []
    confirm: list[Reason] = []
    kinds = tuple(rules.applicants or ())
    if kinds and answers.members == 1 and "individual" not in kinds:
        reasons.append(Reason("applicants", kinds=kinds))  # "individuals cannot apply"
    elif kinds and answers.members > 1 and not {"individual", "group"} & set(kinds):
        confirm.append(Reason("applicants", kinds=kinds))  # a council? an organisation?
    if rules.min_members is not None and answers.members < rules.min_members:
        reasons.append(Reason("members", number=rules.min_members))
    if rules.min_age is not None and answers.age < rules.min_age:
        reasons.append(Reason("min_age", number=rules.min_age))
    if rules.max_age is not None and answers.age > rules.max_age:
        reasons.append(Reason("max_age", number=rules.max_age))
    group_age = _group_age_reason(rules)
    if group_age is not None:
        outcome = _group_age_outcome(answers.group_age, group_age[0])
        if outcome == "no":
            reasons.append(group_age[1])
        elif outcome == "unknown":
            confirm.append(group_age[1])
    prior = rules.prior_grant_required
    if prior is not None and prior not in answers.prior_grants:
        reasons.append(Reason("prior_grant", grant_id=prior))
    if (rules.min_age is not None or rules.max_age is not None) and answers.members > 1:
        confirm.append(Reason("team_ages", number=rules.min_age, upper=rules.max_age))
    if rules.residency is not None:
        confirm.append(Reason("residency", text=rules.residency))
    for condition in rules.conditions or ():
        confirm.append(Reason("condition", text=condition))
    return Verdict(grant, grants.status(grant, today), tuple(reasons), tuple(confirm))


JUDGED_RULES = frozenset(
    {
        "min_members",
        "min_age",
        "max_age",
        "min_group_age_years",
        "min_group_age_months",
        "residency",
        "prior_grant_required",
        "applicants",
        "conditions",
    }
)
"""Every field of :class:`~bot.kb.records.GrantRules` that :func:`judge` applies."""


_WINDOW_ORDER = {
    GrantStatus.CLOSING: 0,
    GrantStatus.OPEN: 0,
    GrantStatus.UPCOMING: 1,
    GrantStatus.CLOSED: 2,
}


def _order(verdict: Verdict) -> tuple[int, int]:
    app = verdict.grant.application
    rank = _WINDOW_ORDER[verdict.window]
    when = app.opens if verdict.window is GrantStatus.UPCOMING else app.closes
    return rank, when.toordinal() * (-1 if verdict.window is GrantStatus.CLOSED else 1)


def check(answers: Answers, kb: KnowledgeBase, today: date) -> Result:
    """Every grant of the KB, judged against the answers, split into fits and not."""
    verdicts = sorted((judge(g, answers, today) for g in kb.grants), key=_order)
    return Result(
        fitting=[v for v in verdicts if v.fits],
        not_fitting=[v for v in verdicts if not v.fits],
    )


__all__ = [
    "GROUP_AGE_BUCKETS",
    "JUDGED_RULES",
    "MAX_AGE",
    "AnswerError",
    "Answers",
    "GroupAge",
    "Reason",
    "Result",
    "Verdict",
    "check",
    "judge",
    "parse_age",
    "parse_group_age",
    "parse_members",
]
