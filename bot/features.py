"""The features, composed: what each one registers with the shared services at start-up.

The reminder dispatcher (:mod:`bot.reminders`) knows no feature; each feature that sends
messages on its own registers its kinds of rows and its planners here. Adding a feature
that reminds people is one line below (see the README, "How to add a feature").
"""

from __future__ import annotations

from bot.assembly import privacy as assembly_privacy
from bot.assembly import reminders as assembly_reminders
from bot.core import privacy
from bot.events import privacy as events_privacy
from bot.events import reminders as events_reminders
from bot.kb import privacy as kb_privacy
from bot.kb import reminders as kb_reminders
from bot.proposals import privacy as proposals_privacy
from bot.qa import privacy as qa_privacy
from bot.reminders import privacy as reminders_privacy
from bot.reminders.registry import Registry, registry

FEATURES = (kb_reminders, events_reminders, assembly_reminders)
PRIVACY = (
    proposals_privacy, assembly_privacy, events_privacy, kb_privacy, qa_privacy,
    reminders_privacy,
)  # fmt: skip
"""What each feature stores about a person (/mydata, /forget, retention):
:mod:`bot.core.privacy`."""


def register(into: Registry = registry) -> Registry:
    """Fill ``into`` (the running bot's registry by default); calling it again is harmless."""
    for feature in FEATURES:
        feature.register(into)
    register_privacy()
    if "privacy-purge" not in into.planners:  # retention, once a day (bot/core/privacy.py)
        into.planner("privacy-purge", privacy.DailyPurge(privacy.registry))
    return into


def register_privacy(into: privacy.Registry = privacy.registry) -> privacy.Registry:
    """Fill the privacy registry (the running bot's by default); harmless to repeat."""
    for feature in PRIVACY:
        feature.register(into)
    return into


__all__ = ["FEATURES", "PRIVACY", "register", "register_privacy"]
