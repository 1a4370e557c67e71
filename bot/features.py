"""The features, composed: what each one registers with the shared services at start-up.

The reminder dispatcher (:mod:`bot.reminders`) knows no feature; each feature that sends
messages on its own registers its kinds of rows and its planners here. Adding a feature
that reminds people is one line below (see the README, "How to add a feature").
"""

from __future__ import annotations

from bot.assembly import reminders as assembly_reminders
from bot.events import reminders as events_reminders
from bot.kb import reminders as kb_reminders
from bot.reminders.registry import Registry, registry

FEATURES = (kb_reminders, events_reminders, assembly_reminders)


def register(into: Registry = registry) -> Registry:
    """Fill ``into`` (the running bot's registry by default); calling it again is harmless."""
    for feature in FEATURES:
        feature.register(into)
    return into


__all__ = ["FEATURES", "register"]
