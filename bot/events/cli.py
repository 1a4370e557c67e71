"""``maeul events …`` (staff: list, create, edit, cancel, move, report).

Changes made here are committed to the database; registrants are told by the dispatcher
of the running bot at its next wake-up (``REMINDER_WAKE_SECONDS``), or by ``maeul
reminders run``.
"""

from __future__ import annotations

import sys
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from bot.core import cli

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

    from sqlalchemy.ext.asyncio import AsyncSession

    from bot.core.runtime import Runtime

events_app = typer.Typer(
    help="Events staff list, create, move and cancel; attendance reports.", no_args_is_help=True
)


def _cli() -> Any:
    return cli


def _when(value: str, option: str) -> datetime:
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise _cli()._fail(f"{option}: expected an ISO datetime like 2027-03-05T19:00", 2) from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=_cli()._settings().tz)
    return parsed


def _day(value: str | None, option: str = "--date") -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise _cli()._fail(f"{option}: expected a date like 2027-03-05", 2) from None


def _change(change: Callable[[AsyncSession, Runtime], Awaitable[Any]]) -> Any:
    """Run a staff change (``change(session, runtime)``, a domain function of
    :mod:`bot.events.registrations`) in one transaction; its refusal, or an unknown dong,
    ends the command with the reason and exit status 2."""
    from bot.core.dongs import UnknownDong
    from bot.events import registrations as reg

    cli = _cli()
    settings = cli._settings()

    async def work(runtime: Runtime) -> Any:
        async with runtime.sessionmaker() as session, session.begin():
            return await change(session, runtime)

    try:
        return cli._with_db(settings, work)
    except (reg.EventChangeError, UnknownDong) as exc:
        raise cli._fail(str(exc), 2) from None


def _as_staff(runtime: Runtime) -> dict[str, Any]:
    """The keywords every staff change of :mod:`bot.events.registrations` takes: made by
    the command line's actor, at the runtime's clock, in its time zone."""
    return {"actor": _cli()._actor(), "now": runtime.clock.now(), "tz": runtime.settings.tz}


def _report(found: Any) -> str:
    return f"{found.moved} registration(s) moved, {found.cancelled} cancelled (people are told)"


@events_app.command("list")
def list_events(
    dong: Annotated[
        str | None,
        typer.Option(help="Only this dong's events (id or name) and district-wide ones."),
    ] = None,
    start: Annotated[
        str | None, typer.Option("--from", help="From this date (YYYY-MM-DD; default today).")
    ] = None,
    days: Annotated[int, typer.Option(min=1, help="How many days ahead.")] = 92,
) -> None:
    """Every date of every event in a window, with the ids and dates that ``move``,
    ``cancel`` and ``edit`` take; moved and cancelled dates are marked."""
    from datetime import timedelta

    from sqlalchemy import select

    from bot.core.dongs import UnknownDong, list_dongs, resolve_dong
    from bot.core.text import localized
    from bot.events import registrations as reg
    from bot.kb import schedule
    from models.kb import Event

    cli = _cli()
    settings = cli._settings()
    tz = settings.tz
    first = _day(start, "--from")

    async def work(runtime: Runtime) -> list[str]:
        async with runtime.sessionmaker() as session:
            dongs = await list_dongs(session)
            dong_id = resolve_dong(dongs, dong).id if dong is not None else None
            names = {d.id: localized(d.name, "ko") for d in dongs}
            day = first or runtime.clock.now().astimezone(tz).date()
            after = datetime(day.year, day.month, day.day, tzinfo=tz)
            until = after + timedelta(days=days)
            ids = await session.scalars(select(Event.id).where(Event.archived.is_(False)))
            found: list[schedule.Occurrence] = []
            for event_id in ids.all():
                spec = await reg.event_spec(session, event_id, tz)
                if spec is None or not schedule.matches(spec, dong=dong_id or schedule.ALL):
                    continue
                found.extend(
                    schedule.occurrences(spec, tz, after=after, until=until, include_cancelled=True)
                )
            found.sort(key=lambda o: (o.starts_at, o.event.id))
            lines = []
            for o in found:
                mark = {"moved": "moved", "cancelled": "CANCELLED"}.get(o.status, "")
                if o.moved or (o.cancelled and o.starts_at != o.recurrence_id):
                    mark += f" (was {o.recurrence_id.astimezone(tz):%Y-%m-%d %H:%M})"
                where = names.get(o.event.dong, o.event.dong) if o.event.dong else "district-wide"
                lines.append(
                    f"{o.starts_at:%Y-%m-%d %a %H:%M}-{o.ends_at:%H:%M}\t{o.event.id}\t"
                    f"{o.event.kind}\t{where}\t{o.event.title.ko}"
                    + (f"\t{mark.strip()}" if mark else "")
                )
            return lines

    try:
        lines = cli._with_db(settings, work)
    except UnknownDong as exc:
        raise cli._fail(str(exc), 2) from None
    if not lines:
        typer.echo("no events in that window")
    for line in lines:
        typer.echo(line)


