"""After the event: check-in, staff attendance marking, satisfaction surveys, reports.

* **Check-in**: each occurrence gets a short code (:func:`checkin_code`), shown to staff;
  attendees type ``/checkin CODE`` (or open the deep link) from an hour before the start
  until two hours after the end. Someone who did not register is recorded as a walk-in.
  Staff can also mark attendance by hand (:func:`mark`).
* **Surveys**: for events with ``survey: true``, attendees are asked for a 1–5 rating
  the day after (a ``survey`` reminder row, planned by :func:`plan_surveys`). When no
  attendance was taken for an occurrence, everyone registered is asked. Ratings and
  comments are stored in tables of their own with the event and occurrence only — no
  person, no time — and :class:`models.events.SurveyInvitation` keeps only *whether*
  someone answered, so a report can never link an answer to a person.
* **Reports** (:func:`report`): per session (occurrence) and per course (event) —
  registered, attended, unique people (실인원), total attendances (연인원), average
  satisfaction — as CSV, XLSX or a PNG chart.

Nothing here knows Telegram.
"""

from __future__ import annotations

import csv
import io
import secrets
from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core import statements
from bot.core.i18n import N_, Np_, Translator
from bot.events.reminder_rows import SURVEY
from bot.kb import cards, schedule
from bot.kb.records import EventSpec, KnowledgeBase
from bot.reminders import rows as R
from models.events import (
    EventOccurrence,
    Registration,
    SurveyComment,
    SurveyInvitation,
    SurveyResponse,
)
from models.kb import Event
from models.user import User

CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 6
CHECKIN_OPENS = timedelta(hours=1)
"""Check-in opens this long before the start …"""
CHECKIN_CLOSES = timedelta(hours=2)
"""… and closes this long after the end."""
SURVEY_WINDOW = timedelta(days=6)
"""A survey not sent within this long of its due time is not sent any more."""
COMMENT_LIMIT = 1000


def _utc(when: datetime) -> datetime:
    return when.astimezone(UTC)


def normalize_code(text: str) -> str:
    return "".join(ch for ch in text.upper() if ch.isalnum())


# ---------------------------------------------------------------------------------------
# Check-in
# ---------------------------------------------------------------------------------------


async def checkin_code(
    session: AsyncSession, event_id: str, original: datetime, now: datetime
) -> str:
    """The occurrence's check-in code, made on first use."""
    from bot.events.registrations import ensure_occurrence

    await ensure_occurrence(session, event_id, original, now)
    row = await session.get(EventOccurrence, (event_id, _utc(original)), populate_existing=True)
    assert row is not None
    if row.checkin_code:
        return row.checkin_code
    for _ in range(20):
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
        taken = await session.scalar(
            select(EventOccurrence.event_id).where(EventOccurrence.checkin_code == code)
        )
        if taken is not None:
            continue
        result = await session.execute(
            update(EventOccurrence)
            .where(
                EventOccurrence.event_id == event_id,
                EventOccurrence.occurrence_start == _utc(original),
                EventOccurrence.checkin_code.is_(None),
            )
            .values(checkin_code=code)
            .execution_options(synchronize_session=False)
        )
        await session.refresh(row)
        if statements.rowcount(result) == 1 or row.checkin_code:
            assert row.checkin_code is not None
            return row.checkin_code
    raise RuntimeError("could not make a unique check-in code")


@dataclass
class CheckIn:
    status: str
    """``ok``, ``already``, ``unknown`` (no such code), ``early``, ``late``,
    ``cancelled``."""
    event: EventSpec | None = None
    occurrence: schedule.Occurrence | None = None
    walk_in: bool = False


