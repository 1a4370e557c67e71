"""Subscriptions: private and group chats that want news of some kinds and dongs.

A chat subscribes to **kinds** — ``trainings``, ``meetings`` (meetings, forums,
consultations, festivals), ``assemblies``, ``grants`` — and to **dongs**. A group chat is
subscribed by one of its administrators (checked by the handler with getChatMember).

What subscribers get, all through the dispatcher:

* staff announcements (``/announce``) to the subscribers of one dong or one kind;
* a new event staff created (``/newevent``, ``maeul events create``): chats subscribed to
  its kind or to no kind at all — and, for an event of one dong, only those subscribed to
  that dong or to no dong at all (a chat subscribed to a dong alone hears of every new
  event there);
* a grant whose application opens (the morning it opens): chats subscribed to ``grants``.

Nothing here knows Telegram.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.i18n import N_
from bot.events.reminder_rows import ANNOUNCE, NEWS
from bot.kb.records import EventSpec, KnowledgeBase
from bot.reminders import rows as R
from models.events import Subscription
from models.user import User

KIND_TOPICS: tuple[str, ...] = ("trainings", "meetings", "assemblies", "grants")
TOPIC_LABELS: dict[str, str] = {
    "trainings": N_("🎓 Trainings"),
    "meetings": N_("🤝 Meetings and forums"),
    "assemblies": N_("🗳 General assemblies"),
    "grants": N_("📋 New grants"),
}
EVENT_TOPIC: dict[str, str] = {
    "training": "trainings",
    "meeting": "meetings",
    "forum": "meetings",
    "consultation": "meetings",
    "festival": "meetings",
    "assembly": "assemblies",
}
NEWS_WINDOW = timedelta(days=3)
"""A grant-opening notice not sent within three days of the opening is not sent."""


@dataclass(frozen=True)
class Target:
    chat_id: int
    user_id: int | None
    lang: str | None


async def of_chat(session: AsyncSession, chat_id: int) -> set[tuple[str, str]]:
    """The chat's subscriptions as ``(topic, value)``: ``("kind", "trainings")``,
    ``("dong", "hanbit1")``."""
    rows = await session.execute(
        select(Subscription.topic, Subscription.value).where(Subscription.chat_id == chat_id)
    )
    return {(topic, value) for topic, value in rows.all()}


async def toggle(
    session: AsyncSession,
    *,
    chat_id: int,
    chat_type: str,
    topic: str,
    value: str,
    now: datetime,
    user: User | None = None,
    language: str | None = None,
    by: int | None = None,
    want: bool | None = None,
) -> bool:
    """Subscribe or unsubscribe (``want=None``), or make sure the subscription is on /
    off; returns True when the chat is now subscribed."""
    if topic not in ("kind", "dong"):
        raise ValueError(f"unknown topic {topic!r}")
    if topic == "kind" and value not in KIND_TOPICS:
        raise ValueError(f"unknown kind {value!r}")
    existing = (
        await session.execute(
            select(Subscription).where(
                Subscription.chat_id == chat_id,
                Subscription.topic == topic,
                Subscription.value == value,
            )
        )
    ).scalar_one_or_none()
    if existing is not None:
        if want:
            return True
        await session.delete(existing)
        await session.flush()
        return False
    if want is False:
        return False
    session.add(
        Subscription(
            chat_id=chat_id,
            chat_type=chat_type,
            user_id=user.id if user is not None else None,
            topic=topic,
            value=value,
            language=language,
            created_at=now,
            created_by=by,
        )
    )
    await session.flush()
    return True


async def clear(session: AsyncSession, chat_id: int) -> None:
    await session.execute(delete(Subscription).where(Subscription.chat_id == chat_id))
    await session.flush()


async def _targets(session: AsyncSession, rows: list[Subscription]) -> list[Target]:
    user_ids = {r.user_id for r in rows if r.user_id is not None}
    active: dict[int, User] = {}
    if user_ids:
        found = await session.execute(
            select(User).where(User.id.in_(user_ids), User.active.is_(True))
        )
        active = {u.id: u for u in found.scalars()}
    seen: set[int] = set()
    out = []
    for row in sorted(rows, key=lambda r: (r.created_at, r.id)):
        if row.chat_id in seen:
            continue
        if row.user_id is not None and row.user_id not in active:
            continue
        seen.add(row.chat_id)
        out.append(Target(row.chat_id, row.user_id, row.language))
    return out


async def subscribers(session: AsyncSession, topic: str, value: str) -> list[Target]:
    """Every chat subscribed to ``(topic, value)``, once each; inactive users left out."""
    rows = await session.execute(
        select(Subscription).where(Subscription.topic == topic, Subscription.value == value)
    )
    return await _targets(session, list(rows.scalars()))


async def kind_and_dong_choices(
    session: AsyncSession,
) -> tuple[list[Subscription], dict[int, set[str]], dict[int, set[str]]]:
    """Every kind and dong subscription, and each chat's chosen kinds and dongs."""
    rows = list(
        (
            await session.execute(
                select(Subscription).where(Subscription.topic.in_(("kind", "dong")))
            )
        ).scalars()
    )
    kinds: dict[int, set[str]] = {}
    dongs: dict[int, set[str]] = {}
    for row in rows:
        (kinds if row.topic == "kind" else dongs).setdefault(row.chat_id, set()).add(row.value)
    return rows, kinds, dongs


