"""What the voter's screens share: a refusal in the voter's language, the vote card (what is
voted on, when, how, and whether this voter has voted), and edit-in-place-or-send; and the
results after the close, as residents and staff get them."""

from __future__ import annotations

import asyncio
import html

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ParseMode

from bot import assembly as A
from bot.assembly import report
from bot.assembly.crypto import Keyring, keyring_for
from bot.assembly.render import refusal
from bot.assembly.service import empty_choices, title_of
from bot.core.dongs import dong_name, get_dong
from bot.core.i18n import Np_, Translator
from bot.core.text import esc, localized, shorten
from bot.telegram.context import MaeulContext
from handlers.core import blocks
from models.assembly import AssemblyVote, VoteMethod, VoteMode

ANSWER_LABELS = {
    "y": Np_("ballot", "Yes"),
    "n": Np_("ballot", "No"),
    "a": Np_("ballot", "Abstain"),
}

render = refusal
"""A refusal in the voter's language (values HTML-escaped); the staff screens use it too."""


ANSWER_ICONS = {"y": "👍", "n": "👎", "a": "➖"}


async def refuse(update: Update, context: MaeulContext, text: str) -> None:
    """A refusal (HTML-escaped text): an alert for a button press, else a reply."""
    if update.callback_query is not None:
        plain = html.unescape(text)  # alerts are plain text
        await update.callback_query.answer(shorten(plain, 190), show_alert=True)
    else:
        await update.effective_message.reply_text(text, parse_mode=ParseMode.HTML)


async def show(
    update: Update,
    context: MaeulContext,
    text: str,
    markup: InlineKeyboardMarkup | None,
    *,
    edit: bool = True,
) -> None:
    """Edit the pressed message in place, or send a new one."""
    await blocks.show(update, context, text, markup, edit=edit)


async def ready_keyring(update: Update, context: MaeulContext) -> Keyring | None:
    """The ballot keyring; ``None`` after telling the voter that online voting is not set
    up (no BALLOT_SECRET)."""
    keyring = keyring_for(context.runtime.settings)
    if keyring is None:
        await refuse(
            update,
            context,
            context.t._(
                "Online voting is not set up on this server yet. Please contact the centre."
            ),
        )
    return keyring


async def send_outcome(
    context: MaeulContext,
    chat_id: int,
    vote: AssemblyVote,
    outcome: A.Results,
    markup: InlineKeyboardMarkup | None = None,
) -> None:
    """The results of a closed vote as text (with ``markup``) and a bar chart."""
    t = context.t
    title = t._("Results: {title}", title=title_of(vote, t.lang))
    text = "\n".join(
        [f"📊 <b>{esc(title)}</b>", ""] + [esc(line) for line in report.result_lines(outcome, t)]
    )
    await context.bot.send_message(
        chat_id, shorten(text, 4000), parse_mode=ParseMode.HTML, reply_markup=markup
    )
    png = await asyncio.to_thread(report.chart_png, outcome, t)
    await context.bot.send_photo(chat_id, png, caption=shorten(title, 1000))


def window(t: Translator, vote: AssemblyVote) -> str:
    return t._(
        "Voting: {opens} – {closes}",
        opens=t.format_datetime(vote.opens_at),
        closes=t.format_datetime(vote.closes_at),
    )


def method(t: Translator, vote: AssemblyVote) -> str:
    if vote.method == VoteMethod.APPROVE_REJECT:
        return t._("Vote yes, no or abstain on each item.")
    return t._("Choose up to {n} items.", n=vote.max_choices or 0)


async def load_vote(update: Update, context: MaeulContext, ref: str) -> AssemblyVote | None:
    vote = await A.get_vote(context.db, int(ref), context.runtime.clock.now())
    if vote is None:
        await refuse(update, context, context.t._("This vote no longer exists."))
    return vote


