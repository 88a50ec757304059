"""考核统计: per territory node (district → subdistrict → community) and period, the score sheets of the
schemes whose year falls in the period, how many are published, their grades and the average total; read
from the figures store only (`assessment.sheets`, assessment/facts.py), never from the sheets' table. A
kind (?kind=) narrows it to one scheme kind (the `kind:<kind>` dimension)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from dangjian.core import periods
from dangjian.core.db import replica_view
from dangjian.core.figures import display, rollup
from dangjian.core.figures import facts as store
from dangjian.core.figures.display import Card, Chart, Column
from dangjian.core.figures.selection import FigureSelection
from dangjian.core.periods import Period
from dangjian.core.views import require_roles
from dangjian.territory.models import Area, Level

from .facts import GRADES, SHEETS, STATUSES
from .models import Grade, SchemeKind
from .permissions import READ_ROLES

GRADE_COLORS = ["#1a7f37", "#1f6feb", "#bf8700", "#c8161d"]


@dataclass
class Figures:
    sheets: int = 0
    draft: int = 0
    reported: int = 0
    scored: int = 0
    published: int = 0
    good: int = 0
    fair: int = 0
    passed: int = 0  # the grade 一般 ("pass" is a keyword)
    poor: int = 0
    points: int = 0  # tenths of a point, of the published sheets

    @property
    def received(self) -> int:
        """What the shared page tests for "anything here" (the charts or the empty state)."""
        return self.sheets

    @property
    def average(self) -> Decimal | None:
        if not self.published:
            return None
        return (Decimal(self.points) / 10 / self.published).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)

    @property
    def good_rate(self) -> float | None:
        return rollup.share(self.good, self.published)


def _figures(m: store.Measures) -> Figures:
    f = Figures(**{s: m[s] for s in STATUSES}, sheets=m["sheets"], points=m["points"])
    f.good, f.fair, f.passed, f.poor = (m[g] for g in GRADES)
    return f


def sheet_figures(*, user: Any, node: Area | None, period: Period, kind: str = "") -> rollup.Report:
    """The total and one row per child (zeros included); the caller checked the node."""
    path = node.path if node is not None else ""
    dim = f"kind:{kind}" if kind else ""
    within = store.readable_path(user, path)
    total = Figures()
    by_child: dict[str, Figures] = {}
    if within is not None:
        node_total = store.total(SHEETS, within, period, dim)
        total = _figures(node_total)
        if node is not None and node.level != Level.GRID:
            for child, m in store.children(SHEETS, path, period, dim, node_total, within=within).items():
                by_child[child] = _figures(m)
    report = rollup.Report(node=node, period=period, total=total)
    if node is not None and node.level != Level.GRID:
        report.children = rollup.child_rows(node, by_child, Figures)
    return report


class Selection(FigureSelection):
    page = "assessment:figures"

    def __init__(self, request: Any) -> None:
        super().__init__(request)
        if "period" not in request.GET:  # schemes are yearly: this year unless asked otherwise
            self.period = periods.period_for("this_year")
        kind = request.GET.get("kind", "")
        self.kind = kind if kind in SchemeKind.values else ""

    def extra_params(self) -> dict[str, str]:
        return {"kind": self.kind} if self.kind else {}

    def nodes(self) -> QuerySet:
        return Area.objects.visible_to(self.request.user)

    def default_node(self) -> Area | None:
        return rollup.home_node(self.request.user, Area.objects.all())


LAYOUT = display.Layout(
    gettext_lazy("考核统计"),
    gettext_lazy("统计区间 %(p)s（按考核年度）"),
    [
        Column("sheets", gettext_lazy("评分表")),
        Column("published", gettext_lazy("已公布")),
        Column("good", gettext_lazy("好"), phone=False),
        Column("fair", gettext_lazy("较好"), phone=False),
        Column("passed", gettext_lazy("一般"), phone=False),
        Column("poor", gettext_lazy("差"), phone=False),
        Column("good_rate", gettext_lazy("“好”等次占比"), "percent"),
        Column("average", gettext_lazy("平均分"), "value"),
    ],
    (gettext_lazy("该区间内没有考核评分表。换一个统计区间试试。"), "no-sheets"),
    "assessment-figures-chart",
    [
        (
            gettext_lazy("评分表"),
            gettext_lazy("考核年度在统计区间内的评分表，计在被考核党组织或职能部门所在的辖区。"),
        ),
        (
            gettext_lazy("等次与平均分"),
            gettext_lazy("只计已公布的评分表：等次按方案的分数线评定，平均分为已公布评分表总分的平均。"),
        ),
        (
            gettext_lazy("数据来源"),
            gettext_lazy("各项统计取自每日统计库，随评分表的每一步同步更新，每晚与原始记录核对一次。"),
        ),
    ],
)


def _grade_chart(total: Figures) -> dict:
    values = [total.good, total.fair, total.passed, total.poor]
    option = {
        "color": GRADE_COLORS,
        "animation": False,
        "tooltip": {"trigger": "item"},
        "legend": {"bottom": 0, "itemWidth": 14},
        "series": [
            {
                "name": _("等次分布"),
                "type": "pie",
                "radius": ["35%", "65%"],
                "label": {"formatter": "{b}: {c}"},
                "data": [
                    {"name": str(label), "value": v} for (_code, label), v in zip(Grade.choices, values, strict=True)
                ],
            }
        ],
    }
    return {"option": option}


def _page(selection: Selection, report: rollup.Report) -> display.Page:
    t = report.total
    cards = [
        Card(
            _("评分表"),
            t.sheets,
            sub=_("待述职 %(d)s，已述职 %(r)s，已评定 %(s)s") % {"d": t.draft, "r": t.reported, "s": t.scored},
            testid="total-sheets",
        ),  # fmt: skip
        Card(_("已公布"), t.published, testid="total-published"),
        Card(_("平均分"), t.average, "value", sub=_("已公布评分表"), testid="total-average"),
        Card(_("“好”等次占比"), t.good_rate, "percent", sub=_("好 %(g)s 个") % {"g": t.good}, testid="total-good"),
    ]
    if not t.published:  # grades are the published sheets': no chart of zeros
        return display.Page(LAYOUT, cards, [], [])
    charts = [Chart("grades", _("等次分布"), _("已公布评分表的等次分布图"), _grade_chart(t))]
    rows = [r for r in report.children if r.area is not None]
    if rows:
        children = display.children_chart(
            report.children,
            [(label, attr) for label, attr in zip(
                [_("好"), _("较好"), _("一般"), _("差")], ["good", "fair", "passed", "poor"], strict=True)],
            colors=GRADE_COLORS,
        )  # fmt: skip
        for series in children["option"]["series"]:
            series["stack"] = "grades"
        label = _("各下级已公布评分表的等次柱状图")
        charts.append(Chart("children", _("下级等次对比"), label, children, note=_("点击柱子进入下级。")))
    return display.Page(LAYOUT, cards, charts, [])


@require_roles(READ_ROLES)
@require_GET
@replica_view
def figures_page(request):
    selection = Selection(request)
    node, period, kind = selection.node, selection.period, selection.kind
    report = sheet_figures(user=request.user, node=node, period=period, kind=kind)
    kind_links = [("", _("全部"), selection.url(kind=""))] + [
        (code, label, selection.url(kind=code)) for code, label in SchemeKind.choices
    ]
    return display.render_page(
        request, selection, report, _page, template="assessment/figures.html", kind_links=kind_links,
        active_nav="assessment_figures",
    )  # fmt: skip
