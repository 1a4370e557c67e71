"""Results as people read them: text lines, CSV / XLSX files and a bar chart (PNG).

The chart uses matplotlib's object API (no pyplot, no global state) with the Agg backend,
imported only when a chart is drawn: importing it costs about 0.3–0.5 s and 30 MB, which the
bot should not pay at start-up for a chart drawn a few times a year. Korean labels use the
NanumGothic font shipped by the ``koreanize-matplotlib`` package (only its font file is used).
"""

from __future__ import annotations

import csv
import io
from datetime import UTC, tzinfo
from typing import Any

from bot.assembly.service import ItemResult, Results, title_of
from bot.core.fonts import korean_font_path
from bot.core.i18n import Translator
from models.assembly import VoteMethod

CHART_ITEMS = 20


def _approve(results: Results) -> bool:
    return results.vote.method == VoteMethod.APPROVE_REJECT


# --- files -----------------------------------------------------------------------------


def _header(results: Results) -> list[str]:
    head = ["number", "item_id", "title", "budget_krw"]
    if _approve(results):
        for where in ("online", "onsite", "total"):
            head += [f"{where}_yes", f"{where}_no", f"{where}_abstain"]
        return [*head, "yes_percent", "no_percent", "abstain_percent", "approved"]
    return [*head, "online_votes", "onsite_votes", "votes", "percent", "rank", "selected", "tie"]


def provisional_text(results: Results, t: Translator) -> str:
    """Why the results are not final yet (empty when they are)."""
    if not results.provisional:
        return ""
    return t.n_(
        "Provisional: the paper ballots of {count} on-site voter are not counted yet. "
        "Nothing is decided until the paper totals are entered.",
        "Provisional: the paper ballots of {count} on-site voters are not counted yet. "
        "Nothing is decided until the paper totals are entered.",
        results.onsite_pending,
        count=t.format_number(results.onsite_pending),
    )


def verdict(results: Results, r: ItemResult, t: Translator) -> str:
    """An item's outcome in words: approved / selected or not, undecided while the results
    are provisional, and a tie at the edge of a choose-up-to vote as a decision still to
    take (every tied item is marked, but not all of them can be chosen)."""
    if results.provisional:
        return t._("undecided (provisional)")
    if _approve(results):
        return t._("approved") if r.approved else t._("not approved")
    if r.tie:
        return t._("tie — a decision is needed")
    return t._("selected") if r.approved else t._("not selected")


def _row(results: Results, number: int, r: ItemResult, lang: str) -> list[Any]:
    row: list[Any] = [number, r.item.item_id, title_of(r.item, lang), r.item.budget_krw]
    if _approve(results):
        for counts in (r.online, r.onsite, r.total):
            row += [counts["yes"], counts["no"], counts["abstain"]]
        return [*row, r.percent["yes"], r.percent["no"], r.percent["abstain"], r.approved]
    return [
        *row,
        r.online["votes"],
        r.onsite["votes"],
        r.total["votes"],
        r.percent["votes"],
        r.rank,
        r.approved,
        r.tie,
    ]


def summary(results: Results) -> list[tuple[str, Any]]:
    turn = results.turnout
    vote = results.vote
    return [
        ("assembly", vote.assembly_id),
        ("title", title_of(vote, "ko")),
        ("method", vote.method),
        ("max_choices", vote.max_choices),
        ("opens_at", vote.opens_at.isoformat(timespec="seconds")),
        ("closes_at", vote.closes_at.isoformat(timespec="seconds")),
        ("online_voters", turn.online_voters),
        ("onsite_voters", turn.onsite_voters),
        ("voters", turn.voters),
        ("eligible_population", turn.eligible_population),
        ("turnout_percent", None if turn.percent is None else round(turn.percent, 2)),
        ("quorum_percent", vote.quorum_percent),
        ("quorum_met", results.quorum_met),
        ("binding", results.binding),
        ("invalid_ballots", results.invalid),
    ]


