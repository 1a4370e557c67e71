"""/proposals: browse agenda proposals (mine, by dong, by theme, most supported), the detail
card with status, supports, history and the official answer; support (공감), report (신고)
and withdraw. Also the rendering and notifications the /propose and /review modules share.

Callback data (all ``props:``): ``m`` menu · ``pd`` / ``pt`` dong / theme pickers ·
``l:<kind>:<arg>:<page>`` a list (kind ``mine``, ``dong``, ``theme``, ``top``) ·
``v:<id>`` the card · ``s:<id>`` support toggle · ``r:<id>`` / ``ry:<id>`` report (ask,
confirm) · ``w:<id>`` / ``wy:<id>`` withdraw (ask, confirm) · ``no`` a "no" to either ·
``ph:<id>`` the photo. ``props:new`` starts /propose (handlers.propose).
"""

from __future__ import annotations

import hashlib
import html
import logging
import re
from dataclasses import dataclass

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest
from telegram.ext import Application, CallbackQueryHandler, CommandHandler

from bot.core.dongs import dong_name, list_dongs
from bot.core.i18n import N_, Translator
from bot.core.text import esc, shorten
from bot.proposals import service as domain
from bot.proposals.service import ProposalError
from bot.reminders.outbox import tell
from bot.telegram.context import MaeulContext
from models.proposal import (
    HistoryAction,
    Proposal,
    ProposalHistory,
    ProposalStatus,
    Visibility,
)
from models.user import User

log = logging.getLogger(__name__)
S = ProposalStatus
PAGE_SIZE = 5
CARD_LIMIT = 3900  # Telegram allows 4,096 characters; keep room for the share line

STATUS_LABELS: dict[str, str] = {
    S.SUBMITTED: N_("Submitted"),
    S.UNDER_REVIEW: N_("Under review"),
    S.ACCEPTED: N_("Accepted"),
    S.REJECTED: N_("Rejected"),
    S.MERGED: N_("Merged"),
    S.WITHDRAWN: N_("Withdrawn"),
    S.SELECTED: N_("Selected at the assembly"),
    S.NOT_SELECTED: N_("Not selected at the assembly"),
    S.IN_PROGRESS: N_("In progress"),
    S.DONE: N_("Done"),
}
STATUS_ICONS: dict[str, str] = {
    S.SUBMITTED: "🆕",
    S.UNDER_REVIEW: "🔎",
    S.ACCEPTED: "✅",
    S.REJECTED: "❌",
    S.MERGED: "🔗",
    S.WITHDRAWN: "↩️",
    S.SELECTED: "🗳",
    S.NOT_SELECTED: "➖",
    S.IN_PROGRESS: "🚧",
    S.DONE: "🏁",
}
LIST_TITLES = {
    "mine": N_("My proposals"),
    "dong": N_("Proposals in {dong}"),
    "theme": N_("Proposals about {theme}"),
    "top": N_("Most supported proposals"),
}

ID_RE = r"\d{1,9}"
KEY_RE = r"~?[a-z0-9_-]{1,40}"
LIST_RE = re.compile(rf"^props:l:(mine|dong|theme|top):(-|{KEY_RE}):(\d{{1,4}})$")


# ---------------------------------------------------------------------------------------
# Small shared helpers
# ---------------------------------------------------------------------------------------


def key_for(item_id: str) -> str:
    """A KB id as it goes into callback data (≤ 64 bytes): itself, or a short hash."""
    if len(item_id) <= 32:
        return item_id
    return "~" + hashlib.sha1(item_id.encode()).hexdigest()[:12]


def resolve_key(key: str, ids: list[str]) -> str | None:
    return next((i for i in ids if key_for(i) == key), None)


def status_label(t: Translator, status: str) -> str:
    return t._(STATUS_LABELS.get(status, status))