async def card_text(
    context: MaeulContext, vote: AssemblyVote, *, note: str | None = None
) -> tuple[str, InlineKeyboardMarkup]:
    """The assembly as a voter sees it, with what they can do now."""
    t = context.t
    now = context.runtime.clock.now()
    state = A.status(vote, now)
    dong = await get_dong(context.db, vote.dong_id)
    items = await A.items_of(context.db, vote)
    lines = []
    if note:
        lines += [note, ""]
    lines.append(f"<b>{esc(title_of(vote, t.lang))}</b>")
    if dong is not None:
        lines.append(esc(dong_name(dong, t.lang)))
    lines += [esc(window(t, vote)), esc(method(t, vote))]
    eligibility = localized(vote.eligibility, t.lang)
    if vote.mode == VoteMode.OPEN:
        # (the KB's eligibility speaks of the binding vote — codes from the dong office — not
        # of the poll the staff opened to everyone)
        lines.append(
            esc(
                t._(
                    "Anyone with a Telegram account can vote once. This is an opinion poll: "
                    "its result does not decide the items (non-binding)."
                )
            )
        )
    elif eligibility:
        lines.append(esc(t._("Who can vote: {who}", who=eligibility)))
    lines.append("")
    for number, item in enumerate(items, 1):
        budget = f" ({t.format_krw(item.budget_krw)})" if item.budget_krw else ""
        lines.append(f"{number}. {esc(title_of(item, t.lang))}{esc(budget)}")
    lines.append("")
    buttons: list[list[InlineKeyboardButton]] = []
    voter = await A.voter_for(context.db, vote, context.user)
    if state == A.Status.CLOSED:
        lines.append(esc(t._("Voting has closed.")))
        buttons.append(
            [InlineKeyboardButton(t._("📊 Results"), callback_data=f"vote:res:{vote.id}")]
        )
    else:
        if state == A.Status.DRAFT:
            lines.append(
                esc(t._("Voting opens at {opens}.", opens=t.format_datetime(vote.opens_at)))
            )
        else:
            turnout = await A.turnout(context.db, vote)
            lines.append(
                esc(
                    t.n_(
                        "{count} person has voted so far.",
                        "{count} people have voted so far.",
                        turnout.voters,
                        count=t.format_number(turnout.voters),
                    )
                )
            )
        registered = voter is not None or vote.mode == VoteMode.OPEN
        if voter is not None and voter.onsite:
            lines.append(
                esc(
                    t._(
                        "Your code was used at the on-site assembly, so you cannot "
                        "also vote online."
                    )
                )
            )
        elif voter is not None and voter.voted:
            if vote.revoting:
                lines.append(
                    esc(
                        t._(
                            "You have voted. You can vote again until the close; only "
                            "your last vote counts."
                        )
                    )
                )
                if state == A.Status.OPEN:
                    buttons.append(
                        [InlineKeyboardButton(t._("🔁 Vote again"), callback_data=start_data(vote))]
                    )
            else:
                lines.append(esc(t._("You have voted. Thank you!")))
        elif not registered:
            lines.append(esc(t._("You need a voting code from the dong office for this vote.")))
            buttons.append(
                [InlineKeyboardButton(t._("🔑 Enter a voting code"), callback_data="vote:code")]
            )
        elif state == A.Status.OPEN:
            if voter is not None and voter.code_hash is not None:
                lines.append(esc(t._("You are registered to vote.")))
            buttons.append(
                [InlineKeyboardButton(t._("🗳 Start voting"), callback_data=start_data(vote))]
            )
        elif voter is not None:
            lines.append(esc(t._("You are registered to vote.")))
    buttons.append([InlineKeyboardButton(t._("« All votes"), callback_data="vote:list")])
    return "\n".join(lines), InlineKeyboardMarkup(buttons)


def start_data(vote: AssemblyVote) -> str:
    draft = empty_choices(vote)
    if vote.method == VoteMethod.APPROVE_REJECT:
        return f"vote:i:{vote.id}:0:{draft}"
    return f"vote:p:{vote.id}:{draft}"
