"""Filling in a secret ballot: a screen per item (approve / reject / abstain) or one picker
(choose up to N), the review screen and Cast. The ballot lives only in the callback data
of the voter's own chat (see handlers.assembly.vote); every press is re-validated against
the vote, and Cast carries the review screen's nonce so that it casts once."""

from __future__ import annotations

from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot import assembly as A
from bot.assembly.crypto import format_tracker
from bot.assembly.service import (
    APPROVE,
    CHOSEN,
    NOT_CHOSEN,
    UNANSWERED,
    check_complete,
    check_draft,
    empty_choices,
    title_of,
)
from bot.core.i18n import Translator
from bot.core.text import esc, localized, shorten
from bot.telegram.context import MaeulContext
from handlers.assembly.vote_render import (
    ANSWER_ICONS,
    ANSWER_LABELS,
    card_text,
    load_vote,
    ready_keyring,
    refuse,
    render,
    show,
)
from models.assembly import AssemblyVote, VoteMethod


async def ballot_vote(
    update: Update, context: MaeulContext, ref: str, draft: str
) -> AssemblyVote | None:
    """The assembly, if this voter may fill in this draft now (else an alert)."""
    vote = await load_vote(update, context, ref)
    if vote is None:
        return None
    try:
        await A.may_vote(context.db, vote, context.user, context.runtime.clock.now())
        check_draft(vote, draft)
    except A.Refused as refused:
        await refuse(update, context, render(context.t, refused))
        return None
    return vote


def cancel_button(t: Translator, vote: AssemblyVote) -> InlineKeyboardButton:
    return InlineKeyboardButton(t._("✖ Cancel"), callback_data=f"vote:x:{vote.id}")


async def item_screen(
    context: MaeulContext, vote: AssemblyVote, items: list[Any], index: int, draft: str
) -> tuple[str, InlineKeyboardMarkup]:
    """approve/reject: one item at a time; each answer button carries the new draft."""
    t = context.t
    item = items[index]
    lines = [
        esc(
            t._(
                "{title} — item {n} of {total}",
                title=title_of(vote, t.lang),
                n=index + 1,
                total=len(items),
            )
        ),
        "",
        f"<b>{esc(title_of(item, t.lang))}</b>",
    ]
    description = localized(item.description, t.lang)
    if description:
        lines.append(esc(description))
    if item.budget_krw:
        lines.append(esc(t._("Budget: {amount}", amount=t.format_krw(item.budget_krw))))
    answered = sum(1 for c in draft if c != UNANSWERED)
    lines += ["", esc(t._("Answered: {n} of {total}", n=answered, total=len(items)))]
    row = []
    for answer in APPROVE:
        new = draft[:index] + answer + draft[index + 1 :]
        target = (
            f"vote:i:{vote.id}:{index + 1}:{new}"
            if index + 1 < len(items)
            else f"vote:r:{vote.id}:{new}"
        )
        mark = "✓ " if draft[index] == answer else ANSWER_ICONS[answer] + " "
        label = t.p_("ballot", ANSWER_LABELS[answer])
        row.append(InlineKeyboardButton(mark + label, callback_data=target))
    keyboard = [row]
    nav = []
    if index > 0:
        nav.append(
            InlineKeyboardButton(
                t._("◀ Previous"), callback_data=f"vote:i:{vote.id}:{index - 1}:{draft}"
            )
        )
    if UNANSWERED not in draft:
        nav.append(InlineKeyboardButton(t._("Review ▶"), callback_data=f"vote:r:{vote.id}:{draft}"))
    if nav:
        keyboard.append(nav)
    keyboard.append([cancel_button(t, vote)])
    return "\n".join(lines), InlineKeyboardMarkup(keyboard)


def picker_screen(
    context: MaeulContext, vote: AssemblyVote, items: list[Any], draft: str
) -> tuple[str, InlineKeyboardMarkup]:
    """choose-up-to: all items at once, pressed to toggle."""
    t = context.t
    limit = vote.max_choices or 0
    chosen = draft.count(CHOSEN)
    lines = [
        f"<b>{esc(title_of(vote, t.lang))}</b>",
        esc(
            t._(
                "Choose up to {n} items ({chosen} chosen). Press an item to choose it or "
                "to take it back.",
                n=limit,
                chosen=chosen,
            )
        ),
        "",
    ]
    keyboard = []
    for index, item in enumerate(items):
        budget = f" ({t.format_krw(item.budget_krw)})" if item.budget_krw else ""
        lines.append(f"{index + 1}. {esc(title_of(item, t.lang))}{esc(budget)}")
        flipped = NOT_CHOSEN if draft[index] == CHOSEN else CHOSEN
        new = draft[:index] + flipped + draft[index + 1 :]
        box = "☑" if draft[index] == CHOSEN else "☐"
        keyboard.append(
            [
                InlineKeyboardButton(
                    f"{box} {index + 1}. {shorten(title_of(item, t.lang), 40)}",
                    callback_data=f"vote:p:{vote.id}:{new}",
                )
            ]
        )
    if chosen:
        keyboard.append(
            [InlineKeyboardButton(t._("Review ▶"), callback_data=f"vote:r:{vote.id}:{draft}")]
        )
    keyboard.append([cancel_button(t, vote)])
    return "\n".join(lines), InlineKeyboardMarkup(keyboard)