async def check_in(
    session: AsyncSession,
    user: User,
    code: str,
    kb: KnowledgeBase,
    tz: tzinfo,
    now: datetime,
) -> CheckIn:
    """Record that ``user`` attends the occurrence whose code they typed."""
    clean = normalize_code(code)
    if len(clean) != CODE_LENGTH:
        return CheckIn("unknown")
    row = (
        await session.execute(select(EventOccurrence).where(EventOccurrence.checkin_code == clean))
    ).scalar_one_or_none()
    if row is None:
        return CheckIn("unknown")
    event = schedule.get_event(kb, row.event_id)
    occurrence = (
        schedule.find_original(event, row.occurrence_start, tz) if event is not None else None
    )
    if event is None or occurrence is None:
        return CheckIn("unknown")
    if occurrence.cancelled:
        return CheckIn("cancelled", event, occurrence)
    if now < occurrence.starts_at - CHECKIN_OPENS:
        return CheckIn("early", event, occurrence)
    if now > occurrence.ends_at + CHECKIN_CLOSES:
        return CheckIn("late", event, occurrence)
    registration = (
        await session.execute(
            select(Registration).where(
                Registration.event_id == event.id,
                Registration.occurrence_start == _utc(occurrence.recurrence_id),
                Registration.user_id == user.id,
            )
        )
    ).scalar_one_or_none()
    if registration is not None and registration.attended:
        return CheckIn("already", event, occurrence)
    walk_in = registration is None or registration.status == "cancelled"
    if registration is None:
        index = schedule.ordinal(event, occurrence.recurrence_id, tz)
        registration = Registration(
            event_id=event.id,
            occurrence_start=_utc(occurrence.recurrence_id),
            occurrence_index=index or 0,
            starts_at=occurrence.starts_at,
            ends_at=occurrence.ends_at,
            user_id=user.id,
            status="walkin",
            queued_at=now,
            created_at=now,
            updated_at=now,
        )
        session.add(registration)
    elif registration.status == "cancelled":
        registration.status = "walkin"
    registration.attended = True
    registration.attended_at = now
    registration.attendance_by = "code"
    registration.updated_at = now
    try:
        await session.flush()
    except IntegrityError:  # a double submit raced this one
        return CheckIn("already", event, occurrence)
    return CheckIn("ok", event, occurrence, walk_in)


async def needs_sign_up(session: AsyncSession, event_id: str) -> bool:
    """Whether the event takes sign-ups (its row's ``registration_required``; an event not
    found is taken as one that does, so nobody is left off its list)."""
    row = await session.get(Event, event_id)
    return row is None or bool(row.registration_required)


async def attendance_list(
    session: AsyncSession, event_id: str, original: datetime
) -> list[tuple[Registration, User]]:
    """Everyone registered, waiting or checked in for an occurrence, in sign-up order.

    For an event that needs no sign-up (:func:`needs_sign_up`), only those who checked
    in (or were marked present): there a registration is a reminder someone asked for
    (:func:`bot.events.registrations.reminder_only`), nobody to list until they come."""
    query = (
        select(Registration, User)
        .join(User, User.id == Registration.user_id)
        .where(
            Registration.event_id == event_id,
            Registration.occurrence_start == _utc(original),
            Registration.status != "cancelled",
        )
        .order_by(Registration.queued_at, Registration.id)
        .execution_options(populate_existing=True)
    )
    if not await needs_sign_up(session, event_id):
        query = query.where(Registration.attended.is_(True))
    rows = await session.execute(query)
    return [(registration, user) for registration, user in rows.all()]


def attendance_summary(
    t: Translator, people: Collection[tuple[str, bool]], *, sign_up: bool
) -> str:
    """The line that heads an occurrence's attendance list (screen and workbook), from
    each person's (status, attended) — true in each case: without sign-up, how many
    checked in (or that nobody has yet); with sign-up and only walk-ins, that nobody
    signed up but they came; else how many of those listed are present."""
    present = sum(1 for _, attended in people if attended)
    if not sign_up:
        if not present:
            return t._("Nobody has checked in yet.")
        return t._("Present: {n}", n=present)
    if not people:
        return t._("Nobody has registered yet.")
    if all(status == "walkin" for status, _ in people):
        if not present:  # walk-ins marked absent again: nobody came after all
            return t._("Nobody has registered yet.")
        return t.n_(
            "Nobody has registered yet; {n} person checked in without registering.",
            "Nobody has registered yet; {n} people checked in without registering.",
            present,
        )
    return t._("Present: {present} of {total}", present=present, total=len(people))


def may_mark(occurrence: schedule.Occurrence, now: datetime) -> str:
    """Whether someone can be marked present for ``occurrence`` now: ``ok``, ``early``
    (before the check-in window opens, :data:`CHECKIN_OPENS` before the start — the same
    moment residents' ``/checkin`` opens) or ``cancelled``. There is no "late": staff
    may fill in attendance from a paper list after the event."""
    if occurrence.cancelled:
        return "cancelled"
    if now < occurrence.starts_at - CHECKIN_OPENS:
        return "early"
    return "ok"


