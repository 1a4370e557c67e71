"""After the close, in the chat: the results (online and paper merged) as text, the bar
chart, the xlsx file the district asks for, and the audit's verdict.

The figures come from :func:`bot.assembly.service.results` and
:func:`bot.assembly.service.audit` — the same as ``maeul assembly results`` / ``audit`` —
which refuse before the close (nobody sees live results). Taking the results and running
the audit are recorded in the audit log (who carried which figures away, what the audit
found).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import Application, CallbackQueryHandler

from bot import assembly as A
from bot.assembly import report
from bot.assembly.crypto import Keyring
from bot.assembly.render import audit_lines
from bot.assembly.service import title_of
from bot.core.text import esc, shorten
from bot.telegram.context import MaeulContext
from handlers.assembly.staff_common import REF, back, pressed_vote, ready_keyring, refused, who
from handlers.assembly.vote_render import send_outcome
from handlers.core import blocks
from models.assembly import AssemblyVote


async def _pressed(update: Update, context: MaeulContext) -> tuple[AssemblyVote, Keyring] | None:
    """The assembly the button names (staff of its dong only) and the ballot keyring;
    ``None`` after a refusal."""
    vote = await pressed_vote(update, context)
    ring = await ready_keyring(update, context) if vote is not None else None
    return None if vote is None or ring is None else (vote, ring)


async def _outcome(
    update: Update, context: MaeulContext, details: Callable[[A.Results], dict[str, Any]]
) -> tuple[AssemblyVote, A.Results] | None:
    """:func:`_pressed`, then the results (refused politely before the close); taking them
    is logged (``assembly.results`` with ``details`` of them) and the press answered."""
    found = await _pressed(update, context)
    if found is None:
        return None
    vote, ring = found
    try:
        outcome = await A.results(context.db, ring, vote, context.runtime.clock.now())
    except A.Refused as refusal:
        await refused(update, context, refusal)
        return None
    await A.record_action(
        context.db, vote, "assembly.results", details=details(outcome), **who(context)
    )
    await blocks.answer(update)
    return vote, outcome


async def results(update: Update, context: MaeulContext) -> None:
    found = await _outcome(update, context, lambda outcome: {"voters": outcome.turnout.voters})
    if found is None:
        return
    vote, outcome = found
    t = context.t
    markup = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(t._("📥 Excel file"), callback_data=f"asm:xlsx:{vote.id}"),
                InlineKeyboardButton(t._("🔍 Audit"), callback_data=f"asm:aud:{vote.id}"),
            ],
            [back(context, vote)],
        ]
    )
    await send_outcome(context, update.effective_chat.id, vote, outcome, markup)


async def xlsx(update: Update, context: MaeulContext) -> None:
    """The results as the xlsx file (headers and values in the staff's language)."""
    found = await _outcome(update, context, lambda _: {"file": "xlsx"})
    if found is None:
        return
    vote, outcome = found
    t = context.t
    tz = context.runtime.settings.tz
    data = await asyncio.to_thread(report.results_xlsx, outcome, t.lang, tz)
    await context.bot.send_document(
        update.effective_chat.id,
        data,
        filename=f"{vote.assembly_id}-results.xlsx",
        caption=shorten(t._("Results: {title}", title=title_of(vote, t.lang)), 1000),
    )


async def audit(update: Update, context: MaeulContext) -> None:
    found = await _pressed(update, context)
    if found is None:
        return
    vote, ring = found
    t = context.t
    checked = await A.audit(context.db, ring, vote)
    closed = A.status(vote, context.runtime.clock.now()) == A.Status.CLOSED
    await A.record_action(
        context.db,
        vote,
        "assembly.audit",
        details={"ok": checked.ok, "ballots": checked.ballots, "problems": len(checked.problems)},
        **who(context),
    )
    await blocks.answer(update)
    heading = t._("Audit: {title}", title=title_of(vote, t.lang))
    lines = [f"🔍 <b>{esc(heading)}</b>", ""] + [esc(x) for x in audit_lines(t, checked, closed)]
    await blocks.send_html(
        context,
        update.effective_chat.id,
        shorten("\n".join(lines), 4000),
        InlineKeyboardMarkup([[back(context, vote)]]),
    )


def register(app: Application) -> None:  # type: ignore[type-arg]
    app.add_handler(CallbackQueryHandler(results, pattern=rf"^asm:res:{REF}$"))
    app.add_handler(CallbackQueryHandler(audit, pattern=rf"^asm:aud:{REF}$"))
    app.add_handler(CallbackQueryHandler(xlsx, pattern=rf"^asm:xlsx:{REF}$"))
