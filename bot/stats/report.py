"""The centre's numbers as a picture (PNG) and a workbook (xlsx), in the reader's language.

The picture is one page for a phone screen or a slide: the headline figures, proposals by
status, assembly turnout against the eligible population, and trainings' 실인원/연인원 with
their satisfaction. matplotlib's object API (no pyplot, no global state, Agg), with the
NanumGothic font of ``koreanize-matplotlib`` (:mod:`bot.core.fonts`), as the assembly and
attendance charts. The workbook has the same numbers in four sheets (summary, proposals,
assemblies, trainings) for the district's report template.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from typing import Any

from bot.core import exports
from bot.core.i18n import N_, Translator
from bot.stats.service import Stats

LABELS = {
    "title": N_("Centre statistics"),
    "district": N_("Whole district"),
    "reached": N_("Residents reached"),
    "unanswered": N_("Questions not answered"),
    "unanswered_distinct": N_("Different questions not answered"),
    "answered": N_("Questions answered"),
    "answered_share": N_("Share of questions answered (%)"),
    "proposals": N_("Proposals submitted"),
    "proposals_by_status": N_("Proposals by status"),
    "assemblies": N_("Assembly turnout"),
    "trainings": N_("Trainings"),
    "unique": N_("Unique people (실인원)"),
    "total": N_("Attendances (연인원)"),
    "satisfaction": N_("Satisfaction (1–5)"),
    "responses": N_("Ratings"),
    "sessions": N_("Sessions"),
    "registered": N_("Registered"),
    "status": N_("Status"),
    "count": N_("Count"),
    "assembly": N_("Assembly"),
    "voters": N_("Voters"),
    "online": N_("Online"),
    "onsite": N_("On site"),
    "eligible": N_("Eligible residents"),
    "turnout": N_("Turnout (%)"),
    "closes": N_("Voting closed"),
    "course": N_("Course"),
    "period": N_("Period"),
    "dong": N_("Dong"),
    "figure": N_("Figure"),
    "value": N_("Value"),
    "none": N_("Nothing in this period"),
    "unknown_population": N_("eligible population not entered"),
    # the log of unanswered questions keeps no person and no dong, by design (models/qa.py)
    "qa_note": N_(
        "Different questions not answered are counted for the whole district: the log of "
        "unanswered questions does not keep who asked or from which dong."
    ),
}


def _l(t: Translator, key: str) -> str:
    return t._(LABELS[key])


def status_label(status: str, lang: str) -> str:
    return str(exports.value("status", status, lang))


def heading(stats: Stats, t: Translator, dong_name: str | None) -> str:
    where = dong_name or _l(t, "district")
    span = f"{stats.period.start.isoformat()} ~ {stats.period.end.isoformat()}"
    return f"{_l(t, 'title')} · {where} · {span}"


def summary_rows(stats: Stats, t: Translator) -> list[tuple[str, Any]]:
    """(label, value) of the headline figures (the message, the picture, the workbook)."""
    sat = stats.satisfaction
    share = stats.answered_share
    return [
        (_l(t, "reached"), stats.residents_reached),
        (_l(t, "answered"), stats.questions_answered),
        (_l(t, "unanswered"), stats.questions_unanswered),
        (_l(t, "answered_share"), "—" if share is None else round(share, 1)),
        (_l(t, "unanswered_distinct"), stats.unanswered_distinct),
        (_l(t, "proposals"), stats.proposals_total),
        (_l(t, "unique"), stats.training_unique),
        (_l(t, "total"), stats.training_attendances),
        (_l(t, "satisfaction"), "—" if sat is None else round(sat, 2)),
    ]


def _short(text: str, limit: int = 22) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def figure(stats: Stats, t: Translator, dong_name: str | None) -> Any:
    """The picture as a matplotlib ``Figure`` (tests read its texts and bars)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.font_manager import FontProperties
    from matplotlib.ticker import MaxNLocator

    from bot.core.fonts import korean_font_path

    path = korean_font_path()
    font = FontProperties(fname=str(path)) if path else FontProperties()
    bold = font.copy()
    bold.set_weight("bold")
    fig = Figure(figsize=(10, 8.5), dpi=110, layout="constrained")
    FigureCanvasAgg(fig)
    fig.suptitle(heading(stats, t, dong_name), fontproperties=font, fontsize=14)
    grid = fig.add_gridspec(3, 2, height_ratios=[0.8, 1.4, 1.6])

    tiles = fig.add_subplot(grid[0, :])
    tiles.set_axis_off()
    sat = stats.satisfaction
    figures = [
        (_l(t, "reached"), t.format_number(stats.residents_reached)),
        (_l(t, "answered"), t.format_number(stats.questions_answered)),
        (_l(t, "unanswered"), t.format_number(stats.questions_unanswered)),
        (_l(t, "proposals"), t.format_number(stats.proposals_total)),
        (_l(t, "unique"), t.format_number(stats.training_unique)),
        (_l(t, "total"), t.format_number(stats.training_attendances)),
        (_l(t, "satisfaction"), "—" if sat is None else f"{sat:.1f}"),
    ]
    for i, (label, value) in enumerate(figures):
        x = (i + 0.5) / len(figures)
        tiles.text(x, 0.62, value, ha="center", va="center", fontsize=22, color="#1f4e79",
                   fontproperties=bold, transform=tiles.transAxes)  # fmt: skip
        tiles.text(x, 0.18, label, ha="center", va="center", fontsize=8.5,
                   fontproperties=font, transform=tiles.transAxes)  # fmt: skip
    share = stats.answered_share
    tiles.text(0.0, -0.12, "* " + _l(t, "answered_share") + ": "
               + ("—" if share is None else f"{share:.1f}"), fontsize=7.5, color="#666666",
               fontproperties=font, transform=tiles.transAxes)  # fmt: skip

    def empty(axes: Any, title: str) -> None:
        axes.set_title(title, fontproperties=font, loc="left")
        axes.set_axis_off()
        axes.text(0.5, 0.5, _l(t, "none"), ha="center", va="center", color="#777777",
                  fontproperties=font, fontsize=11, transform=axes.transAxes)  # fmt: skip

    def tidy(axes: Any, rows: int) -> None:
        axes.set_ylim(max(rows, 3) - 0.5, -0.5)  # top to bottom; a lone bar stays slim
        for side in ("top", "right"):
            axes.spines[side].set_visible(False)

    proposals = fig.add_subplot(grid[1, 0])
    if stats.proposals:
        labels = [status_label(s, t.lang) for s in stats.proposals]
        counts = list(stats.proposals.values())
        positions = list(range(len(labels)))
        proposals.barh(positions, counts, color="#4c72b0")
        for p, n in zip(positions, counts, strict=True):
            proposals.text(n, p, f" {n}", va="center", fontsize=9, fontproperties=font)
        proposals.set_yticks(positions)
        proposals.set_yticklabels(labels, fontproperties=font, fontsize=9)
        proposals.set_xlim(0, max(counts) * 1.2 + 0.5)
        proposals.xaxis.set_major_locator(MaxNLocator(integer=True))
        proposals.set_title(_l(t, "proposals_by_status"), fontproperties=font, loc="left")
        tidy(proposals, len(labels))
    else:
        empty(proposals, _l(t, "proposals_by_status"))

    turnout = fig.add_subplot(grid[1, 1])
    if stats.assemblies:
        names = [_short(a.title.get(t.lang) or a.title.get("ko") or a.assembly_id)
                 for a in stats.assemblies]  # fmt: skip
        values = [a.percent or 0.0 for a in stats.assemblies]
        positions = list(range(len(names)))
        turnout.barh(positions, values, color="#55a868")
        for p, a in zip(positions, stats.assemblies, strict=True):
            if a.percent is None:
                note = f" {t.format_number(a.voters)} ({_l(t, 'unknown_population')})"
            else:
                note = (f" {a.percent:.1f}% ({t.format_number(a.voters)}"
                        f"/{t.format_number(a.eligible_population or 0)})")  # fmt: skip
            turnout.text(a.percent or 0.0, p, note, va="center", fontsize=8.5,
                         fontproperties=font)  # fmt: skip
        turnout.set_yticks(positions)
        turnout.set_yticklabels(names, fontproperties=font, fontsize=9)
        turnout.set_xlim(0, 100)
        turnout.set_xlabel("%", fontproperties=font)
        turnout.set_title(_l(t, "assemblies"), fontproperties=font, loc="left")
        tidy(turnout, len(names))
    else:
        empty(turnout, _l(t, "assemblies"))

    courses = fig.add_subplot(grid[2, :])
    if stats.trainings:
        rows = stats.trainings
        positions = list(range(len(rows)))
        total = [r.attendances for r in rows]
        unique = [r.unique_people for r in rows]
        courses.barh([p + 0.2 for p in positions], total, height=0.4,
                     label=_l(t, "total"), color="#4c72b0")  # fmt: skip
        courses.barh([p - 0.2 for p in positions], unique, height=0.4,
                     label=_l(t, "unique"), color="#dd8452")  # fmt: skip
        for p, r in zip(positions, rows, strict=True):
            note = f" {r.attendances:,}"
            if r.satisfaction is not None:
                note += f"  ★{r.satisfaction:.1f} ({r.responses})"
            courses.text(r.attendances, p + 0.2, note, va="center", fontsize=8.5,
                         fontproperties=font)  # fmt: skip
        courses.set_xlim(0, max([*total, *unique, 1]) * 1.3 + 0.5)
        courses.xaxis.set_major_locator(MaxNLocator(integer=True))
        courses.set_yticks(positions)
        courses.set_yticklabels(
            [_short(r.title.get(t.lang) or r.title.get("ko") or r.event_id, 28) for r in rows],
            fontproperties=font, fontsize=9,
        )  # fmt: skip
        courses.legend(prop=font, loc="lower right", bbox_to_anchor=(1.0, 1.0), ncol=2,
                       frameon=False, borderaxespad=0.2)  # fmt: skip
        courses.set_title(_l(t, "trainings"), fontproperties=font, loc="left")
        tidy(courses, len(rows))
    else:
        empty(courses, _l(t, "trainings"))
    return fig


