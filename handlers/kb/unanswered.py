"""/unanswered: the questions the bot could not answer, for staff, most frequent first —
and teaching it: write the answer to one, and it is published as a FAQ entry that the
Q&A answers at once (issue 13, Knowledge).

List (paged) → a question (how often, since when, in which language) → ✍ Write the
answer → type it → preview (the question as residents asked it, the answer) → Publish,
or reword the question first. :func:`bot.kb.edits.publish_faq` writes the entry, the audit
log (``faq.create``, with the question it answers) and reloads the KB snapshot, so the
Q&A engine is rebuilt for the next question. A persistent conversation: a restart between
steps loses nothing.

A follow-up ("경쟁률은요?" right after an answer about a grant) is its own question per
record it was asked after (bot/kb/edits.py ``OpenQuestion``), shown with that record's name
("↪ asked after an answer about …"; its kind and id once the KB no longer has it) and a
button to its card. Teaching one must not publish the bare "경쟁률은요?", which would then
answer those words about every programme. What a public office would do: the record is
where such an answer usually belongs, so the question's screen opens its card (where an
admin edits it); and an answer written here is published under a question that names the
record ("이웃만들기 지원사업 경쟁률은요?", prefilled, which staff may reword — but not back
to the bare words, which is refused with the reason).

Who: staff of any dong and district admins (the FAQ and the log are district-wide).
Every press and every typed step re-checks it on the server; a forged ``kbq:`` press from
anyone else is refused. Buttons name a question by a digest of its text
(:func:`bot.kb.edits.question_key`), looked up again on every press: a stale one (the
question was answered meanwhile) is refused, never confused with another.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
)

from bot.core.text import esc, shorten
from bot.core.users import is_staff_of
from bot.kb import edits
from bot.kb.edits import EditError, OpenQuestion
from bot.telegram.context import MaeulContext
from handlers.core import blocks, steps
from handlers.core.browse import knowledge
from handlers.kb import unanswered_follow as follow
from handlers.kb.edits import error_text

KEY = "kbteach"
ANSWER, QUESTION, CONFIRM = "answer", "question", "confirm"
PAGE = 6
LIST_RE = re.compile(r"^kbq:list:(\d{1,4})$")
SHOW_RE = re.compile(r"^kbq:show:([0-9a-f]{10})$")
TEACH_RE = re.compile(r"^kbq:teach:([0-9a-f]{10})$")


def _staff(context: MaeulContext) -> bool:
    return is_staff_of(context.user, None, context.runtime.settings.admin_ids)


async def _refused(update: Update, context: MaeulContext) -> bool:
    if _staff(context):
        return False
    await blocks.refuse(update, context, context.t._("Only staff can do this."))
    return True


async def _find(context: MaeulContext, key: str) -> OpenQuestion | None:
    return next((q for q in await edits.open_questions(context.db) if q.key == key), None)


async def unanswered_command(update: Update, context: MaeulContext) -> int:
    context.user_data.pop(KEY, None)
    if not await _refused(update, context):
        await _show_list(update, context, 0, edit=False)
    return ConversationHandler.END


async def _show_list(update: Update, context: MaeulContext, page: int, *, edit: bool) -> None:
    t = context.t
    questions = await edits.open_questions(context.db)
    shown = blocks.paginate(questions, page, PAGE)
    kb = await context.runtime.knowledge.get() if any(q.followed for q in shown.items) else None
    # the screen's own title: the command's description (the same words) says "(staff)"
    lines = [f"❓ <b>{esc(t.p_('unanswered', 'Questions I could not answer'))}</b>"]
    if not questions:
        lines.append(esc(t._("None at the moment: I could answer every question.")))
    else:
        lines.append(esc(t._("Most asked first. Choose one to write its answer.")))
    buttons = []
    for number, q in enumerate(shown.items, start=shown.number * PAGE + 1):
        times = t.n_("{n} time", "{n} times", q.count)
        lines.append(
            f"{number}. {esc(shorten(q.example, 120))} — {esc(times)}, "
            f"{esc(t._('last on {day}', day=t.format_date(q.last_asked, short=True)))}"
        )
        if (said := follow.after(t, kb, q)) is not None:  # a follow-up: the answer it followed
            lines.append(f"    ↪ {esc(said)}")
        label = follow.list_label(t, kb, q, number)
        buttons.append(InlineKeyboardButton(label, callback_data=f"kbq:show:{q.key}"))
    nav = blocks.nav_row(shown.number, shown.count, "kbq:list:{page}")
    await blocks.show(
        update, context, "\n".join(lines), blocks.list_keyboard(buttons, nav), edit=edit
    )


async def list_page(update: Update, context: MaeulContext) -> int:
    if await _refused(update, context):
        return ConversationHandler.END
    found = await blocks.matched(update, context, LIST_RE)
    if found is not None:
        await blocks.answer(update)
        await _show_list(update, context, int(found.group(1)), edit=True)
    return ConversationHandler.END


async def _pressed_question(
    update: Update, context: MaeulContext, pattern: re.Pattern[str]
) -> OpenQuestion | None:
    """The unanswered question the press names (its key in group 1), for the staff only;
    ``None`` after a polite refusal (not staff, a forged press, or answered meanwhile)."""
    if await _refused(update, context):
        return None
    found = await blocks.matched(update, context, pattern)
    if found is None:
        return None
    q = await _find(context, found.group(1))
    if q is None:
        await blocks.refuse(update, context, context.t._("This question was answered meanwhile."))
    return q


async def show(update: Update, context: MaeulContext) -> int:
    q = await _pressed_question(update, context, SHOW_RE)
    if q is None:
        return ConversationHandler.END
    t = context.t
    lines = [
        f"❓ <b>{esc(q.example)}</b>",
        esc(t.n_("Asked {n} time", "Asked {n} times", q.count)),
        esc(
            t._(
                "First on {first}, last on {last}",
                first=t.format_date(q.first_asked, short=True),
                last=t.format_date(q.last_asked, short=True),
            )
        ),
    ]
    if q.languages:
        lines.append(esc(t._("Language: {langs}", langs=t.language_names(q.languages))))
    kb = await context.runtime.knowledge.get() if q.followed else None
    if (said := follow.after(t, kb, q)) is not None:
        lines[1:1] = [f"↪ {esc(said)}"]
        lines += follow.about(t)
    markup = InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(t._("✍ Write the answer"), callback_data=f"kbq:teach:{q.key}")],
            *follow.card_row(t, kb, q),
            [InlineKeyboardButton(t._("◀ All questions"), callback_data="kbq:list:0")],
        ]
    )
    await blocks.answer(update)
    await blocks.show(update, context, "\n".join(lines), markup, edit=True)
    return ConversationHandler.END


def _cancel_row(context: MaeulContext) -> list[InlineKeyboardButton]:
    return [InlineKeyboardButton(context.t._("Cancel"), callback_data="kbq:cancel")]


async def teach(update: Update, context: MaeulContext) -> str | int:
    q = await _pressed_question(update, context, TEACH_RE)
    if q is None:
        return ConversationHandler.END
    t = context.t
    lang = q.languages[0] if len(q.languages) == 1 else "ko"
    state: dict[str, Any] = {
        "normalized": q.normalized,
        "question": q.example,
        "lang": lang,
        "through": q.last_asked.isoformat(),
    }
    kb = await context.runtime.knowledge.get() if q.followed else None
    kept, intro = follow.teaching(t, kb, q, lang)  # a follow-up: the FAQ question names it
    state |= kept
    assert context.user_data is not None
    context.user_data[KEY] = state
    await blocks.answer(update)
    await blocks.drop_keyboard(update)
    text = "\n".join(
        [
            f"❓ <b>{esc(q.example)}</b>",
            *intro,
            esc(t._("Type the answer residents should get.")),
            esc(t._("Write it as you would say it on the phone: dates, place, who to call.")),
        ]
    )
    await blocks.send_html(context, update.effective_chat.id, text, InlineKeyboardMarkup(
        [_cancel_row(context)]))  # fmt: skip
    return ANSWER


def _state(context: MaeulContext) -> dict[str, Any] | None:
    state = context.user_data.get(KEY)
    return state if isinstance(state, dict) and "normalized" in state else None


async def _typed(
    update: Update, context: MaeulContext, field: str, most: int, again: str
) -> str | int:
    if await _refused(update, context):
        context.user_data.pop(KEY, None)
        return ConversationHandler.END
    state = _state(context)
    if state is None:
        await blocks.refuse(update, context)
        return ConversationHandler.END
    typed = update.effective_message.text or ""
    if field == "question" and (why := follow.bare(context.t, state, typed)) is not None:
        await update.effective_message.reply_text("⚠️ " + why)
        return again
    try:
        state[field] = edits.faq_text(typed, most)
    except EditError as exc:
        await update.effective_message.reply_text("⚠️ " + error_text(context.t, exc))
        await steps.give_back(update, context, typed[:4000])
        return again
    assert context.user_data is not None
    context.user_data[KEY] = state
    await _preview(update, context, state)
    return CONFIRM


async def answer_typed(update: Update, context: MaeulContext) -> str | int:
    return await _typed(update, context, "answer", edits.MAX_ANSWER, ANSWER)


async def question_typed(update: Update, context: MaeulContext) -> str | int:
    return await _typed(update, context, "question", edits.MAX_QUESTION, QUESTION)


async def _preview(update: Update, context: MaeulContext, state: dict[str, Any]) -> None:
    t = context.t
    text = "\n".join(
        [
            f"📝 <b>{esc(t._('New FAQ entry'))}</b>",
            f"<b>Q.</b> {esc(state['question'])}",
            f"<b>A.</b> {esc(state['answer'])}",
            "",
            esc(t._("Publish it? Residents who ask this will get this answer at once.")),
        ]
    )
    markup = InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(t._("✅ Publish"), callback_data="kbq:publish")],
            [
                InlineKeyboardButton(t._("✏️ Reword the question"), callback_data="kbq:reword"),
                InlineKeyboardButton(t._("✏️ Rewrite the answer"), callback_data="kbq:reanswer"),
            ],
            _cancel_row(context),
        ]
    )
    await blocks.send_html(context, update.effective_chat.id, text, markup)


async def reword(update: Update, context: MaeulContext) -> str | int:
    if await _refused(update, context) or _state(context) is None:
        return ConversationHandler.END
    await blocks.answer(update)
    await blocks.drop_keyboard(update)
    wants_question = (update.callback_query.data or "") == "kbq:reword"
    prompt = (
        context.t._("Type the question as the FAQ should show it.")
        if wants_question
        else context.t._("Type the answer residents should get.")
    )
    await context.bot.send_message(update.effective_chat.id, prompt)
    return QUESTION if wants_question else ANSWER


async def publish(update: Update, context: MaeulContext) -> str | int:
    t = context.t
    if await _refused(update, context):
        context.user_data.pop(KEY, None)
        return ConversationHandler.END
    state = _state(context)
    kb = await knowledge(update, context)
    if state is None or kb is None or "answer" not in state:
        await blocks.refuse(update, context)
        return ConversationHandler.END
    runtime = context.runtime
    try:
        entry_id = await edits.publish_faq(
            context.db,
            kb,
            question=str(state["question"]),
            answer=str(state["answer"]),
            language=str(state.get("lang") or "ko"),
            normalized=str(state["normalized"]),
            through=date.fromisoformat(str(state["through"])),
            followed=str(state["followed"]) if state.get("followed") else None,
            actor=f"tg:{context.user.telegram_id}",
            actor_telegram_id=context.user.telegram_id,
            now=runtime.clock.utcnow(),
            knowledge=runtime.knowledge,
        )
    except EditError as exc:
        await blocks.refuse(update, context, error_text(t, exc))
        return CONFIRM
    context.user_data.pop(KEY, None)
    await blocks.answer(update, t._("Published."))
    await blocks.drop_keyboard(update)
    more = InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(t._("📄 The FAQ entry"), callback_data=f"faq:show:{entry_id}")],
            [InlineKeyboardButton(t._("◀ Other questions"), callback_data="kbq:list:0")],
        ]
    )  # fmt: skip
    await blocks.send_html(
        context,
        update.effective_chat.id,
        "✅ " + esc(t._("Published. From now on I answer this question with your answer.")),
        more,
    )
    return ConversationHandler.END


async def stale(update: Update, context: MaeulContext) -> None:
    if not await _refused(update, context):
        await blocks.refuse(update, context)


def register(app: Application) -> None:  # type: ignore[type-arg]
    conversation = steps.conversation(
        KEY,
        [
            CommandHandler("unanswered", unanswered_command),
            CallbackQueryHandler(teach, pattern=TEACH_RE),
        ],
        {
            ANSWER: [MessageHandler(steps.TYPED, answer_typed)],
            QUESTION: [MessageHandler(steps.TYPED, question_typed)],
            CONFIRM: [
                CallbackQueryHandler(publish, pattern=r"^kbq:publish$"),
                CallbackQueryHandler(reword, pattern=r"^kbq:re(word|answer)$"),
                MessageHandler(steps.TYPED, steps.press_buttons),
            ],
        },
        steps.forgetting(KEY),
        r"^kbq:cancel$",
    )
    app.add_handler(conversation)
    app.add_handler(CallbackQueryHandler(list_page, pattern=LIST_RE))
    app.add_handler(CallbackQueryHandler(show, pattern=SHOW_RE))
    app.add_handler(CallbackQueryHandler(stale, pattern=r"^kbq:"))


__all__ = ["register"]
