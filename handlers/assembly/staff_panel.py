"""The assembly's panel: its state, settings, turnout (never live results), ballot and the
buttons of what its staff can do now. Shown after every action; every press re-checks the
presser (:func:`.staff_common.pressed_vote`)."""

from __future__ import annotations

from datetime import datetime

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import ConversationHandler

from bot import assembly as A
from bot.assembly.render import method_text
from bot.assembly.service import title_of
from bot.core.dongs import dong_name, get_dong
from bot.core.i18n import Translator
from bot.core.text import esc
from bot.telegram.context import MaeulContext
from handlers.assembly.staff_common import keyring, other_mode, pressed_vote
from handlers.core import blocks
from models.assembly import AssemblyVote, VoteMode


def state_text(t: Translator, vote: AssemblyVote, now: datetime) -> str:
    state = A.status(vote, now)
    if state == A.Status.DRAFT:
        return str(t._("in preparation, opens {opens}", opens=t.format_datetime(vote.opens_at)))
    if state == A.Status.OPEN:
        return str(t._("open until {closes}", closes=t.format_datetime(vote.closes_at)))
    return str(t._("closed"))


async def panel_text(context: MaeulContext, vote: AssemblyVote) -> tuple[str, InlineKeyboardMarkup]:
    t = context.t
    now = context.runtime.clock.now()
    state = A.status(vote, now)
    turnout = await A.turnout(context.db, vote)
    items = await A.items_of(context.db, vote)
    dong = await get_dong(context.db, vote.dong_id)
    lines = [
        f"<b>{esc(title_of(vote, t.lang))}</b>",
        esc(f"{dong_name(dong, t.lang) if dong else vote.dong_id} · {vote.assembly_id}"),
        esc(state_text(t, vote, now)),
        "",
        esc(t._("Method: {method}", method=method_text(t, vote.method, vote.max_choices))),
        esc(
            t._(
                "Who votes: {mode}",
                mode=t._("voting codes from the dong office")
                if vote.mode == VoteMode.CODES
                else t._("open to every Telegram account (non-binding)"),
            )
        ),
        esc(t._("Re-voting: {allowed}", allowed=t._("allowed") if vote.revoting else t._("no"))),
        esc(
            t._(
                "Eligible residents: {n}",
                n=t.format_number(vote.eligible_population)
                if vote.eligible_population
                else t._("not set"),
            )
        ),
    ]
    if vote.quorum_percent is not None:
        lines.append(esc(t._("Quorum: {quorum}%", quorum=vote.quorum_percent)))
    lines += [
        "",
        esc(
            t.n_(
                "Turnout so far: {voters} ({online} online, {onsite} on site); "
                "{registered} registered, {codes} code issued",
                "Turnout so far: {voters} ({online} online, {onsite} on site); "
                "{registered} registered, {codes} codes issued",
                turnout.codes_issued,
                voters=t.format_number(turnout.voters),
                online=t.format_number(turnout.online_voters),
                onsite=t.format_number(turnout.onsite_voters),
                registered=t.format_number(turnout.registered),
                codes=t.format_number(turnout.codes_issued),
            )
        ),
    ]
    if turnout.percent is not None:
        percent = t.format_number(round(turnout.percent, 1)) + "%"
        lines.append(esc(t._("{percent} of the eligible residents", percent=percent)))
    if state != A.Status.CLOSED:
        lines.append(esc(t._("Results are sealed until the close.")))
    if items:
        lines += ["", esc(t.n_("{n} item on the ballot:", "{n} items on the ballot:", len(items)))]
        lines += [f"{n}. {esc(title_of(item, t.lang))}" for n, item in enumerate(items, 1)]
    elif state == A.Status.DRAFT:
        lines += ["", esc(t._("The ballot has no items yet — please add items first."))]
    else:  # it opened with none (a knowledge-base assembly, or its start came first)
        lines += ["", esc(t._("The ballot has no items yet."))]
        if state == A.Status.OPEN and await A.opened_empty(context.db, vote):
            lines.append(
                esc(
                    t._(
                        "Nobody can vote on an empty ballot. Give it a new start with "
                        "“🕒 Voting period”, then add the items before it opens."
                    )
                )
            )
    if keyring(context) is None:
        lines += ["", "⚠️ " + esc(t._("BALLOT_SECRET is not set: voting cannot run."))]
    return "\n".join(lines), InlineKeyboardMarkup(_buttons(t, vote, state, bool(items)))


def _buttons(
    t: Translator, vote: AssemblyVote, state: A.Status, has_items: bool
) -> list[list[InlineKeyboardButton]]:
    ref = vote.id

    def button(label: str, op: str) -> InlineKeyboardButton:
        return InlineKeyboardButton(label, callback_data=f"asm:{op}:{ref}")

    rows: list[list[InlineKeyboardButton]] = []
    if state == A.Status.DRAFT:
        rows.append(
            [button(t._("➕ Add an item"), "item"), button(t._("📥 Accepted proposals"), "props")]
        )
        # each switch says what it sets: a stale one, pressed again after its reply was lost,
        # sets the same again instead of switching back
        rows.append(
            [
                InlineKeyboardButton(
                    t._("Mode: switch"), callback_data=f"asm:mode:{ref}:{other_mode(vote)}"
                ),
                InlineKeyboardButton(
                    t._("Re-voting: switch"),
                    callback_data=f"asm:rev:{ref}:{int(not vote.revoting)}",
                ),
            ]
        )
    if state != A.Status.CLOSED:
        rows.append([button(t._("👥 Eligible residents"), "pop"), button(t._("Quorum"), "quo")])
        rows.append([button(t._("🕒 Voting period"), "per")])
        if vote.mode == VoteMode.CODES:
            rows.append([button(t._("🎫 Issue voting codes"), "codes")])
    if state == A.Status.DRAFT and has_items:
        # an empty ballot cannot open: no button (a stale press is refused by the service)
        rows.append([button(t._("▶ Open voting now"), "open")])
    if state != A.Status.DRAFT:
        rows.append([button(t._("🏢 On-site voting"), "site")])
    if state == A.Status.OPEN:
        rows.append([button(t._("⏹ Close voting now"), "close")])
    if state == A.Status.CLOSED:
        rows.append([button(t._("📊 Results"), "res"), button(t._("🔍 Audit"), "aud")])
    rows.append(
        [
            button(t._("🔄 Refresh"), "o"),
            InlineKeyboardButton(t._("« All"), callback_data="asm:list"),
        ]
    )
    return rows


async def show_panel(
    update: Update, context: MaeulContext, vote: AssemblyVote, *, edit: bool = True
) -> None:
    text, markup = await panel_text(context, vote)
    await blocks.show(update, context, text, markup, edit=edit)


async def panel(update: Update, context: MaeulContext) -> int:
    vote = await pressed_vote(update, context)
    if vote is not None:
        await blocks.answer(update)
        await show_panel(update, context, vote)
    return ConversationHandler.END