def error_text(t: Translator, err: ProposalError) -> str:
    """The localized message of a domain error (plain text, not escaped)."""
    params: dict[str, object] = {}
    for key, value in err.params.items():
        if isinstance(value, ProposalStatus):
            params[key] = status_label(t, value)
        elif isinstance(value, int):
            params[key] = t.format_number(value)
        else:
            params[key] = value
    return t._(err.message, **params)


def plain_length(text: str) -> int:
    """The length Telegram counts for an HTML message (tags removed, entities decoded)."""
    return len(html.unescape(re.sub(r"<[^>]*>", "", text)))


@dataclass(frozen=True)
class Names:
    dongs: dict[str, str]
    themes: dict[str, str]

    def dong(self, dong_id: str) -> str:
        return self.dongs.get(dong_id, dong_id)

    def theme(self, category_id: str) -> str:
        return self.themes.get(category_id, category_id)


async def names(context: MaeulContext, t: Translator | None = None) -> Names:
    """Dong and theme names in ``t``'s language (the KB snapshot; archived ones by id)."""
    lang = (t or context.t).lang
    kb = await context.runtime.knowledge.get()
    if kb is None:
        return Names({}, {})
    return Names(
        {d.id: d.name.get(lang) for d in kb.dongs},
        {c.id: c.name.get(lang) for c in kb.categories},
    )


async def themes(context: MaeulContext) -> list[tuple[str, str]]:
    """(id, localized name) of the KB's categories, in the KB's order."""
    kb = await context.runtime.knowledge.get()
    return [(c.id, c.name.get(context.t.lang)) for c in kb.categories] if kb else []


async def send(
    update: Update,
    context: MaeulContext,
    text: str,
    markup: InlineKeyboardMarkup | None = None,
    *,
    edit: bool = False,
) -> None:
    """Edit the pressed message (``edit``) or send a new one; HTML in both cases."""
    query = update.callback_query
    if edit and query is not None and query.message is not None:
        try:
            await query.edit_message_text(text, parse_mode=ParseMode.HTML, reply_markup=markup)
            return
        except BadRequest as exc:
            if "not modified" in str(exc).lower():
                return
            log.debug("could not edit, sending instead", exc_info=True)
    await context.bot.send_message(
        update.effective_chat.id, text, parse_mode=ParseMode.HTML, reply_markup=markup
    )


async def refuse(update: Update, context: MaeulContext, text: str) -> None:
    """A localized refusal: an alert for a button press, a message otherwise."""
    query = update.callback_query
    if query is not None:
        await query.answer(shorten(text, 200), show_alert=True)
    else:
        await update.effective_message.reply_text(text)


async def drop_keyboard(update: Update) -> None:
    """Remove the buttons of the pressed message (quietly, if they are gone already)."""
    query = update.callback_query
    if query is None or query.message is None or not getattr(query.message, "reply_markup", None):
        return
    try:
        await query.edit_message_reply_markup(None)
    except BadRequest:  # already without buttons, or too old to edit
        log.debug("could not remove the keyboard", exc_info=True)


async def answer(update: Update, text: str | None = None) -> None:
    if update.callback_query is not None:
        await update.callback_query.answer(shorten(text, 200) if text else None)


def can_view(user: User, proposal: Proposal, admin_ids: frozenset[int]) -> bool:
    return (
        proposal.visibility == Visibility.VISIBLE
        or proposal.author_id == user.id
        or domain.is_staff_for(user, proposal, admin_ids)
    )


# ---------------------------------------------------------------------------------------
# The card
# ---------------------------------------------------------------------------------------


