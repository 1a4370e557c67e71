"""/check: the eligibility wizard (age, group size, how long the group has existed, grants
received before, dong) and the grants that fit — and, for the others, why not.

A persistent conversation: its state and the answers so far (``user_data["check"]``) are
stored with the update's transaction, so a restart mid-wizard loses nothing. The
judgement is :func:`bot.kb.eligibility.check`.
"""

from __future__ import annotations

import re
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ParseMode
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)

from bot.core.dongs import dong_name, list_dongs, match_dong
from bot.core.i18n import N_, Translator
from bot.core.text import esc, shorten
from bot.kb import cards, eligibility
from bot.kb.eligibility import GROUP_AGE_BUCKETS, AnswerError, Answers, GroupAge
from bot.kb.grants import GrantStatus
from bot.kb.records import KnowledgeBase
from bot.telegram.context import MaeulContext
from handlers.core.browse import edit, edit_markup, knowledge, rows_of, send

AGE, MEMBERS, SINCE, PRIOR, DONG = "age", "members", "since", "prior", "dong"
KEY = "check"
STEPS = 5

BUCKET_LABELS: dict[str, str] = {
    "new": N_("Just starting"),
    "lt6m": N_("Under 6 months"),
    "6to12m": N_("6 months to 1 year"),
    "1to3y": N_("1 to 3 years"),
    "3yplus": N_("3 years or more"),
}

MEMBERS_RE = re.compile(r"^check:members:([1-9])$")
SINCE_RE = re.compile(rf"^check:since:({'|'.join(GROUP_AGE_BUCKETS)})$")
PRIOR_RE = re.compile(r"^check:prior:(~?[a-z0-9_-]{1,40})$")
DONG_RE = re.compile(r"^check:dong:(~?[a-z0-9_-]{1,40})$")

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


def _data(context: MaeulContext) -> dict[str, Any]:
    assert context.user_data is not None
    data: dict[str, Any] = context.user_data.setdefault(KEY, {})
    return data


def _cancel_button(t: Translator) -> InlineKeyboardButton:
    return InlineKeyboardButton(t._("Cancel"), callback_data="check:cancel")


def _step(t: Translator, number: int, question: str) -> str:
    return f"<b>{number}/{STEPS}</b> · {esc(question)}"


async def _answered(update: Update, text: str) -> None:
    """Show the pressed answer under the question and drop its buttons."""
    query = update.callback_query
    if query is not None and query.message is not None:
        question = getattr(query.message, "text_html", None) or ""
        await edit(query, f"{question}\n✔ {esc(text)}", None)


# --- steps ---------------------------------------------------------------------------


async def start(update: Update, context: MaeulContext) -> str | int:
    t = context.t
    kb = await knowledge(update, context)
    if kb is None:
        return ConversationHandler.END
    if update.callback_query is not None:
        await update.callback_query.answer()
    if not kb.grants:
        await send(update, context, esc(t._("There are no grant programmes yet.")), None)
        return ConversationHandler.END
    assert context.user_data is not None
    context.user_data[KEY] = {}
    intro = t._(
        "Let's find the grants that fit your group: five short questions. "
        "Type /cancel to stop at any time."
    )
    question = _step(t, 1, t._("How old are you? Type your age in full years, e.g. 25."))
    # no buttons here: typing a number must not read as pressing one (in the console too)
    await send(update, context, f"{esc(intro)}\n\n{question}", None)
    return AGE


async def got_age(update: Update, context: MaeulContext) -> str:
    t = context.t
    text = update.effective_message.text or ""
    try:
        age = eligibility.parse_age(text[:200])
    except AnswerError as exc:
        await send(update, context, esc(t._(AGE_ERRORS[exc.code], text=shorten(text, 60))), None)
        return AGE
    _data(context)["age"] = age
    return await ask_members(update, context)


async def ask_members(update: Update, context: MaeulContext) -> str:
    t = context.t
    buttons = [
        InlineKeyboardButton(str(n), callback_data=f"check:members:{n}") for n in range(1, 7)
    ]
    await send(
        update,
        context,
        _step(
            t, 2, t._("How many people are in your group, you included? Choose or type a number.")
        ),
        InlineKeyboardMarkup([buttons]),  # 1–6: a typed number means the same in the console
    )
    return MEMBERS


async def members_pressed(update: Update, context: MaeulContext) -> str:
    query = update.callback_query
    match = MEMBERS_RE.match(query.data or "")
    assert match is not None
    await query.answer()
    members = int(match.group(1))
    await _answered(update, context.t.n_("{n} person", "{n} people", members))
    _data(context)["members"] = members
    return await ask_since(update, context)


