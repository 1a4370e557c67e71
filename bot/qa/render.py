"""An :class:`~bot.qa.engine.Answer` as text in the reader's language.

Facets are answered straight from the structured record (dates with Babel in the
configured zone, won amounts with ``format_krw``, event times from the expanded
recurrence). The text is plain with newlines: the bot escapes it for HTML.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from babel.dates import get_day_names

from bot.core.i18n import N_, Translator
from bot.core.text import localized
from bot.kb.records import AssemblySpec, EventSpec, FaqSpec, GrantSpec, LocalizedText
from bot.qa import events as ev
from bot.qa.criteria import AgeFilter
from bot.qa.dates import DateRange
from bot.qa.engine import Answer, QAEngine

MAX_LISTED = 8

_KIND_NAMES = {
    "training": N_("trainings"),
    "meeting": N_("meetings"),
    "assembly": N_("assemblies"),
    "forum": N_("forums and information sessions"),
    "consultation": N_("consultations"),
    "festival": N_("festivals"),
}


# What an event's notice may say of a fee ("참가비 5천원", "무료", "free", "재료비 본인 부담")
_FEE_SAID_RE = re.compile(
    r"무료|유료|참가비|참가료|회비|수강료|입장료|재료비|실비|본인\s?부담|\d\s?원|"
    r"\bfree\b|\bfees?\b|\bcharge\b|\bcosts?\b|\bwon\b|KRW",
    re.IGNORECASE,
)


# What a grant's notice may say of rent and running costs ("임차료 일부", "관리비는 지원하지
# 않습니다", "rent"), an event's of food served and of attending (asked right after an answer
# about it: bot/qa/engine.py, the facets "costs", "food" and "absence")
_COSTS_SAID_RE = re.compile(
    r"임대료|임차료|월세|관리비|운영비|공과금|전기료|난방비|\brent\b|running costs?|utilit",
    re.IGNORECASE,
)
_FOOD_SAID_RE = re.compile(
    r"간식|식사|점심|저녁|도시락|다과|음료|밥|\b(?:food|snacks?|lunch|dinner|meals?|drinks?|"
    r"refreshments)\b",
    re.IGNORECASE,
)
_ATTENDING_SAID_RE = re.compile(
    r"참석|출석|수료|이수|빠지|불참|결석|\battend|\bmiss|\bmust\b|\bcertificate",
    re.IGNORECASE,
)
# What an event's card is shown for and no field says (a fee, food, missing it): what its
# notice says of it, and what the bot says when it says nothing
_NOTICE_SILENT = {
    "fee": (
        _FEE_SAID_RE,
        N_("The notice of {title} does not say whether there is a fee. Ask: {contact}"),
    ),
    "food": (
        _FOOD_SAID_RE,
        N_("The notice of {title} does not say whether food is served. Ask: {contact}"),
    ),
    "absence": (
        _ATTENDING_SAID_RE,
        N_("The notice of {title} does not say what happens if you miss it. Ask: {contact}"),
    ),
}


def _l(value: LocalizedText | None, lang: str) -> str:
    return value.get(lang) if value is not None else ""


def record_name(engine: QAEngine, kind: str, id_: str, lang: str) -> str:
    """The display name of a grant, FAQ entry or event (its id when unknown)."""
    if kind == "grant" and id_ in engine.grants:
        return _l(engine.grants[id_].name, lang)
    if kind == "faq" and id_ in engine.faq:
        return _l(engine.faq[id_].question, lang)
    if kind == "event" and id_ in engine.events:
        return _l(engine.events[id_].title, lang)
    if kind == "assembly" and id_ in engine.assemblies:
        return _l(engine.assemblies[id_].title, lang)
    return id_


def listed(engine: QAEngine, answer: Answer) -> tuple[str, ...]:
    """The records a list answer shows, line by line in its order (at most
    :data:`MAX_LISTED`): what "2번", "첫 번째 거 서류는요?" point at next. A list of events
    names one event on each line it is held (a line an occurrence), so an event may stand
    twice."""
    if not (answer.confident and answer.is_filter):
        return ()
    if answer.event_query is not None:
        query = answer.event_query
        return tuple(event_id for event_id, _ in (query.occurrences or query.later))[:MAX_LISTED]
    grants = [i for i in answer.matches if i in engine.grants]
    if answer.grant_query is not None and answer.grant_query.superlative:
        return tuple(grants[:1])  # ("the largest grant is …": one named)
    return tuple(grants[:MAX_LISTED])


def offered(answer: Answer) -> tuple[str, ...]:
    """The records a "not sure — is it one of these?" answer shows, numbered: the three
    offered, or — asking which one after a list — that list's lines (up to
    :data:`MAX_LISTED`). What the chat may point at by number next."""
    return answer.alternatives[: MAX_LISTED if answer.reason == "which" else 3]


def kind_of(engine: QAEngine, id_: str) -> str:
    if id_ in engine.grants:
        return "grant"
    if id_ in engine.faq:
        return "faq"
    if id_ in engine.events:
        return "event"
    if id_ in engine.assemblies:
        return "assembly"
    return "none"


@dataclass(frozen=True)
class VoteState:
    """An assembly's vote as it stands (bot/assembly keeps it): staff may have moved its
    window or closed it early since the KB said when it runs. The bot passes it to
    :func:`render` so that "open now, until …" is what the vote itself says."""

    opens_at: datetime
    closes_at: datetime
    closed: bool  # tallied, or past its (possibly early) close
    method: str
    max_choices: int | None
    items: tuple[dict[str, str], ...] = ()  # each item's title by language, in ballot order
    revoting: bool = True  # a vote cast may be cast again (the last one counts); staff may
    # forbid it per vote. A vote made from the KB allows it (bot/assembly), so the plan says so

    def over(self, now: datetime) -> bool:
        """Closed by ``now``: tallied, closed early, or past its close."""
        return self.closed or now >= self.closes_at


def render(
    engine: QAEngine, answer: Answer, t: Translator, now: datetime, vote: VoteState | None = None
) -> str:
    """The answer as plain text (newlines between parts) in ``t``'s language (``vote``: the
    live state of the assembly answered about, where the caller has it)."""
    text = _render(engine, answer, t, now, vote)
    if answer.question_lang not in (None, "ko", "en") and answer.reason not in ("thanks",):
        # asked in Chinese, Vietnamese, Japanese …: answered in the reader's language
        text += "\n\n" + t._("(The information is available in Korean and English only.)")
    return text


def _render(
    engine: QAEngine, answer: Answer, t: Translator, now: datetime, vote: VoteState | None
) -> str:
    r = _Renderer(engine, t, now)
    if answer.kind == "none":
        return r.none(answer)
    if answer.kind == "centre":
        return r.centre()
    if not answer.confident:
        return r.unsure(answer)
    if answer.grant_query is not None:
        return r.grant_list(answer)
    if answer.event_query is not None:
        return r.event_list(answer)
    if answer.kind == "grant" and answer.id in engine.grants:
        text = r.grant(engine.grants[answer.id], answer)
        prior = engine.grants[answer.id].rules.prior_grant_required
        if answer.reason == "next" and prior in engine.grants:
            intro = t._(
                "After {prior}, the next step is {name}.",
                prior=_l(engine.grants[prior].name, t.lang),
                name=_l(engine.grants[answer.id].name, t.lang),
            )
            text = f"{intro}\n\n{text}"
        return text
    if answer.kind == "event" and answer.id in engine.events:
        return r.event(engine.events[answer.id], answer)
    if answer.kind == "faq" and answer.id in engine.faq:
        return r.faq(engine.faq[answer.id])
    if answer.kind == "assembly" and answer.id in engine.assemblies:
        return r.assembly(engine.assemblies[answer.id], answer, vote)
    return r.none(answer)


def as_said(facet: str, answer: Answer) -> str:
    """A grant's facet as the answer says it: the window ("deadline") from its opening when
    the opening was asked first (:attr:`Answer.opening`)."""
    return "opens" if facet == "deadline" and answer.opening else facet


class _Renderer:
    def __init__(self, engine: QAEngine, t: Translator, now: datetime) -> None:
        self.engine = engine
        self.t = t
        self.lang = t.lang
        self.now = now.astimezone(t.tz)
        self.today = self.now.date()

    # --- helpers ------------------------------------------------------------------
    def contact(self) -> str:
        region = self.engine.kb.region
        return self.t._(
            "{centre}: {phone} ({hours}), {email}",
            centre=_l(region.centre, self.lang),
            phone=region.contact.phone,
            hours=_l(region.contact.hours, self.lang),
            email=region.contact.email,
        )

    def day(self, value: date | datetime) -> str:
        return self.t.format_date(value)

    def span(self, start: date, end: date) -> str:
        if start == end:
            return self.day(start)
        return f"{self.t.format_date(start)} ~ {self.t.format_date(end)}"

    def period(self, dates: DateRange) -> str:
        """The range of an events question, with its weekdays when it has some ("… (토요일)")."""
        span = self.span(dates.start, dates.end)
        if not dates.weekdays:
            return span
        names = get_day_names("wide", locale=self.lang)
        return f"{span} ({', '.join(names[d] for d in dates.weekdays)})"

    def window(self, grant: GrantSpec) -> str:
        t = self.t
        opens, closes = grant.application.opens, grant.application.closes
        span = self.span(opens, closes)
        if self.today < opens:
            days = (opens - self.today).days
            return t.n_("{span} (opens in {n} day)", "{span} (opens in {n} days)", days, span=span)
        if self.today <= closes:
            days = (closes - self.today).days
            if days == 0:
                return t._("{span} (closes today)", span=span)
            return t._("{span} (D-{n})", span=span, n=days)
        return t._("{span} (closed)", span=span)

    def amount_line(self, grant: GrantSpec) -> str:
        return self.t._("up to {amount} per group", amount=self.t.format_krw(grant.amount.max_krw))

    # --- grants -------------------------------------------------------------------
    def grant(self, grant: GrantSpec, answer: Answer) -> str:
        parts: list[str] = []
        for facet in answer.facets[:2]:
            text = self.grant_facet(
                grant, as_said(facet, answer), age=answer.age, members=answer.members
            )
            if text and text not in parts:
                parts.append(text)
        return "\n\n".join(parts)

    def grant_facet(
        self,
        grant: GrantSpec,
        facet: str,
        age: AgeFilter | None = None,
        members: int | None = None,
    ) -> str:
        t = self.t
        name = _l(grant.name, self.lang)
        opens, closes = grant.application.opens, grant.application.closes
        said = {"name": name, "opens": self.day(opens), "closes": self.day(closes)}
        if facet == "opens":  # when applications open ("접수 언제 시작해요?"), then the close
            # (the engine answers it as the "deadline", the window: Answer.opening)
            if self.today < opens:
                return t._(
                    "Applications for {name} open on {opens} (D-{n}) and close on {closes}.",
                    **said,
                    n=(opens - self.today).days,
                )
            if self.today < closes:
                return t._(
                    "Applications for {name} opened on {opens} and close on {closes} (D-{n}).",
                    **said,
                    n=(closes - self.today).days,
                )
            if self.today > closes:
                return t._(
                    "Applications for {name} were open from {opens} to {closes}; they are closed.",
                    **said,
                )
            facet = "deadline"  # (closing today: said as the deadline is)
        if facet == "deadline":
            if self.today < opens:
                return t._(
                    "Applications for {name} close on {closes} (D-{n}). They open on {opens}.",
                    **said,
                    n=(closes - self.today).days,
                )
            if self.today <= closes:
                days = (closes - self.today).days
                if days == 0:
                    return t._(
                        "Applications for {name} close today, {closes} (D-day).",
                        **said,
                    )
                return t._(
                    "Applications for {name} close on {closes} (D-{n}).",
                    **said,
                    n=days,
                )
            return t._("Applications for {name} closed on {closes}.", **said)
        if facet == "result":
            if grant.application.result_on is None:
                return t._(
                    "{name} has no announced result date yet. Please ask {team} ({phone}).",
                    name=name,
                    team=_l(grant.contact.team, self.lang),
                    phone=grant.contact.phone,
                )
            return t._(
                "Results for {name} are announced on {date}.",
                name=name,
                date=self.day(grant.application.result_on),
            )
        if facet == "amount":
            lines = [
                t._(
                    "{name} gives up to {amount} per group.",
                    name=name,
                    amount=t.format_krw(grant.amount.max_krw),
                )
            ]
            if grant.amount.total_krw and grant.amount.expected_awards:
                lines.append(
                    t.n_(
                        "About {n} group is chosen ({total} in all).",
                        "About {n} groups are chosen ({total} in all).",
                        grant.amount.expected_awards,
                        total=t.format_krw(grant.amount.total_krw),
                    )
                )
            if grant.amount.self_funding_percent:
                lines.append(
                    t._(
                        "The group pays {percent} of the budget itself.",
                        percent=f"{grant.amount.self_funding_percent}%",
                    )
                )
            return " ".join(lines)
        if facet == "eligibility":
            lines = [t._("Who can apply for {name}:", name=name), _l(grant.eligibility, self.lang)]
            rules = grant.rules
            if rules.min_age is not None or rules.max_age is not None:
                low = rules.min_age if rules.min_age is not None else 0
                high = rules.max_age if rules.max_age is not None else "—"
                lines.append(t._("Age: {low} to {high}.", low=low, high=high))
                if age is not None:  # "저 마흔둘인데 돼요?": say it for that age
                    lines.append(
                        t._("At {age}, you are within the age limit.", age=age.low)
                        if age.allows(rules.min_age, rules.max_age)
                        else t._("At {age}, you are outside the age limit.", age=age.low)
                    )
            if rules.min_members:
                lines.append(
                    t.n_("At least {n} member.", "At least {n} members.", rules.min_members)
                )
                if members is not None:  # "우리는 3명인데 돼요?": say it for that group
                    lines.append(
                        t._("A group of {n} meets the number of members.", n=members)
                        if members >= rules.min_members
                        else t._("A group of {n} has too few members.", n=members)
                    )
            if rules.min_group_age_years:
                lines.append(
                    t.n_(
                        "The group must have been active for at least {n} year.",
                        "The group must have been active for at least {n} years.",
                        rules.min_group_age_years,
                    )
                )
            prior = rules.prior_grant_required
            if prior and prior in self.engine.grants:
                lines.append(
                    t._(
                        "It must have completed {grant} before.",
                        grant=_l(self.engine.grants[prior].name, self.lang),
                    )
                )
            return "\n".join(lines)
        if facet == "documents":
            if not grant.documents:
                return t._(
                    "{name} lists no documents; ask {team} ({phone}).",
                    name=name,
                    team=_l(grant.contact.team, self.lang),
                    phone=grant.contact.phone,
                )
            lines = [t._("Documents for {name}:", name=name)]
            lines += [f"• {_l(doc, self.lang)}" for doc in grant.documents]
            return "\n".join(lines)
        if facet == "how_to_apply":
            return "\n".join(
                [
                    t._("How to apply for {name}:", name=name),
                    _l(grant.application.how, self.lang),
                    t._("Application period: {window}", window=self.window(grant)),
                ]
            )
        if facet == "contact":
            return t._(
                "For {name}, contact {team}: {phone}.",
                name=name,
                team=_l(grant.contact.team, self.lang),
                phone=grant.contact.phone,
            )
        if facet == "support":
            return t._(
                "What comes with {name}: {support}", name=name, support=_l(grant.support, self.lang)
            )
        if facet == "costs":  # (after its card: what it says of rent and running costs)
            if any(_COSTS_SAID_RE.search(_l(grant.summary, lang)) for lang in ("ko", "en")):
                return ""  # (said on the card)
            if any(_COSTS_SAID_RE.search(_l(grant.support, lang)) for lang in ("ko", "en")):
                return self.grant_facet(grant, "support")
            return t._(
                "The notice of {name} does not say whether it pays for rent or running costs. "
                "Ask {team}: {phone}.",
                name=name,
                team=_l(grant.contact.team, self.lang),
                phone=grant.contact.phone,
            )
        return "\n".join(  # summary and anything else
            [
                name,
                _l(grant.summary, self.lang),
                t._("Amount: {amount}", amount=self.amount_line(grant)),
                t._("Application period: {window}", window=self.window(grant)),
            ]
        )

    def grant_list(self, answer: Answer) -> str:
        t = self.t
        query = answer.grant_query
        assert query is not None
        grants = [self.engine.grants[i] for i in answer.matches if i in self.engine.grants]
        if query.superlative and grants:
            grant = grants[0]
            return t._(
                "The largest grant is {name}: up to {amount} per group.\n{window}",
                name=_l(grant.name, self.lang),
                amount=t.format_krw(grant.amount.max_krw),
                window=t._("Application period: {window}", window=self.window(grant)),
            )
        if len(grants) == 1 and answer.facet not in ("list", "summary"):
            return self.grant_facet(grants[0], as_said(answer.facet or "summary", answer))
        header = self.grant_header(answer)
        if not grants:
            return "\n".join([header, t._("No grant matches that. Type /grants to see them all.")])
        lines = [header]
        # numbered as :func:`listed` keeps them: "2번" is the second line
        for number, grant in enumerate(grants[:MAX_LISTED], start=1):
            lines.append(
                t._(
                    "{number}. {name} — {amount}, {window}",
                    number=number,
                    name=_l(grant.name, self.lang),
                    amount=self.amount_line(grant),
                    window=self.window(grant),
                )
            )
        if len(grants) > MAX_LISTED:
            lines.append(t._("…and {n} more.", n=len(grants) - MAX_LISTED))
        if query.age_targeted and query.others:
            lines.append(
                t.n_(
                    "{n} other grant has no age limit.",
                    "{n} other grants have no age limit.",
                    len(query.others),
                )
            )
        return "\n".join(lines)

    def grant_header(self, answer: Answer) -> str:
        t = self.t
        query = answer.grant_query
        assert query is not None
        if query.age is not None:
            age = query.age
            if age.low == age.high:
                return t._("Grants someone aged {age} can apply for:", age=age.low)
            return t._("Grants someone aged {low} to {high} can apply for:", low=age.low,
                       high=age.high)  # fmt: skip
        if query.amount is not None:
            amount = t.format_krw(query.amount.value)
            return {
                ">": t._("Grants giving more than {amount}:", amount=amount),
                ">=": t._("Grants giving at least {amount}:", amount=amount),
                "<=": t._("Grants giving up to {amount}:", amount=amount),
                "<": t._("Grants giving less than {amount}:", amount=amount),
                "~": t._("Grants giving about {amount}, the closest first:", amount=amount),
                "=": t._("Grants giving {amount}:", amount=amount),
            }[query.amount.op]
        if query.members is not None:
            return t._("Grants a group of {n} can apply for:", n=query.members)
        if query.self_funding is not None:
            return (
                t._("Grants where the group pays a share itself:")
                if query.self_funding
                else t._("Grants with no share for the group to pay:")
            )
        if query.age_rule is not None:
            return (
                t._("Grants with an age limit:")
                if query.age_rule
                else t._("Grants open to any age:")
            )
        if query.members_required is not None:
            return t._("Grants that need at least {n} members:", n=query.members_required)
        if query.categories:
            names = ", ".join(
                _l(self.engine.categories[c].name, self.lang)
                for c in query.categories
                if c in self.engine.categories
            )
            return t._("Grants about {themes}:", themes=names)
        if (
            query.status == "open"
            and answer.dates is not None
            and answer.facets[:1] == ("deadline",)
        ):
            return t._(  # "지금 접수 중인 것 중에 이번 달 마감되는 공모": both filters said
                "Grants open now that close in {period}:",
                period=self.span(answer.dates.start, answer.dates.end),
            )
        if query.status == "open":
            return t._("Grants open for applications now:")
        if query.status == "closing":
            return t._("Grants closing within two weeks:")
        if query.status == "upcoming":
            return t._("Grants opening later:")
        if query.status == "closed":
            return t._("Grants already closed:")
        if answer.dates is not None:
            period = self.span(answer.dates.start, answer.dates.end)
            # the date said of a deadline, a start or the results filtered by that date
            # ("2월 26일 마감인 사업", "3월 5일에 결과 나오는 사업들"); else by the window
            return {
                "deadline": t._("Grants closing on {period}:", period=period),
                "opens": t._("Grants opening for applications on {period}:", period=period),
                "result": t._("Grants announcing their results on {period}:", period=period),
            }.get(
                query.dated or "",
                t._("Grants open for applications in {period}:", period=period),
            )
        # nothing asked but the grants ("공모사업 뭐 있어요?", "지원금 얼마까지 받아요?"), or
        # what each has its own of ("공모사업 마감 언제예요?", "신청 서류 뭐 필요해요?")
        each = {
            "deadline": t._("Each grant has its own deadline."),
            "documents": t._("Each grant asks for its own documents: choose one below."),
            "how_to_apply": t._("How to apply depends on the grant: choose one below."),
        }.get(answer.facets[0] if answer.facets else "")
        grants = [self.engine.grants[id_] for id_ in answer.matches if id_ in self.engine.grants]
        if not any(g.application.opens <= self.today <= g.application.closes for g in grants):
            header = t._("No grant is open for applications now. Our grants:")
        else:
            header = t._("Our grants, those open for applications first:")
        return f"{each}\n{header}" if each else header

    # --- events -------------------------------------------------------------------
    def when(self, event: EventSpec, start: datetime) -> str:
        end = start + ev.duration(event)
        if end.astimezone(self.t.tz).date() == start.astimezone(self.t.tz).date():
            return f"{self.t.format_datetime(start)}~{self.t.format_time(end)}"
        return f"{self.t.format_datetime(start)} ~ {self.t.format_datetime(end)}"

    def event(self, event: EventSpec, answer: Answer) -> str:
        t = self.t
        title = _l(event.title, self.lang)
        occurrence = answer.occurrence
        if occurrence is None:
            return t._(
                "{title} took place on {date}; no further dates are planned.",
                title=title,
                date=self.day(event.starts_at),
            )
        parts: list[str] = []
        dates = answer.dates
        if dates is not None and not dates.on_day(occurrence.astimezone(t.tz).date()):
            parts.append(
                t._(
                    "{title} does not take place in {period}.",
                    title=title,
                    period=self.period(dates),
                )
            )
        for facet in answer.facets[:2]:
            text = self.event_facet(event, facet, occurrence)
            if text and text not in parts:
                parts.append(text)
        return "\n\n".join(parts)

    def event_facet(self, event: EventSpec, facet: str, occurrence: datetime) -> str:
        t = self.t
        title = _l(event.title, self.lang)
        when = self.when(event, occurrence)
        place = _l(event.place, self.lang)
        if facet == "place":
            return t._("{title} takes place at {place} ({when}).", title=title, place=place,
                       when=when)  # fmt: skip
        if facet == "time":
            lines = [t._("{title}: {when}, {place}.", title=title, when=when, place=place)]
            if event.rrule:
                after = occurrence + ev.duration(event)
                later = [  # (those overlapping the span after it: it is one of them)
                    d
                    for d in ev.occurrences_between(event, after, after + timedelta(days=366))
                    if d > occurrence
                ][:2]
                if later:
                    lines.append(
                        t._("Next times: {dates}.", dates=", ".join(self.day(d) for d in later))
                    )
            return "\n".join(lines)
        if facet == "registration":
            reg = event.registration
            if reg is None or not reg.required:
                return t._("{title} needs no registration: just come ({when}).", title=title,
                           when=when)  # fmt: skip
            lines = [t._("{title} needs registration.", title=title)]
            if reg.capacity:
                lines.append(t.n_("{n} place.", "{n} places.", reg.capacity))
            if reg.closes_hours_before:
                lines.append(
                    t.n_(
                        "Registration closes {n} hour before the start ({when}).",
                        "Registration closes {n} hours before the start ({when}).",
                        reg.closes_hours_before,
                        when=when,
                    )
                )
            else:
                lines.append(t._("Next session: {when}.", when=when))
            lines.append(t._("To register: {contact}", contact=self.contact()))
            return " ".join(lines)
        if facet == "audience":
            return t._("{title} is for: {audience}.", title=title,
                       audience=_l(event.audience, self.lang))  # fmt: skip
        if facet == "contact":
            return t._("About {title}, contact {contact}", title=title, contact=self.contact())
        if facet in _NOTICE_SILENT:  # (no field says these: what its notice says, or not)
            said_re, silent = _NOTICE_SILENT[facet]
            said = " ".join(_l(v, lang) for v in (event.description, event.audience)
                            for lang in ("ko", "en"))  # fmt: skip
            if said_re.search(said):  # (said on its card, shown once: Renderer.event)
                return self.event_facet(event, "summary", occurrence)
            return t._(silent, title=title, contact=self.contact())
        return "\n".join(  # summary
            [
                title,
                _l(event.description, self.lang),
                t._("When: {when}", when=when),
                t._("Where: {place}", place=place),
                t._("For: {audience}", audience=_l(event.audience, self.lang)),
            ]
        )

    def event_list(self, answer: Answer) -> str:
        t = self.t
        query = answer.event_query
        assert query is not None
        kinds = ", ".join(t._(_KIND_NAMES[k]) for k in query.kinds if k in _KIND_NAMES)
        if query.relaxed and query.occurrences:
            # "다음 주에 무슨 교육 있어요?" with no training that week: say so first, even
            # when one event of another kind is all there is
            if answer.dates is not None:
                period = self.period(answer.dates)
                lead = t._(
                    "No {kinds} in {period}. Here is what is on:", kinds=kinds, period=period
                )
            else:
                lead = t._("No {kinds} are planned. Here is what is on:", kinds=kinds)
            return "\n".join([lead, *self.occurrence_lines(query.occurrences)])
        if len(answer.matches) == 1 and answer.occurrence is not None:
            event = self.engine.events[answer.matches[0]]
            facet = answer.facet if answer.facet not in (None, "list") else "time"
            return self.event_facet(event, facet or "time", answer.occurrence)
        if len(answer.matches) == 1:  # held already, and not again ("회계교육 언제언제 해요?")
            return self.event(self.engine.events[answer.matches[0]], answer)
        held = any(start < self.now for _, start in query.occurrences)
        if answer.dates is None and held:  # "언제언제": this year's, those held too
            header = t._("{kinds} this year:", kinds=kinds) if kinds else t._("This year:")
        elif answer.dates is not None:
            period = self.period(answer.dates)
            header = (
                t._("{kinds} in {period}:", kinds=kinds, period=period)
                if kinds
                else t._("What's on in {period}:", period=period)
            )
        else:
            header = t._("Upcoming {kinds}:", kinds=kinds) if kinds else t._("Coming up:")
        if not query.occurrences:
            if answer.dates is None:
                return t._("Nothing like that is scheduled.")
            lines = [t._("Nothing is scheduled in {period}.", period=period)]
            if query.later:  # what comes after the period: of the kinds asked, or anything
                same_kind = kinds and all(
                    self.engine.events[i].kind in query.kinds for i, _ in query.later
                )
                lines.append(
                    t._("Upcoming {kinds}:", kinds=kinds) if same_kind else t._("Coming up:")
                )
                lines += self.occurrence_lines(query.later)
            return "\n".join(lines)
        header = header[:1].upper() + header[1:]  # "trainings in …" begins a line in English
        return "\n".join([header, *self.occurrence_lines(query.occurrences)])

    def occurrence_lines(self, occurrences: tuple[tuple[str, datetime], ...]) -> list[str]:
        t = self.t
        lines: list[str] = []
        # numbered as :func:`listed` keeps them (a line an occurrence): "2번" is the second
        for number, (event_id, start) in enumerate(occurrences[:MAX_LISTED], start=1):
            event = self.engine.events[event_id]
            values = {
                "number": str(number),
                "when": t.format_datetime(start),
                "title": _l(event.title, self.lang),
                "place": _l(event.place, self.lang),
            }
            if start < self.now:  # "언제언제": the times already held are listed too
                lines.append(t._("{number}. {when} {title} — {place} (already held)", **values))
            else:
                lines.append(t._("{number}. {when} {title} — {place}", **values))
        if len(occurrences) > MAX_LISTED:
            lines.append(t._("…and {n} more.", n=len(occurrences) - MAX_LISTED))
        return lines

    def centre(self) -> str:
        region = self.engine.kb.region
        contact = region.contact
        return "\n".join(
            [
                _l(region.centre, self.lang),
                self.t._("Phone: {phone}", phone=contact.phone),
                self.t._("E-mail: {email}", email=contact.email),
                self.t._("Address: {address}", address=_l(contact.address, self.lang)),
                self.t._("Opening hours: {hours}", hours=_l(contact.hours, self.lang)),
            ]
        )

    # --- online assembly votes -----------------------------------------------------
    def vote_window(self, vote: VoteState) -> str:
        """When the online vote is open, said against now."""
        t = self.t
        start = t.format_datetime(vote.opens_at)
        end = t.format_datetime(vote.closes_at)
        if vote.over(self.now):
            return t._("Online voting closed on {end}.", end=end)
        if self.now < vote.opens_at:
            return t._("Online voting opens on {start} and closes on {end}.", start=start, end=end)
        return t._("Online voting is open now, until {end}.", end=end)

    def vote_how(self, vote: VoteState, *, result: bool = False) -> str:
        """How to vote while it is open; once closed, where its results are (the vote's
        card, /vote, shows them to anyone from the close)."""
        t = self.t
        if vote.over(self.now):
            return t._("To see the results, send /vote and choose this vote.")
        if result:
            return t._("The results can be seen with /vote once voting closes.")
        return t._("To vote, send /vote with the voting code you were given.")

    def vote_choices(self, vote: VoteState, items: int) -> str:
        t = self.t
        # (the words of the vote's own card, handlers/assembly/vote_render.py)
        if vote.method == "approve_reject":
            return t._("Vote yes, no or abstain on each item.")
        return t._("Choose up to {n} items.", n=vote.max_choices or items)

    def assembly(self, assembly: AssemblySpec, answer: Answer, live: VoteState | None) -> str:
        t = self.t
        vote = live or VoteState(  # (without the live vote: the KB's plan)
            opens_at=assembly.opens_at,
            closes_at=assembly.closes_at,
            closed=False,
            method=assembly.method,
            max_choices=assembly.max_choices,
            items=tuple(item.title.as_dict() for item in assembly.items),
        )
        title = _l(assembly.title, self.lang)
        who = t._("Who can vote: {who}", who=_l(assembly.eligibility, self.lang))
        if answer.facet == "revote":  # ("잘못 눌렀는데 바꿀 수 있어요?"): this vote's rule
            if vote.over(self.now):
                rule = t._("Voting has closed: a vote can no longer be changed.")
            elif vote.revoting:
                rule = t._(
                    "You can change your vote until voting closes: send /vote and vote again. "
                    "Only your last vote is counted."
                )
            else:
                rule = t._("This vote does not allow changing a vote once it is cast.")
            return "\n".join([title, self.vote_window(vote), rule])
        if answer.facet == "eligibility":  # ("아직 할 수 있어요?": whether it is open, too)
            return "\n".join([title, self.vote_window(vote), who, self.vote_how(vote)])
        if answer.facet in ("time", "result"):
            how = self.vote_how(vote, result=answer.facet == "result")
            return "\n".join([title, self.vote_window(vote), how])
        if answer.facet == "how_to_apply":  # (how many items one picks is how one votes)
            choices = self.vote_choices(vote, len(vote.items))
            return "\n".join([title, self.vote_window(vote), choices, self.vote_how(vote)])
        items = [
            f"{number}. {localized(titles, self.lang)}"
            for number, titles in enumerate(vote.items, start=1)
        ]
        return "\n".join(
            [
                title,
                self.vote_window(vote),
                self.vote_choices(vote, len(vote.items)),
                t._("Items:"),
                *items,
                who,
                self.vote_how(vote),
            ]
        )

    # --- FAQ, unsure, none ----------------------------------------------------------
    def faq(self, faq: FaqSpec) -> str:
        return f"{_l(faq.question, self.lang)}\n{_l(faq.answer, self.lang)}"

    def unsure(self, answer: Answer) -> str:
        t = self.t
        # "which": a follow-up ("그럼 서류는요?") to "is it one of these?": the person means
        # one of them, so they are asked to pick it (its card has what they asked)
        which = answer.reason == "which"
        lines = [
            t._("Which one do you mean? Tap it below, or type its number.")
            if which
            else t._("I'm not sure which one you mean. Is it one of these?")
        ]
        for number, id_ in enumerate(offered(answer), start=1):
            kind = kind_of(self.engine, id_)
            lines.append(f"{number}. {record_name(self.engine, kind, id_, self.lang)}")
        if not which:
            lines.append(t._("If not, please ask {contact}", contact=self.contact()))
        return "\n".join(lines)

    def none(self, answer: Answer) -> str:
        t = self.t
        region = self.engine.kb.region
        if answer.reason == "no_list":  # ("1번" typed with no list or choices shown)
            return t._(
                "There is no list to pick a number from just now. Please ask your question in "
                "words."
            )
        if answer.reason == "thanks":
            return t._("You're welcome! Ask me anything else about grants, trainings and events.")
        if answer.reason == "chitchat":
            example = ""
            if self.engine.kb.grants:
                example = _l(self.engine.kb.grants[0].name, self.lang)
            return t._(
                "Hello! Ask me about grants, trainings and events in {region} — for example: "
                "“When is the deadline for {example}?”",
                region=_l(region.name, self.lang),
                example=example,
            )
        if answer.reason == "elsewhere":
            return "\n".join(
                [
                    t._(
                        "I only know about {region}. For another district's, the province's or "
                        "a ministry's programme, please ask them directly.",
                        region=_l(region.name, self.lang),
                    ),
                    t._(
                        "For {region}: {contact}",
                        region=_l(region.name, self.lang),
                        contact=self.contact(),
                    ),
                ]
            )
        if answer.reason == "own_status":
            return self._ask_centre(
                t._(
                    "I cannot look up your own application, papers or place on a list: "
                    "the centre can check them for you."
                )
            )
        if answer.reason == "service":
            return self._ask_centre(
                t._(
                    "That sounds like a matter for the community service centre, the "
                    "district office or another public office, not a village-community "
                    "programme: I cannot answer it."
                )
            )
        return self._ask_centre(t._("Sorry, I don't know the answer to that."))

    def _ask_centre(self, said: str) -> str:
        """``said``, then where to ask instead: the centre's contact."""
        return "\n".join([said, self.t._("Please ask {contact}", contact=self.contact())])
