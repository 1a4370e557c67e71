"""Cards: the HTML messages that show one grant, event occurrence or FAQ entry.

Pure functions of a KB record, the KB, a :class:`~bot.core.i18n.Translator` (language and time
zone) and the current time; every KB value is escaped. The browsing handlers and the
free-text answers use the same cards, and the same callback data to open them from any
message (:func:`show_data`):

* ``grants:show:<grant_id>`` — a grant's card;
* ``events:show:<event_id>`` — an event's next occurrence (``events:occ:<id>@<YYYYMMDD>``
  for one occurrence);
* ``faq:show:<faq_id>`` — an FAQ entry.

Ids too long for Telegram's 64-byte callback data travel as ``~`` plus a short hash
(:func:`ref`, :func:`resolve`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import date, datetime

from bot.core.i18n import N_, Translator
from bot.core.text import esc, shorten
from bot.kb import grants as grant_rules
from bot.kb import schedule
from bot.kb.eligibility import Reason
from bot.kb.grants import GrantStatus
from bot.kb.records import EventSpec, FaqSpec, GrantSpec, KnowledgeBase, LocalizedText
from bot.reminders.rows import KIND_LABELS  # (the kinds' names, one list for every screen)

CALLBACK_LIMIT = 64

STATUS_LABELS: dict[GrantStatus, str] = {
    GrantStatus.OPEN: N_("🟢 Open now"),
    GrantStatus.CLOSING: N_("⏰ Closing soon"),
    GrantStatus.UPCOMING: N_("🗓 Upcoming"),
    GrantStatus.CLOSED: N_("⛔ Closed"),
}


# ---------------------------------------------------------------------------------------
# Callback data
# ---------------------------------------------------------------------------------------


def _digest(id_: str) -> str:
    return "~" + hashlib.sha1(id_.encode()).hexdigest()[:10]


def ref(id_: str, room: int = 24) -> str:
    """An id as it travels in callback data: itself if it fits ``room``, else a hash."""
    return id_ if len(id_.encode()) <= room else _digest(id_)


def resolve(value: str, ids: Iterable[str]) -> str | None:
    """The id a :func:`ref` stands for, among ``ids``; None when unknown."""
    pool = list(ids)
    if value.startswith("~"):
        return next((id_ for id_ in pool if _digest(id_) == value), None)
    return value if value in pool else None


def show_data(kind: str, id_: str) -> str:
    """Callback data opening a card: ``grants:show:<id>``, ``events:show:<id>``,
    ``faq:show:<id>`` (``kind`` is ``grants``, ``events`` or ``faq``)."""
    prefix = f"{kind}:show:"
    return prefix + ref(id_, CALLBACK_LIMIT - len(prefix))


def occurrence_data(event_id: str, day: date) -> str:
    """Callback data opening one occurrence: ``events:occ:<id>@<YYYYMMDD>``."""
    prefix = "events:occ:"
    return prefix + schedule.occurrence_key(ref(event_id, CALLBACK_LIMIT - len(prefix) - 9), day)


# ---------------------------------------------------------------------------------------
# Small pieces
# ---------------------------------------------------------------------------------------


def text_of(value: LocalizedText | None, lang: str) -> str:
    return value.get(lang) if value is not None else ""


def today_of(now: datetime, t: Translator) -> date:
    return now.astimezone(t.tz).date()


def list_date(t: Translator, when: date | datetime, now: date | datetime) -> str:
    """A date in a list or on a card: short in the current year (``now``'s), with its
    year otherwise (a short "13 Nov" a year ahead reads as last month)."""

    def year(value: date | datetime) -> int:
        return value.astimezone(t.tz).year if isinstance(value, datetime) else value.year

    return t.format_date(when, short=year(when) == year(now))


def window_badge(grant: GrantSpec, today: date, t: Translator) -> str:
    """Short: '12 days left' / 'closes today' / 'opens Mon 18 Jan' / 'closed'."""
    state = grant_rules.status(grant, today)
    if state is GrantStatus.CLOSED:
        return t._("closed")
    if state is GrantStatus.UPCOMING:
        return t._("opens {date}", date=list_date(t, grant.application.opens, today))
    left = grant_rules.days_left(grant, today)
    if left == 0:
        return t._("closes today")
    return t.n_("{n} day left", "{n} days left", left)


def days_left_text(grant: GrantSpec, today: date, t: Translator) -> str:
    """For the card, each fact once: '12 days left' / '12일 남음', 'closes today',
    'opens in 5 days', 'closed'."""
    state = grant_rules.status(grant, today)
    if state is GrantStatus.CLOSED:
        return t._("closed")
    if state is GrantStatus.UPCOMING:
        wait = grant_rules.days_until_open(grant, today)
        return t.n_("opens in {n} day", "opens in {n} days", wait)
    left = grant_rules.days_left(grant, today)
    if left == 0:
        return t._("closes today")
    return t.n_("{n} day left", "{n} days left", left)


def status_line(grant: GrantSpec, today: date, t: Translator) -> str:
    """The card's second line: '🟢 Open now · 16 days left', '⛔ Closed' (the dates follow
    under "Application period")."""
    state = grant_rules.status(grant, today)
    label = t._(STATUS_LABELS[state])
    return label if state is GrantStatus.CLOSED else f"{label} · {days_left_text(grant, today, t)}"


def grant_button(grant: GrantSpec, today: date, t: Translator) -> str:
    return shorten(grant.name.get(t.lang), 40) + " · " + window_badge(grant, today, t)


def time_range(start: datetime, end: datetime, t: Translator) -> str:
    """'2027년 2월 12일 (금) 오후 7:00 ~ 9:00' / 'Fri 12 Feb 2027, 7:00 PM – 9:00 PM'."""
    local_start, local_end = start.astimezone(t.tz), end.astimezone(t.tz)
    head = t.format_datetime(local_start)
    if local_start.date() != local_end.date():
        tail = t.format_datetime(local_end)
    else:
        tail = t.format_time(local_end)
        if t.lang == "ko" and t.format_time(local_start)[:2] == tail[:2]:
            tail = tail.split(" ", 1)[1]  # 오후 7:00 ~ 9:00
    return f"{head} ~ {tail}" if t.lang == "ko" else f"{head} – {tail}"


def occurrence_button(occurrence: schedule.Occurrence, t: Translator) -> str:
    start = occurrence.starts_at.astimezone(t.tz)
    when = f"{t.format_date(start, short=True)} {t.format_time(start)}"
    return shorten(f"{when} {occurrence.event.title.get(t.lang)}", 60)


def dong_label(kb: KnowledgeBase, dong_id: str | None, t: Translator) -> str:
    if dong_id is None:
        return t._("District-wide")
    dong = next((d for d in kb.dongs if d.id == dong_id), None)
    return dong.name.get(t.lang) if dong is not None else dong_id


def _heading(title: str) -> str:
    return f"\n<b>{esc(title)}</b>"


# ---------------------------------------------------------------------------------------
# Grant card
# ---------------------------------------------------------------------------------------


def amount_lines(grant: GrantSpec, t: Translator) -> list[str]:
    amount = grant.amount
    lines = [t._("Up to {amount} per award", amount=t.format_krw(amount.max_krw))]
    if amount.total_krw is not None and amount.expected_awards is not None:
        lines.append(
            t.n_(
                "{total} in all, about {n} award",
                "{total} in all, about {n} awards",
                amount.expected_awards,
                total=t.format_krw(amount.total_krw),
            )
        )
    elif amount.total_krw is not None:
        lines.append(t._("{total} in all", total=t.format_krw(amount.total_krw)))
    elif amount.expected_awards is not None:
        lines.append(t.n_("about {n} award", "about {n} awards", amount.expected_awards))
    if amount.self_funding_percent:
        lines.append(
            t._(
                "Self-funding: {percent} of the budget is paid by the group",
                percent=f"{amount.self_funding_percent}%",
            )
        )
    return lines


def grant_card(grant: GrantSpec, kb: KnowledgeBase, t: Translator, now: datetime) -> str:
    lang = t.lang
    today = today_of(now, t)
    app = grant.application
    lines = [
        f"<b>{esc(grant.name.get(lang))}</b>",
        esc(status_line(grant, today, t)),
        "",
        esc(grant.summary.get(lang)),
        _heading(t._("Who can apply")),
        esc(grant.eligibility.get(lang)),
        _heading(t._("Amount")),
        *(esc(line) for line in amount_lines(grant, t)),
        _heading(t._("Application period")),
        esc(
            t._(
                "{opens} to {closes}",
                opens=t.format_date(app.opens),
                closes=t.format_date(app.closes),
            )
        ),
    ]
    if app.result_on is not None:
        lines.append(esc(t._("Results announced: {date}", date=t.format_date(app.result_on))))
    if grant.documents:
        lines.append(_heading(t._("Documents")))
        lines += [f"• {esc(document.get(lang))}" for document in grant.documents]
    lines += [
        _heading(t._("How to apply")),
        esc(app.how.get(lang)),
        _heading(t._("Support that comes with it")),
        esc(grant.support.get(lang)),
        _heading(t._("Contact")),
        esc(f"{grant.contact.team.get(lang)} · {grant.contact.phone}"),
    ]
    events = grant_rules.related_events(kb, grant.id)
    if events:
        lines.append(_heading(t._("Related events")))
        for event in events:
            upcoming = schedule.next_occurrence(event, now, t.tz)
            when = list_date(t, upcoming.starts_at, now) if upcoming is not None else t._("ended")
            lines.append(f"• {esc(event.title.get(lang))} ({esc(when)})")
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------
# Event card
# ---------------------------------------------------------------------------------------


def registration_lines(
    event: EventSpec,
    occurrence: schedule.Occurrence,
    t: Translator,
    now: datetime,
    *,
    capacity: bool = True,
) -> list[str]:
    """'Registration required', '25 places', 'closes 48 hours before the start (…)'.

    ``capacity=False`` leaves out '25 places' (the card shows '3 of 25 places left')."""
    registration = event.registration
    if registration is None:
        return []
    if not registration.required:
        return [t._("No registration needed")]
    parts = [t._("Registration required")]
    if capacity and registration.capacity is not None:
        parts.append(t.n_("{n} place", "{n} places", registration.capacity))
    hours = registration.closes_hours_before
    if registration_closed(event, occurrence, now):
        parts.append(t._("registration for this date has closed"))
    elif hours is not None and not occurrence.is_over(now):
        parts.append(
            t.n_(
                "closes {n} hour before the start ({deadline})",
                "closes {n} hours before the start ({deadline})",
                hours,
                deadline=t.format_datetime(schedule.registration_deadline(event, occurrence)),
            )
        )
    return parts


def registration_closed(event: EventSpec, occurrence: schedule.Occurrence, now: datetime) -> bool:
    """Registration for ``occurrence`` has closed (at its deadline, or at its start when
    there is none: :func:`bot.events.registrations.refusal`) and the date is not over yet."""
    return not occurrence.is_over(now) and now >= schedule.registration_deadline(event, occurrence)


def seats_text(capacity: int | None, taken: int, waiting: int, t: Translator) -> str:
    """'3 of 25 places left' / 'Full · 2 on the waitlist' / '12 registered'."""
    if capacity is None:
        return t.n_("{n} registered", "{n} registered", taken)
    left = max(0, capacity - taken)
    if left == 0:
        text = t._("Full")
        if waiting:
            text += " · " + t.n_("{n} on the waitlist", "{n} on the waitlist", waiting)
        return text
    return t.n_(
        "{n} of {capacity} place left", "{n} of {capacity} places left", left, capacity=capacity
    )


def my_status_text(status: str | None, position: int | None, t: Translator) -> str | None:
    if status in ("registered", "walkin"):
        return "✅ " + t._("You are registered.")
    if status == "waitlisted":
        return "⏳ " + t._("You are on the waitlist (number {n}).", n=position or 1)
    return None


def event_card(
    event: EventSpec,
    occurrence_start: datetime | None,
    kb: KnowledgeBase,
    t: Translator,
    now: datetime,
    *,
    seats: tuple[int | None, int, int] | None = None,
    mine: str | None = None,
    position: int | None = None,
    occurrence: schedule.Occurrence | None = None,
) -> str:
    """One occurrence of an event (``occurrence``, or the one starting on
    ``occurrence_start``'s date; None: the next one, or the last one when the event is
    over). ``seats``: (capacity, registered, waitlisted); ``mine``: the reader's
    registration status (``position``: their place on the waitlist)."""
    lang = t.lang
    if occurrence is None and occurrence_start is not None:
        occurrence = schedule.occurrence_on(
            event, occurrence_start.astimezone(t.tz).date(), t.tz, include_cancelled=True
        )
    if occurrence is None:
        occurrence = schedule.next_occurrence(event, now, t.tz) or schedule.last_occurrence(
            event, t.tz
        )
    lines = [
        f"<b>{esc(event.title.get(lang))}</b>",
        esc(f"{t._(KIND_LABELS[event.kind])} · {dong_label(kb, event.dong, t)}"),
        "",
        "🕒 " + esc(time_range(occurrence.starts_at, occurrence.ends_at, t)),
    ]
    if occurrence.cancelled:
        lines.append("❌ " + esc(t._("Cancelled.")))
    elif occurrence.is_over(now):
        lines.append("⛔ " + esc(t._("This date is over.")))
    elif occurrence.starts_at <= now:
        lines.append("▶️ " + esc(t._("Happening now.")))
    if occurrence.moved:
        lines.append(
            "🔁 "
            + esc(t._("Moved (it was {old}).", old=t.format_datetime(occurrence.recurrence_id)))
        )
    lines += ["📍 " + esc(event.place.get(lang)), "👥 " + esc(event.audience.get(lang))]
    description = event.description.get(lang)
    if description != event.title.get(lang):  # /newevent's events: the title until edited
        lines += ["", esc(description)]
    with_seats = (  # no "3 of 25 places left" where nobody can take one
        seats is not None
        and not occurrence.cancelled
        and not registration_closed(event, occurrence, now)
    )
    registration = registration_lines(event, occurrence, t, now, capacity=not with_seats)
    if seats is not None and with_seats:
        registration.append(seats_text(*seats, t))
    if registration:
        lines.append(_heading(t._("Registration")))
        lines.append(esc(" · ".join(registration)))
    status = my_status_text(mine, position, t)
    if status is not None and not occurrence.cancelled:
        lines.append(esc(status))
    total = schedule.count(event, t.tz)
    later = schedule.later_dates(occurrence, t.tz)
    if later or (total or 1) > 1:
        lines.append(_heading(t._("Other dates")))
        if total is not None and total > 1:
            lines.append(esc(t.n_("{n} session in all", "{n} sessions in all", total)))
        if later:
            dates = ", ".join(list_date(t, o.starts_at, now) for o in later)
            lines.append(esc(t._("Next: {dates}", dates=dates)))
    if event.related_grants:
        names = [g.name.get(lang) for g in kb.grants if g.id in set(event.related_grants)]
        if names:
            lines.append(_heading(t._("Related grants")))
            lines += [f"• {esc(name)}" for name in names]
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------
# FAQ card
# ---------------------------------------------------------------------------------------


def related_records(faq: FaqSpec, kb: KnowledgeBase) -> list[tuple[str, GrantSpec | EventSpec]]:
    """The FAQ entry's related grants and events, as ("grants"|"events", spec)."""
    found: list[tuple[str, GrantSpec | EventSpec]] = []
    for id_ in faq.related:
        grant = grant_rules.get_grant(kb, id_)
        if grant is not None:
            found.append(("grants", grant))
            continue
        event = schedule.get_event(kb, id_)
        if event is not None:
            found.append(("events", event))
    return found


