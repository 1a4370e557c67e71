"""/staffchat [dong | off], sent by a staff member in a group: that group receives the
dong's new proposals and threshold crossings, with a link to review them in the private
chat. Only staff of the dong (or admins) can link or unlink it."""

from __future__ import annotations

from telegram import Update
from telegram.constants import ChatType

from bot.core.dongs import list_dongs, match_dong
from bot.core.text import shorten
from bot.proposals import service as domain
from bot.proposals.service import Actor
from bot.telegram.context import MaeulContext
from handlers.proposals.render import names


async def staffchat(update: Update, context: MaeulContext) -> None:
    """/staffchat [dong | off] in a group: this group gets the dong's staff notifications."""
    t = context.t
    chat = update.effective_chat
    message = update.effective_message
    if chat.type == ChatType.PRIVATE:
        await message.reply_text(
            t._(
                "Send /staffchat in your staff group (with me added to it) to receive the new "
                "proposals of your dong there."
            )
        )
        return
    user = context.scope.user
    admin_ids = context.runtime.settings.admin_ids
    dongs = domain.staff_dongs(user, admin_ids) if user is not None else set()
    if dongs is not None and not dongs:
        await message.reply_text(t._("Only staff of a dong can link a group chat."))
        return
    assert user is not None
    actor = Actor.of(user)
    now = context.runtime.clock.utcnow()
    arg = " ".join(context.args or []).strip()
    all_dongs = await list_dongs(context.db)
    n = await names(context)
    if arg.lower() in {"off", "끄기", "해제"}:
        linked = await domain.staff_chats(context.db)
        mine = [d for c, d in linked.items() if c == chat.id and (dongs is None or d in dongs)]
        for dong_id in mine:
            await domain.configure_dong(
                context.db, dong_id, actor=actor, now=now, staff_chat_id=None
            )
        await message.reply_text(
            t._("This group no longer receives proposal notifications.")
            if mine
            else t._("This group was not linked.")
        )
        return
    if arg:
        dong = match_dong(all_dongs, arg[:100])
        if dong is None or (dongs is not None and dong.id not in dongs):
            await message.reply_text(
                t._("You are not staff of a dong called “{text}”.", text=shorten(arg, 40))
            )
            return
        dong_id = dong.id
    elif dongs is not None and len(dongs) == 1:
        dong_id = next(iter(dongs))
    else:
        await message.reply_text(
            t._(
                "Which dong? Send /staffchat followed by the dong's name, e.g. /staffchat {dong}.",
                dong=n.dong(all_dongs[0].id) if all_dongs else "",
            )
        )
        return
    await domain.configure_dong(context.db, dong_id, actor=actor, now=now, staff_chat_id=chat.id)
    await message.reply_text(
        t._(
            "This group now receives the new proposals of {dong} and threshold crossings, "
            "with a link to review them in the private chat.",
            dong=n.dong(dong_id),
        )
    )
