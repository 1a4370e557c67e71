"""The pictures the bot and the CLI produce: the events report and the assembly results.
Whole-number ticks for head counts and votes, no negative axis, nothing clipped, the
legend clear of the bars and of the axis label, and "no data" instead of an empty axis."""

from __future__ import annotations

from dataclasses import replace
from zoneinfo import ZoneInfo

from bot.assembly.report import chart_figure, chart_png
from bot.core.i18n import Translator
from bot.events import attendance as A
from models.assembly import VoteMethod
from tests.test_staff_exports import _results


def _course(title: str, unique: int, total: int, satisfaction: float | None) -> A.ReportRow:
    return A.ReportRow("course", "e", title, "training", None, 3, unique, unique, unique, total,
                       satisfaction, 2)  # fmt: skip


COURSES = [
    _course("주민자치회 간사 역량강화 교육", 2, 2, 4.5),
    _course("공모사업 선정단체 회계교육", 1, 1, None),
    _course("신입 분과위원 교육 (상반기) 특별과정 아주 긴 제목입니다", 1, 2, 3.0),
]


def _drawn(figure):
    figure.canvas.draw()
    return figure.canvas.get_renderer()


def _inside(inner, outer, slack: float = 1.0) -> bool:
    return (
        inner.x0 >= outer.x0 - slack
        and inner.y0 >= outer.y0 - slack
        and inner.x1 <= outer.x1 + slack
        and inner.y1 <= outer.y1 + slack
    )


def _apart(a, b) -> bool:
    return a.x1 <= b.x0 or b.x1 <= a.x0 or a.y1 <= b.y0 or b.y1 <= a.y0


def test_events_report_counts_people_in_whole_numbers_from_zero():
    figure = A.report_figure(COURSES, year=2027)
    renderer = _drawn(figure)
    (axes,) = figure.axes
    left, right = axes.get_xlim()
    assert left == 0 and right >= 2 * 1.2  # room for "2  ★4.5" after the longest bar
    ticks = [t for t in axes.get_xticks() if left <= t <= right]
    assert ticks and all(float(t).is_integer() and t >= 0 for t in ticks)
    page = figure.bbox
    texts = [*axes.get_yticklabels(), axes.title, axes.xaxis.label, *axes.texts]
    for text in texts:
        assert _inside(text.get_window_extent(renderer), page), text.get_text()
    for note in axes.texts:  # the numbers beside the bars stay inside the axes
        assert _inside(note.get_window_extent(renderer), axes.bbox), note.get_text()
    legend = axes.get_legend().get_window_extent(renderer)
    assert legend.y0 >= axes.bbox.y1 - 1  # above the bars, not over them
    assert [t.get_text() for t in axes.get_yticklabels()][2].endswith("…")


def test_an_empty_events_report_says_there_is_no_data():
    figure = A.report_figure([], year=2027)
    _drawn(figure)
    (axes,) = figure.axes
    assert not axes.axison  # no −0.04…0.04 axis
    assert [t.get_text() for t in axes.texts] == [A.NO_DATA]
    assert A.report_png([], year=2027).startswith(b"\x89PNG")


def test_results_chart_keeps_the_legend_off_the_axis_label():
    t = Translator("ko", ZoneInfo("Asia/Seoul"))
    figure = chart_figure(_results(), t)
    renderer = _drawn(figure)
    (axes,) = figure.axes
    legend = axes.get_legend().get_window_extent(renderer)
    label = axes.xaxis.label.get_window_extent(renderer)
    ticks = [tick.get_window_extent(renderer) for tick in axes.get_xticklabels()]
    assert all(_apart(legend, other) for other in (label, *ticks))
    for text in (*axes.get_yticklabels(), axes.title, axes.xaxis.label):
        assert _inside(text.get_window_extent(renderer), figure.bbox), text.get_text()
    assert _inside(legend, figure.bbox)
    assert chart_png(_results(), t).startswith(b"\x89PNG")


def test_results_chart_counts_votes_in_whole_numbers():
    t = Translator("ko", ZoneInfo("Asia/Seoul"))
    results = _results()
    results.vote.method = VoteMethod.CHOOSE_UP_TO
    items = [
        replace(item, total={"votes": votes}, percent={"votes": 50.0}, rank=n)
        for n, (item, votes) in enumerate(zip(results.items, (3, 1), strict=True), 1)
    ]
    figure = chart_figure(replace(results, items=items), t)
    renderer = _drawn(figure)
    (axes,) = figure.axes
    left, right = axes.get_xlim()
    assert left == 0
    ticks = [tick for tick in axes.get_xticks() if left <= tick <= right]
    assert ticks and all(float(tick).is_integer() for tick in ticks)
    for note in axes.texts:
        assert _inside(note.get_window_extent(renderer), axes.bbox), note.get_text()
