"""Files for committees, in the committee's language: column headers, values and times.

The CSV exports keep stable English keys and raw values (programs read them); the Excel
files are for people: their headers and values are given here in Korean or English, and
their times are wall-clock times in the configured zone (``TIMEZONE``), as Excel shows
them. The vocabulary is kept in this one table (both languages side by side, checked for
completeness by the tests) so that every export says the same thing the same way; the
status names match the bot's own.
"""

from __future__ import annotations

from datetime import datetime, tzinfo
from typing import Any

LANGS = ("ko", "en")

HEADERS: dict[str, tuple[str, str]] = {
    # proposals.xlsx
    "id": ("번호", "No."),
    "dong_id": ("동 ID", "Dong id"),
    "dong": ("동", "Dong"),
    "theme_id": ("분야 ID", "Theme id"),
    "theme": ("분야", "Theme"),
    "title": ("제목", "Title"),
    "description": ("내용", "Description"),
    "status": ("상태", "Status"),
    "visibility": ("공개 여부", "Visibility"),
    "supports": ("공감 수", "Supports"),
    "submitted_at": ("제안 일시", "Submitted"),
    "status_changed_at": ("상태 변경 일시", "Status changed"),
    "answer": ("공식 답변", "Official answer"),
    "answered_at": ("답변 일시", "Answered"),
    "merged_into": ("병합된 제안", "Merged into"),
    # results.xlsx
    "number": ("번호", "No."),
    "item_id": ("안건 ID", "Item id"),
    "budget_krw": ("예산(원)", "Budget (KRW)"),
    "online_yes": ("온라인 찬성", "Online: yes"),
    "online_no": ("온라인 반대", "Online: no"),
    "online_abstain": ("온라인 기권", "Online: abstain"),
    "onsite_yes": ("현장 찬성", "On site: yes"),
    "onsite_no": ("현장 반대", "On site: no"),
    "onsite_abstain": ("현장 기권", "On site: abstain"),
    "total_yes": ("합계 찬성", "Total: yes"),
    "total_no": ("합계 반대", "Total: no"),
    "total_abstain": ("합계 기권", "Total: abstain"),
    "yes_percent": ("찬성 비율(%)", "Yes (%)"),
    "no_percent": ("반대 비율(%)", "No (%)"),
    "abstain_percent": ("기권 비율(%)", "Abstain (%)"),
    "approved": ("결과", "Result"),
    "online_votes": ("온라인 득표", "Online votes"),
    "onsite_votes": ("현장 득표", "On-site votes"),
    "votes": ("득표 합계", "Votes"),
    "percent": ("득표율(%)", "Share (%)"),
    "rank": ("순위", "Rank"),
    "selected": ("결과", "Result"),
    "tie": ("동점", "Tie"),
    # results.xlsx, summary sheet
    "assembly": ("총회 ID", "Assembly"),
    "method": ("투표 방식", "Voting method"),
    "max_choices": ("최대 선택 수", "Most choices"),
    "opens_at": ("투표 시작", "Voting opened"),
    "closes_at": ("투표 마감", "Voting closed"),
    "online_voters": ("온라인 투표자", "Online voters"),
    "onsite_voters": ("현장 투표자", "On-site voters"),
    "voters": ("투표자 합계", "Voters"),
    "eligible_population": ("투표권자 수", "Eligible residents"),
    "turnout_percent": ("투표율(%)", "Turnout (%)"),
    "quorum_percent": ("의결 정족수(%)", "Quorum (%)"),
    "quorum_met": ("정족수 충족", "Quorum reached"),
    "binding": ("구속력", "Binding"),
    "invalid_ballots": ("열 수 없는 투표지", "Ballots that could not be opened"),
    "time_zone": ("시간대", "Time zone"),
}

SHEETS: dict[str, tuple[str, str]] = {
    "proposals": ("마을의제", "Proposals"),
    "results": ("결과", "Results"),
    "summary": ("요약", "Summary"),
}

