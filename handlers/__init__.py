"""Telegram handlers, a folder per feature (``core`` for what every chat shares).
``register`` wires them in order, explicitly.

Group −1 loads the per-update context (user, language, database session). Group 0 holds
the features; the fallbacks are registered last so that only updates no feature took
reach them.
"""

from __future__ import annotations

import warnings

from telegram import Update
from telegram.ext import Application, TypeHandler
from telegram.warnings import PTBUserWarning

from handlers import stats as staff_stats
from handlers.assembly import staff as assembly_staff
from handlers.assembly import vote
from handlers.core import commands, errors, fallbacks, language, mydong, start, undelivered
from handlers.core import privacy as core_privacy
from handlers.core import roles as staff_roles
from handlers.core.context_loader import load_context
from handlers.events import (
    announce,
    newevent,
    registration,
    staff_attend,
    staff_cancel,
    staff_change,
    staff_events,
    subscribe,
    survey,
)
from handlers.events import browse as events
from handlers.kb import check, faq, grants
from handlers.kb import edits as kbedit
from handlers.kb import unanswered as kb_unanswered
from handlers.kb import upload as kb_upload
from handlers.proposals import browse as proposals
from handlers.proposals import propose, review
from handlers.qa import ask

# Our conversations track the user, not each message: PTB's per_message advice does not apply.
warnings.filterwarnings("ignore", message="If 'per_message=False'", category=PTBUserWarning)


def register(app: Application) -> None:  # type: ignore[type-arg]
    app.add_handler(TypeHandler(Update, load_context), group=-1)
    # conversations first
    for feature in (
        # assembly staff before vote: a code typed at the on-site desk is marked, not redeemed
        mydong, check, kbedit, review, propose, proposals, assembly_staff, vote, start, language,
        newevent, announce, survey,  # issue 6 conversations
        staff_change, staff_events, staff_cancel, staff_attend,  # issue 13: events from the bot
        grants, events, faq,
        registration, subscribe,  # issue 6: registering, /calendar, /checkin, /subscribe
        core_privacy,  # /mydata, /forget
        staff_roles, kb_unanswered, kb_upload, staff_stats,  # issue 13: staff from Telegram
        ask,  # last: free text that no conversation took is a question
    ):  # fmt: skip
        feature.register(app)
    fallbacks.register(app)
    undelivered.watch_unconfirmed(app)  # steps whose question a dead process never sent
    commands.register(app)  # group 1: the staff command menu follows the user's roles
    app.add_error_handler(errors.on_error)
