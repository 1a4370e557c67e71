"""/assembly: the staff side of assembly votes, for staff of the assembly's dong and admins.

Staff create an assembly (title, method, window), put items on the ballot (typed, or
accepted agenda proposals) before voting opens, set re-voting, mode and the eligible
population, open or close early, watch the turnout live and see the results after the
close. They never see live results: nobody can, the ballots are sealed until the close.
Every press re-checks the staff role for the assembly's dong.
"""

from __future__ import annotations

import re
import secrets
from datetime import datetime
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

from bot import assembly as A
from bot.assembly.crypto import keyring_for
from bot.assembly.service import title_of
from bot.core.dongs import dong_name, get_dong, list_dongs
from bot.core.i18n import N_
from bot.core.text import esc, shorten
from bot.core.users import is_admin, is_staff_of
from bot.telegram.context import MaeulContext
from handlers.assembly.vote import render, send_results
from models.assembly import AssemblyVote, VoteMethod, VoteMode

POPULATION, ITEM, NEW_TITLE, NEW_METHOD, NEW_WINDOW = (
    "population",
    "item",
    "new_title",
    "new_method",
    "new_window",
)
DRAFT_KEY = "assembly_new"
TARGET_KEY = "assembly_target"
WHEN_RE = re.compile(r"(\d{4}-\d{1,2}-\d{1,2})[ T]+(\d{1,2}:\d{2})")
REF = r"(\d{1,6})"


def _actor(context: MaeulContext) -> str:
    return f"tg:{context.user.telegram_id}"


def _admins(context: MaeulContext) -> frozenset[int]:
    return context.runtime.settings.admin_ids


def _is_staff(context: MaeulContext) -> bool:
    return is_staff_of(context.user, None, _admins(context))


async def _staff_dongs(context: MaeulContext) -> list[str] | None:
    """The dongs this user is staff of; None for an admin (every dong)."""
    if is_admin(context.user, _admins(context)):
        return None
    return sorted({r.dong_id for r in context.user.roles if r.role == "staff" and r.dong_id})


async def _alert(update: Update, text: str) -> None:
    if update.callback_query is not None:
        await update.callback_query.answer(shorten(text, 190), show_alert=True)
    else:
        await update.effective_message.reply_text(text)


async def _vote(update: Update, context: MaeulContext, ref: str) -> AssemblyVote | None:
    """The assembly if this user is staff of its dong (else a refusal)."""
    vote = await A.get_vote(context.db, int(ref), context.runtime.clock.now())
    if vote is None:
        await _alert(update, context.t._("This vote no longer exists."))
        return None
    if not is_staff_of(context.user, vote.dong_id, _admins(context)):
        await _alert(update, context.t._("Only the staff of this dong can do that."))
        return None
    return vote


async def _send(
    update: Update, context: MaeulContext, text: str, markup: InlineKeyboardMarkup | None
) -> None:
    query = update.callback_query
    if query is not None and query.message is not None:
        await query.edit_message_text(text, parse_mode=ParseMode.HTML, reply_markup=markup)
    else:
        await context.bot.send_message(
            update.effective_chat.id, text, parse_mode=ParseMode.HTML, reply_markup=markup
        )


def _back(t: Any, vote: AssemblyVote) -> InlineKeyboardButton:
    return InlineKeyboardButton(t._("« Back"), callback_data=f"asm:o:{vote.id}")


# --- list and panel --------------------------------------------------------------------