def _history_line(t: Translator, entry: ProposalHistory, author_id: int) -> str:
    if entry.action == HistoryAction.SUBMIT:
        label = t._("Submitted")
    elif entry.action == HistoryAction.HIDE:
        label = t._("Hidden by staff")
    elif entry.action == HistoryAction.FLAG:
        label = t._("Hidden after reports, pending review")
    elif entry.action == HistoryAction.RESTORE:
        label = t._("Visible again")
    elif (
        entry.actor_id is not None
        and entry.actor_id == author_id
        and entry.to_status in domain.AUTHOR_TRANSITIONS
    ):  # only a withdrawal is the proposer's; every other move is the committee's
        label = t._("{status} by the proposer", status=status_label(t, entry.to_status))
    else:
        label = status_label(t, entry.to_status)
    line = f"• {t.format_date(entry.at, short=True)} — {label}"
    if entry.reason and entry.action != HistoryAction.SUBMIT:
        line += f": {shorten(entry.reason, 60)}"
    return esc(line)


async def card_text(
    context: MaeulContext,
    proposal: Proposal,
    t: Translator,
    *,
    staff: bool = False,
) -> str:
    n = await names(context, t)
    entries = await domain.history(context.db, proposal.id)
    icon = STATUS_ICONS.get(proposal.status, "")
    head = [
        f"<b>#{proposal.id} · {esc(proposal.title)}</b>",
        esc(f"🏘 {n.dong(proposal.dong_id)} · 🏷 {n.theme(proposal.category_id)}"),
        esc(
            t._("{icon} Status: {status}", icon=icon, status=status_label(t, proposal.status))
            + " · "
            + t.n_(
                "👍 {count} support",
                "👍 {count} supports",
                proposal.support_count,
                count=t.format_number(proposal.support_count),
            )
        ),
        esc(t._("📅 Submitted {date}", date=t.format_date(proposal.created_at))),
    ]
    if proposal.visibility == Visibility.FLAGGED:
        head.append(esc(t._("🚩 Hidden after reports, pending staff review.")))
    elif proposal.visibility == Visibility.HIDDEN:
        head.append(esc(t._("🚫 Hidden by staff.")))
    if proposal.merged_into_id is not None:
        head.append(esc(t._("🔗 Merged into #{id}.", id=proposal.merged_into_id)))
    if proposal.photo_file_id:
        head.append(esc(t._("📷 With a photo.")))
    tail: list[str] = []
    if proposal.answer:
        when = t.format_date(proposal.answered_at) if proposal.answered_at else ""
        tail += ["", f"<b>{esc(t._('Official answer'))}</b> {esc(when)}", esc(proposal.answer)]
    tail += ["", f"<b>{esc(t._('History'))}</b>"]
    tail += [_history_line(t, e, proposal.author_id) for e in entries[-8:]]
    username = context.bot.username
    if username and not staff and proposal.visibility == Visibility.VISIBLE:
        link = f"https://t.me/{username}?start=proposal_{proposal.id}"
        tail += ["", esc(t._("Share: {link}", link=link))]
    description = proposal.description
    text = "\n".join([*head, "", esc(description), *tail])
    excess = plain_length(text) - CARD_LIMIT
    if excess > 0:
        description = shorten(description, max(100, len(description) - excess - 1))
        text = "\n".join([*head, "", esc(description), *tail])
    return text


def card_buttons(
    t: Translator,
    proposal: Proposal,
    *,
    viewer: User,
    supported: bool,
    staff: bool,
) -> InlineKeyboardMarkup:
    rows: list[list[InlineKeyboardButton]] = []
    pid = proposal.id
    visible = proposal.visibility == Visibility.VISIBLE
    if visible and proposal.status in domain.SUPPORT_OPEN and proposal.author_id != viewer.id:
        count = t.format_number(proposal.support_count)
        label = (
            t._("💚 You support this ({count}) · take back", count=count)
            if supported
            else t._("👍 Support ({count})", count=count)
        )
        rows.append([InlineKeyboardButton(label, callback_data=f"props:s:{pid}")])
    second = []
    if proposal.photo_file_id:
        second.append(InlineKeyboardButton(t._("📷 Photo"), callback_data=f"props:ph:{pid}"))
    if visible and proposal.author_id != viewer.id:
        second.append(InlineKeyboardButton(t._("🚩 Report"), callback_data=f"props:r:{pid}"))
    if proposal.author_id == viewer.id and S.WITHDRAWN in domain.TRANSITIONS[S(proposal.status)]:
        second.append(InlineKeyboardButton(t._("↩️ Withdraw"), callback_data=f"props:w:{pid}"))
    if second:
        rows.append(second)
    last = [InlineKeyboardButton(t._("≡ Proposals"), callback_data="props:m")]
    if staff:
        last.append(InlineKeyboardButton(t._("🛠 Review"), callback_data=f"rev:o:{pid}"))
    rows.append(last)
    return InlineKeyboardMarkup(rows)


