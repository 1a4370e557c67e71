"""The staff's check-in QR, attendance list and reports, from an event's screen.

* **Check-in QR** (``sev:q:<tok>``): the date's check-in code (made on first use) as a
  poster picture (:mod:`bot.events.checkin_qr`) — residents scan it and the deep link
  ``t.me/<bot>?start=checkin_<CODE>`` checks them in like ``/checkin <CODE>``.
* **Attendance** (``sev:a:<tok>:<page>``): who registered, waits or walked in, who is
  present; pressing a name (``sev:k:<registration id>:<page>:<1|0>``) marks them present
  (1) or absent (0) by hand (:func:`bot.events.attendance.mark`, which audits every mark)
  — what the button said, so a stale screen's press (its reply lost) does not undo the
  mark; older data without the digit toggles; the list as an xlsx document
  (``sev:ax:<tok>``). This is the staff's one attendance screen: an event card's staff
  buttons open it too, and the card's older data (``reg:code``, ``reg:att``,
  ``reg:mark``) lands here.
* **Reports** (``sev:r:<ref>`` one event, ``sev:y:<year>`` the year of the events this
  person manages): 실인원, 연인원 and satisfaction (:func:`bot.events.attendance.report`)
  as an xlsx in the staff member's language and as a chart picture.

Every press re-checks that the presser manages the event (a mark, through its
registration's event); every one of these actions is written to the audit log (the
list and the reports show people's attendance: who looked, and when, is kept).
"""

from __future__ import annotations

import re

from telegram import InlineKeyboardButton, InputFile, Update
from telegram.ext import Application, CallbackQueryHandler

from bot.core import audit
from bot.core.text import esc, shorten
from bot.events import attendance
from bot.events.checkin_qr import Poster, poster_png
from bot.kb import cards, schedule
from bot.kb.records import EventSpec, KnowledgeBase
from bot.telegram.context import MaeulContext
from handlers.core import blocks
from handlers.core.browse import on_press
from handlers.events import staff_access
from handlers.events.occurrence import TOK, attendance_heading, person, staff_registration
from handlers.events.staff_draft import may_manage

# ``reg:code``, ``reg:att`` and ``reg:mark``: the same actions from an event card's staff
# row in messages sent before the two screens were one
QR_RE = re.compile(rf"^(?:sev:q|reg:code):{TOK}$")
ATT_RE = re.compile(rf"^(?:sev:a|reg:att):{TOK}:(\d{{1,3}})$")
MARK_RE = re.compile(r"^(?:sev:k|reg:mark):(\d{1,12}):(\d{1,3})(?::([01]))?$")
XLSX_RE = re.compile(rf"^sev:ax:{TOK}$")
REPORT_RE = re.compile(rf"^sev:r:{staff_access.REF}$")
YEAR_RE = re.compile(r"^sev:y:(\d{4})$")
PAGE = 8


async def _audit(context: MaeulContext, action: str, target: str, **details: object) -> None:
    await audit.record(
        context.db,
        at=context.runtime.clock.now(),
        **staff_access.who(context),
        action=action,
        target_type="event",
        target_id=target,
        details=dict(details),
    )


@staff_access.on_managed_occurrence(QR_RE)
async def checkin_qr(
    update: Update, context: MaeulContext, found: staff_access.OccurrencePressed
) -> None:
    _, event, occurrence = found
    t = context.t
    if occurrence.cancelled:
        await blocks.refuse(update, context, t._("That date is cancelled."))
        return
    now = context.runtime.clock.now()
    code = await attendance.checkin_code(context.db, event.id, occurrence.recurrence_id, now)
    bot = context.bot.username
    link = f"https://t.me/{bot}?start=checkin_{code}"
    when = cards.time_range(occurrence.starts_at, occurrence.ends_at, t)
    picture = poster_png(
        Poster(
            link=link,
            code=code,
            title=event.title.get(t.lang),
            when=when,
            place=event.place.get(t.lang),
            scan=t._("Scan the QR code with your phone's camera to check in"),
            typed=t._("No camera? Send /checkin {code} to @{bot}", code=code, bot=bot),
        )
    )
    await _audit(
        context, "event.checkin_qr", event.id, occurrence=occurrence.recurrence_id.isoformat()
    )
    await blocks.answer(update)
    caption = "\n".join(
        [
            f"<b>{esc(event.title.get(t.lang))}</b>",
            esc(when),
            esc(t._("Check-in code:")) + f" <code>{esc(code)}</code>",
            esc(
                t._(
                    "Check-in is open from 1 hour before the start until 2 hours after the end. "
                    "Show this picture at the entrance or print it."
                )
            ),
        ]
    )
    await context.bot.send_photo(
        update.effective_chat.id,
        InputFile(picture, filename=f"checkin-{code}.png"),
        caption=caption,
        parse_mode="HTML",
    )