async def members_typed(update: Update, context: MaeulContext) -> str:
    t = context.t
    text = update.effective_message.text or ""
    try:
        members = eligibility.parse_members(text[:200])
    except AnswerError as exc:
        await send(update, context, esc(t._(MEMBER_ERRORS[exc.code], text=shorten(text, 60))), None)
        return MEMBERS
    _data(context)["members"] = members
    return await ask_since(update, context)


async def ask_since(update: Update, context: MaeulContext) -> str:
    t = context.t
    buttons = [
        InlineKeyboardButton(t._(label), callback_data=f"check:since:{key}")
        for key, label in BUCKET_LABELS.items()
    ]
    await send(
        update,
        context,
        _step(
            t,
            3,
            t._("How long has your group existed? Choose or type, e.g. 8 months or 2 years."),
        ),
        InlineKeyboardMarkup([*rows_of(buttons), [_cancel_button(t)]]),
    )
    return SINCE


def _store_since(context: MaeulContext, group_age: GroupAge) -> None:
    _data(context)["since"] = [group_age.min_months, group_age.max_months]


async def since_pressed(update: Update, context: MaeulContext) -> str:
    query = update.callback_query
    match = SINCE_RE.match(query.data or "")
    assert match is not None
    await query.answer()
    await _answered(update, context.t._(BUCKET_LABELS[match.group(1)]))
    _store_since(context, GROUP_AGE_BUCKETS[match.group(1)])
    return await ask_prior(update, context)


async def since_typed(update: Update, context: MaeulContext) -> str:
    t = context.t
    text = update.effective_message.text or ""
    try:
        group_age = eligibility.parse_group_age(text[:200])
    except AnswerError as exc:
        message = SINCE_ERRORS.get(exc.code, SINCE_ERRORS["not_a_number"])
        await send(update, context, esc(t._(message, text=shorten(text, 60))), None)
        return SINCE
    _store_since(context, group_age)
    return await ask_prior(update, context)


def _prior_markup(t: Translator, kb: KnowledgeBase, chosen: set[str]) -> InlineKeyboardMarkup:
    buttons = [
        InlineKeyboardButton(
            ("✓ " if grant.id in chosen else "") + shorten(grant.name.get(t.lang), 30),
            callback_data=f"check:prior:{cards.ref(grant.id, 40)}",
        )
        for grant in kb.grants
    ]
    rows = rows_of(buttons)
    rows.append(
        [
            InlineKeyboardButton(
                ("✓ " if not chosen else "") + t._("None"), callback_data="check:none"
            ),
            InlineKeyboardButton(t._("Done ▶"), callback_data="check:done"),
        ]
    )
    rows.append([_cancel_button(t)])
    return InlineKeyboardMarkup(rows)


async def ask_prior(update: Update, context: MaeulContext) -> str:
    t = context.t
    kb = await context.runtime.knowledge.get()
    _data(context).setdefault("prior", [])
    question = _step(
        t,
        4,
        t._(
            "Which of these grants has your group received before? Tap all that apply, "
            "then press Done. Choose None if there are none."
        ),
    )
    await send(update, context, question, _prior_markup(t, kb, set()) if kb else None)
    return PRIOR


async def prior_toggled(update: Update, context: MaeulContext) -> str:
    query = update.callback_query
    match = PRIOR_RE.match(query.data or "")
    assert match is not None
    kb = await knowledge(update, context)
    if kb is None:
        return PRIOR
    grant_id = cards.resolve(match.group(1), (g.id for g in kb.grants))
    if grant_id is None:
        await query.answer(context.t._("This button is no longer valid."), show_alert=True)
        return PRIOR
    await query.answer()
    chosen = set(_data(context).get("prior", []))
    chosen ^= {grant_id}
    _data(context)["prior"] = sorted(chosen)
    await edit_markup(query, _prior_markup(context.t, kb, chosen))
    return PRIOR


def _prior_names(t: Translator, kb: KnowledgeBase, chosen: list[str]) -> str:
    names = [g.name.get(t.lang) for g in kb.grants if g.id in set(chosen)]
    return ", ".join(names) if names else t._("None")


async def prior_done(update: Update, context: MaeulContext) -> str | int:
    query = update.callback_query
    kb = await knowledge(update, context)
    if kb is None:
        return PRIOR
    await query.answer()
    if query.data == "check:none":
        _data(context)["prior"] = []
    chosen = [g for g in _data(context).get("prior", []) if any(x.id == g for x in kb.grants)]
    _data(context)["prior"] = chosen
    await _answered(update, _prior_names(context.t, kb, chosen))
    return await ask_dong(update, context)


