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

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)

from bot.core.dongs import list_dongs, match_dong
from bot.core.text import esc, shorten
from bot.proposals import service as domain
from bot.proposals.service import ProposalError
from bot.telegram.context import MaeulContext
from handlers.core.blocks import answer, drop_keyboard, refuse
from handlers.core.blocks import show as send
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
    preview,
    say,
)
from handlers.proposals.notify import notify_staff
from handlers.proposals.render import (
    error_text,
    names,
    resolve_key,
    themes,
)
from handlers.proposals.review import PENDING as REVIEW_PENDING
from models.proposal import ProposalDraft

log = logging.getLogger(__name__)


D = r"(\d{1,9})"
KEY = r"(~?[a-z0-9_-]{1,40})"


async def _give_back(update: Update, context: MaeulContext, typed: str) -> None:
    """Send the resident's text back as a plain message, to copy and correct."""
    await context.bot.send_message(
        update.effective_chat.id, context.t._("Here is what you wrote, to copy and correct:")
    )
    await context.bot.send_message(update.effective_chat.id, typed)


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
            "You have already submitted {limit} proposals today. Please come back tomorrow.",
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


async def resume(update: Update, context: MaeulContext) -> str | int:
    draft = await own_draft(update, context)
    if draft is None:
        return RESUME
    await answer(update)
    await drop_keyboard(update)
    return await next_step(update, context, draft)


async def start_over(update: Update, context: MaeulContext) -> str | int:
    draft = await own_draft(update, context)
    if draft is None:
        return RESUME
    await answer(update)
    await drop_keyboard(update)
    draft = await domain.new_draft(context.db, context.user.id, context.runtime.clock.utcnow())
    return await ask_dong(update, context, draft)


# ---------------------------------------------------------------------------------------
# Steps
# ---------------------------------------------------------------------------------------


async def dong_pressed(update: Update, context: MaeulContext) -> str:
    draft = await own_draft(update, context)
    if draft is None:
        return DONG
    dong_id = resolve_key(parts(update)[3], [d.id for d in await list_dongs(context.db)])
    if dong_id is None:
        await refuse(update, context, context.t._(domain.UNKNOWN_DONG))
        return DONG
    await answer(update)
    return await _set_dong(update, context, draft, dong_id)


async def dong_typed(update: Update, context: MaeulContext) -> str:
    t = context.t
    draft = await current_draft(context)
    text = update.effective_message.text or ""
    dong = match_dong(await list_dongs(context.db), text[:100])
    if dong is None:
        await update.effective_message.reply_text(
            t._(
                "I could not find a dong called “{text}”. Please choose one of the buttons.",
                text=shorten(text, 40),
            )
        )
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


async def theme_pressed(update: Update, context: MaeulContext) -> str:
    draft = await own_draft(update, context)
    if draft is None:
        return THEME
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


async def title_typed(update: Update, context: MaeulContext) -> str:
    draft = await current_draft(context)
    typed = update.effective_message.text or ""
    try:
        title = domain.clean_title(typed)
    except ProposalError as err:
        await update.effective_message.reply_text(error_text(context.t, err))
        await _give_back(update, context, typed)
        return await ask_title(update, context, draft)
    await domain.update_draft(context.db, draft, context.runtime.clock.utcnow(), title=title)
    return await next_step(update, context, draft)


async def description_typed(update: Update, context: MaeulContext) -> str:
    draft = await current_draft(context)
    typed = update.effective_message.text or ""
    try:
        description = domain.clean_description(typed)
    except ProposalError as err:
        await update.effective_message.reply_text(error_text(context.t, err))
        await _give_back(update, context, typed)
        return await ask_description(update, context, draft)
    await domain.update_draft(
        context.db, draft, context.runtime.clock.utcnow(), description=description
    )
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


async def photo_skipped(update: Update, context: MaeulContext) -> str:
    draft = await own_draft(update, context)
    if draft is None:
        return PHOTO
    await answer(update)
    await drop_keyboard(update)
    return await preview(update, context, draft)


async def photo_expected(update: Update, context: MaeulContext) -> str:
    await update.effective_message.reply_text(
        context.t._("Please send a photo, or press Skip. Type /cancel to stop.")
    )
    return PHOTO


# ---------------------------------------------------------------------------------------
# Preview, similar proposals, submit
# ---------------------------------------------------------------------------------------