async def mark(
    session: AsyncSession,
    registration: Registration,
    attended: bool,
    by: str,
    now: datetime,
    *,
    occurrence: schedule.Occurrence,
    actor: str | None = None,
    actor_telegram_id: int | None = None,
) -> str:
    """Staff mark someone present or absent — the one way they do, from any screen or
    script — and the audit log keeps who did (``actor``, default ``by``) and when.
    ``by`` is what the registration keeps (``staff:<telegram id>``).

    ``occurrence`` is the registration's occurrence as the schedule has it now. Marking
    present is refused (nothing written) on a cancelled date or before the date's
    check-in window opens (:func:`may_mark`: its answer is returned); marking absent is
    always possible, so a wrong mark can be undone."""
    from bot.core import audit

    if attended:
        allowed = may_mark(occurrence, now)
        if allowed != "ok":
            return allowed
    registration.attended = attended
    registration.attended_at = now if attended else None
    registration.attendance_by = by if attended else None
    registration.updated_at = now
    await session.flush()
    await audit.record(
        session,
        at=now,
        actor=actor or by,
        actor_telegram_id=actor_telegram_id,
        action="event.attendance.mark",
        target_type="event",
        target_id=registration.event_id,
        details={
            "registration": registration.id,
            "attended": attended,
            "occurrence": _utc(registration.occurrence_start).isoformat(),
        },
    )
    return "ok"


async def attended_count(
    session: AsyncSession, event_id: str, original: datetime | None = None
) -> int:
    """How many are marked present (checked in, or marked by staff; registrations not
    cancelled) for the occurrence whose original start is ``original`` — or, without
    it, for any date of the event. Moving a date with attendance is refused (the staff's
    move screens, ``maeul events move``)."""
    query = select(func.count(Registration.id)).where(
        Registration.event_id == event_id,
        Registration.attended.is_(True),
        Registration.status != "cancelled",
    )
    if original is not None:
        query = query.where(Registration.occurrence_start == _utc(original))
    return int(await session.scalar(query) or 0)


@dataclass(frozen=True)
class Attendee:
    """One line of an occurrence's attendance list as staff see it."""

    name: str
    username: str | None
    status: str
    """``registered``, ``waitlisted`` or ``walkin`` (came without registering)."""
    attended: bool
    marked_by: str | None
    """``code`` (checked in themselves), a staff member's name, or None."""
    marked_at: datetime | None


async def attendees(session: AsyncSession, event_id: str, original: datetime) -> list[Attendee]:
    """:func:`attendance_list` with who marked each person present (a staff member's
    name, or ``code``), for the staff's workbook."""
    people = await attendance_list(session, event_id, original)
    sign_up = await needs_sign_up(session, event_id)
    staff_ids = {
        int(r.attendance_by.split(":", 1)[1])
        for r, _ in people
        if r.attendance_by
        and r.attendance_by.startswith("staff:")
        and r.attendance_by.split(":", 1)[1].isdigit()
    }
    names: dict[int, str] = {}
    if staff_ids:
        rows = await session.execute(
            select(User.telegram_id, User.first_name).where(User.telegram_id.in_(staff_ids))
        )
        names = {tid: name or str(tid) for tid, name in rows.all()}

    def marker(by: str | None) -> str | None:
        if not by:
            return None
        if by.startswith("staff:"):
            raw = by.split(":", 1)[1]
            return names.get(int(raw), raw) if raw.isdigit() else raw
        return by

    return [
        Attendee(
            name=user.first_name or str(user.telegram_id),
            username=user.username,
            # without sign-up, everyone listed came without registering (see above)
            status=registration.status if sign_up else "walkin",
            attended=bool(registration.attended),
            marked_by=marker(registration.attendance_by) if registration.attended else None,
            marked_at=registration.attended_at if registration.attended else None,
        )
        for registration, user in people
    ]


ATTENDEE_HEADERS = (
    N_("No."),
    N_("Name"),
    N_("Telegram username"),
    N_("Registration status"),
    N_("Attended"),
    N_("Marked by"),
    N_("Marked at"),
)
STATUSES = {
    "registered": Np_("attendee", "Registered"),
    "waitlisted": Np_("attendee", "Waitlisted"),
    "walkin": Np_("attendee", "Walk-in (not registered)"),
}
"""A person's registration in the workbook (``t.p_("attendee", …)``)."""


