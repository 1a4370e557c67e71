"""What every staff screen of assembly votes shares: who may act, on which assembly, and
how a refusal or an action is reported.

Threat model: a press's callback data and a typed answer are untrusted. The data names an
assembly by its row id; nothing in it says who may act. So every handler, for every press
and every typed answer (a conversation's remembered target included), loads the assembly
again and checks that the presser is staff of *its* dong (or an admin) —
:func:`staff_vote`. A forged id of another dong's assembly gets the same refusal as a
resident. The domain rules (what may change when) are the service's
(:mod:`bot.assembly.service`), exactly as for the ``maeul assembly`` commands, and every
change is written to the audit log there, with the actor ``tg:<telegram id>``.
"""

from __future__ import annotations

import html
from typing import Any

from telegram import InlineKeyboardButton, Update
from telegram.constants import ParseMode

from bot import assembly as A
from bot.assembly.crypto import Keyring, keyring_for
from bot.assembly.render import refusal
from bot.core.i18n import Translator
from bot.core.users import is_admin, is_staff_of
from bot.telegram.context import MaeulContext
from handlers.core import blocks
from models.assembly import AssemblyVote, VoteMode

REF = r"(\d{1,9})"
TARGET_KEY = "assembly_target"
DRAFT_KEY = "assembly_new"
TOTALS_KEY = "assembly_totals"

# conversation states
(
    POPULATION,
    QUORUM,
    ITEM,
    NEW_TITLE,
    NEW_METHOD,
    NEW_OPENS,
    NEW_CLOSES,
    NEW_QUORUM,
    NEW_POPULATION,
    NEW_REVIEW,
    CODES,
    MARK,
    TOTALS,
    TOTALS_REVIEW,
    PERIOD,
) = (
    "population",
    "quorum",
    "item",
    "new_title",
    "new_method",
    "new_window",
    "new_closes",
    "new_quorum",
    "new_population",
    "new_review",
    "codes",
    "mark",
    "totals",
    "totals_review",
    "period",
)


def actor(context: MaeulContext) -> str:
    return f"tg:{context.user.telegram_id}"


def who(context: MaeulContext) -> dict[str, Any]:
    """The actor arguments of every service call."""
    return {
        "actor": actor(context),
        "now": context.runtime.clock.now(),
        "actor_telegram_id": context.user.telegram_id,
    }


def admins(context: MaeulContext) -> frozenset[int]:
    return context.runtime.settings.admin_ids


def is_any_staff(context: MaeulContext) -> bool:
    return is_staff_of(context.user, None, admins(context))


def staff_dongs(context: MaeulContext) -> list[str] | None:
    """The dongs this user is staff of; None for an admin (every dong)."""
    if is_admin(context.user, admins(context)):
        return None
    return sorted({r.dong_id for r in context.user.roles if r.role == "staff" and r.dong_id})


def not_staff_text(context: MaeulContext) -> str:
    return context.t._("Only the staff of this dong can do that.")


async def staff_vote(update: Update, context: MaeulContext, ref: str | int) -> AssemblyVote | None:
    """The assembly if this user is staff of its dong or an admin; else a refusal (an
    alert for a press, a reply to a message) and None."""
    vote = await A.get_vote(context.db, int(ref), context.runtime.clock.now())
    if vote is None:
        await blocks.refuse(update, context, context.t._("This vote no longer exists."))
        return None
    if not is_staff_of(context.user, vote.dong_id, admins(context)):
        await blocks.refuse(update, context, not_staff_text(context))
        return None
    return vote


async def pressed_vote(update: Update, context: MaeulContext) -> AssemblyVote | None:
    """The assembly named by the pressed button's third field (``asm:<op>:<ref>…``)."""
    parts = (update.callback_query.data or "").split(":")
    if len(parts) < 3 or not parts[2].isdigit():
        await blocks.refuse(update, context)
        return None
    return await staff_vote(update, context, parts[2])


def remember(context: MaeulContext, vote: AssemblyVote) -> None:
    """The assembly a typed answer is for (checked again when it arrives)."""
    context.user_data[TARGET_KEY] = vote.id  # type: ignore[index]


async def target(update: Update, context: MaeulContext) -> AssemblyVote | None:
    ref = context.user_data.get(TARGET_KEY) if context.user_data else None
    if not isinstance(ref, int):
        await update.effective_message.reply_text(context.t._("Cancelled. Nothing was changed."))
        return None
    return await staff_vote(update, context, ref)


def forget(context: MaeulContext) -> None:
    for key in (TARGET_KEY, DRAFT_KEY, TOTALS_KEY):
        context.user_data.pop(key, None)


async def refused(update: Update, context: MaeulContext, refused: A.Refused) -> None:
    """A domain refusal, in the user's language: alert or reply."""
    text = refusal(context.t, refused)
    if update.callback_query is not None:
        await blocks.refuse(update, context, html.unescape(text))
    else:
        await update.effective_message.reply_text(text, parse_mode=ParseMode.HTML)


def keyring(context: MaeulContext) -> Keyring | None:
    return keyring_for(context.runtime.settings)


async def no_secret(update: Update, context: MaeulContext) -> None:
    await blocks.refuse(
        update, context, context.t._("BALLOT_SECRET is not set: voting cannot run.")
    )


async def ready_keyring(update: Update, context: MaeulContext) -> Keyring | None:
    """The ballot keyring; ``None`` after refusing the staff member (no BALLOT_SECRET)."""
    ring = keyring(context)
    if ring is None:
        await no_secret(update, context)
    return ring


def back(context: MaeulContext, vote: AssemblyVote) -> InlineKeyboardButton:
    return InlineKeyboardButton(context.t._("« Back"), callback_data=f"asm:o:{vote.id}")


def cancel_button(context: MaeulContext) -> InlineKeyboardButton:
    return InlineKeyboardButton(context.t._("Cancel"), callback_data="asm:stop")


def marked_after_totals(vote: AssemblyVote, turnout: A.Turnout, t: Translator) -> str:
    """Codes marked after the paper totals were entered: their paper ballots are not in the
    totals, and the results stay provisional until the totals are entered again."""
    if not vote.onsite_totals:
        return ""
    late = A.onsite_pending(vote, turnout)
    if not late:
        return ""
    return t.n_(
        "{count} on-site voter was marked after the paper totals were entered: enter the "
        "paper totals again, with their ballot, to count it.",
        "{count} on-site voters were marked after the paper totals were entered: enter the "
        "paper totals again, with their ballots, to count them.",
        late,
        count=t.format_number(late),
    )


def other_mode(vote: AssemblyVote) -> VoteMode:
    """The mode "Mode: switch" sets: the one the vote is not in."""
    return VoteMode.OPEN if vote.mode == VoteMode.CODES else VoteMode.CODES
