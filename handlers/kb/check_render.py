"""The /check wizard's words: the labels of group ages, why a typed answer could not be
used, and the result — the grants that fit (with what to confirm) and, for the others,
why not. Rendering only."""

from __future__ import annotations

from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.core.i18n import N_, Translator
from bot.core.text import esc
from bot.kb import cards, eligibility
from bot.kb.eligibility import GROUP_AGE_BUCKETS, Answers, GroupAge
from bot.kb.grants import GrantStatus
from bot.kb.records import KnowledgeBase

BUCKET_LABELS: dict[str, str] = {
    "new": N_("Just starting"),
    "lt6m": N_("Under 6 months"),
    "6to12m": N_("6 months to 1 year"),
    "1to3y": N_("1 to 3 years"),
    "3yplus": N_("3 years or more"),
}


AGE_ERRORS = {
    "out_of_range": N_("“{text}” is not an age from 0 to 120. Please type your age in full "
                       "years, e.g. 25."),
    "several_numbers": N_("“{text}” has more than one number. Please type just your age in "
                          "full years, e.g. 25."),
    "not_whole": N_("Please type your age in full years, without decimals, e.g. 25. "
                    "You typed “{text}”."),
    "not_a_number": N_("I could not find an age in “{text}”. Please type your age in full "
                       "years as a number, e.g. 25."),
}  # fmt: skip


MEMBER_ERRORS = {
    "out_of_range": N_("“{text}” is not a group size I can use. Please type a number from "
                       "1 to 10,000, e.g. 4."),
    "several_numbers": N_("“{text}” has more than one number. Please type just the number "
                          "of people, e.g. 4."),
    "not_whole": N_("Please type the number of people as a whole number, e.g. 4. You typed "
                    "“{text}”."),
    "not_a_number": N_("I could not find a number in “{text}”. Please type how many people "
                       "are in your group, e.g. 4."),
}  # fmt: skip


SINCE_ERRORS = {
    "unit": N_("In “{text}”, is that months or years? Please add it, e.g. 8 months or "
               "2 years (8개월, 2년)."),
    "out_of_range": N_("“{text}” is longer than I can use. Please check the number."),
    "not_a_number": N_("I could not read “{text}”. Please choose a button or type e.g. "
                       "8 months or 2 years."),
}  # fmt: skip


def prior_names(t: Translator, kb: KnowledgeBase, chosen: list[str]) -> str:
    names = [g.name.get(t.lang) for g in kb.grants if g.id in set(chosen)]
    return ", ".join(names) if names else t._("None")


def group_age_text(t: Translator, group_age: GroupAge) -> str:
    for key, bucket in GROUP_AGE_BUCKETS.items():
        if bucket == group_age:
            return t._(BUCKET_LABELS[key])
    months = group_age.min_months
    if months and months % 12 == 0:
        years = months // 12
        if group_age.max_months is None:
            return t.n_("{n} year or more", "{n} years or more", years)
        return t.n_("{n} year", "{n} years", years)
    if group_age.max_months is None:
        return t.n_("{n} month or more", "{n} months or more", months)
    return t.n_("{n} month", "{n} months", months)


def _window(t: Translator, verdict: eligibility.Verdict, kb: KnowledgeBase, today: Any) -> str:
    grant = verdict.grant
    if verdict.window is GrantStatus.CLOSED:
        return t._("closed on {date}", date=cards.list_date(t, grant.application.closes, today))
    return t._(cards.STATUS_LABELS[verdict.window]) + " · " + cards.window_badge(grant, today, t)


def result_text(
    t: Translator, kb: KnowledgeBase, answers: Answers, result: eligibility.Result, today: Any
) -> str:
    lang = t.lang
    dong = cards.dong_label(kb, answers.dong, t) if answers.dong else t._("not given")
    summary = t._(
        "Your answers: age {age}, {members}, group existing: {since}, dong: {dong}, "
        "received before: {prior}.",
        age=answers.age,
        members=t.n_("{n} person", "{n} people", answers.members),
        since=group_age_text(t, answers.group_age),
        dong=dong,
        prior=prior_names(t, kb, sorted(answers.prior_grants)),
    )
    lines = [f"<b>{esc(t._('Eligibility check'))}</b>", esc(summary), ""]
    lines.append(f"<b>{esc(t._('Grants that fit your group'))}</b>")
    if not result.fitting:
        lines.append(esc(t._("None of the grants fits these answers.")))
    for verdict in result.fitting:
        lines.append(
            f"✅ <b>{esc(verdict.grant.name.get(lang))}</b> — {esc(_window(t, verdict, kb, today))}"
        )
        for item in verdict.confirm:
            lines.append("   " + esc(t._("Check: {what}", what=cards.confirm_text(item, t))))
    if result.not_fitting:
        lines += ["", f"<b>{esc(t._('Grants that do not fit, and why'))}</b>"]
    for verdict in result.not_fitting:
        reasons = "; ".join(cards.reason_text(r, kb, t) for r in verdict.reasons)
        lines.append(
            f"❌ <b>{esc(verdict.grant.name.get(lang))}</b> — {esc(reasons)} "
            f"({esc(_window(t, verdict, kb, today))})"
        )
    lines += [
        "",
        esc(t._("This is a first check from the published rules; the centre decides.")),
    ]
    return "\n".join(lines)


def answers_from(data: dict[str, Any], dong: str | None) -> Answers | None:
    try:
        since = data["since"]
        return Answers(
            age=int(data["age"]),
            members=int(data["members"]),
            group_age=GroupAge(int(since[0]), None if since[1] is None else int(since[1])),
            prior_grants=frozenset(str(g) for g in data.get("prior", [])),
            dong=dong,
        )
    except (KeyError, TypeError, ValueError, IndexError):
        return None


def result_view(
    t: Translator, kb: KnowledgeBase, answers: Answers, result: eligibility.Result, today: Any
) -> tuple[str, InlineKeyboardMarkup]:
    """The result with a button to each fitting grant's card and one to check again."""
    rows = [
        [
            InlineKeyboardButton(
                "📋 " + verdict.grant.name.get(t.lang),
                callback_data=cards.show_data("grants", verdict.grant.id),
            )
        ]
        for verdict in result.fitting
    ]
    rows.append([InlineKeyboardButton(t._("🔁 Check again"), callback_data="check:restart")])
    return result_text(t, kb, answers, result, today), InlineKeyboardMarkup(rows)
