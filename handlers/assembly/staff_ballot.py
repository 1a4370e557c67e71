"""Preparing the ballot and the settings of an assembly, then opening and closing it.

Items are typed (a title, optionally ``| budget``, several lines at once) or picked from the
dong's accepted agenda proposals. "Open voting now" shows a review of everything voters
will get; its "Yes" carries a stamp of what was shown, so a review that is stale (an item
added from another phone meanwhile) is refused instead of opening something else. The
rules (only before opening, at most 40 items …) are the service's, like the CLI's.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import Application, CallbackQueryHandler, ConversationHandler

from bot import assembly as A
from bot.assembly.render import method_text, period
from bot.assembly.service import title_of
from bot.core.i18n import N_
from bot.core.text import esc, shorten
from bot.core.users import is_staff_of
from bot.kb.edits import EditError
from bot.telegram.context import MaeulContext
from handlers.assembly.staff_common import (
    ITEM,
    PERIOD,
    POPULATION,
    QUORUM,
    REF,
    TARGET_KEY,
    admins,
    back,
    forget,
    keyring,
    marked_after_totals,
    other_mode,
    pressed_vote,
    refused,
    remember,
    target,
    who,
)
from handlers.assembly.staff_panel import show_panel
from handlers.assembly.staff_typed import (
    EXAMPLE,
    RANGE_RE,
    typed_error,
    typed_number,
    typed_when,
)
from handlers.core import blocks
from models.assembly import AssemblyVote, VoteMode

Action = Callable[[AssemblyVote], Awaitable[str]]


async def _act(update: Update, context: MaeulContext, action: Action) -> None:
    """Run a domain action on the pressed assembly, then show the panel again."""
    vote = await pressed_vote(update, context)
    if vote is None:
        return
    try:
        done = await action(vote)
    except A.Refused as refusal:
        await refused(update, context, refusal)
        return
    await blocks.answer(update, done)
    await show_panel(update, context, vote)


def _wanted(update: Update) -> str | None:
    """What a switch's button sets (its fourth field); None on a button from before buttons
    said so, which switches as it always did."""
    parts = (update.callback_query.data or "").split(":")
    return parts[3] if len(parts) > 3 else None


async def toggle_mode(update: Update, context: MaeulContext) -> None:
    """Switch the mode to the one the button names — pressed again (its reply lost), it
    sets the same mode again instead of switching back."""
    wanted = _wanted(update)

    async def action(vote: AssemblyVote) -> str:
        new = VoteMode(wanted) if wanted is not None else other_mode(vote)
        if new != vote.mode:
            await A.configure(context.db, vote, mode=new.value, **who(context))
        return context.t._("Saved.")

    await _act(update, context, action)


async def toggle_revoting(update: Update, context: MaeulContext) -> None:
    """Allow or forbid re-voting as the button says (the same on a second press)."""
    wanted = _wanted(update)

    async def action(vote: AssemblyVote) -> str:
        new = blocks.wanted_state(wanted, vote.revoting)
        if new != vote.revoting:
            await A.configure(context.db, vote, revoting=new, **who(context))
        return context.t._("Saved.")

    await _act(update, context, action)


async def _reviewed(context: MaeulContext, vote: AssemblyVote) -> list[object]:
    """What the opening review shows (its stamp goes in "Yes")."""
    items = await A.items_of(context.db, vote)
    return [vote.id, vote.updated_at.isoformat(), *(i.item_id for i in items)]


@blocks.opened_by(pressed_vote)
async def confirm(update: Update, context: MaeulContext, vote: AssemblyVote) -> None:
    """Open: review everything voters will get. Close: ask."""
    t = context.t
    what = (update.callback_query.data or "").split(":")[1]
    if what == "open":
        items = await A.items_of(context.db, vote)
        if not items:  # an older panel's button: nothing to confirm (the panel's words)
            await blocks.answer(update)
            text = esc(t._("The ballot has no items yet — please add items first."))
            markup = InlineKeyboardMarkup([[back(context, vote)]])
            await blocks.show(update, context, text, markup, edit=True)
            return
        lines = [
            esc(
                t._(
                    "Open voting on “{title}” now? The ballot can no longer change afterwards.",
                    title=title_of(vote, t.lang),
                )
            ),
            "",
            esc(t._("Method: {method}", method=method_text(t, vote.method, vote.max_choices))),
            esc(
                t._(
                    "Voting: {period}",
                    period=period(t, context.runtime.clock.now(), vote.closes_at),
                )
            ),
            esc(t.n_("{n} item on the ballot:", "{n} items on the ballot:", len(items))),
        ]
        lines += [f"{n}. {esc(title_of(item, t.lang))}" for n, item in enumerate(items, 1)]
        question = "\n".join(lines)
        yes = f"asm:open!:{vote.id}:{blocks.stamp(*await _reviewed(context, vote))}"
    else:
        question = esc(
            t._(
                "Close voting on “{title}” now? Nobody can vote afterwards.",
                title=title_of(vote, t.lang),
            )
        )
        turnout = await A.turnout(context.db, vote)
        pending = A.onsite_pending(vote, turnout)
        late = marked_after_totals(vote, turnout, t)
        if late:  # marked after the totals were entered
            question += "\n\n⚠️ " + esc(late)
        elif pending:  # the results would leave their paper ballots out
            question += "\n\n⚠️ " + esc(
                t.n_(
                    "{count} on-site voter is marked but the paper totals are not entered "
                    "yet: the results stay provisional until you enter them (🏢 On-site "
                    "voting → Enter paper totals).",
                    "{count} on-site voters are marked but the paper totals are not entered "
                    "yet: the results stay provisional until you enter them (🏢 On-site "
                    "voting → Enter paper totals).",
                    pending,
                    count=t.format_number(pending),
                )
            )
        yes = f"asm:close!:{vote.id}"
    label = t._("▶ Yes, open voting") if what == "open" else t._("⏹ Yes, close voting")
    await blocks.ask_confirm(
        update,
        context,
        question,
        yes=(label, yes),
        no=(t._("« Back"), f"asm:o:{vote.id}"),
        edit=True,
    )


async def open_now(update: Update, context: MaeulContext) -> None:
    pressed = (update.callback_query.data or "").split(":")
    shown = pressed[3] if len(pressed) == 4 else ""

    async def action(vote: AssemblyVote) -> str:
        if not blocks.stamp_matches(shown, *await _reviewed(context, vote)):
            raise A.Refused("stale", N_("The ballot changed since this review. Please look again."))
        if keyring(context) is None:
            raise A.Refused("no_secret", N_("BALLOT_SECRET is not set: voting cannot run."))
        await A.open_now(context.db, vote, **who(context))
        return context.t._("Voting is open.")

    await _act(update, context, action)


async def close_now(update: Update, context: MaeulContext) -> None:
    async def action(vote: AssemblyVote) -> str:
        await A.close_now(context.db, vote, **who(context))
        return context.t._("Voting is closed.")

    await _act(update, context, action)


@blocks.opened_by(pressed_vote)
async def proposals(update: Update, context: MaeulContext, vote: AssemblyVote) -> None:
    t = context.t
    found = await A.addable_proposals(context.db, vote)
    lines = [f"<b>{esc(t._('Accepted proposals of this dong'))}</b>", ""]
    if not found:
        lines.append(esc(t._("There are no accepted proposals to add.")))
    rows = [
        [
            InlineKeyboardButton(
                f"➕ #{p.id} {shorten(p.title, 50)}", callback_data=f"asm:ap:{vote.id}:{p.id}"
            )
        ]
        for p in found[:30]
    ]
    rows.append([back(context, vote)])
    await blocks.answer(update)
    await blocks.show(update, context, "\n".join(lines), InlineKeyboardMarkup(rows), edit=True)


async def add_proposal(update: Update, context: MaeulContext) -> None:
    number = int((update.callback_query.data or "").split(":")[3])

    async def action(vote: AssemblyVote) -> str:
        await A.add_proposal(context.db, vote, number, **who(context))
        return context.t._("Added to the ballot.")

    await _act(update, context, action)


# --- typed answers: population, quorum, items ------------------------------------------


async def _ask(update: Update, context: MaeulContext, question: str, state: str) -> str | int:
    vote = await pressed_vote(update, context)
    if vote is None:
        return ConversationHandler.END
    return await _asked(update, context, vote, question, state)


async def _asked(
    update: Update, context: MaeulContext, vote: AssemblyVote, question: str, state: str
) -> str:
    await blocks.answer(update)
    remember(context, vote)
    await context.bot.send_message(update.effective_chat.id, question)
    return state


async def _close_only(context: MaeulContext, vote: AssemblyVote) -> bool:
    """Voting is open: only the close can move (unless it opened with an empty ballot and
    nobody voted — then it takes a new start: :func:`bot.assembly.service.opened_empty`)."""
    now = context.runtime.clock.now()
    return A.status(vote, now) == A.Status.OPEN and not await A.opened_empty(context.db, vote)


async def ask_period(update: Update, context: MaeulContext) -> str | int:
    """ "🕒 Voting period": before it opens, the whole period; while it is open, the close."""
    vote = await pressed_vote(update, context)
    if vote is None:
        return ConversationHandler.END
    t = context.t
    if await _close_only(context, vote):
        question = t._("Voting is open, so only its close can move. When should it close?")
        example = t._("For example: December 17 6pm")
    else:
        question = t._(
            "When is voting open? Type the whole period: when it opens ~ when it closes."
        )
        example = t._(EXAMPLE)
    now = t._("Now: {period}", period=period(t, vote.opens_at, vote.closes_at))
    text = "\n".join([question, now, example, t._("/cancel to keep it as it is.")])
    return await _asked(update, context, vote, text, PERIOD)


async def typed_period(update: Update, context: MaeulContext) -> str | int:
    t = context.t
    vote = await target(update, context)
    if vote is None:
        return ConversationHandler.END
    parts = RANGE_RE.split(update.effective_message.text or "", maxsplit=1)
    changes: dict[str, Any]
    try:
        if await _close_only(context, vote):
            changes = {"closes_at": typed_when(context, parts[-1], context.runtime.clock.now())}
        elif len(parts) == 2 and parts[1].strip():
            opens = typed_when(context, parts[0])
            changes = {"opens_at": opens, "closes_at": typed_when(context, parts[1], opens)}
        else:
            await update.effective_message.reply_text(
                t._("Please type when it opens and when it closes, with ~ between them.")
                + "\n"
                + t._(EXAMPLE)
            )
            return PERIOD
    except EditError as error:
        await update.effective_message.reply_text(typed_error(context, error))
        return PERIOD
    if changes["closes_at"] <= context.runtime.clock.now() and "opens_at" not in changes:
        await update.effective_message.reply_text(
            t._("That is not in the future. To close voting at once, use “Close voting now”.")
        )
        return PERIOD
    if "opens_at" in changes and changes["opens_at"] <= context.runtime.clock.now():
        # a draft with items would open at once, without the review "Open voting now" shows
        await update.effective_message.reply_text(
            t._(
                "That start has passed: type a start in the future. To open voting at once, "
                "use “Open voting now”."
            )
        )
        return PERIOD
    try:
        await A.configure(context.db, vote, **changes, **who(context))
    except A.Refused as refusal:
        await refused(update, context, refusal)
        return PERIOD if refusal.reason in {"window", "empty_open"} else ConversationHandler.END
    forget(context)
    await update.effective_message.reply_text(
        t._("Voting period: {period}", period=period(t, vote.opens_at, vote.closes_at))
    )
    await show_panel(update, context, vote, edit=False)
    return ConversationHandler.END


async def ask_population(update: Update, context: MaeulContext) -> str | int:
    question = context.t._("How many residents are eligible to vote? Type a number, or /cancel.")
    return await _ask(update, context, question, POPULATION)


async def ask_quorum(update: Update, context: MaeulContext) -> str | int:
    question = context.t._(
        "What is the quorum, as a percentage of the eligible residents? Type a number "
        "such as 10 (0 for none), or /cancel."
    )
    return await _ask(update, context, question, QUORUM)


async def _typed_setting(
    update: Update, context: MaeulContext, name: str, low: int, high: int, retry: str, state: str
) -> str | int:
    text = (update.effective_message.text or "").strip().replace(",", "").removesuffix("%")
    vote = await target(update, context)
    if vote is None:
        return ConversationHandler.END
    if not text.isdigit() or not low <= int(text) <= high:
        await update.effective_message.reply_text(retry)
        return state
    value: int | None = int(text)
    if name == "quorum_percent" and value == 0:
        value = None
    try:
        changes: dict[str, Any] = {name: value}
        await A.configure(context.db, vote, **changes, **who(context))
    except A.Refused as refusal:
        await refused(update, context, refusal)
        return ConversationHandler.END
    forget(context)
    await show_panel(update, context, vote)
    return ConversationHandler.END


async def typed_population(update: Update, context: MaeulContext) -> str | int:
    retry = context.t._("Please type a whole number such as 12000, or /cancel.")
    if typed_number(update.effective_message.text or "") == 0:
        retry = context.t._("The number of eligible residents must be 1 or more, or /cancel.")
    return await _typed_setting(update, context, "eligible_population", 1, 10**9, retry, POPULATION)


async def typed_quorum(update: Update, context: MaeulContext) -> str | int:
    retry = context.t._("Please type a percentage between 0 and 100, such as 10.")
    return await _typed_setting(update, context, "quorum_percent", 0, 100, retry, QUORUM)


async def ask_item(update: Update, context: MaeulContext) -> str | int:
    question = context.t._(
        "Type the item's title (in Korean), optionally followed by | and its budget in "
        "won, e.g. “골목 화단 가꾸기 | 3500000”. Send several lines to add several items. "
        "/cancel when done."
    )
    return await _ask(update, context, question, ITEM)


async def typed_item(update: Update, context: MaeulContext) -> str | int:
    t = context.t
    vote = await target(update, context)
    if vote is None:
        return ConversationHandler.END
    added = []
    for line in (update.effective_message.text or "").splitlines()[:20]:
        title, _, budget = line.partition("|")
        title, budget = title.strip()[:200], budget.strip().replace(",", "").removesuffix("원")
        if not title:
            continue
        if budget and not budget.strip().isdigit():
            await update.effective_message.reply_text(
                t._(
                    "“{line}”: the budget must be a whole number of won. Please send this "
                    "line again.",
                    line=shorten(line, 60),
                )
            )
            continue
        new = A.NewItem({"ko": title}, budget_krw=int(budget) if budget else None)
        try:
            await A.add_item(context.db, vote, new, **who(context))
        except A.Refused as refusal:
            await refused(update, context, refusal)
            return ConversationHandler.END
        added.append(title)
    if added:
        await update.effective_message.reply_text(
            t.n_(
                "Added {count} item. Send more, or /cancel when done.",
                "Added {count} items. Send more, or /cancel when done.",
                len(added),
                count=len(added),
            )
        )
    return ITEM


async def done_typing(update: Update, context: MaeulContext) -> int:
    """/cancel or Cancel: back to the panel of the assembly being worked on, if any."""
    ref = context.user_data.get(TARGET_KEY) if context.user_data else None
    forget(context)
    await blocks.answer(update)
    await blocks.drop_keyboard(update)
    vote = None
    if isinstance(ref, int):
        vote = await A.get_vote(context.db, ref, context.runtime.clock.now())
    if vote is not None and is_staff_of(context.user, vote.dong_id, admins(context)):
        await show_panel(update, context, vote, edit=False)
    else:
        await update.effective_message.reply_text(context.t._("Cancelled. Nothing was changed."))
    return ConversationHandler.END


def register(app: Application) -> None:  # type: ignore[type-arg]
    def ref(op: str) -> str:
        return rf"^asm:{op}:{REF}$"

    app.add_handler(CallbackQueryHandler(proposals, pattern=ref("props")))
    app.add_handler(CallbackQueryHandler(add_proposal, pattern=rf"^asm:ap:{REF}:\d{{1,9}}$"))
    app.add_handler(CallbackQueryHandler(toggle_mode, pattern=rf"^asm:mode:{REF}(:(codes|open))?$"))
    app.add_handler(CallbackQueryHandler(toggle_revoting, pattern=rf"^asm:rev:{REF}(:[01])?$"))
    app.add_handler(CallbackQueryHandler(confirm, pattern=ref("(?:open|close)")))
    app.add_handler(
        CallbackQueryHandler(open_now, pattern=rf"^asm:open!:{REF}(?::[0-9a-f]{{8}})?$")
    )
    app.add_handler(CallbackQueryHandler(close_now, pattern=ref("close!")))