def record_title(spec: GrantSpec | EventSpec, lang: str) -> str:
    return spec.name.get(lang) if isinstance(spec, GrantSpec) else spec.title.get(lang)


def faq_card(faq: FaqSpec, kb: KnowledgeBase, t: Translator) -> str:
    lang = t.lang
    lines = [
        f"<b>{esc(t._('Q.'))} {esc(faq.question.get(lang))}</b>",
        "",
        esc(faq.answer.get(lang)),
    ]
    related = related_records(faq, kb)
    if related:
        lines.append(_heading(t._("See also")))
        lines += [f"• {esc(record_title(spec, lang))}" for _, spec in related]
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------
# Eligibility reasons
# ---------------------------------------------------------------------------------------


APPLICANT_LABELS: dict[str, str] = {
    "individual": N_("individuals"),
    "group": N_("residents' groups"),
    "organisation": N_("organisations (non-profits, cooperatives)"),
    "resident_council": N_("resident councils"),
}


def applicants_text(kinds: Iterable[str], t: Translator) -> str:
    """'resident councils' / "residents' groups or organisations (…)"."""
    labels = [t._(APPLICANT_LABELS[k]) for k in kinds if k in APPLICANT_LABELS]
    if len(labels) < 2:
        return "".join(labels)
    return t._("{first} or {last}", first=", ".join(labels[:-1]), last=labels[-1])