async def staff_list(update: Update, context: MaeulContext) -> int:
    t = context.t
    if update.callback_query is not None:
        await update.callback_query.answer()
    if not _is_staff(context):
        await update.effective_message.reply_text(
            t._("This is for the staff of a dong. Residents vote with /vote.")
        )
        return ConversationHandler.END
    now = context.runtime.clock.now()
    votes = await A.list_votes(context.db, now, await _staff_dongs(context))
    lines = [f"<b>{esc(t._('Assembly votes you manage'))}</b>", ""]
    rows = []
    for vote in votes:
        lines.append(f"• {esc(title_of(vote, t.lang))} — {esc(_state(t, vote, now))}")
        rows.append(
            [
                InlineKeyboardButton(
                    shorten(title_of(vote, t.lang), 60), callback_data=f"asm:o:{vote.id}"
                )
            ]
        )
    if not votes:
        lines.append(t._("There are no assembly votes right now."))
    rows.append([InlineKeyboardButton(t._("➕ New assembly"), callback_data="asm:new")])
    await _send(update, context, "\n".join(lines), InlineKeyboardMarkup(rows))
    return ConversationHandler.END


def _state(t: Any, vote: AssemblyVote, now: datetime) -> str:
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
        esc(_state(t, vote, now)),
        "",
    ]
    method = (
        t._("yes / no / abstain on each item")
        if vote.method == VoteMethod.APPROVE_REJECT
        else t._("choose up to {n} items", n=vote.max_choices or 0)
    )
    mode = (
        t._("voting codes from the dong office")
        if vote.mode == VoteMode.CODES
        else t._("open to every Telegram account (non-binding)")
    )
    lines += [
        esc(t._("Method: {method}", method=method)),
        esc(t._("Who votes: {mode}", mode=mode)),
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
            t._(
                "Turnout so far: {voters} ({online} online, {onsite} on site); "
                "{registered} registered, {codes} codes issued",
                voters=t.format_number(turnout.voters),
                online=t.format_number(turnout.online_voters),
                onsite=t.format_number(turnout.onsite_voters),
                registered=t.format_number(turnout.registered),
                codes=t.format_number(turnout.codes_issued),
            )
        ),
    ]
    if turnout.percent is not None:
        lines.append(
            esc(
                t._(
                    "{percent} of the eligible residents",
                    percent=t.format_number(round(turnout.percent, 1)) + "%",
                )
            )
        )
    if state != A.Status.CLOSED:
        lines.append(esc(t._("Results are sealed until the close.")))
    lines += ["", esc(t.n_("{n} item on the ballot:", "{n} items on the ballot:", len(items)))]
    lines += [f"{n}. {esc(title_of(item, t.lang))}" for n, item in enumerate(items, 1)]
    if keyring_for(context.runtime.settings) is None:
        lines += ["", "⚠️ " + esc(t._("BALLOT_SECRET is not set: voting cannot run."))]
    rows: list[list[InlineKeyboardButton]] = []
    ref = vote.id
    if state == A.Status.DRAFT:
        rows.append(
            [
                InlineKeyboardButton(t._("➕ Add an item"), callback_data=f"asm:item:{ref}"),
                InlineKeyboardButton(
                    t._("📥 Accepted proposals"), callback_data=f"asm:props:{ref}"
                ),
            ]
        )
        rows.append(
            [
                InlineKeyboardButton(t._("Mode: switch"), callback_data=f"asm:mode:{ref}"),
                InlineKeyboardButton(t._("Re-voting: switch"), callback_data=f"asm:rev:{ref}"),
            ]
        )
        rows.append(
            [InlineKeyboardButton(t._("▶ Open voting now"), callback_data=f"asm:open:{ref}")]
        )
    if state != A.Status.CLOSED:
        rows.append(
            [InlineKeyboardButton(t._("👥 Eligible residents"), callback_data=f"asm:pop:{ref}")]
        )
    if state == A.Status.OPEN:
        rows.append(
            [InlineKeyboardButton(t._("⏹ Close voting now"), callback_data=f"asm:close:{ref}")]
        )
    if state == A.Status.CLOSED:
        rows.append([InlineKeyboardButton(t._("📊 Results"), callback_data=f"asm:res:{ref}")])
    rows.append(
        [
            InlineKeyboardButton(t._("🔄 Refresh"), callback_data=f"asm:o:{ref}"),
            InlineKeyboardButton(t._("« All"), callback_data="asm:list"),
        ]
    )
    return "\n".join(lines), InlineKeyboardMarkup(rows)


