"""Turning claimed reminder rows into messages — or dropping the ones pointless now.

Right before a row is sent the dispatcher asks :func:`prepare` whether it still makes
sense *now* (the database and the schedule are the truth, not what was true when it was
planned): an event reminder whose registration was cancelled, whose occurrence moved or
was cancelled, or whose event has started is dropped; so is a grant reminder after
unfollowing, a non-voter reminder after the vote, a survey already answered, anything past
its ``expires_at``. Rows for people who blocked the bot are skipped. Everything else is
rendered in the recipient's language *at send time* (their current choice).

Nothing here knows Telegram: a message is a :class:`bot.reminders.OutMessage`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, tzinfo
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot import reminders as R
from bot import schedule
from bot.core.i18n import Translator
from bot.core.text import esc, localized
from bot.kb import cards
from bot.kb.records import EventSpec, KnowledgeBase
from bot.registrations import occ_token
from models.events import Registration, Reminder, SurveyInvitation
from models.follow import GrantFollow
from models.kb import Grant
from models.user import User

TranslatorFactory = Callable[[str | None, str | None], Translator]


@dataclass(frozen=True)
class Prepared:
    """A claimed row, ready to send (``message``) or to be closed (``status``)."""

    reminder_id: int
    chat_id: int
    group: bool
    message: R.OutMessage | None
    status: str | None = None
    """``dropped`` or ``skipped`` when there is nothing to send; ``reason`` says why."""
    reason: str | None = None
    user_id: int | None = None


class _Drop(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _dt(value: Any) -> datetime:
    parsed = datetime.fromisoformat(str(value))
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


def _same(a: datetime, b: datetime) -> bool:
    return a.astimezone(UTC) == b.astimezone(UTC)


@dataclass
class _Context:
    session: AsyncSession
    kb: KnowledgeBase | None
    now: datetime
    tz: tzinfo
    users: dict[int, User]
    registrations: dict[int, Registration]
    events: dict[str, EventSpec | None] = field(default_factory=dict)

    async def event(self, event_id: str) -> EventSpec | None:
        """The event as stored now — read from the database, not the KB snapshot, which
        may be a second behind a move or a creation in another process."""
        if event_id not in self.events:
            from bot.registrations import event_spec

            self.events[event_id] = await event_spec(self.session, event_id, self.tz)
        return self.events[event_id]


async def prepare(
    session: AsyncSession,
    rows: Sequence[Reminder],
    kb: KnowledgeBase | None,
    now: datetime,
    tz: tzinfo,
    translator: TranslatorFactory,
) -> list[Prepared]:
    """Decide and render every claimed row (loads what they need in bulk)."""
    user_ids = {r.user_id for r in rows if r.user_id is not None}
    users = {}
    if user_ids:
        found = await session.execute(select(User).where(User.id.in_(user_ids)))
        users = {u.id: u for u in found.scalars()}
    registration_ids = {
        int(r.payload["registration_id"])
        for r in rows
        if r.kind == R.EVENT and "registration_id" in r.payload
    }
    registrations = {}
    if registration_ids:
        found_regs = await session.execute(
            select(Registration).where(Registration.id.in_(registration_ids))
        )
        registrations = {reg.id: reg for reg in found_regs.scalars()}
    ctx = _Context(session, kb, now, tz, users, registrations)
    out = []
    for row in rows:
        out.append(await _prepare_one(ctx, row, translator))
    return out


async def _prepare_one(ctx: _Context, row: Reminder, translator: TranslatorFactory) -> Prepared:
    def closed(status: str, reason: str) -> Prepared:
        return Prepared(row.id, row.chat_id, row.chat_id < 0, None, status, reason, row.user_id)

    if row.expires_at is not None and ctx.now >= row.expires_at:
        return closed("dropped", "expired")
    user = ctx.users.get(row.user_id) if row.user_id is not None else None
    if row.user_id is not None:
        if user is None:
            return closed("dropped", "no such user")
        if not user.active:
            return closed("skipped", "inactive user")
        t = translator(user.language, user.telegram_language)
    else:
        t = translator(row.payload.get("lang"), None)
    render = _RENDERERS.get(row.kind)
    if render is None:
        return closed("dropped", f"unknown kind {row.kind}")
    try:
        message = await render(ctx, row, t)
    except _Drop as drop:
        return closed("dropped", drop.reason)
    return Prepared(row.id, row.chat_id, row.chat_id < 0, message, user_id=row.user_id)


# ---------------------------------------------------------------------------------------
# Per kind
# ---------------------------------------------------------------------------------------


def _relative(start: datetime, now: datetime, t: Translator) -> str:
    minutes = max(1, int((start - now).total_seconds() // 60))
    if minutes < 90:
        return t.n_("starts in {n} minute", "starts in {n} minutes", minutes)
    hours = round(minutes / 60)
    if hours < 36:
        return t.n_("starts in {n} hour", "starts in {n} hours", hours)
    days = round(hours / 24)
    return t.n_("starts in {n} day", "starts in {n} days", days)


async def _event(ctx: _Context, row: Reminder, t: Translator) -> R.OutMessage:
    payload = row.payload
    registration = ctx.registrations.get(int(payload.get("registration_id", 0)))
    if registration is None or registration.status != "registered":
        raise _Drop("registration cancelled")
    planned_start = _dt(payload["starts_at"])
    if not _same(registration.starts_at, planned_start):
        raise _Drop("the occurrence moved")
    event = await ctx.event(registration.event_id)
    if event is None:
        raise _Drop("event no longer in the schedule")
    occurrence = schedule.find_original(event, registration.occurrence_start, ctx.tz)
    if occurrence is None or occurrence.cancelled:
        raise _Drop("occurrence cancelled")
    if not _same(occurrence.starts_at, planned_start):
        raise _Drop("the occurrence moved")
    if ctx.now >= occurrence.starts_at:
        raise _Drop("the event has started")
    lines = [
        "⏰ " + f"<b>{esc(event.title.get(t.lang))}</b>",
        esc(t._("Reminder: it {when}.", when=_relative(occurrence.starts_at, ctx.now, t))),
        "",
        "🕒 " + esc(cards.time_range(occurrence.starts_at, occurrence.ends_at, t)),
        "📍 " + esc(event.place.get(t.lang)),
    ]
    buttons = (
        (
            (t._("📅 Event card"), cards.occurrence_data(event.id, occurrence.day)),
            (
                t._("Cancel my registration"),
                f"reg:out:{occ_token(event.id, occurrence.recurrence_id)}",
            ),
        ),
    )
    return R.OutMessage("\n".join(lines), buttons)


async def _grant(ctx: _Context, row: Reminder, t: Translator) -> R.OutMessage:
    grant_id = str(row.payload.get("grant_id"))
    following = await ctx.session.scalar(
        select(GrantFollow.id).where(
            GrantFollow.user_id == row.user_id, GrantFollow.grant_id == grant_id
        )
    )
    if following is None:
        raise _Drop("no longer following")
    grant = await ctx.session.get(Grant, grant_id)  # as stored now, not a snapshot
    if grant is None or grant.archived:
        raise _Drop("grant no longer listed")
    closes = grant.closes_on
    if closes.isoformat() != row.payload.get("closes"):
        raise _Drop("the deadline changed")
    today = ctx.now.astimezone(ctx.tz).date()
    left = (closes - today).days
    if left < 0:
        raise _Drop("closed")
    if left == 0:
        when = t._("closes today")
    else:
        when = t.n_("{n} day left", "{n} days left", left)
    text = "\n".join(
        [
            "⏰ " + f"<b>{esc(localized(grant.name, t.lang))}</b>",
            esc(
                t._(
                    "Applications close on {date} ({left}).",
                    date=t.format_date(closes),
                    left=when,
                )
            ),
            esc(localized(grant.how_to_apply, t.lang)),
        ]
    )
    return R.OutMessage(text, (((t._("📋 Grant details"), cards.show_data("grants", grant.id)),),))


async def _vote(ctx: _Context, row: Reminder, t: Translator) -> R.OutMessage:
    from models.assembly import AssemblyVote, Voter

    found = (
        await ctx.session.execute(
            select(Voter, AssemblyVote)
            .join(AssemblyVote, AssemblyVote.id == Voter.vote_id)
            .where(Voter.id == int(row.payload.get("voter_id", 0)))
        )
    ).first()
    if found is None:
        raise _Drop("no such voter")
    voter, vote = found
    if voter.voted or voter.onsite:
        raise _Drop("voted meanwhile")
    if vote.tallied_at is not None or ctx.now >= vote.closes_at:
        raise _Drop("the vote has closed")
    text = t._(
        "🗳 “{title}” closes at {closes}. You registered with a voting code but have not "
        "voted yet. Send /vote to vote.",
        title=localized(vote.title, t.lang),
        closes=t.format_datetime(vote.closes_at),
    )
    return R.OutMessage(esc(text))


async def _survey(ctx: _Context, row: Reminder, t: Translator) -> R.OutMessage:
    token = str(row.payload.get("token", ""))
    invitation = (
        await ctx.session.execute(select(SurveyInvitation).where(SurveyInvitation.token == token))
    ).scalar_one_or_none()
    if invitation is None or invitation.rated:
        raise _Drop("answered")
    event = await ctx.event(invitation.event_id)
    title = event.title.get(t.lang) if event is not None else invitation.event_id
    day = _dt(row.payload.get("starts_at", invitation.occurrence_start.isoformat()))
    text = "\n".join(
        [
            "📝 "
            + esc(
                t._(
                    "How was “{title}” on {date}?",
                    title=title,
                    date=t.format_date(day, short=True),
                )
            ),
            esc(
                t._(
                    "Please rate it from 1 (poor) to 5 (excellent). Your answer is anonymous: "
                    "the centre sees only totals."
                )
            ),
        ]
    )
    buttons = (tuple((str(n), f"svy:{token}:{n}") for n in range(1, 6)),)
    return R.OutMessage(text, buttons)


async def _notice(ctx: _Context, row: Reminder, t: Translator) -> R.OutMessage:
    p = row.payload
    title = esc(localized(p.get("title"), t.lang))
    place = esc(localized(p.get("place"), t.lang))
    kind = p.get("type")
    start, end = _dt(p["starts_at"]), _dt(p["ends_at"])
    when = esc(cards.time_range(start, end, t))
    if kind == "moved":
        old = _dt(p["old_start"])
        lines = [
            "📅 " + f"<b>{title}</b>",
            esc(
                t._("This event has moved. You stay on the waitlist for the new time.")
                if p.get("waitlisted")
                else t._(
                    "This event has moved. You stay registered; reminders follow the new time."
                )
            ),
            "",
            "🕒 " + when,
            "📍 " + place,
            esc(t._("(It was {old}.)", old=t.format_datetime(old))),
        ]
        day = start.astimezone(ctx.tz).date()
        return R.OutMessage(
            "\n".join(lines),
            (((t._("📅 Event card"), cards.occurrence_data(str(p["event_id"]), day)),),),
        )
    if kind == "cancelled":
        lines = [
            "❌ " + f"<b>{title}</b>",
            esc(
                t._(
                    "This date has been cancelled: {when}. Your registration is cancelled; "
                    "you will get no reminders for it.",
                    when=t.format_datetime(start),
                )
            ),
        ]
        return R.OutMessage("\n".join(lines))
    if kind == "promoted":
        lines = [
            "🎉 " + f"<b>{title}</b>",
            esc(t._("A seat opened up: you are now registered.")),
            "",
            "🕒 " + when,
            "📍 " + place,
        ]
        day = start.astimezone(ctx.tz).date()
        token = occ_token(str(p["event_id"]), _dt(p["original"]))
        return R.OutMessage(
            "\n".join(lines),
            (
                (
                    (t._("📅 Event card"), cards.occurrence_data(str(p["event_id"]), day)),
                    (t._("Cancel my registration"), f"reg:out:{token}"),
                ),
            ),
        )
    raise _Drop(f"unknown notice {kind}")


async def _announce(ctx: _Context, row: Reminder, t: Translator) -> R.OutMessage:
    from bot.subscriptions import TOPIC_LABELS

    p = row.payload
    header = t._("📢 Announcement")
    target = p.get("target_label")
    if p.get("topic") == "kind" and p.get("value") in TOPIC_LABELS:
        header = t._("📢 Announcement · {target}", target=t._(TOPIC_LABELS[p["value"]]))
    elif isinstance(target, dict):
        header = t._("📢 Announcement · {target}", target=localized(target, t.lang))
    return R.OutMessage(f"<b>{esc(header)}</b>\n\n{esc(p.get('text', ''))}")


async def _news(ctx: _Context, row: Reminder, t: Translator) -> R.OutMessage:
    p = row.payload
    if p.get("type") == "new_event":
        event = await ctx.event(str(p.get("event_id")))
        if event is None:
            raise _Drop("event no longer in the schedule")
        occurrence = schedule.next_occurrence(event, ctx.now, ctx.tz)
        if occurrence is None:
            raise _Drop("event over or cancelled")
        lines = [
            "🆕 " + f"<b>{esc(event.title.get(t.lang))}</b>",
            esc(t._(cards.KIND_LABELS[event.kind])),
            "🕒 " + esc(cards.time_range(occurrence.starts_at, occurrence.ends_at, t)),
            "📍 " + esc(event.place.get(t.lang)),
        ]
        return R.OutMessage(
            "\n".join(lines),
            (((t._("📅 Event card"), cards.occurrence_data(event.id, occurrence.day)),),),
        )
    if p.get("type") == "grant_open":
        grant = await ctx.session.get(Grant, str(p.get("grant_id")))
        if grant is None or grant.archived:
            raise _Drop("grant no longer listed")
        closes = grant.closes_on
        if ctx.now.astimezone(ctx.tz).date() > closes:
            raise _Drop("closed")
        text = "\n".join(
            [
                "🆕 " + f"<b>{esc(localized(grant.name, t.lang))}</b>",
                esc(t._("Applications are open until {date}.", date=t.format_date(closes))),
                esc(localized(grant.summary, t.lang)),
            ]
        )
        return R.OutMessage(
            text, (((t._("📋 Grant details"), cards.show_data("grants", grant.id)),),)
        )
    raise _Drop("unknown news")


async def _message(ctx: _Context, row: Reminder, t: Translator) -> R.OutMessage:
    """A message rendered when it was written (:func:`bot.outbox.tell`)."""
    p = row.payload
    buttons = tuple(
        tuple((str(label), str(data)) for label, data in row_) for row_ in p.get("buttons", ())
    )
    return R.OutMessage(str(p["text"]), buttons)


_RENDERERS: dict[str, Callable[[_Context, Reminder, Translator], Any]] = {
    R.EVENT: _event,
    R.GRANT: _grant,
    R.VOTE: _vote,
    R.SURVEY: _survey,
    R.NOTICE: _notice,
    R.ANNOUNCE: _announce,
    R.NEWS: _news,
    R.MESSAGE: _message,
}


def today(now: datetime, tz: tzinfo) -> date:
    return now.astimezone(tz).date()


__all__ = ["Prepared", "TranslatorFactory", "prepare"]
