"""Assembly texts for people (no Telegram here): a refusal in the reader's language, the
voting period, a method, an audit's result. Callers escape for HTML where they show it,
except :func:`refusal`, which returns HTML-escaped text (its values come from staff and
residents)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.assembly.service import AuditReport, Refused
from bot.core.i18n import Translator
from bot.core.text import esc, localized
from models.assembly import VoteMethod


def refusal(t: Translator, refused: Refused) -> str:
    """A refusal in ``t``'s language, values formatted for it (HTML-escaped)."""
    params: dict[str, Any] = {}
    for name, value in refused.params.items():
        if isinstance(value, datetime):
            params[name] = t.format_datetime(value)
        elif isinstance(value, dict):
            params[name] = esc(localized(value, t.lang))
        elif isinstance(value, int) and not isinstance(value, bool):
            params[name] = t.format_number(value)
        else:
            params[name] = esc(value)
    return t._(refused.message, **params)


def period(t: Translator, opens: datetime, closes: datetime) -> str:
    """``2026년 12월 10일 오후 2:00 – 2026년 12월 17일 오후 6:00``."""
    return f"{t.format_datetime(opens)} – {t.format_datetime(closes)}"


def card_period(t: Translator, opens: datetime, closes: datetime) -> str:
    """The period as a code card prints it, short: ``12월 10일 (목) 오후 2:00 ~ 12월 17일
    (목) 오후 6:00`` (the year is the card's assembly's)."""
    return (
        f"{t.format_date(opens, short=True)} {t.format_time(opens)} ~ "
        f"{t.format_date(closes, short=True)} {t.format_time(closes)}"
    )


def method_text(t: Translator, method: str, max_choices: int | None) -> str:
    if method == VoteMethod.APPROVE_REJECT:
        return t._("yes / no / abstain on each item")
    return t._("choose up to {n} items", n=max_choices or 0)


def audit_lines(t: Translator, report: AuditReport, closed: bool) -> list[str]:
    """The audit's verdict first, then its counts; each problem as the audit wrote it (the
    technical wording of :func:`bot.assembly.service.audit`, the same as the command
    line's)."""
    lines = [
        "✅ " + t._("Every ballot is intact and the tally matches.")
        if report.ok
        else "⚠️ "
        + t.n_(
            "Tampering or damage: {count} problem found.",
            "Tampering or damage: {count} problems found.",
            len(report.problems),
            count=len(report.problems),
        ),
        t.n_(
            "{ballots} ballot stored, {counted} counted, {superseded} replaced by a re-vote.",
            "{ballots} ballots stored, {counted} counted, {superseded} replaced by a re-vote.",
            report.ballots,
            ballots=t.format_number(report.ballots),
            counted=t.format_number(report.counted),
            superseded=t.format_number(report.superseded),
        ),
    ]
    if not closed:
        lines.append(t._("The tally is shown after the close."))
    lines += [f"• {problem}" for problem in report.problems[:20]]
    if len(report.problems) > 20:
        lines.append("…")
    return lines