def attendance_xlsx(
    people: list[Attendee],
    t: Translator,
    tz: tzinfo,
    *,
    title: str,
    when: str,
    sign_up: bool = True,
) -> bytes:
    """An occurrence's attendance list as a workbook in the staff member's language: the
    event and date on top, then a row per person — name, @username, registered or not,
    present or not, who marked them (the check-in code, or a staff member) and when."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = t._("Attendance")[:31]
    # one line each in column A: the text runs on over the empty cells beside it
    sheet.append([title])
    sheet.append([when])
    sheet.append([attendance_summary(t, [(p.status, p.attended) for p in people], sign_up=sign_up)])
    sheet["A1"].font = Font(bold=True, size=13)
    sheet.append([])
    sheet.append([t._(h) for h in ATTENDEE_HEADERS])
    for cell in sheet[5]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A6"
    yes, no = t.p_("attended", "yes"), t.p_("attended", "no")
    for number, person in enumerate(people, 1):
        by = None
        if person.marked_by == "code":
            by = t._("Check-in code")
        elif person.marked_by:
            by = person.marked_by
        at = (
            person.marked_at.astimezone(tz).replace(tzinfo=None, microsecond=0)
            if person.marked_at is not None
            else None
        )
        sheet.append(
            [
                number,
                person.name,
                f"@{person.username}" if person.username else None,
                t.p_("attendee", STATUSES[person.status])
                if person.status in STATUSES
                else person.status,
                yes if person.attended else no,
                by,
                at,
            ]
        )
        if at is not None:
            sheet.cell(sheet.max_row, 7).number_format = "yyyy-mm-dd hh:mm"
    for column, width in {"A": 6, "B": 22, "C": 22, "D": 22, "E": 10, "F": 18, "G": 18}.items():
        sheet.column_dimensions[column].width = width
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


# ---------------------------------------------------------------------------------------
# Surveys
# ---------------------------------------------------------------------------------------


def survey_due(occurrence_end: datetime, tz: tzinfo) -> datetime:
    """The day after the occurrence, at :data:`bot.reminders.rows.REMIND_AT` local time."""
    day = occurrence_end.astimezone(tz).date() + timedelta(days=1)
    return R.local_at(day, R.REMIND_AT, tz)


async def plan_surveys(session: AsyncSession, kb: KnowledgeBase, now: datetime, tz: tzinfo) -> int:
    """Invite attendees of finished ``survey: true`` occurrences (the day after): who came,
    or, where nobody was marked, who had registered — never a "remind me" of an event
    without sign-up (:func:`bot.events.registrations.reminder_only`)."""
    from bot.events.registrations import reminder_only

    survey_events = {e.id: e for e in kb.events if e.survey}
    if not survey_events:
        return 0
    rows = await session.execute(
        select(Registration, User)
        .join(User, User.id == Registration.user_id)
        .where(
            Registration.event_id.in_(list(survey_events)),
            Registration.ends_at <= now,
            Registration.ends_at > now - SURVEY_WINDOW - timedelta(days=2),
            Registration.status != "cancelled",
            User.active.is_(True),
        )
    )
    by_occurrence: dict[tuple[str, datetime], list[tuple[Registration, User]]] = defaultdict(list)
    for registration, user in rows.all():
        by_occurrence[(registration.event_id, registration.occurrence_start)].append(
            (registration, user)
        )
    items = []
    for (event_id, original), people in by_occurrence.items():
        due = survey_due(people[0][0].ends_at, tz)
        if not (due <= now < due + SURVEY_WINDOW):
            continue
        taken = any(registration.attended for registration, _ in people)
        signed_up = not reminder_only(survey_events[event_id])
        for registration, user in people:
            if taken and not registration.attended:
                continue
            if not taken and (registration.status != "registered" or not signed_up):
                continue
            token = await _invitation(session, user, event_id, original, now)
            if token is None:
                continue
            items.append(
                R.Planned(
                    kind=SURVEY,
                    key=f"survey:{user.id}:{event_id}:{int(original.timestamp())}",
                    chat_id=user.telegram_id,
                    user_id=user.id,
                    due_at=due,
                    expires_at=due + SURVEY_WINDOW,
                    ref=f"survey:{event_id}",
                    payload={
                        "token": token,
                        "event_id": event_id,
                        "original": _utc(original).isoformat(),
                        "starts_at": registration.starts_at.isoformat(),
                    },
                )
            )
    return await R.enqueue(session, items, now)


async def _invitation(
    session: AsyncSession, user: User, event_id: str, original: datetime, now: datetime
) -> str | None:
    existing = (
        await session.execute(
            select(SurveyInvitation).where(
                SurveyInvitation.user_id == user.id,
                SurveyInvitation.event_id == event_id,
                SurveyInvitation.occurrence_start == _utc(original),
            )
        )
    ).scalar_one_or_none()
    if existing is not None:
        return None if existing.rated else existing.token
    invitation = SurveyInvitation(
        token=secrets.token_hex(8),
        user_id=user.id,
        event_id=event_id,
        occurrence_start=_utc(original),
        created_at=now,
    )
    session.add(invitation)
    await session.flush()
    return invitation.token


async def invitation(session: AsyncSession, token: str) -> SurveyInvitation | None:
    return (
        await session.execute(
            select(SurveyInvitation)
            .where(SurveyInvitation.token == token)
            .execution_options(populate_existing=True)
        )
    ).scalar_one_or_none()


async def _claim(
    session: AsyncSession, user: User, token: str, flag: str
) -> SurveyInvitation | str:
    """This person's invitation ``token``, with its ``flag`` (``rated``, ``commented``)
    turned on by this call — or ``unknown`` (not theirs, no such invitation) or
    ``already`` (a double tap: one conditional update wins)."""
    found = await invitation(session, token)
    if found is None or found.user_id != user.id:
        return "unknown"
    column = getattr(SurveyInvitation, flag)
    claimed = await session.execute(
        update(SurveyInvitation)
        .where(SurveyInvitation.id == found.id, column.is_(False))
        .values({flag: True})
        .execution_options(synchronize_session=False)
    )
    if statements.rowcount(claimed) != 1:
        return "already"
    return found


async def rate(session: AsyncSession, user: User, token: str, rating: int) -> str:
    """Store a rating; ``ok``, ``already`` or ``unknown`` (not this person's, or no such
    invitation). The rating row carries the occurrence only."""
    if not 1 <= rating <= 5:
        return "unknown"
    found = await _claim(session, user, token, "rated")
    if isinstance(found, str):
        return found
    session.add(
        SurveyResponse(
            event_id=found.event_id, occurrence_start=found.occurrence_start, rating=rating
        )
    )
    await session.flush()
    return "ok"


async def comment(session: AsyncSession, user: User, token: str, text: str) -> str:
    """Store an optional comment (once per invitation), apart from the rating."""
    found = await _claim(session, user, token, "commented")
    if isinstance(found, str):
        return found
    session.add(
        SurveyComment(
            event_id=found.event_id,
            occurrence_start=found.occurrence_start,
            text=text.strip()[:COMMENT_LIMIT],
        )
    )
    await session.flush()
    return "ok"


# ---------------------------------------------------------------------------------------
# Reports
# ---------------------------------------------------------------------------------------

COLUMNS = (
    "level",
    "event_id",
    "title",
    "kind",
    "date",
    "sessions",
    "registered",
    "attended",
    "unique_people",
    "total_attendances",
    "satisfaction",
    "responses",
)
HEADERS_KO = {
    "level": "구분",
    "event_id": "행사 ID",
    "title": "행사명",
    "kind": "종류",
    "date": "일자",
    "sessions": "회차",
    "registered": "신청",
    "attended": "참석",
    "unique_people": "실인원",
    "total_attendances": "연인원",
    "satisfaction": "만족도",
    "responses": "응답 수",
}


@dataclass
class ReportRow:
    level: str
    """``session`` (one occurrence) or ``course`` (the event, all its sessions)."""
    event_id: str
    title: str
    kind: str
    date: date | None
    sessions: int
    registered: int
    attended: int
    unique_people: int
    total_attendances: int
    satisfaction: float | None
    responses: int

    def values(self) -> list[Any]:
        return [
            self.level,
            self.event_id,
            self.title,
            self.kind,
            self.date.isoformat() if self.date else "",
            self.sessions,
            self.registered,
            self.attended,
            self.unique_people,
            self.total_attendances,
            "" if self.satisfaction is None else round(self.satisfaction, 2),
            self.responses,
        ]


@dataclass
class _Acc:
    registered: int = 0
    attended: set[int] = field(default_factory=set)
    ratings: list[int] = field(default_factory=list)


def _spec(row: Event, tz: tzinfo) -> EventSpec | None:
    """The event as its row says (archived too: past years stay reportable); None when
    the row does not make a valid event any more."""
    from zoneinfo import ZoneInfo

    from bot.kb import records as kbmod

    zone = tz if isinstance(tz, ZoneInfo) else ZoneInfo(str(tz))
    try:
        return EventSpec.model_validate(kbmod.event_document(row, zone))
    except Exception:  # a row the schema no longer accepts: no schedule
        return None


async def report(
    session: AsyncSession,
    tz: tzinfo,
    *,
    now: datetime,
    year: int | None = None,
    lang: str = "ko",
    events: Collection[str] | None = None,
) -> list[ReportRow]:
    """Per session and per course: registered (registrations, walk-ins excluded, and none
    for an event that needs no sign-up: there a registration is a reminder someone asked for),
    attended (attendances), unique people (실인원: each attendee once per course),
    total attendances (연인원: a person at three sessions counts three times), average
    satisfaction (1–5) and the number of ratings. Sessions are counted in ``year`` (local
    start date); archived events are included, so past years stay reportable. ``events``:
    only these events (one event's report; the events of a staff member's dongs).

    Only sessions that were **held** are reported, and in them only registrations that
    were not cancelled. A session (occurrence) was held when

    * it has started by ``now`` (a coming date has no attendance to report yet);
    * its date was not cancelled (the event's schedule as it is now, found by the
      occurrence's original start — a moved date is reported on its new date);
    * and, when the whole event was cancelled, the session had already ended then:
      cancelling the rest of a course does not undo the sessions given. The schedule
      keeps no time of a whole-event cancellation, so this is read from the
      registrations: cancelling the event cancels those of every date not yet over
      (``cancel_reason`` ``event``), so a date with such a registration had not been
      held; one without any (its registrations outlived the cancellation, or only
      walk-ins came, who check in only on dates not cancelled) had been.

    A session its event's schedule no longer has at all (the event's row is gone, or its
    series was rewritten after the date) is kept when it started by ``now``, on the date
    its registrations have: nothing says it was not held.
    """
    query = select(Registration)
    if events is not None:
        query = query.where(Registration.event_id.in_(list(events)))
    registrations = (await session.execute(query)).scalars().all()
    rows = {e.id: e for e in (await session.execute(select(Event))).scalars()}
    specs: dict[str, EventSpec | None] = {}
    by_session: dict[tuple[str, datetime], list[Registration]] = defaultdict(list)
    for registration in registrations:
        by_session[(registration.event_id, _utc(registration.occurrence_start))].append(
            registration
        )
    sessions: dict[tuple[str, datetime], _Acc] = {}
    dates: dict[tuple[str, datetime], date] = {}
    for key, found in by_session.items():
        event_id, original = key
        if event_id not in specs:
            row = rows.get(event_id)
            specs[event_id] = _spec(row, tz) if row is not None else None
        spec = specs[event_id]
        occurrence = schedule.find_original(spec, original, tz) if spec is not None else None
        if occurrence is not None:
            starts_at = occurrence.starts_at
            if occurrence.cancelled and not _over_before_cancelled(spec, original, found):
                continue
        else:
            starts_at = max(r.starts_at for r in found)
        if starts_at > now:
            continue
        local = starts_at.astimezone(tz)
        if year is not None and local.year != year:
            continue
        dates[key] = local.date()
        acc = sessions[key] = _Acc()
        row = rows.get(event_id)
        for registration in found:
            # (a "remind me" of an event without sign-up is no sign-up)
            if (
                registration.status == "registered"
                and row is not None
                and row.registration_required
            ):
                acc.registered += 1
            if registration.attended and registration.status != "cancelled":
                acc.attended.add(registration.user_id)
    ratings = await session.execute(
        select(SurveyResponse.event_id, SurveyResponse.occurrence_start, SurveyResponse.rating)
    )
    for event_id, original, rating in ratings.all():
        key = (event_id, _utc(original))
        if key in sessions:
            sessions[key].ratings.append(int(rating))
    out: list[ReportRow] = []
    by_event: dict[str, list[tuple[str, datetime]]] = defaultdict(list)
    for key in sessions:
        by_event[key[0]].append(key)
    for event_id in sorted(by_event, key=lambda i: (min(dates[k] for k in by_event[i]), i)):
        row = rows.get(event_id)
        title = (row.title.get(lang) or row.title.get("ko") or event_id) if row else event_id
        kind = row.kind if row else ""
        keys = sorted(by_event[event_id], key=lambda k: dates[k])
        people: set[int] = set()
        all_ratings: list[int] = []
        registered = attendances = 0
        for key in keys:
            acc = sessions[key]
            out.append(
                ReportRow(
                    "session",
                    event_id,
                    title,
                    kind,
                    dates[key],
                    1,
                    acc.registered,
                    len(acc.attended),
                    len(acc.attended),
                    len(acc.attended),
                    _mean(acc.ratings),
                    len(acc.ratings),
                )
            )
            people |= acc.attended
            all_ratings += acc.ratings
            registered += acc.registered
            attendances += len(acc.attended)
        out.append(
            ReportRow(
                "course",
                event_id,
                title,
                kind,
                None,
                len(keys),
                registered,
                attendances,
                len(people),
                attendances,
                _mean(all_ratings),
                len(all_ratings),
            )
        )
    return out


def _over_before_cancelled(
    event: EventSpec | None, original: datetime, registrations: list[Registration]
) -> bool:
    """Whether a cancelled occurrence had been held before: only when it is cancelled
    with its whole event (not on its own) and none of its registrations was cancelled by
    that cancellation (see :func:`report`)."""
    if event is None or not event.cancelled:
        return False
    for change in event.changes or ():
        if change.status == schedule.CANCELLED and _utc(change.occurrence) == _utc(original):
            return False
    return not any(r.status == "cancelled" and r.cancel_reason == "event" for r in registrations)


def _mean(values: list[int]) -> float | None:
    return sum(values) / len(values) if values else None


async def comments(
    session: AsyncSession, event_id: str, original: datetime | None = None
) -> list[str]:
    query = select(SurveyComment.text).where(SurveyComment.event_id == event_id)
    if original is not None:
        query = query.where(SurveyComment.occurrence_start == _utc(original))
    return list((await session.execute(query.order_by(func.random()))).scalars())


def report_csv(rows: list[ReportRow]) -> bytes:
    """UTF-8 with a BOM, so Excel opens the Korean titles correctly."""
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow(row.values())
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


HEADERS = {
    "level": N_("Level"),
    "event_id": N_("Event ID"),
    "title": N_("Event"),
    "kind": N_("Kind"),
    "date": N_("Date"),
    "sessions": N_("Sessions"),
    "registered": N_("Registered"),
    "attended": N_("Attended"),
    "unique_people": N_("Unique people (실인원)"),
    "total_attendances": N_("Total attendances (연인원)"),
    "satisfaction": N_("Satisfaction (1–5)"),
    "responses": N_("Responses"),
}
"""The column headers of a staff member's copy, in their language."""
LEVELS = {"session": N_("Session"), "course": N_("Course total")}