async def show_card(
    update: Update, context: MaeulContext, proposal_id: int, *, edit: bool = False
) -> None:
    t = context.t
    proposal = await domain.get_proposal(context.db, proposal_id)
    admin_ids = context.runtime.settings.admin_ids
    if proposal is None:
        await refuse(update, context, t._(domain.NOT_FOUND))
        return
    if not can_view(context.user, proposal, admin_ids):
        await refuse(update, context, t._(domain.SUPPORT_HIDDEN))
        return
    await answer(update)
    staff = domain.is_staff_for(context.user, proposal, admin_ids)
    supported = await domain.is_supporting(context.db, proposal.id, context.user.id)
    await send(
        update,
        context,
        await card_text(context, proposal, t),
        card_buttons(t, proposal, viewer=context.user, supported=supported, staff=staff),
        edit=edit,
    )


# ---------------------------------------------------------------------------------------
# Notifications: each recipient in their own language, as durable messages (bot.outbox)
# written in the update's transaction — sent by the dispatcher once it has committed,
# never lost and never claimed as sent before they are.
# ---------------------------------------------------------------------------------------


def translator_for(context: MaeulContext, user: User) -> Translator:
    return context.runtime.translator(user.language, user.telegram_language)


async def notify_proposer(
    context: MaeulContext, proposal: Proposal, entry: ProposalHistory
) -> bool:
    """Queue, for the proposer in their language, what changed and the official answer.

    False when there is nobody to tell: the proposer left or blocked the bot, or made the
    change themselves (they see its confirmation)."""
    author = await context.db.get(User, proposal.author_id)
    if author is None or not author.active:
        return False
    if context.scope.user is not None and context.scope.user.id == author.id:
        return False
    t = translator_for(context, author)
    n = await names(context, t)
    params = {"id": proposal.id, "title": proposal.title, "dong": n.dong(proposal.dong_id)}
    if entry.action == HistoryAction.HIDE:
        line = t._("🚫 Your proposal #{id} “{title}” ({dong}) was hidden by staff.", **params)
    elif entry.action == HistoryAction.FLAG:
        line = t._(
            "🚩 Your proposal #{id} “{title}” ({dong}) was hidden after several reports. "
            "Staff will review it.",
            **params,
        )
    elif entry.action == HistoryAction.RESTORE:
        line = t._("👀 Your proposal #{id} “{title}” ({dong}) is visible again.", **params)
    else:
        line = t._(
            "📣 Your proposal #{id} “{title}” ({dong}) is now: {status}.",
            status=status_label(t, proposal.status),
            **params,
        )
    lines = [esc(line)]
    if entry.action == HistoryAction.STATUS and proposal.merged_into_id is not None:
        lines.append(
            esc(
                t._(
                    "It was merged into proposal #{target}; its supporters were carried over.",
                    target=proposal.merged_into_id,
                )
            )
        )
    if entry.reason:
        lines += ["", f"<b>{esc(t._('Official answer'))}</b>", esc(entry.reason)]
    await tell(
        context.db,
        chat_id=author.telegram_id,
        user_id=author.id,
        text="\n".join(lines),
        now=context.runtime.clock.utcnow(),
        buttons=(((t._("Open the proposal"), f"props:v:{proposal.id}"),),),
        key=f"proposal:{proposal.id}:history:{entry.id}",
        ref=f"proposal:{proposal.id}",
    )
    return True