async def show_panel(update: Update, context: MaeulContext, vote: AssemblyVote) -> None:
    text, markup = await panel_text(context, vote)
    await _send(update, context, text, markup)


async def panel(update: Update, context: MaeulContext) -> int:
    query = update.callback_query
    vote = await _vote(update, context, query.data.split(":")[2])
    if vote is not None:
        await query.answer()
        await show_panel(update, context, vote)
    return ConversationHandler.END


# --- actions ---------------------------------------------------------------------------


async def _act(update: Update, context: MaeulContext, action: Any) -> None:
    """Run a domain action on the pressed assembly, then show the panel again."""
    query = update.callback_query
    vote = await _vote(update, context, query.data.split(":")[2])
    if vote is None:
        return
    try:
        done = await action(vote)
    except A.Refused as refused:
        await _alert(update, render(context.t, refused))
        return
    await query.answer(done or None)
    await show_panel(update, context, vote)


async def toggle_mode(update: Update, context: MaeulContext) -> None:
    async def action(vote: AssemblyVote) -> str:
        new = VoteMode.OPEN if vote.mode == VoteMode.CODES else VoteMode.CODES
        await A.configure(
            context.db,
            vote,
            actor=_actor(context),
            now=context.runtime.clock.now(),
            mode=new.value,
            actor_telegram_id=context.user.telegram_id,
        )
        return str(context.t._("Saved."))

    await _act(update, context, action)


async def toggle_revoting(update: Update, context: MaeulContext) -> None:
    async def action(vote: AssemblyVote) -> str:
        await A.configure(
            context.db,
            vote,
            actor=_actor(context),
            now=context.runtime.clock.now(),
            revoting=not vote.revoting,
            actor_telegram_id=context.user.telegram_id,
        )
        return str(context.t._("Saved."))

    await _act(update, context, action)


async def confirm(update: Update, context: MaeulContext) -> None:
    """Open or close early: ask first."""
    query = update.callback_query
    what, ref = query.data.split(":")[1:3]
    vote = await _vote(update, context, ref)
    if vote is None:
        return
    t = context.t
    await query.answer()
    question = (
        t._(
            "Open voting on “{title}” now? The ballot can no longer change afterwards.",
            title=title_of(vote, t.lang),
        )
        if what == "open"
        else t._(
            "Close voting on “{title}” now? Nobody can vote afterwards.",
            title=title_of(vote, t.lang),
        )
    )
    markup = InlineKeyboardMarkup(
        [[InlineKeyboardButton(t._("Yes"), callback_data=f"asm:{what}!:{ref}"), _back(t, vote)]]
    )
    await _send(update, context, esc(question), markup)


async def open_now(update: Update, context: MaeulContext) -> None:
    async def action(vote: AssemblyVote) -> str:
        if keyring_for(context.runtime.settings) is None:
            raise A.Refused("no_secret", N_("BALLOT_SECRET is not set: voting cannot run."))
        await A.open_now(
            context.db,
            vote,
            actor=_actor(context),
            now=context.runtime.clock.now(),
            actor_telegram_id=context.user.telegram_id,
        )
        return str(context.t._("Voting is open."))

    await _act(update, context, action)


async def close_now(update: Update, context: MaeulContext) -> None:
    async def action(vote: AssemblyVote) -> str:
        await A.close_now(
            context.db,
            vote,
            actor=_actor(context),
            now=context.runtime.clock.now(),
            actor_telegram_id=context.user.telegram_id,
        )
        return str(context.t._("Voting is closed."))

    await _act(update, context, action)


async def proposals(update: Update, context: MaeulContext) -> None:
    query = update.callback_query
    vote = await _vote(update, context, query.data.split(":")[2])
    if vote is None:
        return
    t = context.t
    await query.answer()
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
    rows.append([_back(t, vote)])
    await _send(update, context, "\n".join(lines), InlineKeyboardMarkup(rows))


