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
from telegram.constants import ParseMode
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)

from bot.core.dongs import dong_name, list_dongs, match_dong
from bot.core.text import esc, shorten
from bot.proposals import service as domain
from bot.proposals.service import ProposalError
from bot.telegram.context import MaeulContext
from handlers.proposals.browse import (
    STATUS_ICONS,
    answer,
    drop_keyboard,
    error_text,
    key_for,
    names,
    notify_staff,
    refuse,
    resolve_key,
    send,
    status_label,
    themes,
)
from handlers.proposals.review import PENDING as REVIEW_PENDING
from models.proposal import ProposalDraft

log = logging.getLogger(__name__)

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
EDITING = "propose_editing"  # user_data flag: answering one step of the edit menu
FIELDS = ("dong", "theme", "title", "description", "photo", "nophoto")

D = r"(\d{1,9})"
KEY = r"(~?[a-z0-9_-]{1,40})"


def _parts(update: Update) -> list[str]:
    return update.callback_query.data.split(":")


async def _own_draft(update: Update, context: MaeulContext) -> ProposalDraft | None:
    """The presser's draft, if the button's draft id is theirs (else a refusal)."""
    draft = await domain.get_draft(context.db, context.user.id)
    parts = _parts(update)
    if draft is None or str(draft.id) != parts[2]:
        await refuse(
            update,
            context,
            context.t._("This button belongs to a draft that is not yours or no longer exists."),
        )
        return None
    return draft


async def _current_draft(context: MaeulContext) -> ProposalDraft:
    draft = await domain.get_draft(context.db, context.user.id)
    if draft is None:  # e.g. the same user submitted it from another device meanwhile
        draft = await domain.new_draft(context.db, context.user.id, context.runtime.clock.utcnow())
    return draft


def _cancel_button(context: MaeulContext, draft: ProposalDraft) -> InlineKeyboardButton:
    return InlineKeyboardButton(context.t._("✖ Stop"), callback_data=f"prop:x:{draft.id}")