STAFF_EVENTS = {
    "new": N_("🆕 New proposal #{id} in {dong} ({theme}): “{title}”"),
    "threshold": N_(
        "👍 Proposal #{id} in {dong} reached {count} supports (the threshold is {threshold}): "
        "“{title}”"
    ),
    "flagged": N_(
        "🚩 Proposal #{id} in {dong} was hidden after {count} reports and waits for your "
        "review: “{title}”"
    ),
}


def _staff_text(t: Translator, n: Names, proposal: Proposal, event: str, **extra: int) -> str:
    line = t._(
        STAFF_EVENTS[event],
        id=proposal.id,
        dong=n.dong(proposal.dong_id),
        theme=n.theme(proposal.category_id),
        title=proposal.title,
        **{k: t.format_number(v) for k, v in extra.items()},
    )
    return "\n".join([esc(line), "", esc(shorten(proposal.description, 300))])


async def notify_staff(context: MaeulContext, proposal: Proposal, event: str, **extra: int) -> int:
    """Staff of the proposal's dong (admins too) in private, and the dong's staff group.

    Returns how many chats the message was queued for.
    """
    settings = context.runtime.settings
    now = context.runtime.clock.utcnow()
    queued = 0
    me = context.scope.user
    for user in await domain.staff_recipients(context.db, proposal.dong_id, settings.admin_ids):
        if me is not None and user.id == me.id:
            continue
        t = translator_for(context, user)
        await tell(
            context.db,
            chat_id=user.telegram_id,
            user_id=user.id,
            text=_staff_text(t, await names(context, t), proposal, event, **extra),
            now=now,
            buttons=(((t._("🛠 Review"), f"rev:o:{proposal.id}"),),),
            ref=f"proposal:{proposal.id}",
        )
        queued += 1
    chat_id = (await domain.dong_settings(context.db, proposal.dong_id)).staff_chat_id
    if chat_id is not None:
        t = context.runtime.translator()
        url = f"https://t.me/{context.bot.username}?start=review_{proposal.id}"
        await tell(
            context.db,
            chat_id=chat_id,
            text=_staff_text(t, await names(context, t), proposal, event, **extra),
            now=now,
            buttons=(((t._("🛠 Review in the private chat"), url),),),  # a link button
            ref=f"proposal:{proposal.id}",
        )
        queued += 1
    return queued


# ---------------------------------------------------------------------------------------
# Browsing
# ---------------------------------------------------------------------------------------


def menu_markup(t: Translator) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(t._("✏️ New proposal"), callback_data="props:new")],
            [
                InlineKeyboardButton(t._("📝 Mine"), callback_data="props:l:mine:-:0"),
                InlineKeyboardButton(t._("🔥 Most supported"), callback_data="props:l:top:-:0"),
            ],
            [
                InlineKeyboardButton(t._("🏘 By dong"), callback_data="props:pd"),
                InlineKeyboardButton(t._("🏷 By theme"), callback_data="props:pt"),
            ],
        ]
    )


async def browse_menu(update: Update, context: MaeulContext) -> None:
    t = context.t
    await answer(update)
    text = "\n".join(
        [
            f"<b>{esc(t._('Agenda proposals'))}</b>",
            esc(
                t._(
                    "Propose what your dong should do next year, and support your neighbours' "
                    "ideas. The resident council reviews them; the best go on the general "
                    "assembly ballot."
                )
            ),
        ]
    )
    await send(update, context, text, menu_markup(t), edit=update.callback_query is not None)


