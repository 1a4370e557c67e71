"""Paging keyboards and choice lists (part of the shared blocks; import them from
:mod:`handlers.core.blocks`). Page numbers from callback data are clamped: a forged or
stale ``page=9999`` shows the last page, a negative one the first, and nothing raises."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

T = TypeVar("T")
PAGE_SIZE = 6
MARK = "✓ "
Rows = list[list[InlineKeyboardButton]]


def page_count(total: int, size: int = PAGE_SIZE) -> int:
    """How many pages ``total`` items fill (at least one: an empty list is one page)."""
    return max(1, -(-max(total, 0) // max(size, 1)))


def clamp_page(page: int, total: int, size: int = PAGE_SIZE) -> int:
    """``page`` within 0 … last page (a forged or stale page number is clamped)."""
    return min(max(page, 0), page_count(total, size) - 1)


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a list: its items, its number (from 0, clamped) and the page count."""

    items: list[T]
    number: int
    count: int

    @property
    def has_previous(self) -> bool:
        return self.number > 0

    @property
    def has_next(self) -> bool:
        return self.number + 1 < self.count


def paginate(items: Sequence[T], page: int, size: int = PAGE_SIZE) -> Page[T]:
    """The page ``page`` of ``items`` (clamped: never empty unless ``items`` is)."""
    number = clamp_page(page, len(items), size)
    chunk = list(items[number * size : (number + 1) * size])
    return Page(chunk, number, page_count(len(items), size))


def nav_row(
    page: int,
    pages: int,
    data_for_page: str | Callable[[int], str],
    *,
    previous: str = "◀",
    following: str = "▶",
) -> list[InlineKeyboardButton]:
    """◀ / ▶ buttons around ``page`` of ``pages`` (empty on a single page).

    ``data_for_page`` is a format string with ``{page}``, or a function of the page."""

    def data(n: int) -> str:
        return data_for_page(n) if callable(data_for_page) else data_for_page.format(page=n)

    row = []
    if page > 0:
        row.append(InlineKeyboardButton(previous, callback_data=data(page - 1)))
    if page < pages - 1:
        row.append(InlineKeyboardButton(following, callback_data=data(page + 1)))
    return row


def grid(buttons: Sequence[InlineKeyboardButton], width: int = 2) -> Rows:
    """Buttons in rows of ``width``."""
    return [list(buttons[i : i + width]) for i in range(0, len(buttons), width)]


def choices(
    options: Iterable[tuple[str, str]],
    data: Callable[[str], str],
    marked: Callable[[str], bool] | None = None,
) -> list[InlineKeyboardButton]:
    """A button per ``(value, label)``; ``marked(value)`` puts ✓ before the label."""
    return [
        InlineKeyboardButton(
            (MARK if marked is not None and marked(value) else "") + label,
            callback_data=data(value),
        )
        for value, label in options
    ]


def list_keyboard(
    items: Rows | Sequence[InlineKeyboardButton],
    nav: list[InlineKeyboardButton] | None = None,
    footer: Sequence[InlineKeyboardButton] | Rows | None = None,
    *,
    width: int = 1,
) -> InlineKeyboardMarkup:
    """Item buttons (``width`` a row, or rows as given), the ◀ ▶ row if any, then
    ``footer`` (a row, or several)."""
    rows: Rows = (
        [list(r) for r in items]  # type: ignore[arg-type]
        if items and isinstance(items[0], list)
        else grid(items, width)  # type: ignore[arg-type]
    )
    if nav:
        rows.append(list(nav))
    if footer:
        if isinstance(footer[0], list):
            rows.extend(list(r) for r in footer)  # type: ignore[arg-type]
        else:
            rows.append(list(footer))  # type: ignore[arg-type]
    return InlineKeyboardMarkup(rows)