VALUES: dict[str, dict[str, tuple[str, str]]] = {
    "status": {
        "submitted": ("접수", "Submitted"),
        "under_review": ("검토 중", "Under review"),
        "accepted": ("채택", "Accepted"),
        "rejected": ("불채택", "Rejected"),
        "merged": ("병합", "Merged"),
        "withdrawn": ("철회", "Withdrawn"),
        "selected": ("주민총회 선정", "Selected at the assembly"),
        "not_selected": ("주민총회 미선정", "Not selected at the assembly"),
        "in_progress": ("추진 중", "In progress"),
        "done": ("완료", "Done"),
    },
    "visibility": {
        "visible": ("공개", "Visible"),
        "flagged": ("신고로 숨김(검토 대기)", "Hidden after reports (to review)"),
        "hidden": ("숨김", "Hidden"),
    },
    "method": {
        "approve_reject": ("안건별 찬반", "Yes or no on each item"),
        "choose_up_to": ("여러 안건 중 선택", "Choose among the items"),
    },
    "approved": {"True": ("가결", "Approved"), "False": ("부결", "Not approved")},
    "selected": {"True": ("선정", "Selected"), "False": ("미선정", "Not selected")},
}
YES_NO: dict[bool, tuple[str, str]] = {True: ("예", "Yes"), False: ("아니요", "No")}
UNKNOWN = ("판단할 수 없음", "Cannot be judged")
"""A yes/no that is not known (a quorum without the eligible population)."""


def _pick(pair: tuple[str, str], lang: str) -> str:
    return pair[LANGS.index(lang)] if lang in LANGS else pair[0]


def header(key: str, lang: str) -> str:
    """The column title for ``key`` (the key itself when it has none)."""
    found = HEADERS.get(key)
    return _pick(found, lang) if found else key


def headers(keys: list[str] | tuple[str, ...], lang: str) -> list[str]:
    return [header(key, lang) for key in keys]


def sheet_title(key: str, lang: str) -> str:
    found = SHEETS.get(key)
    return _pick(found, lang) if found else key


def local_time(value: datetime, tz: tzinfo) -> datetime:
    """An aware time as the wall-clock time in ``tz``, without offset (Excel has none)."""
    return value.astimezone(tz).replace(tzinfo=None)


def value(key: str, raw: Any, lang: str, tz: tzinfo | None = None) -> Any:
    """A cell in the committee's language: labelled statuses and verdicts, yes/no for
    booleans, local times; numbers and free text unchanged."""
    table = VALUES.get(key)
    if table is not None and raw is not None and str(raw) in table:
        return _pick(table[str(raw)], lang)
    if isinstance(raw, bool):
        return _pick(YES_NO[raw], lang)
    if raw is None and key in ("quorum_met", "approved", "selected"):
        return _pick(UNKNOWN, lang) if key == "quorum_met" else None
    if isinstance(raw, datetime) and tz is not None:
        return local_time(raw, tz)
    return raw


def values(
    keys: list[str] | tuple[str, ...], row: list[Any], lang: str, tz: tzinfo | None
) -> list[Any]:
    return [value(key, raw, lang, tz) for key, raw in zip(keys, row, strict=True)]


def style_times(sheet: Any) -> None:
    """Show every datetime cell of ``sheet`` as ``2027-06-14 18:00``."""
    for row in sheet.iter_rows():
        for cell in row:
            if isinstance(cell.value, datetime):
                cell.number_format = "yyyy-mm-dd hh:mm"


def fit_columns(sheet: Any, most: int = 40) -> None:
    """Widen each column to its longest cell (Hangul counts double), up to ``most``."""
    from openpyxl.utils import get_column_letter

    for index, column in enumerate(sheet.iter_cols(), start=1):
        longest = max(
            (sum(2 if ord(ch) > 0x1100 else 1 for ch in str(c.value)) for c in column if c.value),
            default=6,
        )
        sheet.column_dimensions[get_column_letter(index)].width = min(most, longest + 2)


__all__ = [
    "HEADERS",
    "LANGS",
    "SHEETS",
    "VALUES",
    "fit_columns",
    "header",
    "headers",
    "local_time",
    "sheet_title",
    "style_times",
    "value",
    "values",
]
