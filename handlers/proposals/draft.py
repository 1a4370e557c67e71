"""The /propose draft: its states, whose draft a button belongs to, the five step
questions (handlers.core.blocks' step block) and the preview with similar proposals.
Rendering only: the answers are parsed in handlers.proposals.propose."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot.core.dongs import dong_name, list_dongs
from bot.core.text import esc, shorten
from bot.proposals import service as domain
from bot.telegram.context import MaeulContext
from handlers.core.blocks import (
    answer,
    choices,
    drop_keyboard,
    grid,
    list_keyboard,
    refuse,
    send_html,
)
from handlers.core.steps import ask_step
from handlers.proposals.render import STATUS_ICONS, key_for, names, status_label, themes
from models.proposal import ProposalDraft

RESUME, DONG, THEME, TITLE, DESCRIPTION, PHOTO, PREVIEW, EDIT = (
    "resume",
    "dong",
    "theme",
    "title",
    "description",
    "photo",
    "preview",
    "edit",
)


STEPS = 5
EDITING = "propose_editing"  # user_data flag: answering one step of the edit menu


FIELDS = ("dong", "theme", "title", "description", "photo", "nophoto")


def parts(update: Update) -> list[str]:
    return update.callback_query.data.split(":")


async def own_draft(update: Update, context: MaeulContext) -> ProposalDraft | None:
    """The presser's draft, if the button's draft id is theirs (else a refusal)."""
    draft = await domain.get_draft(context.db, context.user.id)
    if draft is None or str(draft.id) != parts(update)[2]:
        await refuse(
            update,
            context,
            context.t._("This button belongs to a draft that is not yours or no longer exists."),
        )
        return None
    return draft


async def pressed_draft(update: Update, context: MaeulContext) -> ProposalDraft | None:
    """:func:`own_draft`, and the press answered and its buttons removed (a step of the
    conversation is done with them)."""
    draft = await own_draft(update, context)
    if draft is not None:
        await answer(update)
        await drop_keyboard(update)
    return draft


async def current_draft(context: MaeulContext) -> ProposalDraft:
    draft = await domain.get_draft(context.db, context.user.id)
    if draft is None:  # e.g. the same user submitted it from another device meanwhile
        draft = await domain.new_draft(context.db, context.user.id, context.runtime.clock.utcnow())
    return draft


def cancel_button(context: MaeulContext, draft: ProposalDraft) -> InlineKeyboardButton:
    return InlineKeyboardButton(context.t._("✖ Stop"), callback_data=f"prop:x:{draft.id}")


async def say(
    update: Update, context: MaeulContext, text: str, markup: InlineKeyboardMarkup | None = None
) -> None:
    """A new HTML message in the chat of the update."""
    await send_html(context, update.effective_chat.id, text, markup)


async def next_step(update: Update, context: MaeulContext, draft: ProposalDraft) -> str:
    """After a step: the next missing one, or the preview (always, when editing)."""
    if context.user_data.get(EDITING):
        return await preview(update, context, draft)
    step = domain.missing_step(draft)
    if step in ASK and step != "photo":
        return await ASK[step](update, context, draft)
    return await preview(update, context, draft)


def _choice_rows(
    context: MaeulContext, draft: ProposalDraft, buttons: list[InlineKeyboardButton]
) -> InlineKeyboardMarkup:
    return list_keyboard(grid(buttons), footer=[cancel_button(context, draft)])


async def ask_dong(update: Update, context: MaeulContext, draft: ProposalDraft) -> str:
    t = context.t
    dongs = await list_dongs(context.db)
    home = context.user.home_dong_id  # ✓ marks this one only
    current = next((d for d in dongs if d.id == draft.dong_id), None)  # when editing
    dongs.sort(key=lambda d: (d.id != draft.dong_id, d.id != home))
    buttons = choices(
        [(d.id, dong_name(d, t.lang)) for d in dongs],
        lambda dong_id: f"prop:d:{draft.id}:{key_for(dong_id)}",
        marked=lambda dong_id: dong_id == home,
    )
    lines = [t._("Which dong is your proposal for? Choose below or type its name.")]
    if current is not None:
        lines.append(t._("Chosen now: {dong}.", dong=dong_name(current, t.lang)))
    if home and any(d.id == home for d in dongs):
        lines.append(t._("Your home dong is marked with ✓."))
    markup = _choice_rows(context, draft, buttons)
    await ask_step(update, context, 1, STEPS, *lines, heading=t._("New proposal"), markup=markup)
    return DONG


async def ask_theme(update: Update, context: MaeulContext, draft: ProposalDraft) -> str:
    buttons = choices(
        await themes(context),
        lambda category_id: f"prop:t:{draft.id}:{key_for(category_id)}",
        marked=lambda category_id: category_id == draft.category_id,
    )
    question = context.t._("Which theme fits your proposal best?")
    markup = _choice_rows(context, draft, buttons)
    await ask_step(update, context, 2, STEPS, question, markup=markup)
    return THEME


async def ask_title(update: Update, context: MaeulContext, draft: ProposalDraft) -> str:
    question = context.t._(
        "Type a short title ({min}–{max} characters), e.g. “Safety fence around the playground”.",
        min=domain.TITLE_MIN,
        max=domain.TITLE_MAX,
    )
    markup = InlineKeyboardMarkup([[cancel_button(context, draft)]])
    await ask_step(update, context, 3, STEPS, question, now=draft.title, markup=markup)
    return TITLE


async def ask_description(update: Update, context: MaeulContext, draft: ProposalDraft) -> str:
    t = context.t
    question = t._(
        "Describe your proposal in {min}–{max} characters: what should be done, where, "
        "and why it matters to your neighbours.",
        min=domain.DESCRIPTION_MIN,
        max=t.format_number(domain.DESCRIPTION_MAX),
    )
    now = shorten(draft.description, 200) if draft.description else None
    markup = InlineKeyboardMarkup([[cancel_button(context, draft)]])
    await ask_step(update, context, 4, STEPS, question, now=now, markup=markup)
    return DESCRIPTION


async def ask_photo(update: Update, context: MaeulContext, draft: ProposalDraft) -> str:
    t = context.t
    question = t._("If you have a photo of the place, send it now. Otherwise press Skip.")
    skip = InlineKeyboardButton(t._("Skip"), callback_data=f"prop:skip:{draft.id}")
    markup = InlineKeyboardMarkup([[skip, cancel_button(context, draft)]])
    await ask_step(update, context, 5, STEPS, question, markup=markup)
    return PHOTO


async def preview(update: Update, context: MaeulContext, draft: ProposalDraft) -> str:
    t = context.t
    context.user_data.pop(EDITING, None)
    step = domain.missing_step(draft)
    if step is not None:  # cannot be previewed yet
        return await next_step(update, context, draft)
    assert draft.dong_id and draft.category_id and draft.title and draft.description
    n = await names(context)
    lines = [
        f"<b>{esc(t._('Your proposal — please check it'))}</b>",
        "",
        esc(f"🏘 {n.dong(draft.dong_id)} · 🏷 {n.theme(draft.category_id)}"),
        f"<b>{esc(draft.title)}</b>",
        esc(draft.description),
    ]
    if draft.photo_file_id:
        lines.append(esc(t._("📷 With a photo.")))
    similar = await domain.find_similar(
        context.db,
        dong_id=draft.dong_id,
        category_id=draft.category_id,
        title=draft.title,
        description=draft.description,
    )
    rows: list[list[InlineKeyboardButton]] = []
    if similar:
        lines += [
            "",
            f"<b>{esc(t._('Similar proposals already exist'))}</b>",
            esc(
                t._(
                    "Perhaps your idea is already there: supporting it gives it more weight "
                    "than a second proposal."
                )
            ),
        ]
        for p, _score in similar:
            line = (
                f"{STATUS_ICONS.get(p.status, '')} #{p.id} {shorten(p.title, 60)} — "
                f"👍 {t.format_number(p.support_count)} · {status_label(t, p.status)}"
            )
            if p.author_id == context.user.id:  # theirs: nothing to support
                lines.append(esc(line + " · " + t._("your proposal")))
                continue
            lines.append(esc(line))
            rows.append(
                [
                    InlineKeyboardButton(
                        t._("👍 Support #{id} instead", id=p.id),
                        callback_data=f"prop:i:{draft.id}:{p.id}",
                    )
                ]
            )
    rows.insert(
        0,
        [
            InlineKeyboardButton(
                t._("✅ Submit"), callback_data=f"prop:ok:{draft.id}:{draft.version}"
            ),
            InlineKeyboardButton(t._("✏️ Edit"), callback_data=f"prop:e:{draft.id}"),
            cancel_button(context, draft),
        ],
    )
    await say(update, context, "\n".join(lines), InlineKeyboardMarkup(rows))
    return PREVIEW


Ask = Callable[[Update, MaeulContext, ProposalDraft], Awaitable[str]]
ASK: dict[str, Ask] = {
    "dong": ask_dong,
    "theme": ask_theme,
    "title": ask_title,
    "description": ask_description,
    "photo": ask_photo,
}
"""The question of each step (and of each field of the edit menu)."""
