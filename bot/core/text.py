"""Small helpers for user-visible text: localized KB fields and safe HTML."""

from __future__ import annotations

import html
from collections.abc import Mapping


def localized(value: Mapping[str, str] | str | None, lang: str) -> str:
    """Pick ``lang`` from a KB localized text, falling back to Korean."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return value.get(lang) or value.get("ko") or next(iter(value.values()), "")


def esc(value: object) -> str:
    """Escape anything shown inside an HTML-formatted Telegram message."""
    return html.escape(str(value), quote=False)


def shorten(value: str, limit: int) -> str:
    return value if len(value) <= limit else value[: max(0, limit - 1)] + "…"
