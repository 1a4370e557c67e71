"""Telegram handlers, one module per feature. ``register`` wires them in order.

Group −1 loads the per-update context (user, language, database session). Group 0 holds
the features; the fallbacks are registered last so that only updates no feature took
reach them.
"""

from __future__ import annotations

import warnings

from telegram import Update
from telegram.ext import Application, TypeHandler
from telegram.warnings import PTBUserWarning

from handlers import errors, fallbacks, language, mydong, start
from handlers.context_loader import load_context

# Our conversations track the user, not each message: PTB's per_message advice does not apply.
warnings.filterwarnings("ignore", message="If 'per_message=False'", category=PTBUserWarning)


def register(app: Application) -> None:  # type: ignore[type-arg]
    app.add_handler(TypeHandler(Update, load_context), group=-1)
    for feature in (mydong, start, language):  # conversations first
        feature.register(app)
    fallbacks.register(app)
    app.add_error_handler(errors.on_error)