def results_csv(results: Results, lang: str = "ko") -> str:
    """Raw values for programs; the last column, ``provisional``, is True on every row while
    on-site voters' paper totals are missing (``approved`` / ``selected`` are then empty)."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow([*_header(results), "provisional"])
    for number, r in enumerate(results.items, 1):
        row = ["" if v is None else v for v in _row(results, number, r, lang)]
        writer.writerow([*row, results.provisional])
    return buf.getvalue()


def results_xlsx(results: Results, lang: str = "ko", tz: tzinfo = UTC) -> bytes:
    """For the committee: headers and values in ``lang``, times in ``tz``
    (:mod:`bot.core.exports`)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    from bot.core import exports

    t = Translator(lang, tz)
    warning = provisional_text(results, t)
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = exports.sheet_title("results", lang)
    if warning:  # first, where nobody can miss it
        sheet.append(["⚠ " + warning])
    keys = _header(results)
    sheet.append(exports.headers(keys, lang))
    outcome = keys.index("approved" if _approve(results) else "selected")
    for number, r in enumerate(results.items, 1):
        cells = exports.values(keys, _row(results, number, r, lang), lang, tz)
        if results.provisional or r.tie:
            cells[outcome] = verdict(results, r, t)
        sheet.append(cells)
    for cell in sheet[2 if warning else 1]:
        cell.font = Font(bold=True)
    exports.fit_columns(sheet)
    if warning:
        sheet["A1"].font = Font(bold=True, color="C62828")
        sheet.column_dimensions["A"].width = 8  # the warning overflows into the next cells
    info = book.create_sheet(exports.sheet_title("summary", lang))
    if warning:
        info.append(["⚠ " + warning])
        info["A1"].font = Font(bold=True, color="C62828")
    for key, value in [*summary(results), ("time_zone", str(tz))]:
        if key in ("opens_at", "closes_at"):
            # to the second: "close now" keeps the instant's microseconds (the window is
            # exact), which a sheet should neither show nor hold in the cell's value
            value = getattr(results.vote, key).replace(microsecond=0)
        info.append([exports.header(key, lang), exports.value(key, value, lang, tz)])
    exports.style_times(info)
    exports.fit_columns(info)
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


# --- text ------------------------------------------------------------------------------


def result_lines(results: Results, t: Translator) -> list[str]:
    """Plain-text lines (the caller escapes them for HTML)."""
    vote = results.vote
    turn = results.turnout
    lines = ["⚠️ " + provisional_text(results, t), ""] if results.provisional else []
    lines += [
        t.n_(
            "Turnout: {voters} voter ({online} online, {onsite} on site)",
            "Turnout: {voters} voters ({online} online, {onsite} on site)",
            turn.voters,
            voters=t.format_number(turn.voters),
            online=t.format_number(turn.online_voters),
            onsite=t.format_number(turn.onsite_voters),
        )
    ]
    if turn.percent is not None and turn.eligible_population:
        lines.append(
            t.n_(
                "{percent} of {population} eligible resident",
                "{percent} of {population} eligible residents",
                turn.eligible_population,
                percent=t.format_number(round(turn.percent, 1)) + "%",
                population=t.format_number(turn.eligible_population),
            )
        )
    if vote.quorum_percent is not None:
        if results.quorum_met is None:
            lines.append(
                t._(
                    "Quorum {quorum}%: cannot be judged without the eligible population.",
                    quorum=vote.quorum_percent,
                )
            )
        elif results.quorum_met:
            lines.append(t._("Quorum {quorum}%: reached.", quorum=vote.quorum_percent))
        else:
            lines.append(
                t._(
                    "Quorum {quorum}%: not reached, so the results are advisory.",
                    quorum=vote.quorum_percent,
                )
            )
    lines.append("")
    for number, r in enumerate(results.items, 1):
        title = title_of(r.item, t.lang)
        if _approve(results):
            lines.append(
                t._(
                    "{n}. {title}: yes {yes} ({yes_pct}%), no {no} ({no_pct}%), "
                    "abstain {abstain} ({abstain_pct}%) → {verdict}",
                    n=number,
                    title=title,
                    yes=t.format_number(r.total["yes"]),
                    yes_pct=t.format_number(r.percent["yes"]),
                    no=t.format_number(r.total["no"]),
                    no_pct=t.format_number(r.percent["no"]),
                    abstain=t.format_number(r.total["abstain"]),
                    abstain_pct=t.format_number(r.percent["abstain"]),
                    verdict=verdict(results, r, t),
                )
            )
        else:
            lines.append(
                t.n_(  # n_ passes the count as {n}: the item's number is {number}
                    "{number}. {title}: {votes} vote ({pct}%), rank {rank} → {verdict}",
                    "{number}. {title}: {votes} votes ({pct}%), rank {rank} → {verdict}",
                    r.total["votes"],
                    number=number,
                    title=title,
                    votes=t.format_number(r.total["votes"]),
                    pct=t.format_number(r.percent["votes"]),
                    rank=r.rank or "-",
                    verdict=verdict(results, r, t),
                )
            )
    if results.invalid:
        lines += [
            "",
            t.n_(
                "{count} ballot could not be opened: run the audit.",
                "{count} ballots could not be opened: run the audit.",
                results.invalid,
                count=t.format_number(results.invalid),
            ),
        ]
    return lines


