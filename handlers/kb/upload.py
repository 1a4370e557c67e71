"""A district admin sends the knowledge base as a YAML document; /kbexport sends it back
(issue 13, Knowledge).

The file is checked whole (:func:`bot.kb.edits.check_upload`): every problem is listed
with its place (``grants[3].amount.max_krw: …``, ``line 12, column 5: …``) and nothing
is imported while there is any. A valid file is imported in a savepoint that is rolled
back, so the admin sees what would change — created, updated, archived per section, with
the ids to be archived — before confirming. The confirmation names the file by its
SHA-256 (first 12 hex): the file is downloaded again on ✅ and must be the same bytes, and
the import runs in that update's transaction (``kb.import`` in the audit log), after
which the KB snapshot and the Q&A reload.

Only admins; every press is re-checked; a YAML file from anyone else gets a refusal,
other documents are left to the features that take them.
"""

from __future__ import annotations

import re
from datetime import datetime

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, InputFile, Update
from telegram.constants import ChatType
from telegram.error import TelegramError
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, MessageHandler, filters

from bot.core.text import esc, shorten
from bot.kb import edits
from bot.kb.records import SECTION_NAMES, ImportReport
from bot.telegram.context import MaeulContext
from handlers.core import blocks
from handlers.core.browse import admin

KEY = "kbupload"
MAX_PROBLEMS = 25
OK_RE = re.compile(r"^kbup:ok:([0-9a-f]{12})$")
NO_RE = re.compile(r"^kbup:no(?::([0-9a-f]{12}))?$")
YAML_FILE = filters.ChatType.PRIVATE & (
    filters.Document.FileExtension("yaml") | filters.Document.FileExtension("yml")
)
SECTION_LABELS = {
    "region": "지역", "dongs": "동", "categories": "분야", "grants": "공모사업",
    "faq": "FAQ", "events": "행사", "assemblies": "주민총회", "assembly_items": "총회 안건",
}  # fmt: skip


async def _refused(update: Update, context: MaeulContext) -> bool:
    if admin(context):
        return False
    await blocks.refuse(
        update, context, context.t._("Only district admins can import the knowledge base.")
    )
    return True


async def _download(context: MaeulContext, file_id: str) -> bytes | None:
    try:
        found = await context.bot.get_file(file_id)
        return bytes(await found.download_as_bytearray())
    except TelegramError:
        return None


def _section(t_lang: str, name: str) -> str:
    return SECTION_LABELS[name] if t_lang == "ko" else name.replace("_", " ")


def summary_lines(context: MaeulContext, report: ImportReport) -> list[str]:
    t = context.t
    lines = []
    for name in (*SECTION_NAMES, "assembly_items"):
        s = report[name]
        if not s.changed:
            continue
        line = t._(
            "{section}: {created} new, {updated} changed, {archived} archived",
            section=_section(t.lang, name),
            created=s.created,
            updated=s.updated,
            archived=s.archived,
        )
        if s.archived_ids:
            line += " (" + ", ".join(s.archived_ids[:10]) + ")"
        lines.append("• " + esc(line))
    return lines


async def document(update: Update, context: MaeulContext) -> None:
    if await _refused(update, context):
        return
    t = context.t
    doc = update.effective_message.document
    if doc.file_size and doc.file_size > edits.MAX_KB_FILE:
        await update.effective_message.reply_text(t._("The file is larger than 5 MB."))
        return
    data = await _download(context, doc.file_id)
    if data is None:
        await update.effective_message.reply_text(t._("I could not download the file."))
        return
    check = await edits.check_upload(context.db, data, context.runtime.clock.utcnow())
    name = esc(doc.file_name or "kb.yaml")
    if check.problems:
        lines = [
            "⛔ " + esc(t._("{name}: nothing was imported.", name=doc.file_name or "kb.yaml")),
            esc(t.n_("{n} problem to fix:", "{n} problems to fix:", len(check.problems))),
        ]
        lines += [f"• <code>{esc(shorten(p, 300))}</code>" for p in check.problems[:MAX_PROBLEMS]]
        if len(check.problems) > MAX_PROBLEMS:
            more = len(check.problems) - MAX_PROBLEMS
            lines.append(esc(t._("… and {n} more.", n=more)))
        await blocks.send_html(context, update.effective_chat.id, "\n".join(lines))
        return
    assert check.report is not None
    changes = summary_lines(context, check.report)
    lines = [f"📥 <b>{name}</b>", esc(t._("The file is valid."))]
    lines += [f"ℹ️ {esc(n)}" for n in check.notes[:5]]
    if not changes:
        lines.append(esc(t._("It changes nothing: the knowledge base already says all of it.")))
        await blocks.send_html(context, update.effective_chat.id, "\n".join(lines))
        return
    lines.append(esc(t._("Importing it will change:")))
    lines += changes
    assert context.user_data is not None
    context.user_data[KEY] = {"file_id": doc.file_id, "sha": check.digest}
    markup = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    t._("✅ Import"), callback_data=f"kbup:ok:{check.digest[:12]}"
                ),
                InlineKeyboardButton(t._("Cancel"), callback_data=f"kbup:no:{check.digest[:12]}"),
            ]
        ]
    )
    await blocks.send_html(context, update.effective_chat.id, "\n".join(lines), markup)


