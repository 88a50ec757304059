"""The figures page the shared template (core/figures/page.html) renders: the total as cards, the
drill-down table, the charts and what the measures mean. An app declares its columns and cards; the
chart options are built here as ECharts option dicts and reach static/js/figures.js through
json_script (nothing from data is ever rendered as HTML in the browser).

Value kinds (the `figure` template filter reads them): count; percent (a rate, — when none);
value (— when none); decimal (one decimal place); alarm (a red badge when not zero); stars.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from .rollup import Report, Row
from .selection import FigureSelection


@dataclass(frozen=True)
class Column:
    """A column of a drill-down table: an attribute of the row's figures and how it reads."""

    attr: str
    label: Any
    kind: str = "count"
    phone: bool = True  # shown at phone width (hidden below 768 px when False)


@dataclass
class Table:
    testid: str  # data-testid="figures-<testid>"
    first_header: Any
    columns: Sequence[Column]
    rows: Sequence[Row]

    @property
    def lines(self) -> list[tuple[Row, list[tuple[Column, Any]]]]:
        return [(row, [(c, getattr(row.figures, c.attr)) for c in self.columns]) for row in self.rows]


@dataclass
class Card:
    """One figure of the total."""

    label: Any
    value: Any
    kind: str = "count"
    sub: Any = None  # the line under the value ("" keeps its room, None leaves it out)
    testid: str = ""
    warn: bool = False


@dataclass
class Link:
    label: Any
    url: str
    testid: str


@dataclass
class Chart:
    """A chart box of the page (id <key>-chart) and its option (children_chart, trend_chart)."""

    key: str
    title: Any
    aria_label: Any
    spec: dict[str, Any]
    badge: Any = ""
    note: Any = ""


@dataclass(frozen=True)
class Layout:
    """What a figures page keeps from request to request."""

    title: Any
    period_note: Any  # with %(p)s for the period, e.g. 统计区间 %(p)s（按受理时间）
    columns: Sequence[Column]  # of the children's table
    empty: tuple[Any, str]  # what an empty period says, and its data-testid
    chart_source: str  # the id of the json_script that carries the chart options
    definitions: Sequence[tuple[Any, Any]]  # what each measure means


@dataclass
class Page:
    layout: Layout
    cards: list[Card]
    charts: list[Chart] = field(default_factory=list)
    actions: list[Link] = field(default_factory=list)

    @property
    def chart_data(self) -> dict[str, Any]:
        return {chart.key: chart.spec for chart in self.charts}


def link_children(selection: FigureSelection, rows: Iterable[Row]) -> None:
    """Give each child node's row its drill-down link (a row without a node has none)."""
    for row in rows:
        row.url = selection.node_url(row.area) if row.area is not None else ""


def render_page(
    request: Any,
    selection: FigureSelection,
    report: Report,
    build: Callable[[Any, Any], Page],  # (the app's selection, its report) → Page
    template: str = "core/figures/page.html",
    **extra: Any,
) -> HttpResponse:
    """Render a figures page (core/figures/page.html or an app template that extends it): a refused
    custom period as a message, the children linked down a level, then the app's Page."""
    if selection.period_error:
        messages.error(request, selection.period_error)
    link_children(selection, report.children)
    page = build(selection, report)
    context = {
        "selection": selection,
        "report": report,
        "node": selection.node,
        "breadcrumb": selection.breadcrumb(),
        "period_choices": selection.period_links(),
        "page": page,
        "period_note": page.layout.period_note % {"p": selection.period.label},
        "children_table": Table("children", _("下级"), page.layout.columns, report.children),
        **extra,
    }
    return render(request, template, context)


def chart_boxes(children: dict, children_label: Any, trend: Chart) -> list[Chart]:
    """The children's bars when the node has child nodes (a click drills down), then the trend."""
    if not children["urls"]:
        return [trend]
    return [Chart("children", _("下级对比"), children_label, children, note=_("点击柱子进入下级。")), trend]


# -- chart options -------------------------------------------------------------------------------
def children_chart(rows: Iterable[Row], series: Sequence[tuple[Any, str]], *, colors: Sequence[str]) -> dict:
    """Bars per child node (rows with a node), one series per (name, figures attribute); a click on a
    bar follows the row's link. `narrow` is merged into the option when the box is under 560 px."""
    rows = [r for r in rows if r.area is not None]
    many = len(rows) > 6
    option = {
        "color": list(colors),
        "animation": False,
        "grid": {"left": 44, "right": 10, "top": 40, "bottom": 78 if many else 40},
        "legend": {"top": 0, "itemWidth": 14},
        "tooltip": {"trigger": "axis", "axisPointer": {"type": "shadow"}},
        "xAxis": {
            "type": "category",
            "data": [r.label for r in rows],
            "axisLabel": {"interval": 0, "rotate": 35 if many else 0, "fontSize": 12},
        },
        "yAxis": {"type": "value", "minInterval": 1},
        "series": [
            {"name": str(name), "type": "bar", "data": [getattr(r.figures, attr) for r in rows], "barMaxWidth": 18}
            for name, attr in series
        ],
    }
    narrow = {"grid": {"bottom": 78}, "xAxis": {"axisLabel": {"rotate": 35, "fontSize": 10}}}
    return {"option": option, "narrow": narrow, "urls": [r.url for r in rows]}


def trend_chart(trend: dict[str, Any], series: Sequence[tuple[Any, str, str]], *, colors: Sequence[str]) -> dict:
    """The trend's buckets, one series per (name, trend key, "bar" or "line"); a legend when more
    than one."""
    legend = len(series) > 1
    option: dict[str, Any] = {
        "color": list(colors),
        "animation": False,
        "grid": {"left": 44, "right": 12, "top": 40 if legend else 20, "bottom": 56},
    }
    if legend:
        option["legend"] = {"top": 0, "itemWidth": 14}
    option.update(
        tooltip={"trigger": "axis"},
        xAxis={"type": "category", "data": trend["labels"], "axisLabel": {"rotate": 35, "fontSize": 10}},
        yAxis={"type": "value", "minInterval": 1},
        series=[
            {"name": str(name), "type": kind, "data": trend[key], **({"barMaxWidth": 14} if kind == "bar" else {})}
            for name, key, kind in series
        ],
    )
    return {"option": option}