async def add_proposal(update: Update, context: MaeulContext) -> None:
    query = update.callback_query
    number = int(query.data.split(":")[3])

    async def action(vote: AssemblyVote) -> str:
        await A.add_proposal(
            context.db,
            vote,
            number,
            actor=_actor(context),
            now=context.runtime.clock.now(),
            actor_telegram_id=context.user.telegram_id,
        )
        return str(context.t._("Added to the ballot."))

    await _act(update, context, action)


async def results(update: Update, context: MaeulContext) -> None:
    vote = await _vote(update, context, update.callback_query.data.split(":")[2])
    if vote is not None:
        await send_results(update, context, vote)


# --- typed answers: population, items --------------------------------------------------


async def ask_population(update: Update, context: MaeulContext) -> str | int:
    query = update.callback_query
    vote = await _vote(update, context, query.data.split(":")[2])
    if vote is None:
        return ConversationHandler.END
    await query.answer()
    context.user_data[TARGET_KEY] = vote.id  # type: ignore[index]
    await context.bot.send_message(
        update.effective_chat.id,
        context.t._("How many residents are eligible to vote? Type a number, or /cancel."),
    )
    return POPULATION


async def _target(update: Update, context: MaeulContext) -> AssemblyVote | None:
    ref = context.user_data.get(TARGET_KEY) if context.user_data else None
    if ref is None:
        return None
    return await _vote(update, context, str(ref))


async def typed_population(update: Update, context: MaeulContext) -> str | int:
    t = context.t
    text = (update.effective_message.text or "").strip().replace(",", "")
    vote = await _target(update, context)
    if vote is None:
        return ConversationHandler.END
    if not text.isdigit() or int(text) < 1:
        await update.effective_message.reply_text(
            t._("Please type a whole number such as 12000, or /cancel.")
        )
        return POPULATION
    try:
        await A.configure(
            context.db,
            vote,
            actor=_actor(context),
            now=context.runtime.clock.now(),
            eligible_population=int(text),
            actor_telegram_id=context.user.telegram_id,
        )
    except A.Refused as refused:
        await update.effective_message.reply_text(render(t, refused), parse_mode=ParseMode.HTML)
        return ConversationHandler.END
    context.user_data.pop(TARGET_KEY, None)
    await show_panel(update, context, vote)
    return ConversationHandler.END


async def ask_item(update: Update, context: MaeulContext) -> str | int:
    query = update.callback_query
    vote = await _vote(update, context, query.data.split(":")[2])
    if vote is None:
        return ConversationHandler.END
    await query.answer()
    context.user_data[TARGET_KEY] = vote.id  # type: ignore[index]
    await context.bot.send_message(
        update.effective_chat.id,
        context.t._(
            "Type the item's title (in Korean), optionally followed by | and its budget in "
            "won, e.g. “골목 화단 가꾸기 | 3500000”. Send several lines to add several items. "
            "/cancel when done."
        ),
    )
    return ITEM


async def typed_item(update: Update, context: MaeulContext) -> str | int:
    t = context.t
    vote = await _target(update, context)
    if vote is None:
        return ConversationHandler.END
    added = []
    for line in (update.effective_message.text or "").splitlines()[:20]:
        title, _, budget = line.partition("|")
        title, budget = title.strip()[:200], budget.strip().replace(",", "")
        if not title:
            continue
        if budget and not budget.isdigit():
            await update.effective_message.reply_text(
                t._(
                    "“{line}”: the budget must be a whole number of won. Please send this "
                    "line again.",
                    line=shorten(line, 60),
                )
            )
            continue
        try:
            await A.add_item(
                context.db,
                vote,
                A.NewItem({"ko": title}, budget_krw=int(budget) if budget else None),
                actor=_actor(context),
                now=context.runtime.clock.now(),
                actor_telegram_id=context.user.telegram_id,
            )
        except A.Refused as refused:
            await update.effective_message.reply_text(render(t, refused), parse_mode=ParseMode.HTML)
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
    vote = await _target(update, context)
    context.user_data.pop(TARGET_KEY, None)
    context.user_data.pop(DRAFT_KEY, None)
    if vote is not None:
        await show_panel(update, context, vote)
    else:
        await update.effective_message.reply_text(context.t._("Cancelled. Nothing was changed."))
    return ConversationHandler.END


