"""The table a resident-council committee works from: proposals as CSV or Excel.

Only what a committee needs: no proposer names or Telegram ids. Names of dongs and themes
are in the committee's language (Korean by default), dates in the configured time zone; the
Excel file also has its headers, statuses and visibility in that language. Cells a
resident typed that start like a spreadsheet formula (``=``, ``+``, ``-``, ``@``) are
prefixed with ``'`` in CSV, and written as text (never formulas) in Excel.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import IO

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.text import localized
from models.kb import Category, Dong
from models.proposal import HistoryAction, Proposal, ProposalHistory, ProposalStatus

COLUMNS = (
    "id",
    "dong_id",
    "dong",
    "theme_id",
    "theme",
    "title",
    "description",
    "status",
    "visibility",
    "supports",
    "submitted_at",
    "status_changed_at",
    "answer",
    "answered_at",
    "merged_into",
)
_TYPED = frozenset({"title", "description", "answer"})
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

Cell = str | int | None


class ExportError(ValueError):
    """A filter that names no dong or status."""


@dataclass(frozen=True)
class Table:
    columns: tuple[str, ...]
    rows: list[list[Cell]]


def _when(at: datetime | None, tz: tzinfo) -> str | None:
    return at.astimezone(tz).strftime("%Y-%m-%d %H:%M") if at is not None else None


async def export_table(
    session: AsyncSession,
    *,
    tz: tzinfo,
    dong_id: str | None = None,
    status: str | None = None,
    lang: str = "ko",
) -> Table:
    """The proposals, names of dongs and themes in ``lang``, dates in ``tz``."""
    if status is not None and status not in {s.value for s in ProposalStatus}:
        names = ", ".join(s.value for s in ProposalStatus)
        raise ExportError(f"unknown status {status!r}; expected one of {names}")
    dongs = {d.id: d for d in (await session.execute(select(Dong))).scalars()}
    if dong_id is not None and dong_id not in dongs:
        raise ExportError(f"unknown dong {dong_id!r}")
    themes = {c.id: c for c in (await session.execute(select(Category))).scalars()}
    changed = dict(
        (
            await session.execute(
                select(ProposalHistory.proposal_id, func.max(ProposalHistory.at))
                .where(ProposalHistory.action == HistoryAction.STATUS.value)
                .group_by(ProposalHistory.proposal_id)
            )
        ).all()
    )
    stmt = select(Proposal).order_by(Proposal.dong_id, Proposal.id)
    if dong_id is not None:
        stmt = stmt.where(Proposal.dong_id == dong_id)
    if status is not None:
        stmt = stmt.where(Proposal.status == status)
    rows: list[list[Cell]] = []
    for p in (await session.execute(stmt)).scalars():
        dong, theme = dongs.get(p.dong_id), themes.get(p.category_id)
        rows.append(
            [
                p.id,
                p.dong_id,
                localized(dong.name, lang) if dong else p.dong_id,
                p.category_id,
                localized(theme.name, lang) if theme else p.category_id,
                p.title,
                p.description,
                p.status,
                p.visibility,
                p.support_count,
                _when(p.created_at, tz),
                _when(changed.get(p.id), tz),
                p.answer,
                _when(p.answered_at, tz),
                p.merged_into_id,
            ]
        )
    return Table(COLUMNS, rows)


def _defuse(column: str, value: Cell) -> Cell:
    if column in _TYPED and isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def write_csv(table: Table, out: IO[str]) -> None:
    """UTF-8 with a byte-order mark when ``out`` is a file opened with ``utf-8-sig``."""
    writer = csv.writer(out)
    writer.writerow(table.columns)
    for row in table.rows:
        writer.writerow(
            ["" if v is None else _defuse(c, v) for c, v in zip(table.columns, row, strict=True)]
        )


def csv_bytes(table: Table) -> bytes:
    buf = io.StringIO()
    write_csv(table, buf)
    return buf.getvalue().encode("utf-8-sig")


def xlsx_bytes(table: Table, lang: str | None = None) -> bytes:
    """The table as an Excel file; with ``lang``, headers, statuses and visibility in that
    language (:mod:`bot.core.exports`), else the CSV's keys and values."""
    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    from bot.core import exports

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = exports.sheet_title("proposals", lang) if lang else "proposals"
    sheet.append(exports.headers(table.columns, lang) if lang else list(table.columns))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for r, row in enumerate(table.rows, start=2):
        if lang:
            row = exports.values(table.columns, row, lang, None)
        for c, value in enumerate(row, start=1):
            cell = sheet.cell(row=r, column=c)
            if isinstance(value, str):
                cell.value = ILLEGAL_CHARACTERS_RE.sub("", value)
                cell.data_type = "s"  # text, even when it starts with "="
                if "\n" in value:
                    cell.alignment = Alignment(wrap_text=True, vertical="top")
            else:
                cell.value = value
    widths = {"title": 40, "description": 60, "answer": 50, "dong": 12, "theme": 16}
    for index, column in enumerate(table.columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = widths.get(column, 14)
    sheet.freeze_panes = "A2"
    buf = io.BytesIO()
    workbook.save(buf)
    return buf.getvalue()