@events_app.command("create")
def create(
    kind: Annotated[str, typer.Option(help="training, meeting, assembly, forum, …")],
    title: Annotated[str, typer.Option(help="Title in Korean.")],
    starts_at: Annotated[str, typer.Option("--starts-at", help="ISO datetime.")],
    ends_at: Annotated[str, typer.Option("--ends-at", help="ISO datetime.")],
    place: Annotated[str, typer.Option(help="Place in Korean.")],
    title_en: Annotated[str | None, typer.Option("--title-en")] = None,
    place_en: Annotated[str | None, typer.Option("--place-en")] = None,
    dong: Annotated[
        str | None, typer.Option(help="Dong id or name; absent: district-wide.")
    ] = None,
    capacity: Annotated[int | None, typer.Option(min=1)] = None,
    no_registration: Annotated[bool, typer.Option("--no-registration")] = False,
    closes_hours_before: Annotated[int | None, typer.Option(min=0)] = None,
    rrule: Annotated[
        str | None, typer.Option(help="RFC 5545 rule, e.g. FREQ=WEEKLY;COUNT=4")
    ] = None,
    survey: Annotated[bool, typer.Option("--survey/--no-survey")] = False,
    event_id: Annotated[str | None, typer.Option("--id", help="Id (default: made up).")] = None,
) -> None:
    """Create a staff event (kept across KB re-imports); subscribers are told."""
    from bot.core.dongs import resolve_dong_id
    from bot.events import registrations as reg
    from bot.events import subscriptions as subs

    cli = _cli()
    settings = cli._settings()
    spec = reg.NewEvent(
        id=event_id,
        kind=kind,
        title={"ko": title, **({"en": title_en} if title_en else {})},
        place={"ko": place, **({"en": place_en} if place_en else {})},
        starts_at=_when(starts_at, "--starts-at"),
        ends_at=_when(ends_at, "--ends-at"),
        dong=dong,
        capacity=capacity,
        registration_required=not no_registration,
        closes_hours_before=closes_hours_before,
        rrule=rrule,
        survey=survey,
    )

    async def work(session: AsyncSession, runtime: Runtime) -> tuple[str, int]:
        now = runtime.clock.now()
        spec.dong = await resolve_dong_id(session, dong)
        created = await reg.create_event(session, spec, actor=cli._actor(), now=now, tz=settings.tz)
        told = await subs.notify_new_event(session, created, now)
        return created.id, told

    created_id, told = _change(work)
    typer.echo(f"created {created_id}; {told} subscribed chat(s) will be told")


@events_app.command("edit")
def edit(
    event_id: str = typer.Argument(..., help="The event's id."),
    title: Annotated[str | None, typer.Option()] = None,
    title_en: Annotated[str | None, typer.Option("--title-en")] = None,
    place: Annotated[str | None, typer.Option()] = None,
    place_en: Annotated[str | None, typer.Option("--place-en")] = None,
    capacity: Annotated[int | None, typer.Option(min=1)] = None,
    closes_hours_before: Annotated[int | None, typer.Option(min=0)] = None,
    survey: Annotated[bool | None, typer.Option("--survey/--no-survey")] = None,
    kind: Annotated[str | None, typer.Option(help="training, meeting, assembly, forum, …")] = None,
    dong: Annotated[str | None, typer.Option(help="Dong id or name; 'all': district-wide.")] = None,
    registration: Annotated[
        bool | None,
        typer.Option("--registration/--no-registration", help="Whether people register (seats)."),
    ] = None,
) -> None:
    """Change an event's texts, kind, dong, registration, seats, registration closing or
    survey (more seats promote the waitlist; a new place is told to the registrants; a new
    Korean title or place without its English drops the English). Times: ``maeul events
    move``."""
    from bot.core.dongs import resolve_dong_id
    from bot.events import registrations as reg

    values: dict[str, Any] = {
        name: value
        for name, value in {
            "title_ko": title,
            "title_en": title_en,
            "place_ko": place,
            "place_en": place_en,
            "capacity": capacity,
            "closes_hours_before": closes_hours_before,
            "survey": survey,
            "kind": kind,
            "registration_required": registration,
        }.items()
        if value is not None
    }
    cli = _cli()
    if not values and dong is None:
        raise cli._fail("nothing to change; see --help", 2)

    async def work(session: AsyncSession, runtime: Runtime) -> Any:
        if dong is not None:
            values["dong"] = None if dong.lower() == "all" else await resolve_dong_id(session, dong)
        return await reg.edit_event(session, event_id, values, **_as_staff(runtime))

    found = _change(work)
    told = f"; {found.told} told of the new place" if found.told else ""
    typer.echo(f"edited {event_id}; {found.promoted} promoted from the waitlist{told}")