async def submit(update: Update, context: MaeulContext) -> str | int:
    t = context.t
    draft = await own_draft(update, context)
    if draft is None:
        return PREVIEW
    if str(draft.version) != parts(update)[3]:
        await answer(update, t._("This preview is outdated. Here is the current one."))
        await drop_keyboard(update)
        return await preview(update, context, draft)
    settings = context.runtime.settings
    try:
        proposal = await domain.submit(
            context.db,
            draft,
            context.user,
            now=context.runtime.clock.utcnow(),
            tz=settings.tz,
            per_day=settings.proposals_per_day,
        )
    except ProposalError as err:
        await refuse(update, context, error_text(t, err))
        if err.message == domain.UNKNOWN_DONG:
            return await ask_dong(update, context, draft)
        if err.message == domain.UNKNOWN_THEME:
            return await ask_theme(update, context, draft)
        return PREVIEW
    await answer(update)
    await drop_keyboard(update)
    n = await names(context)
    markup = InlineKeyboardMarkup(
        [[InlineKeyboardButton(t._("Open the proposal"), callback_data=f"props:v:{proposal.id}")]]
    )
    await say(
        update,
        context,
        esc(
            t._(
                "Thank you! Your proposal #{id} was submitted. The staff of {dong} will review "
                "it, and I will tell you about every change.",
                id=proposal.id,
                dong=n.dong(proposal.dong_id),
            )
        ),
        markup,
    )
    await notify_staff(context, proposal, "new")
    return ConversationHandler.END


async def support_instead(update: Update, context: MaeulContext) -> str | int:
    t = context.t
    draft = await own_draft(update, context)
    if draft is None:
        return PREVIEW
    proposal_id = int(parts(update)[3])
    now = context.runtime.clock.utcnow()
    try:
        result = await domain.toggle_support(
            context.db, proposal_id, context.user.id, now, want=True
        )
    except ProposalError as err:
        await refuse(update, context, error_text(t, err))
        return PREVIEW
    await answer(update)
    await drop_keyboard(update)
    await domain.discard_draft(context.db, context.user.id)
    markup = InlineKeyboardMarkup(
        [[InlineKeyboardButton(t._("Open the proposal"), callback_data=f"props:v:{proposal_id}")]]
    )
    await say(
        update,
        context,
        esc(
            t._(
                "You support proposal #{id} now ({count} supports). Your draft was discarded.",
                id=proposal_id,
                count=t.format_number(result.count),
            )
        ),
        markup,
    )
    if result.threshold_reached:
        proposal = await domain.get_proposal(context.db, proposal_id)
        assert proposal is not None
        await notify_staff(
            context, proposal, "threshold", count=result.count, threshold=result.threshold
        )
    return ConversationHandler.END


async def preview_again(update: Update, context: MaeulContext) -> str:
    draft = await own_draft(update, context)
    if draft is None:
        return EDIT
    await answer(update)
    await drop_keyboard(update)
    return await preview(update, context, draft)


async def press_buttons(update: Update, context: MaeulContext) -> None:
    await update.effective_message.reply_text(
        context.t._("Please answer with the buttons above, or type /cancel to stop.")
    )


# ---------------------------------------------------------------------------------------
# Editing
# ---------------------------------------------------------------------------------------


async def edit_menu(update: Update, context: MaeulContext) -> str:
    t = context.t
    draft = await own_draft(update, context)
    if draft is None:
        return PREVIEW
    await answer(update)
    await drop_keyboard(update)
    labels = [
        ("dong", t._("🏘 Dong")),
        ("theme", t._("🏷 Theme")),
        ("title", t._("Title")),
        ("description", t._("Description")),
        ("photo", t._("📷 Photo")),
    ]
    if draft.photo_file_id:
        labels.append(("nophoto", t._("Remove the photo")))
    buttons = [
        InlineKeyboardButton(label, callback_data=f"prop:f:{draft.id}:{field}")
        for field, label in labels
    ]
    rows = [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
    rows.append(
        [InlineKeyboardButton(t._("◀ Back to the preview"), callback_data=f"prop:p:{draft.id}")]
    )
    await say(update, context, esc(t._("What do you want to change?")), InlineKeyboardMarkup(rows))
    return EDIT


async def edit_field(update: Update, context: MaeulContext) -> str:
    draft = await own_draft(update, context)
    if draft is None:
        return EDIT
    field = parts(update)[3]
    await answer(update)
    await drop_keyboard(update)
    context.user_data[EDITING] = True  # type: ignore[index]
    if field == "dong":
        return await ask_dong(update, context, draft)
    if field == "theme":
        return await ask_theme(update, context, draft)
    if field == "title":
        return await ask_title(update, context, draft)
    if field == "description":
        return await ask_description(update, context, draft)
    if field == "photo":
        return await ask_photo(update, context, draft)
    await domain.update_draft(context.db, draft, context.runtime.clock.utcnow(), photo_file_id=None)
    return await preview(update, context, draft)


# ---------------------------------------------------------------------------------------
# Stopping
# ---------------------------------------------------------------------------------------


async def stop(update: Update, context: MaeulContext) -> int | None:
    t = context.t
    if update.callback_query is not None:
        if await own_draft(update, context) is None:
            return None  # a forged or stale button: stay where we are
        await answer(update)
        await drop_keyboard(update)
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
    text = filters.TEXT & ~filters.COMMAND & new
    conversation = ConversationHandler(
        name="propose",
        persistent=True,
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
                CallbackQueryHandler(photo_skipped, pattern=rf"^prop:skip:{D}$"),
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
        fallbacks=[
            CommandHandler("cancel", stop),
            CallbackQueryHandler(stop, pattern=rf"^prop:x:{D}$"),
        ],
        allow_reentry=True,
    )
    app.add_handler(conversation)
