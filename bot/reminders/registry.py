"""What the features tell the dispatcher at start-up: their reminder kinds and planners.

The dispatcher (:mod:`bot.reminders.dispatch`) knows no feature. Each feature that sends
messages on its own has a ``register(registry)`` (``bot/<feature>/reminders.py``), called
once by the composition root (:mod:`bot.features`) before the dispatcher runs:

* a **kind** (:class:`Kind`) renders a claimed row for its recipient, or drops it when it
  became pointless (the event started, the vote closed, the survey was answered …): its
  renderer raises :class:`Drop` with the reason;
* a **planner** creates the rows the tables say are due (grant deadlines from follows,
  the assembly non-voter reminder, surveys, subscription news, registrations moved by a
  KB change); each runs in its own transaction at every pass;
* an **on_blocked** hook cleans up after a chat blocked the bot (a group's subscriptions).

The ``message`` kind (a text rendered when it was written, :func:`bot.reminders.outbox.tell`)
belongs to the dispatcher itself and is always registered.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from typing import TYPE_CHECKING, Any

from sqlalchemy.ext.asyncio import AsyncSession

from models.events import Reminder
from models.user import User

if TYPE_CHECKING:
    from bot.core.i18n import Translator
    from bot.core.runtime import Runtime
    from bot.reminders.rows import OutMessage


class Drop(Exception):
    """Raised by a renderer: the row is pointless now (``reason`` says why)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass
class RenderContext:
    """What renderers share while one batch of claimed rows is prepared."""

    session: AsyncSession
    now: datetime
    tz: tzinfo
    users: dict[int, User]
    cache: dict[str, Any] = field(default_factory=dict)
    """Per batch, for the kinds' own lookups (filled by their ``preload``)."""


Render = Callable[[RenderContext, Reminder, "Translator"], Awaitable["OutMessage"]]
Preload = Callable[[RenderContext, Sequence[Reminder]], Awaitable[None]]
Planner = Callable[[AsyncSession, "Runtime", datetime], Awaitable[int | Mapping[str, int]]]
OnBlocked = Callable[[AsyncSession, int], Awaitable[None]]


@dataclass(frozen=True)
class Kind:
    """A kind of row (``Reminder.kind``): how it is rendered, what it loads in bulk first."""

    name: str
    render: Render
    preload: Preload | None = None


@dataclass
class Registry:
    kinds: dict[str, Kind] = field(default_factory=dict)
    planners: dict[str, Planner] = field(default_factory=dict)
    on_blocked: list[OnBlocked] = field(default_factory=list)

    def kind(self, name: str, render: Render, *, preload: Preload | None = None) -> None:
        self.kinds[name] = Kind(name, render, preload)

    def planner(self, name: str, plan: Planner) -> None:
        """``plan(session, runtime, now)`` → rows created (or counts by name)."""
        self.planners[name] = plan

    def blocked(self, hook: OnBlocked) -> None:
        """``hook(session, chat_id)`` after a group chat blocked the bot."""
        if hook not in self.on_blocked:
            self.on_blocked.append(hook)


registry = Registry()
"""The registry the running bot uses; :func:`bot.features.register` fills it."""


__all__ = [
    "Drop",
    "Kind",
    "OnBlocked",
    "Planner",
    "Preload",
    "Registry",
    "Render",
    "RenderContext",
    "registry",
]