def kind_name(kind: str, t: Translator) -> str:
    """An event kind as the bot's event screens name it (:data:`bot.kb.cards.KIND_LABELS`,
    one name for a kind everywhere), without the emoji in front: a spreadsheet cell."""
    if kind not in cards.KIND_LABELS:
        return kind
    label = t._(cards.KIND_LABELS[kind])
    head, _, rest = label.partition(" ")
    return rest if rest and not any(ch.isalnum() for ch in head) else label


def _localized(row: ReportRow, t: Translator) -> list[Any]:
    values = row.values()
    values[0] = t._(LEVELS.get(row.level, row.level))
    values[3] = kind_name(row.kind, t)
    if row.date is not None:
        values[4] = row.date  # a real date cell, shown as a date in the staff's Excel
    return values


def report_xlsx(rows: list[ReportRow], t: Translator | None = None) -> bytes:
    """The report as a workbook. Without ``t`` (the CLI, for scripts): a Korean header
    row, then the column keys, then the rows. With ``t`` (a staff member's copy in the
    bot): one header row in their language, levels and kinds in their language, dates as
    dates, frozen under the header."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "report" if t is None else t._("Attendance report")[:31]
    if t is None:
        sheet.append([HEADERS_KO[c] for c in COLUMNS])
        sheet.append(list(COLUMNS))
    else:
        sheet.append([t._(HEADERS[c]) for c in COLUMNS])
        sheet.freeze_panes = "A2"
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append(row.values() if t is None else _localized(row, t))
        if t is not None and row.date is not None:
            sheet.cell(sheet.max_row, 5).number_format = "yyyy-mm-dd"
        if row.level == "course":
            for cell in sheet[sheet.max_row]:
                cell.font = Font(bold=True)
    widths = {"A": 12, "B": 28, "C": 36, "D": 12, "E": 12, "I": 14, "J": 14, "K": 14}
    for column, width in widths.items():
        sheet.column_dimensions[column].width = width
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


NO_DATA_MSG = N_("No attendance recorded yet")
"""What an empty report's chart says instead of an empty axis …"""
NO_DATA = "아직 참여 기록이 없어요"
"""… in Korean (the CLI's chart; the ko catalog's translation of :data:`NO_DATA_MSG`)."""