async def confirmed(update: Update, context: MaeulContext) -> None:
    if await _refused(update, context):
        return
    found = await blocks.matched(update, context, OK_RE)
    if found is None:
        return
    t = context.t
    state = context.user_data.get(KEY)
    if not isinstance(state, dict) or not str(state.get("sha", "")).startswith(found.group(1)):
        await blocks.refuse(update, context)
        return
    data = await _download(context, str(state["file_id"]))
    if data is None or edits.file_digest(data) != state["sha"]:
        await blocks.refuse(update, context, t._("I could not download the file."))
        return
    now: datetime = context.runtime.clock.utcnow()
    result = await edits.import_upload(
        context.db,
        data,
        actor=f"tg:{context.user.telegram_id}",
        actor_telegram_id=context.user.telegram_id,
        now=now,
        knowledge=context.runtime.knowledge,
    )
    context.user_data.pop(KEY, None)
    if result.problems or result.report is None:
        await blocks.refuse(update, context, t._("The file is no longer valid."))
        return
    await blocks.answer(update, t._("Imported."))
    lines = ["✅ " + esc(t._("Imported. The bot answers from the new knowledge base now."))]
    lines += summary_lines(context, result.report)
    await blocks.show(update, context, "\n".join(lines), None, edit=True)


async def declined(update: Update, context: MaeulContext) -> None:
    found = NO_RE.match(update.callback_query.data or "")
    state = context.user_data.get(KEY)
    if found is not None and found.group(1) is not None:
        waiting = isinstance(state, dict) and str(state.get("sha", "")).startswith(found.group(1))
        if not waiting:  # imported already (its reply lost), or another file since
            await blocks.refuse(update, context)
            return
    context.user_data.pop(KEY, None)
    await blocks.declined(update, context, context.t._("Cancelled. Nothing was changed."))


async def export(update: Update, context: MaeulContext) -> None:
    if update.effective_chat.type != ChatType.PRIVATE or await _refused(update, context):
        return
    t = context.t
    try:
        text = await edits.export_text(context.db)
    except LookupError:
        await update.effective_message.reply_text(
            t._(
                "Nothing has been imported yet. Please ask the centre to import the knowledge base."
            )
        )
        return
    now = context.runtime.clock.now()
    await context.bot.send_document(
        update.effective_chat.id,
        document=InputFile(text.encode("utf-8"), filename=f"maeul-kb-{now:%Y%m%d}.yaml"),
        caption=t._("The knowledge base as of {when}. Edit it and send it back to import it.",
                    when=t.format_datetime(now)),
    )  # fmt: skip


async def stale(update: Update, context: MaeulContext) -> None:
    if not await _refused(update, context):
        await blocks.refuse(update, context)


def register(app: Application) -> None:  # type: ignore[type-arg]
    app.add_handler(MessageHandler(YAML_FILE, document))
    app.add_handler(CommandHandler("kbexport", export))
    app.add_handler(CallbackQueryHandler(confirmed, pattern=OK_RE))
    app.add_handler(CallbackQueryHandler(declined, pattern=NO_RE))
    app.add_handler(CallbackQueryHandler(stale, pattern=r"^kbup:"))


__all__ = ["register"]