async def _attendance(
    update: Update,
    context: MaeulContext,
    event: EventSpec,
    occurrence: schedule.Occurrence,
    page: int,
    *,
    edit: bool,
) -> None:
    t = context.t
    people, lines = await attendance_heading(context, event, occurrence)
    shown = blocks.paginate(people, page, PAGE)
    if people:
        lines.append(esc(t._("Press a name to mark them present or absent.")))
    rows = []
    # without sign-up everyone listed came without registering: no note says so
    notes = {"waitlisted": " ⏳", "walkin": " " + t._("(walk-in)")}
    if not await attendance.needs_sign_up(context.db, event.id):
        notes = {}
    for registration, user in shown.items:
        mark = "✅" if registration.attended else "⬜"
        note = notes.get(registration.status, "")
        rows.append(
            [
                InlineKeyboardButton(
                    f"{mark} {person(user)}{note}",
                    callback_data=(
                        f"sev:k:{registration.id}:{shown.number}:{int(not registration.attended)}"
                    ),
                )
            ]
        )
    tok = staff_access.token(occurrence)
    nav = blocks.nav_row(shown.number, shown.count, f"sev:a:{tok}:{{page}}")
    footer = [
        [InlineKeyboardButton(t._("📄 Attendance list (xlsx)"), callback_data=f"sev:ax:{tok}")],
        [
            InlineKeyboardButton(
                t._("◀ Back to the event"), callback_data=f"sev:e:{staff_access.ref(event.id)}"
            )
        ],
    ]
    await blocks.show(
        update, context, "\n".join(lines), blocks.list_keyboard(rows, nav, footer), edit=edit
    )


@staff_access.on_managed_occurrence(ATT_RE)
async def attendance_list(
    update: Update, context: MaeulContext, found: staff_access.OccurrencePressed
) -> None:
    match, event, occurrence = found
    await _audit(
        context, "event.attendance.view", event.id, occurrence=occurrence.recurrence_id.isoformat()
    )
    await blocks.answer(update)
    await _attendance(update, context, event, occurrence, int(match.group(2)), edit=True)


@on_press(MARK_RE)
async def toggle_mark(
    update: Update, context: MaeulContext, kb: KnowledgeBase, match: re.Match[str]
) -> None:
    marked = await staff_registration(
        update,
        context,
        kb,
        int(match.group(1)),
        allowed=may_manage,
        not_staff=staff_access.only_staff(context),
    )
    if marked is None:
        return
    registration, event, occurrence = marked
    t = context.t
    present = blocks.wanted_state(match.group(3), bool(registration.attended))
    if present == bool(registration.attended):  # a stale screen's press: it is so already
        await blocks.answer(update)
        await _attendance(update, context, event, occurrence, int(match.group(2)), edit=True)
        return
    result = await attendance.mark(
        context.db,
        registration,
        present,
        f"staff:{context.user.telegram_id}",
        context.runtime.clock.now(),
        occurrence=occurrence,
        **staff_access.who(context),
    )  # audited there
    if result == "early":
        opens = t.format_datetime(occurrence.starts_at - attendance.CHECKIN_OPENS)
        await blocks.refuse(
            update,
            context,
            t._(
                "Attendance can be marked from {when}, an hour before the start, as "
                "check-in opens.",
                when=opens,
            ),
        )
        return
    if result == "cancelled":
        await blocks.refuse(update, context, t._("That date is cancelled."))
        return
    await blocks.answer(update)
    await _attendance(update, context, event, occurrence, int(match.group(2)), edit=True)