@events_app.command("cancel")
def cancel(
    event_id: str = typer.Argument(..., help="The event's id."),
    on: Annotated[str | None, typer.Option("--date", help="Only this date (YYYY-MM-DD).")] = None,
) -> None:
    """Cancel one date, or the whole event; everyone registered is told."""
    from bot.events import registrations as reg

    day = _day(on)

    async def work(session: AsyncSession, runtime: Runtime) -> Any:
        return await reg.cancel_event(session, event_id, day=day, **_as_staff(runtime))

    found = _change(work)
    typer.echo(f"cancelled {event_id}{' on ' + on if on else ''}; {_report(found)}")


@events_app.command("move")
def move(
    event_id: str = typer.Argument(..., help="The event's id."),
    to: Annotated[str, typer.Option(help="New start, ISO datetime.")] = "",
    on: Annotated[
        str | None, typer.Option("--date", help="Only the date starting on YYYY-MM-DD.")
    ] = None,
    ends_at: Annotated[
        str | None, typer.Option("--ends-at", help="New end (default: same length).")
    ] = None,
) -> None:
    """Move one date (--date), or the whole event; registrants are told and their
    reminders follow the new time."""
    from bot.events import registrations as reg

    cli = _cli()
    if not to:
        raise cli._fail("--to is required", 2)
    new_start = _when(to, "--to")
    new_end = _when(ends_at, "--ends-at") if ends_at else None
    day = _day(on)

    async def work(session: AsyncSession, runtime: Runtime) -> Any:
        # a date with attendance is refused by move_event itself, as in the bot
        return await reg.move_event(
            session, event_id, to=new_start, ends_at=new_end, day=day, **_as_staff(runtime)
        )

    found = _change(work)
    typer.echo(f"moved {event_id} to {new_start.isoformat()}; {_report(found)}")


@events_app.command("report")
def report(
    fmt: Annotated[str, typer.Option("--format", help="csv, xlsx or png.")] = "csv",
    year: Annotated[int | None, typer.Option(help="Only sessions in this year.")] = None,
    out: Annotated[Path | None, typer.Option("--out", "-o", help="File to write.")] = None,
) -> None:
    """Per session and per course: registered, attended, unique people (실인원), total
    attendances (연인원), average satisfaction — of the sessions held so far (cancelled
    dates and coming ones are left out)."""
    from bot.events import attendance

    cli = _cli()
    if fmt not in ("csv", "xlsx", "png"):
        raise cli._fail("--format: expected csv, xlsx or png", 2)
    settings = cli._settings()

    async def work(runtime: Runtime) -> list[attendance.ReportRow]:
        async with runtime.sessionmaker() as session:
            return await attendance.report(session, settings.tz, now=runtime.clock.now(), year=year)

    rows = cli._with_db(settings, work)
    if fmt == "csv":
        data = attendance.report_csv(rows)
    elif fmt == "xlsx":
        data = attendance.report_xlsx(rows)
    else:
        data = attendance.report_png(rows, year=year)
    if out is None:
        if fmt != "csv":
            raise cli._fail(f"--format {fmt} needs --out FILE", 2)
        sys.stdout.write(data.decode("utf-8-sig"))
        return
    out.write_bytes(data)
    courses = sum(1 for r in rows if r.level == "course")
    typer.echo(f"wrote {out} ({courses} course(s), {len(rows) - courses} session(s))")


__all__ = ["events_app"]