async def pick_dong(update: Update, context: MaeulContext) -> None:
    t = context.t
    await answer(update)
    dongs = await list_dongs(context.db)
    home = context.user.home_dong_id
    dongs.sort(key=lambda d: d.id != home)  # the home dong first
    buttons = [
        InlineKeyboardButton(
            ("✓ " if d.id == home else "") + dong_name(d, t.lang),
            callback_data=f"props:l:dong:{key_for(d.id)}:0",
        )
        for d in dongs
    ]
    rows = [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
    rows.append([InlineKeyboardButton(t._("≡ Proposals"), callback_data="props:m")])
    await send(
        update, context, esc(t._("Proposals of which dong?")), InlineKeyboardMarkup(rows), edit=True
    )


async def pick_theme(update: Update, context: MaeulContext) -> None:
    t = context.t
    await answer(update)
    buttons = [
        InlineKeyboardButton(name, callback_data=f"props:l:theme:{key_for(cid)}:0")
        for cid, name in await themes(context)
    ]
    rows = [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
    rows.append([InlineKeyboardButton(t._("≡ Proposals"), callback_data="props:m")])
    await send(
        update,
        context,
        esc(t._("Proposals about which theme?")),
        InlineKeyboardMarkup(rows),
        edit=True,
    )


async def show_list(update: Update, context: MaeulContext) -> None:
    t = context.t
    match = LIST_RE.match(update.callback_query.data or "")
    if match is None:  # the pattern of the handler guarantees it
        return
    kind, arg, page = match.group(1), match.group(2), int(match.group(3))
    n = await names(context)
    filters: dict[str, object] = {}
    title_params: dict[str, str] = {}
    if kind == "mine":
        filters = {"author_id": context.user.id, "visible_only": False}
    elif kind == "dong":
        dong_id = resolve_key(arg, [d.id for d in await list_dongs(context.db)])
        if dong_id is None:
            await refuse(update, context, t._(domain.UNKNOWN_DONG))
            return
        filters = {"dong_id": dong_id, "statuses": domain.LISTED_STATUSES}
        title_params = {"dong": n.dong(dong_id)}
    elif kind == "theme":
        category_id = resolve_key(arg, [cid for cid, _name in await themes(context)])
        if category_id is None:
            await refuse(update, context, t._(domain.UNKNOWN_THEME))
            return
        filters = {"category_id": category_id, "statuses": domain.LISTED_STATUSES}
        title_params = {"theme": n.theme(category_id)}
    else:
        filters = {"statuses": domain.SUPPORT_OPEN | {S.SELECTED, S.IN_PROGRESS}, "order": "top"}
    result = await domain.list_proposals(
        context.db,
        offset=page * PAGE_SIZE,
        limit=PAGE_SIZE,
        **filters,  # type: ignore[arg-type]
    )
    await answer(update)
    pages = max(1, -(-result.total // PAGE_SIZE))
    lines = [f"<b>{esc(t._(LIST_TITLES[kind], **title_params))}</b>"]
    if not result.items:
        lines.append(esc(t._("No proposals here yet. Be the first!")))
    else:
        if pages > 1:
            lines.append(esc(t._("Page {page} of {pages}", page=page + 1, pages=pages)))
        for p in result.items:
            lines.append(
                esc(
                    f"{STATUS_ICONS.get(p.status, '')} #{p.id} {shorten(p.title, 50)} — "
                    f"👍 {t.format_number(p.support_count)} · {status_label(t, p.status)}"
                )
            )
    rows = [
        [InlineKeyboardButton(f"#{p.id} {shorten(p.title, 40)}", callback_data=f"props:v:{p.id}")]
        for p in result.items
    ]
    nav = []
    if page > 0:
        nav.append(InlineKeyboardButton("◀", callback_data=f"props:l:{kind}:{arg}:{page - 1}"))
    if page + 1 < pages:
        nav.append(InlineKeyboardButton("▶", callback_data=f"props:l:{kind}:{arg}:{page + 1}"))
    if nav:
        rows.append(nav)
    rows.append(
        [
            InlineKeyboardButton(t._("✏️ New proposal"), callback_data="props:new"),
            InlineKeyboardButton(t._("≡ Proposals"), callback_data="props:m"),
        ]
    )
    await send(update, context, "\n".join(lines), InlineKeyboardMarkup(rows), edit=True)


def _id(update: Update) -> int:
    return int(update.callback_query.data.rsplit(":", 1)[1])


async def view(update: Update, context: MaeulContext) -> None:
    await show_card(update, context, _id(update))


async def toggle(update: Update, context: MaeulContext) -> None:
    t = context.t
    proposal_id = _id(update)
    now = context.runtime.clock.utcnow()
    try:
        result = await domain.toggle_support(context.db, proposal_id, context.user.id, now)
    except ProposalError as err:
        await refuse(update, context, error_text(t, err))
        return
    await answer(
        update,
        t._("Thank you for your support!") if result.supported else t._("Support taken back."),
    )
    proposal = await domain.get_proposal(context.db, proposal_id)
    assert proposal is not None
    staff = domain.is_staff_for(context.user, proposal, context.runtime.settings.admin_ids)
    markup = card_buttons(t, proposal, viewer=context.user, supported=result.supported, staff=staff)
    await send(update, context, await card_text(context, proposal, t), markup, edit=True)
    if result.threshold_reached:
        await notify_staff(
            context, proposal, "threshold", count=result.count, threshold=result.threshold
        )


async def _visible_proposal(update: Update, context: MaeulContext) -> Proposal | None:
    proposal = await domain.get_proposal(context.db, _id(update))
    if proposal is None or not can_view(context.user, proposal, context.runtime.settings.admin_ids):
        await refuse(update, context, context.t._(domain.NOT_FOUND))
        return None
    return proposal


async def ask_report(update: Update, context: MaeulContext) -> None:
    t = context.t
    proposal = await _visible_proposal(update, context)
    if proposal is None:
        return
    if proposal.author_id == context.user.id:
        await refuse(update, context, t._(domain.REPORT_OWN))
        return
    await answer(update)
    markup = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    t._("🚩 Yes, report"), callback_data=f"props:ry:{proposal.id}"
                ),
                InlineKeyboardButton(t._("No"), callback_data="props:no"),
            ]
        ]
    )
    text = t._(
        "Report proposal #{id} “{title}” as abusive (insults, personal data, advertising)? "
        "After several reports it is hidden until staff review it.",
        id=proposal.id,
        title=proposal.title,
    )
    await send(update, context, esc(text), markup)


