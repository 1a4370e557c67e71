"""/assembly: the staff side of assembly votes, for staff of the assembly's dong and admins.

Everything a council secretary does for a general assembly (주민총회), from a phone:

* prepare — create one step by step (:mod:`.staff_new`), put items on the ballot (typed,
  or the dong's accepted proposals), set mode, re-voting, quorum and the eligible
  population, review and open (:mod:`.staff_ballot`);
* codes — issue N voting codes; the printable PDF arrives in the chat (:mod:`.staff_codes`);
* the assembly day — mark on-site voters' codes, typed or from a photo of the QR code, and
  enter the paper totals with a confirmation screen (:mod:`.staff_onsite`);
* close, results with the chart, the xlsx and the audit (:mod:`.staff_results`).

Nobody sees live results: the ballots are sealed until the close. Every press and every
typed answer re-checks the staff role for the assembly's dong
(:func:`.staff_common.staff_vote`); the rules and the audit log are the service's, the same
as ``maeul assembly``'s.
"""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)

from bot import assembly as A
from bot.assembly.service import title_of
from bot.core.text import esc, shorten
from bot.telegram.context import MaeulContext
from handlers.assembly import (
    staff_ballot,
    staff_codes,
    staff_new,
    staff_onsite,
    staff_results,
    staff_settings,
)
from handlers.assembly.staff_common import (
    CODES,
    ITEM,
    MARK,
    PERIOD,
    POPULATION,
    QUORUM,
    REF,
    TOTALS,
    TOTALS_REVIEW,
    is_any_staff,
    staff_dongs,
)
from handlers.assembly.staff_onsite import TOTALS_SAVE
from handlers.assembly.staff_panel import panel, state_text
from handlers.core import blocks, steps


async def staff_list(update: Update, context: MaeulContext) -> int:
    t = context.t
    await blocks.answer(update)
    if not is_any_staff(context):
        await update.effective_message.reply_text(
            t._("This is for the staff of a dong. Residents vote with /vote.")
        )
        return ConversationHandler.END
    now = context.runtime.clock.now()
    votes = await A.list_votes(context.db, now, staff_dongs(context))
    lines = [f"<b>{esc(t._('Assembly votes you manage'))}</b>", ""]
    rows = []
    for vote in votes:
        lines.append(f"• {esc(title_of(vote, t.lang))} — {esc(state_text(t, vote, now))}")
        rows.append(
            [
                InlineKeyboardButton(
                    shorten(title_of(vote, t.lang), 60), callback_data=f"asm:o:{vote.id}"
                )
            ]
        )
    if not votes:
        lines.append(t._("There are no assembly votes right now."))
    rows.append([InlineKeyboardButton(t._("➕ New assembly"), callback_data="asm:new")])
    await blocks.show(update, context, "\n".join(lines), InlineKeyboardMarkup(rows), edit=True)
    return ConversationHandler.END


def register(app: Application) -> None:  # type: ignore[type-arg]
    """One conversation holds every typed answer of the staff screens (so that a typed
    title never lands in another screen's question); the buttons that need no typing are
    plain handlers."""
    ref = rf"^asm:%s:{REF}$"
    conversation = steps.conversation(
        "assembly_staff",
        [
            CommandHandler("assembly", staff_list),
            CallbackQueryHandler(staff_settings.ask_population, pattern=ref % "pop"),
            CallbackQueryHandler(staff_settings.ask_quorum, pattern=ref % "quo"),
            CallbackQueryHandler(staff_settings.ask_period, pattern=ref % "per"),
            CallbackQueryHandler(staff_ballot.ask_item, pattern=ref % "item"),
            CallbackQueryHandler(staff_codes.ask_count, pattern=ref % "codes"),
            CallbackQueryHandler(staff_onsite.ask_mark, pattern=ref % "mark"),
            CallbackQueryHandler(staff_onsite.ask_totals, pattern=ref % "tot"),
            CallbackQueryHandler(staff_new.start, pattern=r"^asm:new$"),
            CallbackQueryHandler(staff_new.start, pattern=r"^asm:nd:[a-z0-9_-]{1,64}$"),
        ],
        {
            POPULATION: [MessageHandler(steps.TYPED, staff_settings.typed_population)],
            QUORUM: [MessageHandler(steps.TYPED, staff_settings.typed_quorum)],
            PERIOD: [MessageHandler(steps.TYPED, staff_settings.typed_period)],
            ITEM: [MessageHandler(steps.TYPED, staff_ballot.typed_item)],
            CODES: [
                MessageHandler(steps.TYPED, staff_codes.typed_count),
                CallbackQueryHandler(
                    staff_codes.picked_count, pattern=rf"^asm:cn:{REF}:\d{{1,5}}$"
                ),
            ],
            MARK: [
                MessageHandler(steps.TYPED, staff_onsite.typed_codes),
                MessageHandler(filters.PHOTO | filters.Document.IMAGE, staff_onsite.photo),
            ],
            TOTALS: [MessageHandler(steps.TYPED, staff_onsite.typed_total)],
            TOTALS_REVIEW: [  # button-only steps: typed text gets "use the buttons"
                CallbackQueryHandler(staff_onsite.save_totals, pattern=TOTALS_SAVE),
                CallbackQueryHandler(panel, pattern=ref % "o"),
                MessageHandler(steps.TYPED, steps.press_buttons_then(TOTALS_REVIEW)),
            ],
            **staff_new.states(),
        },
        staff_ballot.done_typing,
        r"^asm:stop$",
    )
    app.add_handler(conversation)
    app.add_handler(CallbackQueryHandler(staff_list, pattern=r"^asm:list$"))
    app.add_handler(CallbackQueryHandler(panel, pattern=ref % "o"))
    staff_ballot.register(app)
    staff_onsite.register(app)
    staff_results.register(app)
