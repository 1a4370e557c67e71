"""/proposals: browse agenda proposals (mine, by dong, by theme, most supported), the detail
card with status, supports, history and the official answer; support (공감), report (신고)
and withdraw. Rendering lives in handlers.proposals.render, notifications in
handlers.proposals.notify; the dialogs and paging are handlers.core.blocks'.

Callback data (all ``props:``): ``m`` menu · ``pd`` / ``pt`` dong / theme pickers ·
``l:<kind>:<arg>:<page>`` a list (kind ``mine``, ``dong``, ``theme``, ``top``) ·
``v:<id>`` the card · ``s1:<id>`` / ``s0:<id>`` support / take the support back (the old
``s:<id>``, a blind toggle in chats from before, only shows the card) · ``r:<id>`` /
``ry:<id>`` report (ask, confirm) · ``w:<id>`` / ``wy:<id>`` withdraw (ask, confirm) ·
``no`` a "no" to either (``rn:<id>`` the report's, ``wn:<id>`` the withdrawal's: once it
is reported / withdrawn — its "yes" pressed, the reply lost — it says so, not "nothing
was changed") · ``ph:<id>`` the
photo. ``props:new`` starts /propose (handlers.propose).
"""

from __future__ import annotations

import logging
import re

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import BadRequest
from telegram.ext import Application, CallbackQueryHandler, CommandHandler

from bot.core.dongs import dong_name, list_dongs
from bot.core.i18n import N_, Translator
from bot.core.text import esc
from bot.proposals import service as domain
from bot.telegram.context import MaeulContext
from handlers.core.blocks import answer, choices, grid, list_keyboard, matched, refuse
from handlers.core.blocks import show as send
from handlers.proposals.actions import (
    ask_report,
    ask_withdraw,
    do_report,
    do_withdraw,
    on_visible_proposal,
    pressed_id,
    said_no,
    supported,
)
from handlers.proposals.render import (
    S,
    can_view,
    card_buttons,
    card_text,
    key_for,
    list_view,
    names,
    resolve_key,
    status_label,
    themes,
)
from handlers.proposals.render import _history_line as _history_line  # re-exported
from handlers.proposals.render import plain_length as plain_length  # re-exported
from models.proposal import Proposal

log = logging.getLogger(__name__)
PAGE_SIZE = 5

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
# The card
# ---------------------------------------------------------------------------------------


async def show_card(
    update: Update,
    context: MaeulContext,
    proposal_id: int,
    *,
    edit: bool = False,
    note: str | None = None,
) -> None:
    """The card as it is now; ``note``, a button's toast."""
    t = context.t
    proposal = await domain.get_proposal(context.db, proposal_id)
    admin_ids = context.runtime.settings.admin_ids
    if proposal is None:
        await refuse(update, context, t._(domain.NOT_FOUND))
        return
    if not can_view(context.user, proposal, admin_ids):
        await refuse(update, context, t._(domain.SUPPORT_HIDDEN))
        return
    await answer(update, note)
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
# Browsing
# ---------------------------------------------------------------------------------------


def _menu_button(t: Translator) -> InlineKeyboardButton:
    return InlineKeyboardButton(t._("≡ Proposals"), callback_data="props:m")


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
    buttons = choices(
        [(d.id, dong_name(d, t.lang)) for d in dongs],
        lambda dong_id: f"props:l:dong:{key_for(dong_id)}:0",
        marked=lambda dong_id: dong_id == home,
    )
    markup = list_keyboard(grid(buttons), footer=[_menu_button(t)])
    await send(update, context, esc(t._("Proposals of which dong?")), markup, edit=True)


async def pick_theme(update: Update, context: MaeulContext) -> None:
    t = context.t
    await answer(update)
    buttons = choices(
        await themes(context), lambda category_id: f"props:l:theme:{key_for(category_id)}:0"
    )
    markup = list_keyboard(grid(buttons), footer=[_menu_button(t)])
    await send(update, context, esc(t._("Proposals about which theme?")), markup, edit=True)


