"""A new assembly's review screen (the last step of :mod:`staff_new`): everything the
draft will make, with "✅ Create" carrying a stamp of what was shown (:func:`shown`), and
the texts the steps share.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot.assembly.render import method_text, period
from bot.core.dongs import dong_name, get_dong
from bot.core.text import esc
from bot.telegram.context import MaeulContext
from handlers.assembly.staff_common import NEW_REVIEW, cancel_button
from handlers.core import blocks
from models.assembly import VoteMethod


def past_start_text(context: MaeulContext) -> str:
    """A new assembly's ballot is empty until it is made: a start that has passed would
    open it empty (:func:`bot.assembly.service.create_vote` refuses that too)."""
    return context.t._(
        "That start has passed. A new assembly's ballot is empty until you add its items, "
        "so it cannot open yet: type a start in the future. Once the items are on the "
        "ballot, “Open voting now” starts the vote at once."
    )


def method_of(draft: dict[str, Any]) -> tuple[str, int | None]:
    maximum = int(draft.get("max", 0))
    if maximum:
        return VoteMethod.CHOOSE_UP_TO.value, maximum
    return VoteMethod.APPROVE_REJECT.value, None


def shown(draft: dict[str, Any]) -> list[Any]:
    """What the review screen shows: its stamp goes in "Create"."""
    keys = ("dong", "title", "max", "opens", "closes", "quorum", "population")
    return [draft.get(k) for k in keys]


async def review(update: Update, context: MaeulContext, draft: dict[str, Any]) -> str:
    t = context.t
    dong = await get_dong(context.db, draft["dong"])
    opens, closes = (datetime.fromisoformat(draft[k]) for k in ("opens", "closes"))
    population = draft.get("population")
    lines = [
        "<b>" + esc(t._("New assembly: please check")) + "</b>",
        "",
        esc(t._("Dong: {dong}", dong=dong_name(dong, t.lang) if dong else draft["dong"])),
        esc(t._("Title: {title}", title=draft["title"])),
        esc(t._("Method: {method}", method=method_text(t, *method_of(draft)))),
        esc(t._("Voting: {period}", period=period(t, opens, closes))),
        esc(
            t._("Quorum: {quorum}%", quorum=draft["quorum"])
            if draft.get("quorum") is not None
            else t._("Quorum: none")
        ),
        esc(
            t._(
                "Eligible residents: {n}",
                n=t.format_number(population) if population else t._("not set"),
            )
        ),
        "",
        esc(t._("Voting codes from the dong office; re-voting allowed (both can be changed).")),
    ]
    if opens <= context.runtime.clock.now():  # it passed while the review was open
        lines.append("⚠️ " + esc(past_start_text(context)))
    markup = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    t._("✅ Create"), callback_data=f"asm:nok:{blocks.stamp(*shown(draft))}"
                ),
                cancel_button(context),
            ]
        ]
    )
    await blocks.send_html(context, update.effective_chat.id, "\n".join(lines), markup)
    return NEW_REVIEW