def png(stats: Stats, t: Translator, dong_name: str | None) -> bytes:
    buf = io.BytesIO()
    figure(stats, t, dong_name).savefig(buf, format="png")
    return buf.getvalue()


def xlsx(
    stats: Stats, t: Translator, dong_name: str | None, dong_names: Mapping[str, str] | None = None
) -> bytes:
    """Four sheets: the summary, proposals by status, assemblies, trainings. ``dong_names``:
    the dongs' names in ``t``'s language by id (an assembly's dong; the id when missing)."""
    names = dong_names or {}
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    summary = book.active
    assert summary is not None
    summary.title = _l(t, "title")[:31]
    summary.append([heading(stats, t, dong_name)])
    summary["A1"].font = Font(bold=True, size=13)
    summary.append([])
    summary.append([_l(t, "period"), stats.period.start, stats.period.end])
    summary.append([_l(t, "dong"), dong_name or _l(t, "district")])
    summary.append([])
    summary.append([_l(t, "figure"), _l(t, "value")])
    for label, value in summary_rows(stats, t):
        summary.append([label, value])
    summary.append([])
    summary.append([_l(t, "qa_note")])
    for row in summary.iter_rows(min_row=3, max_row=3):
        for cell in row[1:]:
            cell.number_format = "yyyy-mm-dd"

    def sheet(key: str, header: list[str], rows: list[list[Any]]) -> None:
        page = book.create_sheet(_l(t, key)[:31])
        page.append(header)
        for cell in page[1]:
            cell.font = Font(bold=True)
        for row in rows:
            page.append(row)
        exports.fit_columns(page)

    sheet(
        "proposals_by_status",
        [_l(t, "status"), _l(t, "count")],
        [[status_label(s, t.lang), n] for s, n in stats.proposals.items()],
    )
    sheet(
        "assemblies",
        [_l(t, "assembly"), _l(t, "dong"), _l(t, "closes"), _l(t, "online"), _l(t, "onsite"),
         _l(t, "voters"), _l(t, "eligible"), _l(t, "turnout")],
        [
            [a.title.get(t.lang) or a.title.get("ko") or a.assembly_id,
             names.get(a.dong_id) or a.dong_id,
             exports.local_time(a.closes_at, t.tz), a.online_voters, a.onsite_voters, a.voters,
             a.eligible_population, None if a.percent is None else round(a.percent, 2)]
            for a in stats.assemblies
        ],
    )  # fmt: skip
    sheet(
        "trainings",
        [_l(t, "course"), _l(t, "sessions"), _l(t, "registered"), _l(t, "unique"),
         _l(t, "total"), _l(t, "satisfaction"), _l(t, "responses")],
        [
            [r.title.get(t.lang) or r.title.get("ko") or r.event_id, r.sessions, r.registered,
             r.unique_people, r.attendances,
             None if r.satisfaction is None else round(r.satisfaction, 2), r.responses]
            for r in stats.trainings
        ],
    )  # fmt: skip
    for page in book.worksheets:
        exports.style_times(page)
    exports.fit_columns(summary, most=48)
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


__all__ = ["LABELS", "figure", "heading", "png", "summary_rows", "xlsx"]
