"""Preparing the ballot and the settings of an assembly, then opening and closing it (the
typed settings — period, eligible residents, quorum — are in :mod:`staff_settings`).

Items are typed (a title, optionally ``| budget``, several lines at once) or picked from the
dong's accepted agenda proposals. "Open voting now" shows a review of everything voters
will get; its "Yes" carries a stamp of what was shown, so a review that is stale (an item
added from another phone meanwhile) is refused instead of opening something else. The
rules (only before opening, at most 40 items …) are the service's, like the CLI's.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import Application, CallbackQueryHandler, ConversationHandler

from bot import assembly as A
from bot.assembly.render import method_text, period
from bot.assembly.service import title_of
from bot.core.i18n import N_
from bot.core.text import esc, shorten
from bot.core.users import is_staff_of
from bot.telegram.context import MaeulContext
from handlers.assembly.staff_common import (
    ITEM,
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
    target,
    who,
)
from handlers.assembly.staff_panel import show_panel
from handlers.assembly.staff_settings import ask_typed
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


# --- typed items ------------------------------------------------------------------------


async def ask_item(update: Update, context: MaeulContext) -> str | int:
    question = context.t._(
        "Type the item's title (in Korean), optionally followed by | and its budget in "
        "won, e.g. “골목 화단 가꾸기 | 3500000”. Send several lines to add several items. "
        "/cancel when done."
    )
    return await ask_typed(update, context, question, ITEM)


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