async def event_audience(session: AsyncSession, event: EventSpec) -> list[Target]:
    """Chats that want news of this event (see the module docstring).

    A chat's kinds and dongs each narrow what it hears, and only when chosen: a chat
    subscribed to kinds only hears of those kinds everywhere; to dongs only, of every
    event in those dongs; to both, of those kinds in those dongs. District-wide events
    reach every chat whose kinds (if any) match.
    """
    topic = EVENT_TOPIC[event.kind]
    rows, kinds, dongs = await kind_and_dong_choices(session)

    def wants(chat_id: int) -> bool:
        chat_kinds, chat_dongs = kinds.get(chat_id), dongs.get(chat_id)
        if chat_kinds and topic not in chat_kinds:
            return False
        return event.dong is None or not chat_dongs or event.dong in chat_dongs

    return await _targets(session, [r for r in rows if wants(r.chat_id)])


def _planned(
    target: Target,
    kind: str,
    ref: str,
    key: str,
    due_at: datetime,
    expires_at: datetime,
    payload: dict[str, Any],
) -> R.Planned:
    """A row addressed to ``target``: a chat with no user takes its language in the payload."""
    return R.Planned(
        kind=kind,
        key=key,
        chat_id=target.chat_id,
        user_id=target.user_id,
        due_at=due_at,
        expires_at=expires_at,
        ref=ref,
        payload={**payload, "lang": target.lang} if target.user_id is None else payload,
    )


async def announce(
    session: AsyncSession,
    *,
    topic: str,
    value: str,
    text: str,
    label: dict[str, str] | None,
    now: datetime,
    announcement_id: str,
) -> int:
    """Queue a staff announcement for every subscriber of ``(topic, value)``; returns
    how many. ``announcement_id`` makes a double submit queue it once."""
    targets = await subscribers(session, topic, value)
    return await queue_announcement(
        session, targets, (topic, value), text, label, now=now, announcement_id=announcement_id
    )


async def queue_announcement(
    session: AsyncSession,
    targets: list[Target],
    subject: tuple[str, str],
    text: str,
    label: dict[str, str] | None,
    *,
    now: datetime,
    announcement_id: str,
) -> int:
    """One ``announce`` row per target chat, about ``subject`` (the topic and value it was
    sent to); returns how many. ``announcement_id`` makes a double submit queue it once."""
    topic, value = subject
    items = [
        _planned(
            target,
            ANNOUNCE,
            f"announce:{announcement_id}",
            f"announce:{announcement_id}:{target.chat_id}",
            now,
            now + timedelta(days=2),
            {"text": text, "target_label": label, "topic": topic, "value": value},
        )
        for target in targets
    ]
    await R.enqueue(session, items, now)
    return len(items)


async def notify_new_event(session: AsyncSession, event: EventSpec, now: datetime) -> int:
    """Tell the event's audience about a new staff-created event."""
    targets = await event_audience(session, event)
    items = [
        _planned(
            target,
            NEWS,
            f"news:event:{event.id}",
            f"news:event:{event.id}:{target.chat_id}",
            now,
            max(event.starts_at, now + timedelta(hours=1)),
            {"type": "new_event", "event_id": event.id},
        )
        for target in targets
    ]
    return await R.enqueue(session, items, now)


async def plan_grant_news(
    session: AsyncSession, kb: KnowledgeBase, now: datetime, tz: tzinfo
) -> int:
    """The morning a grant's application opens, ``grants`` subscribers hear of it (a
    subscription made after that moment does not bring old news)."""
    opening = []
    for grant in kb.grants:
        due = R.local_at(grant.application.opens, R.REMIND_AT, tz)
        if due <= now < due + NEWS_WINDOW:
            opening.append((grant, due))
    if not opening:
        return 0
    rows = list(
        (
            await session.execute(
                select(Subscription).where(
                    Subscription.topic == "kind", Subscription.value == "grants"
                )
            )
        ).scalars()
    )
    items = []
    for grant, due in opening:
        early = [r for r in rows if r.created_at < due]
        for target in await _targets(session, early):
            items.append(
                _planned(
                    target,
                    NEWS,
                    f"news:grant:{grant.id}",
                    f"news:grant:{grant.id}:{grant.application.opens}:{target.chat_id}",
                    due,
                    due + NEWS_WINDOW,
                    {"type": "grant_open", "grant_id": grant.id},
                )
            )
    return await R.enqueue(session, items, now)


__all__ = [
    "EVENT_TOPIC",
    "KIND_TOPICS",
    "TOPIC_LABELS",
    "Target",
    "announce",
    "clear",
    "event_audience",
    "notify_new_event",
    "of_chat",
    "plan_grant_news",
    "subscribers",
    "toggle",
]