def _short_title(text: str, limit: int = 28) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def report_figure(
    rows: list[ReportRow],
    *,
    year: int | None = None,
    t: Translator | None = None,
    sessions: bool = False,
    title: str | None = None,
) -> Any:
    """The chart of :func:`report_png` as a matplotlib ``Figure`` (tests read its axes).

    A bar pair per course — unique people (실인원) and total attendances (연인원) — or,
    with ``sessions`` (one event's report), per session: registered and attended. The
    words are in ``t``'s language (Korean without one: the CLI's chart).

    Head counts are whole numbers from 0 (integer ticks, no negative axis); the numbers
    and satisfaction written beside the bars stay inside the axes; the legend sits above
    the bars, never over them; a report without courses says so instead of drawing an
    empty axis."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.font_manager import FontProperties
    from matplotlib.ticker import MaxNLocator

    from bot.core.fonts import korean_font_path

    t = t or Translator("ko", UTC)
    path = korean_font_path()
    font = FontProperties(fname=str(path)) if path else FontProperties()
    shown = [r for r in rows if r.level == ("session" if sessions else "course")]
    heading = title or t._("Training and event attendance")
    heading += f" ({year})" if year else ""
    height = max(2.5, 0.55 * len(shown) + 1.8)
    figure = Figure(figsize=(9, height), dpi=110, layout="constrained")
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    axes.set_title(_short_title(heading, 60), fontproperties=font, loc="left")
    if not shown:
        axes.set_axis_off()
        axes.text(0.5, 0.5, t._(NO_DATA_MSG), ha="center", va="center", fontproperties=font,
                  fontsize=14, color="#555555", transform=axes.transAxes)  # fmt: skip
        return figure
    positions = list(range(len(shown)))
    if sessions:
        first = [r.attended for r in shown]
        second = [r.registered for r in shown]
        labels = (t._("Attended"), t._("Registered"))
        names = [t.format_date(r.date, short=True) if r.date else "" for r in shown]
        note_label = t._("People")
    else:
        first = [r.total_attendances for r in shown]
        second = [r.unique_people for r in shown]
        labels = (t._("Total attendances"), t._("Unique people"))
        names = [_short_title(r.title) for r in shown]
        note_label = t._(
            "People (unique people: how many took part; total attendances: every "
            "session's attendance added up)"
        )
    axes.barh([p + 0.2 for p in positions], first, height=0.4, label=labels[0], color="#4c72b0")
    axes.barh([p - 0.2 for p in positions], second, height=0.4, label=labels[1], color="#dd8452")
    for p, count, r in zip(positions, first, shown, strict=True):
        note = f" {count:,}"
        if r.satisfaction is not None:
            note += f"  ★{r.satisfaction:.1f}"
        axes.text(count, p + 0.2, note, va="center", fontsize=8, fontproperties=font)
    top = max([*first, *second, 1])
    axes.set_xlim(0, top * 1.25 + 0.5)  # room for the numbers written after the bars
    axes.xaxis.set_major_locator(MaxNLocator(integer=True))
    axes.set_xlabel(note_label, fontproperties=font, fontsize=8)
    axes.set_yticks(positions)
    axes.set_yticklabels(names, fontproperties=font, fontsize=9)
    axes.invert_yaxis()
    axes.legend(prop=font, loc="lower right", bbox_to_anchor=(1.0, 1.0), ncol=2, frameon=False,
                borderaxespad=0.2)  # fmt: skip
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    return figure


def report_png(
    rows: list[ReportRow],
    *,
    year: int | None = None,
    t: Translator | None = None,
    sessions: bool = False,
    title: str | None = None,
) -> bytes:
    """A bar chart per course: unique people (실인원) and total attendances (연인원),
    with the average satisfaction written beside each; per session with ``sessions``
    (see :func:`report_figure`)."""
    buf = io.BytesIO()
    figure = report_figure(rows, year=year, t=t, sessions=sessions, title=title)
    figure.savefig(buf, format="png", bbox_inches="tight")
    return buf.getvalue()


__all__ = [
    "ATTENDEE_HEADERS",
    "CHECKIN_CLOSES",
    "CHECKIN_OPENS",
    "CODE_LENGTH",
    "COLUMNS",
    "HEADERS",
    "Attendee",
    "CheckIn",
    "ReportRow",
    "attendance_list",
    "attendance_summary",
    "attendance_xlsx",
    "attended_count",
    "attendees",
    "check_in",
    "checkin_code",
    "comment",
    "comments",
    "invitation",
    "mark",
    "may_mark",
    "needs_sign_up",
    "normalize_code",
    "plan_surveys",
    "rate",
    "report",
    "report_csv",
    "report_figure",
    "report_png",
    "report_xlsx",
    "survey_due",
]