async def show_list(update: Update, context: MaeulContext) -> None:
    t = context.t
    match = await matched(update, context, LIST_RE)
    if match is None:
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
    text, markup = list_view(
        t,
        t._(LIST_TITLES[kind], **title_params),
        result.items,
        result.total,
        page,
        PAGE_SIZE,
        empty=t._("No proposals here yet. Be the first!"),
        detail=lambda p: f"👍 {t.format_number(p.support_count)} · {status_label(t, p.status)}",
        open_data="props:v:{id}",
        page_data=f"props:l:{kind}:{arg}:{{page}}",
        footer=[
            InlineKeyboardButton(t._("✏️ New proposal"), callback_data="props:new"),
            _menu_button(t),
        ],
    )
    await send(update, context, text, markup, edit=True)


async def view(update: Update, context: MaeulContext) -> None:
    await show_card(update, context, pressed_id(update))


async def support(update: Update, context: MaeulContext) -> None:
    """``props:s1:<id>`` supports, ``props:s0:<id>`` takes the support back: what the label
    said. When that is already so (the card was stale), nothing changes and the card is
    brought up to date."""
    t = context.t
    want = update.callback_query.data.split(":")[1] == "s1"
    proposal_id = pressed_id(update)
    result = await supported(update, context, proposal_id, want=want)
    if result is None:
        return
    if result.changed:
        said = t._("Thank you for your support!") if want else t._("Support taken back.")
    elif want:
        said = t._("You already support this proposal.")
    else:
        said = t._("You do not support this proposal.")
    await answer(update, said)
    proposal = await domain.get_proposal(context.db, proposal_id)
    assert proposal is not None
    staff = domain.is_staff_for(context.user, proposal, context.runtime.settings.admin_ids)
    markup = card_buttons(t, proposal, viewer=context.user, supported=result.supported, staff=staff)
    await send(update, context, await card_text(context, proposal, t), markup, edit=True)


async def old_toggle(update: Update, context: MaeulContext) -> None:
    """``props:s:<id>``, the blind toggle of cards sent before the buttons said what they
    do: which way its label read is unknown, so it changes nothing and shows the card as
    it is now, with the right button."""
    note = context.t._(
        "This button was out of date, so nothing was changed. Here is the proposal as it is now."
    )
    await show_card(update, context, pressed_id(update), edit=True, note=note)


@on_visible_proposal
async def photo(update: Update, context: MaeulContext, proposal: Proposal) -> None:
    await answer(update)
    if proposal.photo_file_id:
        try:
            await context.bot.send_photo(
                update.effective_chat.id, proposal.photo_file_id, caption=f"#{proposal.id}"
            )
        except BadRequest:
            log.warning("the photo of proposal %s cannot be sent", proposal.id, exc_info=True)
            await send(update, context, esc(context.t._("Sorry, this photo is not available.")))


def register(app: Application) -> None:  # type: ignore[type-arg]
    from handlers.core.start import DEEP_LINKS, numbered_link

    # t.me/<bot>?start=proposal_<id>: the link residents share to gather support
    DEEP_LINKS["proposal"] = numbered_link(show_card)
    app.add_handler(CommandHandler("proposals", browse_menu))
    app.add_handler(CallbackQueryHandler(browse_menu, pattern=r"^(menu:proposals|props:m)$"))
    app.add_handler(CallbackQueryHandler(pick_dong, pattern=r"^props:pd$"))
    app.add_handler(CallbackQueryHandler(pick_theme, pattern=r"^props:pt$"))
    app.add_handler(CallbackQueryHandler(show_list, pattern=LIST_RE))
    app.add_handler(CallbackQueryHandler(view, pattern=rf"^props:v:{ID_RE}$"))
    app.add_handler(CallbackQueryHandler(support, pattern=rf"^props:s[01]:{ID_RE}$"))
    app.add_handler(CallbackQueryHandler(old_toggle, pattern=rf"^props:s:{ID_RE}$"))
    app.add_handler(CallbackQueryHandler(ask_report, pattern=rf"^props:r:{ID_RE}$"))
    app.add_handler(CallbackQueryHandler(do_report, pattern=rf"^props:ry:{ID_RE}$"))
    app.add_handler(CallbackQueryHandler(ask_withdraw, pattern=rf"^props:w:{ID_RE}$"))
    app.add_handler(CallbackQueryHandler(do_withdraw, pattern=rf"^props:wy:{ID_RE}$"))
    app.add_handler(CallbackQueryHandler(said_no, pattern=rf"^props:(no|[wr]n:{ID_RE})$"))
    app.add_handler(CallbackQueryHandler(photo, pattern=rf"^props:ph:{ID_RE}$"))
