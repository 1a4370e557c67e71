"""/propose: a persistent conversation that drafts an agenda proposal step by step.

dong (buttons; the home dong, and only it, marked ✓; or typed) → theme (the KB's categories) →
title (5–80 characters) → description (20–2,000) → optional photo → preview with similar
proposals of the same dong and theme, and Submit / Edit / Cancel. The draft lives in the
``proposal_drafts`` table and the conversation state in the persistence, both committed with
each step, so a restart of the bot continues where the resident was. A text that fails
validation is sent back to its author, so nothing typed is lost; /cancel keeps the draft.

Callback data (``prop:<action>:<draft id>[:<arg>]``; the draft id is checked against the
presser's own draft): ``d`` dong · ``t`` theme · ``skip`` no photo · ``ok:<id>:<version>``
submit · ``e`` edit menu · ``f:<id>:<field>`` edit a field · ``p`` back to the preview ·
``i:<id>:<proposal>`` support a similar proposal instead · ``c`` / ``n`` continue / start
over · ``x`` stop.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)

from bot.core.dongs import list_dongs
from bot.core.text import esc
from bot.proposals import service as domain
from bot.proposals.service import ProposalError
from bot.telegram.context import MaeulContext
from handlers.core.blocks import answer, opened_by, refuse
from handlers.core.blocks import show as send
from handlers.core.steps import TYPED, give_back, press_buttons, typed_dong
from handlers.core.steps import conversation as blocks_conversation
from handlers.proposals.decisions import PENDING as REVIEW_PENDING
from handlers.proposals.draft import (
    DESCRIPTION,
    DONG,
    EDIT,
    EDITING,
    FIELDS,
    PHOTO,
    PREVIEW,
    RESUME,
    THEME,
    TITLE,
    ask_description,
    ask_dong,
    ask_photo,
    ask_theme,
    ask_title,
    current_draft,
    next_step,
    own_draft,
    parts,
    pressed_draft,
    preview,
    say,
)
from handlers.proposals.preview import (
    edit_field,
    edit_menu,
    preview_again,
    preview_pressed,
    submit,
    submit_after,
    support_instead,
)
from handlers.proposals.render import error_text, names, resolve_key, themes
from models.proposal import ProposalDraft

log = logging.getLogger(__name__)


D = r"(\d{1,9})"
KEY = r"(~?[a-z0-9_-]{1,40})"


# ---------------------------------------------------------------------------------------
# Entry
# ---------------------------------------------------------------------------------------


async def start(update: Update, context: MaeulContext) -> str | int:
    t = context.t
    await answer(update)
    context.user_data.pop(EDITING, None)
    # A staff action waiting for its answer would take the title as its answer: drop it.
    context.user_data.pop(REVIEW_PENDING, None)
    if not await list_dongs(context.db):
        await say(
            update,
            context,
            esc(
                t._("No dongs are set up yet. Please ask the centre to import the knowledge base.")
            ),
        )
        return ConversationHandler.END
    if not await themes(context):
        await say(
            update,
            context,
            esc(
                t._("No themes are set up yet. Please ask the centre to import the knowledge base.")
            ),
        )
        return ConversationHandler.END
    now = context.runtime.clock.utcnow()
    settings = context.runtime.settings
    draft = await domain.get_draft(context.db, context.user.id)
    try:
        await domain.check_rate_limit(
            context.db, context.user.id, now, settings.tz, settings.proposals_per_day
        )
    except ProposalError:
        limit = t.format_number(settings.proposals_per_day)
        text = t._(
            "You have reached today's limit of proposals ({limit} a day). "
            "Please come back tomorrow.",
            limit=limit,
        )
        await say(update, context, esc(text))
        return ConversationHandler.END
    if draft is not None and (draft.dong_id or draft.title or draft.description):
        what = draft.title or t._("(no title yet)")
        markup = InlineKeyboardMarkup(
            [
                [
                    InlineKeyboardButton(t._("Continue it"), callback_data=f"prop:c:{draft.id}"),
                    InlineKeyboardButton(t._("Start over"), callback_data=f"prop:n:{draft.id}"),
                ]
            ]
        )
        await say(
            update,
            context,
            esc(t._("You have an unfinished proposal: “{title}”.", title=what)),
            markup,
        )
        return RESUME
    draft = await domain.new_draft(context.db, context.user.id, now)
    return await ask_dong(update, context, draft)


@opened_by(pressed_draft, RESUME)
async def resume(update: Update, context: MaeulContext, draft: ProposalDraft) -> str:
    return await next_step(update, context, draft)


async def start_over(update: Update, context: MaeulContext) -> str | int:
    if await pressed_draft(update, context) is None:
        return RESUME
    draft = await domain.new_draft(context.db, context.user.id, context.runtime.clock.utcnow())
    return await ask_dong(update, context, draft)


# ---------------------------------------------------------------------------------------
# Steps
# ---------------------------------------------------------------------------------------


@opened_by(own_draft, DONG)
async def dong_pressed(update: Update, context: MaeulContext, draft: ProposalDraft) -> str:
    dong_id = resolve_key(parts(update)[3], [d.id for d in await list_dongs(context.db)])
    if dong_id is None:
        await refuse(update, context, context.t._(domain.UNKNOWN_DONG))
        return DONG
    await answer(update)
    return await _set_dong(update, context, draft, dong_id)


async def dong_typed(update: Update, context: MaeulContext) -> str:
    draft = await current_draft(context)
    dong = await typed_dong(update, context)
    if dong is None:
        return await ask_dong(update, context, draft)
    return await _set_dong(update, context, draft, dong.id)


async def _set_dong(
    update: Update, context: MaeulContext, draft: ProposalDraft, dong_id: str
) -> str:
    now = context.runtime.clock.utcnow()
    await domain.update_draft(context.db, draft, now, dong_id=dong_id)
    n = await names(context)
    await send(update, context, esc(context.t._("Dong: {dong}", dong=n.dong(dong_id))), edit=True)
    return await next_step(update, context, draft)


@opened_by(own_draft, THEME)
async def theme_pressed(update: Update, context: MaeulContext, draft: ProposalDraft) -> str:
    category_id = resolve_key(parts(update)[3], [cid for cid, _ in await themes(context)])
    if category_id is None:
        await refuse(update, context, context.t._(domain.UNKNOWN_THEME))
        return THEME
    await answer(update)
    await domain.update_draft(
        context.db, draft, context.runtime.clock.utcnow(), category_id=category_id
    )
    n = await names(context)
    theme = esc(context.t._("Theme: {theme}", theme=n.theme(category_id)))
    await send(update, context, theme, edit=True)
    return await next_step(update, context, draft)


async def theme_typed(update: Update, context: MaeulContext) -> str:
    draft = await current_draft(context)
    await update.effective_message.reply_text(
        context.t._("Please choose a theme with the buttons, or type /cancel to stop.")
    )
    return await ask_theme(update, context, draft)


async def _text_typed(
    update: Update,
    context: MaeulContext,
    field: str,
    clean: Callable[[str], str],
    ask: Callable[[Update, MaeulContext, ProposalDraft], Awaitable[str]],
) -> tuple[ProposalDraft, bool]:
    """A typed title or description: cleaned and saved, or refused, given back and asked
    again. (The draft, whether it was saved.)"""
    draft = await current_draft(context)
    typed = update.effective_message.text or ""
    try:
        value = clean(typed)
    except ProposalError as err:
        await update.effective_message.reply_text(error_text(context.t, err))
        await give_back(update, context, typed)
        await ask(update, context, draft)
        return draft, False
    await domain.update_draft(context.db, draft, context.runtime.clock.utcnow(), **{field: value})
    return draft, True


async def title_typed(update: Update, context: MaeulContext) -> str:
    draft, saved = await _text_typed(update, context, "title", domain.clean_title, ask_title)
    return await next_step(update, context, draft) if saved else TITLE


async def description_typed(update: Update, context: MaeulContext) -> str:
    draft, saved = await _text_typed(
        update, context, "description", domain.clean_description, ask_description
    )
    if not saved:
        return DESCRIPTION
    if context.user_data.get(EDITING):
        return await preview(update, context, draft)
    return await ask_photo(update, context, draft)


async def photo_sent(update: Update, context: MaeulContext) -> str:
    draft = await current_draft(context)
    sizes = update.effective_message.photo
    file_id = sizes[-1].file_id if sizes else None
    if file_id is None or len(file_id) > 256:
        await update.effective_message.reply_text(
            context.t._("Sorry, I could not keep this photo.")
        )
        return await ask_photo(update, context, draft)
    await domain.update_draft(
        context.db, draft, context.runtime.clock.utcnow(), photo_file_id=file_id
    )
    return await preview(update, context, draft)


async def photo_expected(update: Update, context: MaeulContext) -> str:
    draft = await current_draft(context)
    await update.effective_message.reply_text(
        context.t._("Please send a photo, or press Skip. Type /cancel to stop.")
    )
    return await ask_photo(update, context, draft)  # with its Skip button again


# ---------------------------------------------------------------------------------------
# Preview, similar proposals, submit
# ---------------------------------------------------------------------------------------


# ---------------------------------------------------------------------------------------
# Editing
# ---------------------------------------------------------------------------------------


# ---------------------------------------------------------------------------------------
# Stopping
# ---------------------------------------------------------------------------------------


async def stop(update: Update, context: MaeulContext) -> int | None:
    t = context.t
    if update.callback_query is not None:
        if await pressed_draft(update, context) is None:
            return None  # a forged or stale button: stay where we are
    draft = await domain.get_draft(context.db, context.user.id)
    if draft is not None and (draft.dong_id or draft.title or draft.description):
        text = t._("Stopped. Your draft is kept: type /propose to continue it or start over.")
    else:
        await domain.discard_draft(context.db, context.user.id)
        text = t._("Cancelled. Nothing was changed.")
    context.user_data.pop(EDITING, None)
    await say(update, context, esc(text))
    return ConversationHandler.END


def register(app: Application) -> None:  # type: ignore[type-arg]
    new = ~filters.UpdateType.EDITED  # edits go to the fallbacks ("I don't read edits")
    text = TYPED & new
    conversation = blocks_conversation(
        "propose",
        entry_points=[
            CommandHandler("propose", start, filters=filters.ChatType.PRIVATE),
            CallbackQueryHandler(start, pattern=r"^props:new$"),
        ],
        states={
            RESUME: [
                CallbackQueryHandler(resume, pattern=rf"^prop:c:{D}$"),
                CallbackQueryHandler(start_over, pattern=rf"^prop:n:{D}$"),
                MessageHandler(text, press_buttons),
            ],
            DONG: [
                CallbackQueryHandler(dong_pressed, pattern=rf"^prop:d:{D}:{KEY}$"),
                MessageHandler(text, dong_typed),
            ],
            THEME: [
                CallbackQueryHandler(theme_pressed, pattern=rf"^prop:t:{D}:{KEY}$"),
                MessageHandler(text, theme_typed),
            ],
            TITLE: [MessageHandler(text, title_typed)],
            DESCRIPTION: [MessageHandler(text, description_typed)],
            PHOTO: [
                MessageHandler(filters.PHOTO & new, photo_sent),
                CallbackQueryHandler(preview_pressed(PHOTO), pattern=rf"^prop:skip:{D}$"),
                MessageHandler(~filters.COMMAND & new, photo_expected),
            ],
            PREVIEW: [
                CallbackQueryHandler(submit, pattern=rf"^prop:ok:{D}:(\d{{1,9}})$"),
                CallbackQueryHandler(edit_menu, pattern=rf"^prop:e:{D}$"),
                CallbackQueryHandler(support_instead, pattern=rf"^prop:i:{D}:(\d{{1,9}})$"),
                MessageHandler(text, press_buttons),
            ],
            EDIT: [
                CallbackQueryHandler(edit_field, pattern=rf"^prop:f:{D}:({'|'.join(FIELDS)})$"),
                CallbackQueryHandler(preview_again, pattern=rf"^prop:p:{D}$"),
                MessageHandler(text, press_buttons),
            ],
        },
        cancel=stop,
        cancel_pattern=rf"^prop:x:{D}$",
    )
    app.add_handler(conversation)
    # a preview's Submit when the conversation is elsewhere (over: its reply never came)
    app.add_handler(CallbackQueryHandler(submit_after, pattern=rf"^prop:ok:{D}:(\d{{1,9}})$"))
