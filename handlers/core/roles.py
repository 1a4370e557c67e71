"""/roles: district admins give and take roles from the bot (issue 13, People).

The screen lists who has a role (activist, staff of a dong, admin) with a button to
remove each, and invites new staff of a dong or activists with a single-use deep link
(``t.me/<bot>?start=role_<token>``, :func:`bot.core.users.create_invite`): the admin
forwards it to their colleague, who opens it and has the role. The link expires
(:data:`~bot.core.users.INVITE_LIFETIME`), works once, and can be withdrawn while pending.

Threat model: every press is re-checked on the server (the presser must be an admin
*now*; a forged ``roles:`` press from anyone else is refused with an alert). The data
names a grant or an invitation by its row id, never who may act. The admin role is never
given by a link (a forwarded message must not make anyone a district admin). Every
change is in the audit log (``role.invite``, ``role.invite.accept``, ``role.invite.revoke``,
``role.add``, ``role.remove``), and the inviter is told when their invitation is used.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable

from telegram import InlineKeyboardButton, Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler

from bot.core import users
from bot.core.i18n import N_, Translator
from bot.core.text import esc, shorten
from bot.reminders.outbox import tell
from bot.telegram.context import MaeulContext
from handlers.core import blocks
from handlers.core.browse import admin
from handlers.core.commands import publish_for_user
from handlers.core.start import DEEP_LINKS

ROLE_LABELS = {
    "activist": N_("Activist"),
    "staff": N_("Staff"),
    "admin": N_("District admin"),
}
PAGE = 8
LIST_RE = re.compile(r"^roles:list:(\d{1,4})$")
INVITE_RE = re.compile(r"^roles:inv:(activist|staff)$")
INVITE_DONG_RE = re.compile(r"^roles:invd:([a-z0-9_-]{1,50})$")
REMOVE_RE = re.compile(r"^roles:rm:(\d{1,12})$")
# its "yes" carries a stamp of the person and role it asked about: SQLite gives a role
# granted later the id of one removed meanwhile (an older button has none, and acts by id)
REMOVE_OK_RE = re.compile(r"^roles:rmok:(\d{1,12})(?::([0-9a-f]{8}))?$")
PENDING_RE = re.compile(r"^roles:pend$")
REVOKE_RE = re.compile(r"^roles:revoke:(\d{1,12})$")
ANY_RE = re.compile(r"^roles:")


def role_label(t: Translator, role: str, dong: str) -> str:
    label = t._(ROLE_LABELS.get(role, role))
    return f"{label} · {dong}" if dong else label


async def _dong_names(context: MaeulContext, lang: str | None = None) -> dict[str, str]:
    kb = await context.runtime.knowledge.get()
    lang = lang or context.t.lang
    return {d.id: d.name.get(lang) for d in kb.dongs} if kb is not None else {}


async def _refused(update: Update, context: MaeulContext) -> bool:
    """True (and a refusal) unless the presser is a district admin now."""
    if admin(context):
        return False
    await blocks.refuse(update, context, context.t._("Only district admins can manage roles."))
    return True


def _admin_pressed(
    pattern: re.Pattern[str],
) -> Callable[[Update, MaeulContext], Awaitable[re.Match[str] | None]]:
    """What a press is about, for :func:`.blocks.opened_by`: its data parsed by
    ``pattern``, for district admins only; ``None`` after a refusal (:func:`_refused`, or
    data that does not parse)."""

    async def find(update: Update, context: MaeulContext) -> re.Match[str] | None:
        if await _refused(update, context):
            return None
        return await blocks.matched(update, context, pattern)

    return find


def _grant_pressed(
    pattern: re.Pattern[str],
) -> Callable[[Update, MaeulContext], Awaitable[users.RoleRow | None]]:
    """The role the press names (group 1 of ``pattern``, its grant's id), for
    :func:`.blocks.opened_by`; ``None`` after a refusal (as :func:`_admin_pressed`, or the
    role is removed already)."""
    admin_press = _admin_pressed(pattern)

    async def find(update: Update, context: MaeulContext) -> users.RoleRow | None:
        found = await admin_press(update, context)
        if found is None:
            return None
        grant = await users.get_grant(context.db, int(found.group(1)))
        asked = found.groups()[1] if len(found.groups()) > 1 else None
        if grant is None or (asked is not None and not blocks.stamp_matches(asked, *_of(grant))):
            await blocks.refuse(update, context, context.t._("This role was already removed."))
            return None
        return grant

    return find


def _of(grant: users.RoleRow) -> tuple[object, ...]:
    """Whose role a remove confirmation asked about (its stamp)."""
    return ("role", grant.grant_id, grant.telegram_id, grant.role, grant.dong_id)


async def roles_command(update: Update, context: MaeulContext) -> None:
    if await _refused(update, context):
        return
    await _show_list(update, context, 0, edit=False)


async def _show_list(update: Update, context: MaeulContext, page: int, *, edit: bool) -> None:
    t = context.t
    names = await _dong_names(context)
    rows = await users.list_roles(context.db)
    shown = blocks.paginate(rows, page, PAGE)
    lines = [f"👥 <b>{esc(t._('Roles'))}</b>"]
    if not rows:
        lines.append(esc(t._("Nobody has a role yet.")))
    buttons = []
    for row in shown.items:
        who = row.name or str(row.telegram_id)
        label = role_label(t, row.role, names.get(row.dong_id, row.dong_id))
        by = f" · {esc(t._('by {who}', who=row.granted_by))}" if row.granted_by else ""
        lines.append(
            f"• {esc(who)} (<code>{row.telegram_id}</code>) — {esc(label)}"
            f" · {esc(t.format_date(row.granted_at))}{by}"
        )
        buttons.append(
            InlineKeyboardButton(
                shorten(t._("✖ Remove: {who}, {role}", who=who, role=label), 60),
                callback_data=f"roles:rm:{row.grant_id}",
            )
        )
    footer = [
        [
            InlineKeyboardButton(t._("➕ Invite staff"), callback_data="roles:inv:staff"),
            InlineKeyboardButton(t._("➕ Invite an activist"), callback_data="roles:inv:activist"),
        ],
        [InlineKeyboardButton(t._("📨 Pending invitations"), callback_data="roles:pend")],
    ]
    nav = blocks.nav_row(shown.number, shown.count, "roles:list:{page}")
    markup = blocks.list_keyboard(buttons, nav, footer)
    await blocks.show(update, context, "\n".join(lines), markup, edit=edit)


@blocks.opened_by(_admin_pressed(LIST_RE))
async def list_page(update: Update, context: MaeulContext, found: re.Match[str]) -> None:
    await blocks.answer(update)
    await _show_list(update, context, int(found.group(1)), edit=True)


@blocks.opened_by(_admin_pressed(INVITE_RE))
async def invite(update: Update, context: MaeulContext, found: re.Match[str]) -> None:
    if found.group(1) == "activist":
        await _make_invite(update, context, "activist", None)
        return
    names = await _dong_names(context)
    if not names:
        await blocks.refuse(update, context, context.t._("There are no dongs yet."))
        return
    buttons = blocks.choices(names.items(), lambda d: f"roles:invd:{d}")
    await blocks.answer(update)
    await blocks.show(
        update,
        context,
        esc(context.t._("Staff of which dong?")),
        blocks.list_keyboard(buttons, width=2),
        edit=True,
    )


@blocks.opened_by(_admin_pressed(INVITE_DONG_RE))
async def invite_dong(update: Update, context: MaeulContext, found: re.Match[str]) -> None:
    if found.group(1) not in await _dong_names(context):
        await blocks.refuse(update, context)
        return
    await _make_invite(update, context, "staff", found.group(1))


async def _make_invite(update: Update, context: MaeulContext, role: str, dong: str | None) -> None:
    t = context.t
    names = await _dong_names(context)
    made = await users.create_invite(
        context.db,
        role,
        dong_id=dong,
        inviter_telegram_id=context.user.telegram_id,
        now=context.runtime.clock.utcnow(),
        known_dongs=set(names),
    )
    link = f"https://t.me/{context.bot.username}?start={users.INVITE_PREFIX}_{made.token}"
    label = role_label(t, role, names.get(dong or "", ""))
    text = "\n".join(
        [
            f"📨 <b>{esc(t._('Invitation: {role}', role=label))}</b>",
            esc(t._("Forward this link to your colleague. Whoever opens it first gets the role.")),
            link,
            esc(
                t._(
                    "It works once, until {when}. You can withdraw it under Pending invitations.",
                    when=t.format_datetime(made.expires_at),
                )
            ),
        ]
    )
    await blocks.answer(update, t._("Invitation created."))
    await blocks.show(update, context, text, None, edit=True, link_preview=False)


@blocks.opened_by(_grant_pressed(REMOVE_RE))
async def remove(update: Update, context: MaeulContext, grant: users.RoleRow) -> None:
    t = context.t
    names = await _dong_names(context)
    who = grant.name or str(grant.telegram_id)
    label = role_label(t, grant.role, names.get(grant.dong_id, grant.dong_id))
    await blocks.ask_confirm(
        update,
        context,
        esc(t._("Remove the role “{role}” from {who}?", role=label, who=who)),
        yes=(t._("Yes, remove"), f"roles:rmok:{grant.grant_id}:{blocks.stamp(*_of(grant))}"),
        no=(t._("No"), "roles:list:0"),
        edit=True,
    )


@blocks.opened_by(_grant_pressed(REMOVE_OK_RE))
async def remove_confirmed(update: Update, context: MaeulContext, grant: users.RoleRow) -> None:
    t = context.t
    me = context.user.telegram_id
    if grant.telegram_id == me and grant.role == "admin":
        await blocks.refuse(update, context, t._("You cannot remove your own admin role."))
        return
    await users.revoke_role(
        context.db,
        grant.telegram_id,
        grant.role,
        dong_id=grant.dong_id or None,
        actor=f"tg:{me}",
        actor_telegram_id=me,
        now=context.runtime.clock.utcnow(),
    )
    removed = await users.get_user(context.db, grant.telegram_id)
    if removed is not None:  # their menu follows at once (the staff one, or the residents')
        await publish_for_user(context, removed)
    await blocks.answer(update, t._("Removed."))
    await _show_list(update, context, 0, edit=True)


@blocks.opened_by(_admin_pressed(PENDING_RE))
async def pending(update: Update, context: MaeulContext, _: re.Match[str]) -> None:
    await blocks.answer(update)
    await _show_pending(update, context)


async def _show_pending(update: Update, context: MaeulContext) -> None:
    t = context.t
    names = await _dong_names(context)
    invites = await users.pending_invites(context.db, context.runtime.clock.utcnow())
    lines = [f"📨 <b>{esc(t._('Pending invitations'))}</b>"]
    if not invites:
        lines.append(esc(t._("No invitation is waiting.")))
    buttons = []
    for row in invites[:20]:
        label = role_label(t, row.role, names.get(row.dong_id, row.dong_id))
        lines.append(
            "• "
            + esc(
                t._(
                    "{role}, invited by {who}, until {when}",
                    role=label,
                    who=row.created_by,
                    when=t.format_datetime(row.expires_at),
                )
            )
        )
        buttons.append(
            InlineKeyboardButton(
                shorten(t._("Withdraw: {role}", role=label), 60),
                callback_data=f"roles:revoke:{row.id}",
            )
        )
    back = [InlineKeyboardButton(t._("◀ Roles"), callback_data="roles:list:0")]
    await blocks.show(
        update, context, "\n".join(lines), blocks.list_keyboard(buttons, None, back), edit=True
    )


@blocks.opened_by(_admin_pressed(REVOKE_RE))
async def revoke(update: Update, context: MaeulContext, found: re.Match[str]) -> None:
    done = await users.revoke_invite(
        context.db,
        int(found.group(1)),
        actor_telegram_id=context.user.telegram_id,
        now=context.runtime.clock.utcnow(),
    )
    if not done:
        await blocks.refuse(update, context, context.t._("This invitation is no longer pending."))
        return
    await blocks.answer(update, context.t._("Withdrawn."))
    await _show_pending(update, context)


INVITE_PROBLEMS = {
    "unknown": N_("This invitation link is not valid."),
    "used": N_("This invitation has already been used."),
    "expired": N_("This invitation has expired. Please ask for a new one."),
    "revoked": N_("This invitation was withdrawn."),
    "already": N_("You already have this role."),
}


async def accept(update: Update, context: MaeulContext, token: str) -> None:
    """``/start role_<token>``: take the invitation (routed by handlers/core/start.py)."""
    t = context.t
    now = context.runtime.clock.utcnow()
    try:
        row = await users.accept_invite(context.db, token, context.user, now=now)
    except users.InviteError as exc:
        await update.effective_message.reply_text(t._(INVITE_PROBLEMS[exc.reason]))
        return
    names = await _dong_names(context)
    label = role_label(t, row.role, names.get(row.dong_id, row.dong_id))
    lines = [f"✅ {esc(t._('You now have the role: {role}.', role=label))}"]
    if row.role == "staff":
        lines.append(
            esc(
                t._(
                    "Staff commands: /unanswered (questions I could not answer), "
                    "/stats (the centre's numbers)."
                )
            )
        )
    await blocks.send_html(context, update.effective_chat.id, "\n".join(lines))
    inviter = await users.get_user(context.db, row.created_by)
    if inviter is not None:
        it = context.runtime.translator(inviter.language, inviter.telegram_language)
        inviter_names = await _dong_names(context, it.lang)
        their_label = role_label(it, row.role, inviter_names.get(row.dong_id, row.dong_id))
        who = context.user.first_name or str(context.user.telegram_id)
        await tell(
            context.db,
            chat_id=inviter.telegram_id,
            user_id=inviter.id,
            text=esc(
                it._(
                    "{who} accepted your invitation and now has the role: {role}.",
                    who=who,
                    role=their_label,
                )
            ),
            now=now,
        )


async def stale(update: Update, context: MaeulContext) -> None:
    """Any other ``roles:`` press (forged or from an old message)."""
    if await _refused(update, context):
        return
    await blocks.refuse(update, context)


def register(app: Application) -> None:  # type: ignore[type-arg]
    DEEP_LINKS[users.INVITE_PREFIX] = accept
    app.add_handler(CommandHandler("roles", roles_command))
    app.add_handler(CallbackQueryHandler(list_page, pattern=LIST_RE))
    app.add_handler(CallbackQueryHandler(invite, pattern=INVITE_RE))
    app.add_handler(CallbackQueryHandler(invite_dong, pattern=INVITE_DONG_RE))
    app.add_handler(CallbackQueryHandler(remove, pattern=REMOVE_RE))
    app.add_handler(CallbackQueryHandler(remove_confirmed, pattern=REMOVE_OK_RE))
    app.add_handler(CallbackQueryHandler(pending, pattern=PENDING_RE))
    app.add_handler(CallbackQueryHandler(revoke, pattern=REVOKE_RE))
    app.add_handler(CallbackQueryHandler(stale, pattern=ANY_RE))


__all__ = ["accept", "register", "role_label"]