@staff_access.on_managed_occurrence(XLSX_RE)
async def attendance_workbook(
    update: Update, context: MaeulContext, found: staff_access.OccurrencePressed
) -> None:
    """The occurrence's attendance list as an xlsx document (audited: it names people)."""
    _, event, occurrence = found
    t = context.t
    tz = context.runtime.settings.tz
    people = await attendance.attendees(context.db, event.id, occurrence.recurrence_id)
    sign_up = await attendance.needs_sign_up(context.db, event.id)
    title = event.title.get(t.lang)
    when = cards.time_range(occurrence.starts_at, occurrence.ends_at, t)
    data = attendance.attendance_xlsx(people, t, tz, title=title, when=when, sign_up=sign_up)
    await _audit(
        context,
        "event.attendance.export",
        event.id,
        occurrence=occurrence.recurrence_id.isoformat(),
        people=len(people),
    )
    await blocks.answer(update)
    day = occurrence.starts_at.astimezone(tz).strftime("%Y%m%d")
    name = f"attendance-{event.id}"[:50] + f"-{day}.xlsx"
    caption = f"<b>{esc(title)}</b>\n{esc(when)}\n" + esc(
        t._("Attendance list: {present} of {total} present",
            present=sum(1 for p in people if p.attended), total=len(people))
        if sign_up and any(p.status != "walkin" for p in people)
        else attendance.attendance_summary(
            t, [(p.status, p.attended) for p in people], sign_up=sign_up)
    )  # fmt: skip
    await context.bot.send_document(
        update.effective_chat.id, InputFile(data, filename=name), caption=caption,
        parse_mode="HTML",
    )  # fmt: skip


async def _send_report(
    update: Update,
    context: MaeulContext,
    rows: list[attendance.ReportRow],
    *,
    name: str,
    title: str | None,
    year: int | None,
) -> None:
    t = context.t
    workbook = attendance.report_xlsx(rows, t)
    chart = attendance.report_png(rows, year=year, t=t, sessions=title is not None, title=title)
    courses = [r for r in rows if r.level == "course"]
    lines = [f"<b>{esc(title or t._('Training and event attendance'))}</b>"]
    if year:
        lines[0] += f" <b>({year})</b>"
    for r in courses[:10]:
        line = t._(
            "{title}: unique people {unique}, total attendances {total}",
            title=shorten(r.title, 40),
            unique=t.format_number(r.unique_people),
            total=t.format_number(r.total_attendances),
        )
        if r.satisfaction is not None:
            line += " · " + t._(
                "satisfaction {score} ({n} answers)",
                score=f"{r.satisfaction:.1f}",
                n=t.format_number(r.responses),
            )
        lines.append(esc(line))
    if not courses:
        lines.append(esc(t._(attendance.NO_DATA_MSG)))
    await blocks.answer(update)
    chat = update.effective_chat.id
    await context.bot.send_photo(chat, InputFile(chart, filename=f"{name}.png"),
                                 caption="\n".join(lines)[:1000], parse_mode="HTML")  # fmt: skip
    await context.bot.send_document(chat, InputFile(workbook, filename=f"{name}.xlsx"))


@staff_access.on_managed_event(REPORT_RE)
async def event_report(update: Update, context: MaeulContext, event: EventSpec) -> None:
    t = context.t
    rows = await attendance.report(
        context.db,
        context.runtime.settings.tz,
        now=context.runtime.clock.now(),
        lang=t.lang,
        events=[event.id],
    )
    await _audit(context, "event.report", event.id, formats=["xlsx", "png"])
    name = f"report-{event.id}"[:60]
    await _send_report(update, context, rows, name=name, title=event.title.get(t.lang), year=None)


async def year_report(update: Update, context: MaeulContext) -> None:
    match = YEAR_RE.match(update.callback_query.data or "")
    assert match is not None
    year = int(match.group(1))
    allowed = await staff_access.staff_can_report(update, context)
    if allowed is None:
        return
    rows = await attendance.report(
        context.db,
        context.runtime.settings.tz,
        now=context.runtime.clock.now(),
        year=year,
        lang=context.t.lang,
        events=allowed,
    )
    await _audit(
        context, "event.report", f"year:{year}", formats=["xlsx", "png"], events=len(allowed)
    )
    await _send_report(update, context, rows, name=f"report-{year}", title=None, year=year)


def register(app: Application) -> None:  # type: ignore[type-arg]
    app.add_handler(CallbackQueryHandler(checkin_qr, pattern=QR_RE))
    app.add_handler(CallbackQueryHandler(attendance_list, pattern=ATT_RE))
    app.add_handler(CallbackQueryHandler(toggle_mark, pattern=MARK_RE))
    app.add_handler(CallbackQueryHandler(attendance_workbook, pattern=XLSX_RE))
    app.add_handler(CallbackQueryHandler(event_report, pattern=REPORT_RE))
    app.add_handler(CallbackQueryHandler(year_report, pattern=YEAR_RE))


__all__ = ["register"]