# --- chart -----------------------------------------------------------------------------


def _short(text: str, limit: int = 24) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def chart_png(results: Results, t: Translator) -> bytes:
    """A horizontal bar chart of the merged results, as PNG bytes."""
    buf = io.BytesIO()
    chart_figure(results, t).savefig(buf, format="png", bbox_inches="tight")
    return buf.getvalue()


def chart_figure(results: Results, t: Translator) -> Any:
    """The chart as a matplotlib ``Figure``: the legend above the bars (clear of the axis
    label), whole-number ticks for vote counts, laid out so no label is clipped."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.font_manager import FontProperties
    from matplotlib.ticker import MaxNLocator

    path = korean_font_path()
    font = FontProperties(fname=str(path)) if path else FontProperties()
    rows = results.items[:CHART_ITEMS]
    labels = [f"{n}. {_short(title_of(r.item, t.lang))}" for n, r in enumerate(rows, 1)]
    height = 1.4 + 0.45 * len(rows)
    figure = Figure(figsize=(8, height), dpi=110, layout="constrained")
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    positions = list(range(len(rows)))[::-1]
    if _approve(results):
        left = [0.0] * len(rows)
        for key, label, colour in (
            ("yes", t.p_("ballot", "Yes"), "#2e7d32"),
            ("no", t.p_("ballot", "No"), "#c62828"),
            ("abstain", t.p_("ballot", "Abstain"), "#9e9e9e"),
        ):
            values = [r.percent[key] for r in rows]
            axes.barh(positions, values, left=left, color=colour, label=label, height=0.6)
            left = [a + b for a, b in zip(left, values, strict=True)]
        axes.set_xlim(0, 100)
        axes.axvline(50, color="#333333", linewidth=0.8, linestyle="--")
        axes.set_xlabel(t._("Share of the votes cast on each item (percent)"), fontproperties=font)
        axes.legend(prop=font, loc="lower right", bbox_to_anchor=(1.0, 1.0), ncol=3,
                    frameon=False, borderaxespad=0.2)  # fmt: skip
    else:
        values = [r.total["votes"] for r in rows]
        colours = ["#2e7d32" if r.approved else "#90a4ae" for r in rows]
        axes.barh(positions, values, color=colours, height=0.6)
        for y, value in zip(positions, values, strict=True):
            axes.text(value, y, f" {value:,}", va="center", fontsize=8)
        axes.set_xlim(0, max([*values, 1]) * 1.15 + 0.5)
        axes.xaxis.set_major_locator(MaxNLocator(integer=True))
        axes.set_xlabel(t._("Votes"), fontproperties=font)
    axes.set_yticks(positions)
    axes.set_yticklabels(labels, fontproperties=font, fontsize=9)
    heading = _short(title_of(results.vote, t.lang), 48)
    if results.provisional:
        short = t.n_(
            "Provisional: paper ballots of {count} on-site voter not counted yet",
            "Provisional: paper ballots of {count} on-site voters not counted yet",
            results.onsite_pending,
            count=t.format_number(results.onsite_pending),
        )
        heading += "\n※ " + short
    axes.set_title(heading, fontproperties=font, loc="left")
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    return figure