async def do_report(update: Update, context: MaeulContext) -> None:
    t = context.t
    proposal = await _visible_proposal(update, context)
    if proposal is None:
        return
    if proposal.visibility != Visibility.VISIBLE:
        await answer(update)
        await send(update, context, esc(t._(domain.SUPPORT_HIDDEN)), edit=True)
        return
    try:
        result = await domain.report(
            context.db, proposal, context.user, context.runtime.clock.utcnow()
        )
    except ProposalError as err:
        await refuse(update, context, error_text(t, err))
        return
    await answer(update)
    text = (
        t._("Thank you. Staff will look at this proposal.")
        if result.new
        else t._("You have already reported this proposal.")
    )
    await send(update, context, esc(text), edit=True)
    if result.flagged:
        entries = await domain.history(context.db, proposal.id)
        await notify_staff(context, proposal, "flagged", count=result.reports)
        await notify_proposer(context, proposal, entries[-1])


async def ask_withdraw(update: Update, context: MaeulContext) -> None:
    t = context.t
    proposal = await _visible_proposal(update, context)
    if proposal is None:
        return
    if proposal.author_id != context.user.id:
        await refuse(update, context, t._(domain.NOT_AUTHOR))
        return
    if not domain.can_transition(proposal.status, S.WITHDRAWN):
        err = ProposalError(domain.ILLEGAL, current=S(proposal.status), wanted=S.WITHDRAWN)
        await refuse(update, context, error_text(t, err))
        return
    await answer(update)
    markup = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    t._("↩️ Yes, withdraw"), callback_data=f"props:wy:{proposal.id}"
                ),
                InlineKeyboardButton(t._("No, keep it"), callback_data="props:no"),
            ]
        ]
    )
    text = t._(
        "Withdraw your proposal #{id} “{title}”? This cannot be undone.",
        id=proposal.id,
        title=proposal.title,
    )
    await send(update, context, esc(text), markup)