# --- a new assembly --------------------------------------------------------------------


async def new_assembly(update: Update, context: MaeulContext) -> str | int:
    t = context.t
    query = update.callback_query
    if not _is_staff(context):
        await _alert(update, t._("Only the staff of this dong can do that."))
        return ConversationHandler.END
    data = query.data if query is not None else ""
    dong_id = data.split(":")[2] if data.startswith("asm:nd:") else None
    mine = await _staff_dongs(context)
    if dong_id is None:
        choices = mine if mine is not None else [d.id for d in await list_dongs(context.db)]
        if len(choices) == 1:
            dong_id = choices[0]
        else:
            await query.answer()
            dongs = {d.id: d for d in await list_dongs(context.db)}
            rows = [
                [InlineKeyboardButton(dong_name(dongs[d], t.lang), callback_data=f"asm:nd:{d}")]
                for d in choices
                if d in dongs
            ]
            question = esc(t.p_("assembly", "For which dong?"))
            await _send(update, context, question, InlineKeyboardMarkup(rows))
            return ConversationHandler.END
    if (mine is not None and dong_id not in mine) or await get_dong(context.db, dong_id) is None:
        await _alert(update, t._("Only the staff of this dong can do that."))
        return ConversationHandler.END
    if query is not None:
        await query.answer()
    context.user_data[DRAFT_KEY] = {"dong": dong_id}  # type: ignore[index]
    await context.bot.send_message(
        update.effective_chat.id,
        t._("What is the assembly's title (in Korean)? Or /cancel."),
    )
    return NEW_TITLE


async def typed_title(update: Update, context: MaeulContext) -> str:
    t = context.t
    title = (update.effective_message.text or "").strip()
    if not title or len(title) > 120:
        await update.effective_message.reply_text(
            t._("Please type a title of at most 120 characters, or /cancel.")
        )
        return NEW_TITLE
    context.user_data[DRAFT_KEY]["title"] = title  # type: ignore[index]
    rows = [
        [InlineKeyboardButton(t._("Yes / no / abstain on each item"), callback_data="asm:nm:0")],
        [
            InlineKeyboardButton(t._("Choose up to {n}", n=n), callback_data=f"asm:nm:{n}")
            for n in range(1, 6)
        ],
    ]
    await update.effective_message.reply_text(
        t._("How do residents vote?"), reply_markup=InlineKeyboardMarkup(rows)
    )
    return NEW_METHOD


async def picked_method(update: Update, context: MaeulContext) -> str:
    query = update.callback_query
    await query.answer()
    await query.edit_message_reply_markup(None)
    context.user_data[DRAFT_KEY]["max"] = int(query.data.split(":")[2])  # type: ignore[index]
    await context.bot.send_message(
        update.effective_chat.id,
        context.t._(
            "When is voting open? Type the start and the end, e.g. "
            "“2027-05-28 09:00 ~ 2027-06-14 18:00” ({zone} time).",
            zone=context.runtime.settings.timezone,
        ),
    )
    return NEW_WINDOW