async def first_screen(
    context: MaeulContext, vote: AssemblyVote
) -> tuple[str, InlineKeyboardMarkup]:
    items = await A.items_of(context.db, vote)
    draft = empty_choices(vote)
    if vote.method == VoteMethod.APPROVE_REJECT:
        return await item_screen(context, vote, items, 0, draft)
    return picker_screen(context, vote, items, draft)


async def show_item(update: Update, context: MaeulContext) -> None:
    query = update.callback_query
    _, _, ref, index_text, draft = query.data.split(":")
    vote = await ballot_vote(update, context, ref, draft)
    if vote is None:
        return
    items = await A.items_of(context.db, vote)
    index = int(index_text)
    if index >= len(items):
        await refuse(update, context, context.t._("This ballot does not match the vote any more."))
        return
    await query.answer()
    text, markup = await item_screen(context, vote, items, index, draft)
    await show(update, context, text, markup)


async def show_picker(update: Update, context: MaeulContext) -> None:
    query = update.callback_query
    _, _, ref, draft = query.data.split(":")
    vote = await ballot_vote(update, context, ref, draft)
    if vote is None:
        return
    await query.answer()
    items = await A.items_of(context.db, vote)
    text, markup = picker_screen(context, vote, items, draft)
    await show(update, context, text, markup)


async def show_review(update: Update, context: MaeulContext) -> None:
    query = update.callback_query
    _, _, ref, draft = query.data.split(":")
    vote = await load_vote(update, context, ref)
    if vote is None:
        return
    t = context.t
    try:
        check_complete(vote, draft)
        nonce = await A.prepare_review(
            context.db, vote, context.user, draft, context.runtime.clock.now()
        )
    except A.Refused as refused:
        await refuse(update, context, render(t, refused))
        return
    await query.answer()
    items = await A.items_of(context.db, vote)
    lines = [
        f"<b>{esc(t._('Please check your vote'))}</b>",
        esc(title_of(vote, t.lang)),
        "",
    ]
    for number, (item, choice) in enumerate(zip(items, draft, strict=True), 1):
        title = esc(title_of(item, t.lang))
        if vote.method == VoteMethod.APPROVE_REJECT:
            lines.append(f"{number}. {title} — <b>{esc(t.p_('ballot', ANSWER_LABELS[choice]))}</b>")
        elif choice == CHOSEN:
            lines.append(f"☑ {number}. {title}")
    lines.append("")
    lines.append(esc(t._("Your vote is secret: nobody, staff included, can see what you chose.")))
    if vote.revoting:
        lines.append(esc(t._("You can vote again until the close; only your last vote counts.")))
    change = (
        f"vote:i:{vote.id}:0:{draft}"
        if vote.method == VoteMethod.APPROVE_REJECT
        else f"vote:p:{vote.id}:{draft}"
    )
    keyboard = [
        [
            InlineKeyboardButton(
                t._("✅ Cast my vote"), callback_data=f"vote:c:{vote.id}:{nonce}:{draft}"
            )
        ],
        [InlineKeyboardButton(t._("✏️ Change"), callback_data=change), cancel_button(t, vote)],
    ]
    await show(update, context, "\n".join(lines), InlineKeyboardMarkup(keyboard))


async def cast(update: Update, context: MaeulContext) -> None:
    query = update.callback_query
    _, _, ref, nonce, draft = query.data.split(":")
    t = context.t
    keyring = await ready_keyring(update, context)
    if keyring is None:
        return
    vote = await load_vote(update, context, ref)
    if vote is None:
        return
    try:
        receipt = await A.cast(
            context.db, keyring, vote, context.user, draft, nonce, context.runtime.clock.now()
        )
    except A.Refused as refused:
        await refuse(update, context, render(t, refused))
        return
    await query.answer(t._("Your vote is counted."))
    tracker = format_tracker(receipt.tracker)
    lines = [
        f"✅ <b>{esc(t._('Your vote is counted.'))}</b>",
        esc(title_of(vote, t.lang)),
        "",
        t._("Your tracker: {tracker}", tracker=f"<code>{tracker}</code>"),
        esc(
            t._(
                "Check at any time that your ballot is counted as cast: /verify {tracker}",
                tracker=tracker,
            )
        ),
    ]
    if receipt.replaced:
        lines.append(esc(t._("Your earlier vote no longer counts; this one does.")))
    markup = InlineKeyboardMarkup(
        [[InlineKeyboardButton(t._("« All votes"), callback_data="vote:list")]]
    )
    await show(update, context, "\n".join(lines), markup)


async def cancel_ballot(update: Update, context: MaeulContext) -> None:
    """Leave the ballot. Once the voter has voted — maybe from this very review, its reply
    lost — "nothing was cast" would be untrue: the vote's card says what counts."""
    query = update.callback_query
    vote = await A.get_vote(
        context.db, int(query.data.rsplit(":", 1)[1]), context.runtime.clock.now()
    )
    voter = await A.voter_for(context.db, vote, context.user) if vote is not None else None
    await query.answer()
    if vote is not None and voter is not None and voter.voted:
        await show(update, context, *await card_text(context, vote))
        return
    await show(update, context, esc(context.t._("Cancelled. Nothing was cast.")), None)
