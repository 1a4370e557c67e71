"""``maeul proposals``: per-dong settings and the committee's export (typer sub-commands)."""

from __future__ import annotations

import sys
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

proposals_app = typer.Typer(help="Agenda proposals (마을의제).", no_args_is_help=True)


def stdout_is_terminal() -> bool:
    return sys.stdout.isatty()


def _free_name(path: Path) -> Path:
    """``path``, or ``stem-2.ext``, ``stem-3.ext``… when it exists (never overwrite)."""
    candidate, n = path, 1
    while candidate.exists():
        n += 1
        candidate = path.with_name(f"{path.stem}-{n}{path.suffix}")
    return candidate


class Format(StrEnum):
    csv = "csv"
    xlsx = "xlsx"


@proposals_app.command("config")
def config(
    dong: str = typer.Argument(..., help="The dong: its id or its name (hanbit1, 한빛1동)."),
    staff_chat: Annotated[
        int | None, typer.Option(help="The staff group chat id (negative, e.g. -100123…).")
    ] = None,
    no_staff_chat: Annotated[
        bool, typer.Option("--no-staff-chat", help="Stop notifying a staff group chat.")
    ] = False,
    threshold: Annotated[
        int | None,
        typer.Option(min=1, help="Supports that make staff look at a proposal."),
    ] = None,
    default_threshold: Annotated[
        bool, typer.Option("--default-threshold", help="Use the default threshold again.")
    ] = False,
) -> None:
    """Show or change a dong's settings: support threshold and staff group chat."""
    from bot.core.cli import _actor, _fail, _settings, _with_db
    from bot.core.dongs import UnknownDong, resolve_dong_id
    from bot.proposals import service as proposals

    if staff_chat is not None and no_staff_chat:
        raise _fail("give either --staff-chat or --no-staff-chat", 2)
    if threshold is not None and default_threshold:
        raise _fail("give either --threshold or --default-threshold", 2)
    changes: dict[str, Any] = {}
    if staff_chat is not None or no_staff_chat:
        changes["staff_chat_id"] = staff_chat
    if threshold is not None or default_threshold:
        changes["threshold"] = threshold

    async def work(runtime: Any) -> proposals.DongSettings:
        nonlocal dong
        async with runtime.sessionmaker() as session, session.begin():
            dong = await resolve_dong_id(session, dong) or dong
            if not changes:
                await proposals.check_dong(session, dong)
                return await proposals.dong_settings(session, dong)
            actor = proposals.Actor(None, _actor())
            now = runtime.clock.utcnow()
            return await proposals.configure_dong(session, dong, actor=actor, now=now, **changes)

    try:
        result = _with_db(_settings(), work)
    except UnknownDong as exc:
        raise _fail(str(exc), 2) from None
    except proposals.ProposalError:
        raise _fail(f"unknown dong {dong!r}", 2) from None
    default = "" if result.custom_threshold else " (default)"
    chat = result.staff_chat_id if result.staff_chat_id is not None else "none"
    typer.echo(f"{dong}: support threshold {result.threshold}{default}, staff chat {chat}")


@proposals_app.command("export")
def export(
    fmt: Annotated[Format, typer.Option("--format", help="csv or xlsx.")] = Format.csv,
    dong: Annotated[str | None, typer.Option(help="Only this dong (id or name).")] = None,
    status: Annotated[str | None, typer.Option(help="Only this status, e.g. accepted.")] = None,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            "-o",
            help="File to write (default: stdout; xlsx to a terminal: proposals-DATE.xlsx).",
        ),
    ] = None,
    lang: Annotated[
        str | None, typer.Option(help="ko or en (default DEFAULT_LANGUAGE): names, xlsx headers.")
    ] = None,
) -> None:
    """The committee's table (no personal data: proposers are never exported).

    Columns: id, dong, theme, title, description, status, visibility, supports, dates,
    official answer, merged into. Dates are in TIMEZONE; names of dongs and themes in Korean.
    """
    from bot.core.cli import _fail, _settings, _with_db
    from bot.core.dongs import UnknownDong, resolve_dong_id
    from bot.proposals.export import ExportError, Table, csv_bytes, export_table, xlsx_bytes

    settings = _settings()
    language = lang or settings.default_language
    if language not in ("ko", "en"):
        raise _fail("--lang: expected ko or en", 2)

    async def work(runtime: Any) -> tuple[Table, datetime]:
        async with runtime.sessionmaker() as session:
            dong_id = await resolve_dong_id(session, dong)
            found = await export_table(
                session, tz=settings.tz, dong_id=dong_id, status=status, lang=language
            )
            return found, runtime.clock.now()

    try:
        table, now = _with_db(settings, work)
    except (ExportError, UnknownDong) as exc:
        raise _fail(str(exc), 2) from None
    data = xlsx_bytes(table, language) if fmt == Format.xlsx else csv_bytes(table)
    if out is None and fmt == Format.xlsx and stdout_is_terminal():
        # binary on a terminal is garbage: write a file next to the user and say where
        out = _free_name(Path(f"proposals-{now.astimezone(settings.tz):%Y%m%d}.xlsx"))
    if out is None:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
    else:
        out.write_bytes(data)
        typer.echo(f"wrote {len(table.rows)} proposals to {out}", err=True)