async def do_withdraw(update: Update, context: MaeulContext) -> None:
    t = context.t
    proposal = await _visible_proposal(update, context)
    if proposal is None:
        return
    try:
        await domain.change_status(
            context.db,
            proposal,
            S.WITHDRAWN,
            actor=domain.Actor.of(context.user),
            now=context.runtime.clock.utcnow(),
            admin_ids=context.runtime.settings.admin_ids,
        )
    except ProposalError as err:
        await refuse(update, context, error_text(t, err))
        return
    await answer(update)
    await send(
        update,
        context,
        esc(t._("Your proposal #{id} was withdrawn.", id=proposal.id)),
        edit=True,
    )


async def said_no(update: Update, context: MaeulContext) -> None:
    await answer(update)
    await send(update, context, esc(context.t._("OK, nothing was changed.")), edit=True)


async def photo(update: Update, context: MaeulContext) -> None:
    proposal = await _visible_proposal(update, context)
    if proposal is None:
        return
    await answer(update)
    if proposal.photo_file_id:
        try:
            await context.bot.send_photo(
                update.effective_chat.id, proposal.photo_file_id, caption=f"#{proposal.id}"
            )
        except BadRequest:
            log.warning("the photo of proposal %s cannot be sent", proposal.id, exc_info=True)
            await send(update, context, esc(context.t._("Sorry, this photo is not available.")))


async def proposal_deep_link(update: Update, context: MaeulContext, arg: str) -> None:
    """t.me/<bot>?start=proposal_<id>: the link residents share to gather support."""
    if not arg.isdigit():
        await update.effective_message.reply_text(
            context.t._("That link is not valid or has expired. Here is the main menu.")
        )
        return
    await show_card(update, context, int(arg))


def register(app: Application) -> None:  # type: ignore[type-arg]
    from handlers.core.start import DEEP_LINKS

    DEEP_LINKS["proposal"] = proposal_deep_link
    app.add_handler(CommandHandler("proposals", browse_menu))
    app.add_handler(CallbackQueryHandler(browse_menu, pattern=r"^(menu:proposals|props:m)$"))
    app.add_handler(CallbackQueryHandler(pick_dong, pattern=r"^props:pd$"))
    app.add_handler(CallbackQueryHandler(pick_theme, pattern=r"^props:pt$"))
    app.add_handler(CallbackQueryHandler(show_list, pattern=LIST_RE))
    app.add_handler(CallbackQueryHandler(view, pattern=rf"^props:v:{ID_RE}$"))
    app.add_handler(CallbackQueryHandler(toggle, pattern=rf"^props:s:{ID_RE}$"))
    app.add_handler(CallbackQueryHandler(ask_report, pattern=rf"^props:r:{ID_RE}$"))
    app.add_handler(CallbackQueryHandler(do_report, pattern=rf"^props:ry:{ID_RE}$"))
    app.add_handler(CallbackQueryHandler(ask_withdraw, pattern=rf"^props:w:{ID_RE}$"))
    app.add_handler(CallbackQueryHandler(do_withdraw, pattern=rf"^props:wy:{ID_RE}$"))
    app.add_handler(CallbackQueryHandler(said_no, pattern=r"^props:no$"))
    app.add_handler(CallbackQueryHandler(photo, pattern=rf"^props:ph:{ID_RE}$"))