async def ask_dong(update: Update, context: MaeulContext) -> str | int:
    t = context.t
    dongs = await list_dongs(context.db)
    if not dongs:  # nothing to choose from: judge without a dong
        return await finish(update, context, None)
    home = context.user.home_dong_id
    buttons = [
        InlineKeyboardButton(
            ("✓ " if d.id == home else "") + dong_name(d, t.lang),
            callback_data=f"check:dong:{cards.ref(d.id, 40)}",
        )
        for d in dongs
    ]
    question = t._("Which dong is your group based in? Choose below or type its name.")
    if home is not None and any(d.id == home for d in dongs):
        question += "\n" + t._("Your home dong is ticked.")
    await send(
        update,
        context,
        _step(t, 5, question),
        InlineKeyboardMarkup([*rows_of(buttons), [_cancel_button(t)]]),
    )
    return DONG


async def dong_pressed(update: Update, context: MaeulContext) -> str | int:
    query = update.callback_query
    match = DONG_RE.match(query.data or "")
    assert match is not None
    dongs = await list_dongs(context.db)
    dong_id = cards.resolve(match.group(1), (d.id for d in dongs))
    if dong_id is None:
        await query.answer(context.t._("This button is no longer valid."), show_alert=True)
        return DONG
    await query.answer()
    dong = next(d for d in dongs if d.id == dong_id)
    await _answered(update, dong_name(dong, context.t.lang))
    return await finish(update, context, dong_id)


async def dong_typed(update: Update, context: MaeulContext) -> str | int:
    t = context.t
    text = update.effective_message.text or ""
    dong = match_dong(await list_dongs(context.db), text[:100])
    if dong is None:
        await send(
            update,
            context,
            esc(
                t._(
                    "I could not find a dong called “{text}”. Please choose one of the buttons.",
                    text=shorten(text, 40),
                )
            ),
            None,
        )
        return DONG
    return await finish(update, context, dong.id)


# --- the result ------------------------------------------------------------------------


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
        return t._("closed on {date}", date=t.format_date(grant.application.closes, short=True))
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
        prior=_prior_names(t, kb, sorted(answers.prior_grants)),
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


async def finish(update: Update, context: MaeulContext, dong: str | None) -> str | int:
    t = context.t
    kb = await context.runtime.knowledge.get()
    answers = answers_from(_data(context), dong)
    if kb is None or answers is None:  # stored answers from an older version, say
        context.user_data.pop(KEY, None)
        await send(
            update, context, esc(t._("Something was missing. Please type /check again.")), None
        )
        return ConversationHandler.END
    today = context.runtime.clock.today()
    result = eligibility.check(answers, kb, today)
    context.user_data.pop(KEY, None)
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
    await context.bot.send_message(
        update.effective_chat.id,
        result_text(t, kb, answers, result, today),
        parse_mode=ParseMode.HTML,
        reply_markup=InlineKeyboardMarkup(rows),
    )
    return ConversationHandler.END


# --- leaving -------------------------------------------------------------------------


async def press_buttons(update: Update, context: MaeulContext) -> None:
    await update.effective_message.reply_text(
        context.t._("Please answer with the buttons above, or type /cancel to stop.")
    )


async def cancel(update: Update, context: MaeulContext) -> int:
    context.user_data.pop(KEY, None)
    if update.callback_query is not None:
        await update.callback_query.answer()
        await _answered(update, context.t._("Cancel"))
    await context.bot.send_message(
        update.effective_chat.id, context.t._("Stopped. Type /check to start again.")
    )
    return ConversationHandler.END


def register(app: Application) -> None:  # type: ignore[type-arg]
    text = filters.TEXT & ~filters.COMMAND
    conversation = ConversationHandler(
        name="check",
        persistent=True,
        entry_points=[
            CommandHandler("check", start),
            CallbackQueryHandler(start, pattern=r"^(menu:check|check:restart)$"),
        ],
        states={
            AGE: [MessageHandler(text, got_age)],
            MEMBERS: [
                CallbackQueryHandler(members_pressed, pattern=MEMBERS_RE),
                MessageHandler(text, members_typed),
            ],
            SINCE: [
                CallbackQueryHandler(since_pressed, pattern=SINCE_RE),
                MessageHandler(text, since_typed),
            ],
            PRIOR: [
                CallbackQueryHandler(prior_toggled, pattern=PRIOR_RE),
                CallbackQueryHandler(prior_done, pattern=r"^check:(none|done)$"),
                MessageHandler(text, press_buttons),
            ],
            DONG: [
                CallbackQueryHandler(dong_pressed, pattern=DONG_RE),
                MessageHandler(text, dong_typed),
            ],
        },
        fallbacks=[
            CommandHandler("cancel", cancel),
            CallbackQueryHandler(cancel, pattern=r"^check:cancel$"),
        ],
        allow_reentry=True,
    )
    app.add_handler(conversation)


__all__ = ["register", "result_text"]