async def _say(
    update: Update, context: MaeulContext, text: str, markup: InlineKeyboardMarkup | None = None
) -> None:
    await context.bot.send_message(
        update.effective_chat.id, text, parse_mode=ParseMode.HTML, reply_markup=markup
    )


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
        await _say(
            update,
            context,
            esc(
                t._("No dongs are set up yet. Please ask the centre to import the knowledge base.")
            ),
        )
        return ConversationHandler.END
    if not await themes(context):
        await _say(
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
        await _say(update, context, esc(text))
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
        await _say(
            update,
            context,
            esc(t._("You have an unfinished proposal: “{title}”.", title=what)),
            markup,
        )
        return RESUME
    draft = await domain.new_draft(context.db, context.user.id, now)
    return await ask_dong(update, context, draft)


async def resume(update: Update, context: MaeulContext) -> str | int:
    draft = await _own_draft(update, context)
    if draft is None:
        return RESUME
    await answer(update)
    await drop_keyboard(update)
    return await _next_step(update, context, draft)


async def start_over(update: Update, context: MaeulContext) -> str | int:
    draft = await _own_draft(update, context)
    if draft is None:
        return RESUME
    await answer(update)
    await drop_keyboard(update)
    draft = await domain.new_draft(context.db, context.user.id, context.runtime.clock.utcnow())
    return await ask_dong(update, context, draft)


async def _next_step(update: Update, context: MaeulContext, draft: ProposalDraft) -> str:
    """After a step: the next missing one, or the preview (always, when editing)."""
    if context.user_data.get(EDITING):
        return await preview(update, context, draft)
    step = domain.missing_step(draft)
    if step == "dong":
        return await ask_dong(update, context, draft)
    if step == "theme":
        return await ask_theme(update, context, draft)
    if step == "title":
        return await ask_title(update, context, draft)
    if step == "description":
        return await ask_description(update, context, draft)
    return await preview(update, context, draft)


# ---------------------------------------------------------------------------------------
# Steps
# ---------------------------------------------------------------------------------------


async def ask_dong(update: Update, context: MaeulContext, draft: ProposalDraft) -> str:
    t = context.t
    dongs = await list_dongs(context.db)
    home = context.user.home_dong_id  # ✓ marks this one only
    current = next((d for d in dongs if d.id == draft.dong_id), None)  # when editing
    dongs.sort(key=lambda d: (d.id != draft.dong_id, d.id != home))
    buttons = [
        InlineKeyboardButton(
            ("✓ " if d.id == home else "") + dong_name(d, t.lang),
            callback_data=f"prop:d:{draft.id}:{key_for(d.id)}",
        )
        for d in dongs
    ]
    rows = [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
    rows.append([_cancel_button(context, draft)])
    lines = [
        f"<b>{esc(t._('New proposal'))}</b> " + esc(t._("(step {n} of {total})", n=1, total=5)),
        esc(t._("Which dong is your proposal for? Choose below or type its name.")),
    ]
    if current is not None:
        lines.append(esc(t._("Chosen now: {dong}.", dong=dong_name(current, t.lang))))
    if home and any(d.id == home for d in dongs):
        lines.append(esc(t._("Your home dong is marked with ✓.")))
    await _say(update, context, "\n".join(lines), InlineKeyboardMarkup(rows))
    return DONG


async def dong_pressed(update: Update, context: MaeulContext) -> str:
    draft = await _own_draft(update, context)
    if draft is None:
        return DONG
    dong_id = resolve_key(_parts(update)[3], [d.id for d in await list_dongs(context.db)])
    if dong_id is None:
        await refuse(update, context, context.t._(domain.UNKNOWN_DONG))
        return DONG
    await answer(update)
    return await _set_dong(update, context, draft, dong_id)


async def dong_typed(update: Update, context: MaeulContext) -> str:
    t = context.t
    draft = await _current_draft(context)
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
    return await _next_step(update, context, draft)


async def ask_theme(update: Update, context: MaeulContext, draft: ProposalDraft) -> str:
    t = context.t
    buttons = [
        InlineKeyboardButton(
            ("✓ " if cid == draft.category_id else "") + name,
            callback_data=f"prop:t:{draft.id}:{key_for(cid)}",
        )
        for cid, name in await themes(context)
    ]
    rows = [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
    rows.append([_cancel_button(context, draft)])
    text = (
        esc(t._("(step {n} of {total})", n=2, total=5))
        + "\n"
        + esc(t._("Which theme fits your proposal best?"))
    )
    await _say(update, context, text, InlineKeyboardMarkup(rows))
    return THEME


async def theme_pressed(update: Update, context: MaeulContext) -> str:
    draft = await _own_draft(update, context)
    if draft is None:
        return THEME
    category_id = resolve_key(_parts(update)[3], [cid for cid, _ in await themes(context)])
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
    return await _next_step(update, context, draft)


async def theme_typed(update: Update, context: MaeulContext) -> str:
    draft = await _current_draft(context)
    await update.effective_message.reply_text(
        context.t._("Please choose a theme with the buttons, or type /cancel to stop.")
    )
    return await ask_theme(update, context, draft)


async def ask_title(update: Update, context: MaeulContext, draft: ProposalDraft) -> str:
    t = context.t
    lines = [
        esc(t._("(step {n} of {total})", n=3, total=5)),
        esc(
            t._(
                "Type a short title ({min}–{max} characters), e.g. “Safety fence around the "
                "playground”.",
                min=domain.TITLE_MIN,
                max=domain.TITLE_MAX,
            )
        ),
    ]
    if draft.title:
        lines.append(esc(t._("Now: {title}", title=draft.title)))
    await _say(
        update, context, "\n".join(lines), InlineKeyboardMarkup([[_cancel_button(context, draft)]])
    )
    return TITLE


async def title_typed(update: Update, context: MaeulContext) -> str:
    draft = await _current_draft(context)
    typed = update.effective_message.text or ""
    try:
        title = domain.clean_title(typed)
    except ProposalError as err:
        await update.effective_message.reply_text(error_text(context.t, err))
        await _give_back(update, context, typed)
        return await ask_title(update, context, draft)
    await domain.update_draft(context.db, draft, context.runtime.clock.utcnow(), title=title)
    return await _next_step(update, context, draft)


async def ask_description(update: Update, context: MaeulContext, draft: ProposalDraft) -> str:
    t = context.t
    lines = [
        esc(t._("(step {n} of {total})", n=4, total=5)),
        esc(
            t._(
                "Describe your proposal in {min}–{max} characters: what should be done, where, "
                "and why it matters to your neighbours.",
                min=domain.DESCRIPTION_MIN,
                max=t.format_number(domain.DESCRIPTION_MAX),
            )
        ),
    ]
    if draft.description:
        lines.append(esc(t._("Now: {text}", text=shorten(draft.description, 200))))
    await _say(
        update, context, "\n".join(lines), InlineKeyboardMarkup([[_cancel_button(context, draft)]])
    )
    return DESCRIPTION


async def description_typed(update: Update, context: MaeulContext) -> str:
    draft = await _current_draft(context)
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


async def ask_photo(update: Update, context: MaeulContext, draft: ProposalDraft) -> str:
    t = context.t
    text = (
        esc(t._("(step {n} of {total})", n=5, total=5))
        + "\n"
        + esc(t._("If you have a photo of the place, send it now. Otherwise press Skip."))
    )
    markup = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(t._("Skip"), callback_data=f"prop:skip:{draft.id}"),
                _cancel_button(context, draft),
            ]
        ]
    )
    await _say(update, context, text, markup)
    return PHOTO


async def photo_sent(update: Update, context: MaeulContext) -> str:
    draft = await _current_draft(context)
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
    draft = await _own_draft(update, context)
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


async def preview(update: Update, context: MaeulContext, draft: ProposalDraft) -> str:
    t = context.t
    context.user_data.pop(EDITING, None)
    step = domain.missing_step(draft)
    if step is not None:  # cannot be previewed yet
        return await _next_step(update, context, draft)
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
            _cancel_button(context, draft),
        ],
    )
    await _say(update, context, "\n".join(lines), InlineKeyboardMarkup(rows))
    return PREVIEW


async def submit(update: Update, context: MaeulContext) -> str | int:
    t = context.t
    draft = await _own_draft(update, context)
    if draft is None:
        return PREVIEW
    if str(draft.version) != _parts(update)[3]:
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
    await _say(
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
    draft = await _own_draft(update, context)
    if draft is None:
        return PREVIEW
    proposal_id = int(_parts(update)[3])
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
    await _say(
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
    draft = await _own_draft(update, context)
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
    draft = await _own_draft(update, context)
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
    await _say(update, context, esc(t._("What do you want to change?")), InlineKeyboardMarkup(rows))
    return EDIT


async def edit_field(update: Update, context: MaeulContext) -> str:
    draft = await _own_draft(update, context)
    if draft is None:
        return EDIT
    field = _parts(update)[3]
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
        if await _own_draft(update, context) is None:
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
    await _say(update, context, esc(text))
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