def reason_text(reason: Reason, kb: KnowledgeBase, t: Translator) -> str:
    """Plain text (escape it for HTML) of a reason a grant does not fit."""
    n = reason.number or 0
    if reason.code == "members":
        return t.n_("needs at least {n} member", "needs at least {n} members", n)
    if reason.code == "min_age":
        return t._("only for people aged {n} or over", n=n)
    if reason.code == "max_age":
        return t._("only for people aged {n} or under", n=n)
    if reason.code == "group_age":
        return t.n_(
            "the group must have existed for at least {n} year",
            "the group must have existed for at least {n} years",
            n,
        )
    if reason.code == "group_age_months":
        return t.n_(
            "the group must have existed for at least {n} month",
            "the group must have existed for at least {n} months",
            n,
        )
    if reason.code == "applicants":
        return t._("only {kinds} can apply", kinds=applicants_text(reason.kinds, t))
    if reason.code == "prior_grant":
        prior = grant_rules.get_grant(kb, reason.grant_id or "")
        name = prior.name.get(t.lang) if prior is not None else (reason.grant_id or "")
        return t._("only for groups that have already done the {grant}", grant=name)
    return reason.code


def confirm_text(reason: Reason, t: Translator) -> str:
    """Plain text of something the group must check itself."""
    if reason.code == "residency":
        return t._("residency: {text}", text=text_of(reason.text, t.lang))
    if reason.code == "group_age":
        return t.n_(
            "your group must have existed for at least {n} year",
            "your group must have existed for at least {n} years",
            reason.number or 0,
        )
    if reason.code == "group_age_months":
        return t.n_(
            "your group must have existed for at least {n} month",
            "your group must have existed for at least {n} months",
            reason.number or 0,
        )
    if reason.code == "applicants":
        return t._(
            "only {kinds} can apply: is your group one?",
            kinds=applicants_text(reason.kinds, t),
        )
    if reason.code == "condition":
        return text_of(reason.text, t.lang)
    if reason.code == "team_ages":
        low, high = reason.number, reason.upper
        if low is not None and high is not None:
            return t._("every member must be aged {low} to {high}", low=low, high=high)
        if low is not None:
            return t._("every member must be aged {low} or over", low=low)
        return t._("every member must be aged {high} or under", high=high)
    return reason.code


__all__ = [
    "APPLICANT_LABELS",
    "KIND_LABELS",
    "STATUS_LABELS",
    "amount_lines",
    "applicants_text",
    "confirm_text",
    "days_left_text",
    "dong_label",
    "event_card",
    "faq_card",
    "grant_button",
    "grant_card",
    "list_date",
    "my_status_text",
    "occurrence_button",
    "occurrence_data",
    "reason_text",
    "record_title",
    "ref",
    "related_records",
    "resolve",
    "seats_text",
    "show_data",
    "status_line",
    "time_range",
    "today_of",
    "window_badge",
]