async def typed_window(update: Update, context: MaeulContext) -> str | int:
    t = context.t
    text = update.effective_message.text or ""
    found = WHEN_RE.findall(text)
    tz = context.runtime.settings.tz
    try:
        if len(found) != 2:
            raise ValueError
        opens, closes = (
            datetime.fromisoformat(f"{d} {h.zfill(5)}".replace(" ", "T")).replace(tzinfo=tz)
            for d, h in found
        )
    except ValueError:
        await update.effective_message.reply_text(
            t._("Please type two dates and times, e.g. “2027-05-28 09:00 ~ 2027-06-14 18:00”.")
        )
        return NEW_WINDOW
    draft = context.user_data.get(DRAFT_KEY) or {}
    if "title" not in draft:
        return ConversationHandler.END
    now = context.runtime.clock.now()
    maximum = int(draft.get("max", 0))
    try:
        vote = await A.create_vote(
            context.db,
            assembly_id=f"{draft['dong']}-{opens.year}-{secrets.token_hex(2)}",
            dong_id=draft["dong"],
            title={"ko": draft["title"]},
            opens_at=opens,
            closes_at=closes,
            method=VoteMethod.CHOOSE_UP_TO if maximum else VoteMethod.APPROVE_REJECT,
            max_choices=maximum or None,
            items=[],
            actor=_actor(context),
            now=now,
            actor_telegram_id=context.user.telegram_id,
        )
    except A.Refused as refused:
        await update.effective_message.reply_text(render(t, refused), parse_mode=ParseMode.HTML)
        return NEW_WINDOW
    if opens <= now:
        await update.effective_message.reply_text(
            t._("Note: that start is in the past, so voting is already open.")
        )
    context.user_data.pop(DRAFT_KEY, None)
    await show_panel(update, context, vote)
    return ConversationHandler.END


def register(app: Application) -> None:  # type: ignore[type-arg]
    conversation = ConversationHandler(
        name="assembly_staff",
        persistent=True,
        entry_points=[
            CommandHandler("assembly", staff_list),
            CallbackQueryHandler(ask_population, pattern=rf"^asm:pop:{REF}$"),
            CallbackQueryHandler(ask_item, pattern=rf"^asm:item:{REF}$"),
            CallbackQueryHandler(new_assembly, pattern=r"^asm:new$"),
            CallbackQueryHandler(new_assembly, pattern=r"^asm:nd:[a-z0-9_-]{1,64}$"),
        ],
        states={
            POPULATION: [MessageHandler(filters.TEXT & ~filters.COMMAND, typed_population)],
            ITEM: [MessageHandler(filters.TEXT & ~filters.COMMAND, typed_item)],
            NEW_TITLE: [MessageHandler(filters.TEXT & ~filters.COMMAND, typed_title)],
            NEW_METHOD: [CallbackQueryHandler(picked_method, pattern=r"^asm:nm:[0-5]$")],
            NEW_WINDOW: [MessageHandler(filters.TEXT & ~filters.COMMAND, typed_window)],
        },
        fallbacks=[CommandHandler("cancel", done_typing)],
        allow_reentry=True,
    )
    app.add_handler(conversation)
    app.add_handler(CallbackQueryHandler(staff_list, pattern=r"^asm:list$"))
    app.add_handler(CallbackQueryHandler(panel, pattern=rf"^asm:o:{REF}$"))
    app.add_handler(CallbackQueryHandler(proposals, pattern=rf"^asm:props:{REF}$"))
    app.add_handler(CallbackQueryHandler(add_proposal, pattern=rf"^asm:ap:{REF}:\d{{1,9}}$"))
    app.add_handler(CallbackQueryHandler(toggle_mode, pattern=rf"^asm:mode:{REF}$"))
    app.add_handler(CallbackQueryHandler(toggle_revoting, pattern=rf"^asm:rev:{REF}$"))
    app.add_handler(CallbackQueryHandler(confirm, pattern=rf"^asm:(open|close):{REF}$"))
    app.add_handler(CallbackQueryHandler(open_now, pattern=rf"^asm:open!:{REF}$"))
    app.add_handler(CallbackQueryHandler(close_now, pattern=rf"^asm:close!:{REF}$"))
    app.add_handler(CallbackQueryHandler(results, pattern=rf"^asm:res:{REF}$"))
