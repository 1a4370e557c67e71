"""The features, composed: what each one registers with the shared services at start-up.

The reminder dispatcher (:mod:`bot.reminders`) knows no feature; each feature that sends
messages on its own registers its kinds of rows and its planners here. Adding a feature
that reminds people is one line below (see the README, "How to add a feature").
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.assembly import privacy as assembly_privacy
from bot.assembly import reminders as assembly_reminders
from bot.assembly import service as assembly_service
from bot.core import privacy
from bot.events import privacy as events_privacy
from bot.events import reminders as events_reminders
from bot.kb import privacy as kb_privacy
from bot.kb import reminders as kb_reminders
from bot.proposals import privacy as proposals_privacy
from bot.qa import live as qa_live
from bot.qa import privacy as qa_privacy
from bot.qa.render import VoteState
from bot.reminders import privacy as reminders_privacy
from bot.reminders.registry import Registry, registry
from models import AssemblyVote

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
    register_live_votes()
    if "privacy-purge" not in into.planners:  # retention, once a day (bot/core/privacy.py)
        into.planner("privacy-purge", privacy.DailyPurge(privacy.registry))
    return into


def register_privacy(into: privacy.Registry = privacy.registry) -> privacy.Registry:
    """Fill the privacy registry (the running bot's by default); harmless to repeat."""
    for feature in PRIVACY:
        feature.register(into)
    return into


__all__ = ["FEATURES", "PRIVACY", "register", "register_privacy"]


# --- the Q&A feature's answers about a vote read the vote as it stands (bot/qa/live.py) ------
async def vote_state_of(session: AsyncSession, vote: AssemblyVote, now: datetime) -> VoteState:
    """What an answer says of a vote: moved, closed early, items added by staff (the KB
    says only what was planned)."""
    items = await assembly_service.items_of(session, vote)
    return VoteState(
        opens_at=vote.opens_at,
        closes_at=vote.closes_at,
        closed=assembly_service.status(vote, now) == assembly_service.Status.CLOSED,
        method=vote.method,
        max_choices=vote.max_choices,
        items=tuple(dict(item.title) for item in items),
        revoting=vote.revoting,
    )


async def _live_vote(session: AsyncSession, assembly_id: str, now: datetime) -> VoteState | None:
    vote = await assembly_service.get_vote(session, assembly_id, now)
    return None if vote is None else await vote_state_of(session, vote, now)


def register_live_votes() -> None:
    """The Q&A feature reads votes through :mod:`bot.qa.live`; calling it again is harmless."""
    qa_live.register(_live_vote)
