"""Events in a person's data (:mod:`bot.core.privacy`): registrations and attendance,
survey invitations, subscriptions.

Forget: a registration for an occurrence still to come is first cancelled the usual way
(:func:`bot.events.registrations.cancel`), so its seat goes to the first on the waitlist;
then every registration is deleted — past attendance too (the events report counts one
fewer). Survey invitations ("was asked, has answered") are deleted; the ratings and
comments themselves were never stored with a person (``models/events.py``) and stay, as
they cannot be found by person. Subscriptions of their private chat are deleted; group
subscriptions they set up as an administrator stay the group's, without their id.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from bot.core import privacy_rows
from bot.core.i18n import N_
from bot.core.privacy import (
    Forgotten,
    Registry,
    Section,
    Subject,
    addressed_to,
    delete_rows,
    row_dict,
    rows_of,
)
from bot.core.text import localized
from bot.events import registrations as R
from bot.events import subscriptions as S
from bot.kb import schedule
from models.events import Registration, Subscription, SurveyInvitation
from models.kb import Event


async def _titles(
    session: AsyncSession, ids: set[str], lang: str
) -> tuple[dict[str, str], set[str]]:
    """The events' titles, and which of them need a sign-up."""
    if not ids:
        return {}, set()
    rows = (
        await session.execute(
            select(Event.id, Event.title, Event.registration_required).where(Event.id.in_(ids))
        )
    ).all()
    titles = {event_id: localized(title, lang) for event_id, title, _ in rows}
    return titles, {event_id for event_id, _, required in rows if required}


def _mine(subject: Subject) -> ColumnElement[bool]:
    return addressed_to(subject, Subscription.chat_id, Subscription.user_id)


async def export_user(session: AsyncSession, subject: Subject) -> Section:
    section = Section()
    uid, t = subject.user_id, subject.t
    subscriptions = (
        (
            await session.execute(
                select(Subscription)
                .where(or_(_mine(subject), Subscription.created_by == subject.telegram_id))
                .order_by(Subscription.id)
            )
        )
        .scalars()
        .all()
    )
    registrations: list[Registration] = []
    invitations: list[SurveyInvitation] = []
    if uid is not None:
        registrations = list(
            (
                await session.execute(
                    select(Registration)
                    .where(Registration.user_id == uid)
                    .order_by(Registration.starts_at, Registration.id)
                )
            ).scalars()
        )
        invitations = await rows_of(session, SurveyInvitation, SurveyInvitation.user_id, uid)
    section.records = {
        "event_registrations": [row_dict(r) for r in registrations],
        "survey_invitations": [row_dict(i, omit=("token",)) for i in invitations],
        "subscriptions": [row_dict(s) for s in subscriptions],
    }
    titles, sign_up = await _titles(
        session, {r.event_id for r in registrations} | {i.event_id for i in invitations}, t.lang
    )
    status = {
        "registered": t._("registered"),
        "waitlisted": t._("on the waiting list"),
        "cancelled": t._("cancelled"),
        "walkin": t._("came without registering"),
    }
    # an event without sign-up: the row is a reminder someone asked for
    reminder = {"registered": t._("reminder on"), "cancelled": t._("reminder off")}
    for r in registrations:
        said = status if r.event_id in sign_up else {**status, **reminder}
        attended = t._(", attended") if r.attended else ""
        section.lines.append(
            t._(
                "“{title}” on {when}: {status}{attended}.",
                title=titles.get(r.event_id, r.event_id),
                when=t.format_datetime(r.starts_at),
                status=said.get(r.status, r.status),
                attended=attended,
            )
        )
    for i in invitations:
        params = {
            "title": titles.get(i.event_id, i.event_id),
            "when": t.format_date(i.occurrence_start),
        }
        if i.rated or i.commented:
            line = t._("Asked for feedback on “{title}” ({when}): you answered.", **params)
        else:
            line = t._("Asked for feedback on “{title}” ({when}): not answered.", **params)
        section.lines.append(line)
    for s in subscriptions:
        if s.topic == "dong":
            value = subject.dong(s.value)
        else:
            value = t._(S.TOPIC_LABELS[s.value]) if s.value in S.TOPIC_LABELS else s.value
        where = t._("this chat") if s.chat_id == subject.telegram_id else t._("a group chat")
        section.lines.append(
            t._("Subscribed {where} to news of {value}.", where=where, value=value)
        )
    return section


async def forget_user(session: AsyncSession, subject: Subject, now: datetime) -> Forgotten:
    done = Forgotten()
    uid, tz = subject.user_id, subject.t.tz
    if uid is not None:
        upcoming = (
            (
                await session.execute(
                    select(Registration).where(
                        Registration.user_id == uid,
                        Registration.status.in_(R.ACTIVE),
                        Registration.starts_at > now,
                    )
                )
            )
            .scalars()
            .all()
        )
        for registration in upcoming:
            spec = await R.event_spec(session, registration.event_id, tz)
            occurrence = (
                schedule.find_original(spec, registration.occurrence_start, tz)
                if spec is not None
                else None
            )
            await R.cancel(session, registration, spec, occurrence, now)
        done.deleted["event_registrations"] = await delete_rows(
            session, Registration, Registration.user_id == uid
        )
        done.deleted["survey_invitations"] = await delete_rows(
            session, SurveyInvitation, SurveyInvitation.user_id == uid
        )
    done.deleted["subscriptions"] = await delete_rows(session, Subscription, _mine(subject))
    done.anonymised["subscriptions"] = await privacy_rows.update_rows(
        session, Subscription, Subscription.created_by == subject.telegram_id, created_by=None
    )
    # staff who took attendance: "staff:<telegram id>" on other people's registrations
    await privacy_rows.update_rows(
        session,
        Registration,
        Registration.attendance_by == f"staff:{subject.telegram_id}",
        attendance_by="staff",
    )
    return done


def register(registry: Registry) -> None:
    registry.provide(
        "events",
        title=N_("Events"),
        covers=(
            "event_registrations.user_id",
            "survey_invitations.user_id",
            "subscriptions.user_id",
            "subscriptions.chat_id",
            "subscriptions.created_by",
        ),
        export=export_user,
        forget=forget_user,
        kept=(
            N_(
                "Ratings and comments you gave on events stay: they were stored without "
                "your name and cannot be found by person."
            ),
        ),
    )
