"""党费统计: dues owed, paid and in arrears per territory node and period, drill down by child.

The cohort of a period is the months whose first day falls in it. Every figure is read from the
figures store (dues/facts.py: `dues.due` and `dues.paid`); nothing here reads the dues tables.
Arrears are owed minus paid toward the dues (a voluntary extra never offsets arrears)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from dangjian.core.db import replica_view
from dangjian.core.figures import display, rollup
from dangjian.core.figures import facts as store
from dangjian.core.figures.display import Card, Chart, Column
from dangjian.core.figures.rollup import share
from dangjian.core.figures.selection import FigureSelection
from dangjian.core.money import yuan
from dangjian.core.periods import Period
from dangjian.core.views import require_roles
from dangjian.territory.models import Area, Level

from .facts import DUE, PAID
from .permissions import FIGURE_ROLES


@dataclass
class Figures:
    members: int = 0
    settled: int = 0
    unsettled: int = 0
    due_fen: int = 0
    paid_fen: int = 0
    extra_fen: int = 0

    @property
    def received(self) -> int:
        return self.members

    @property
    def due(self) -> Decimal:
        return yuan(self.due_fen)

    @property
    def paid(self) -> Decimal:
        return yuan(self.paid_fen)

    @property
    def arrears(self) -> Decimal:
        return yuan(self.due_fen - self.paid_fen)

    @property
    def extra(self) -> Decimal:
        return yuan(self.extra_fen)

    @property
    def paid_rate(self) -> float | None:
        return share(self.paid_fen, self.due_fen)


def figures_of(due: store.Measures, paid: store.Measures) -> Figures:
    return Figures(
        members=due["members"],
        settled=due["settled"],
        unsettled=due["unsettled"],
        due_fen=due.amount,
        paid_fen=paid.amount,
        extra_fen=paid["extra_fen"],
    )


def dues_figures(*, user: Any, node: Area | None, period: Period) -> rollup.Report:
    path = node.path if node is not None else ""
    within = store.readable_path(user, path)
    if within is None:
        total = Figures()
    else:
        total = figures_of(store.total(DUE, within, period), store.total(PAID, within, period))
    report = rollup.Report(node=node, period=period, total=total)
    if node is not None and node.level != Level.GRID and within is not None:
        due = store.children(DUE, path, period, "", within=within)
        paid = store.children(PAID, path, period, "", within=within)
        found = {p: figures_of(m, paid.get(p) or store.empty(PAID)) for p, m in due.items()}
        report.children = rollup.child_rows(node, found, Figures)
    names = ["members", "settled"]
    days = store.per_day(DUE, within, period, names) if within is not None else {}
    report.trend = rollup.trend_from_days(days, period, names)
    return report


class Selection(FigureSelection):
    page = "dues:figures"

    def nodes(self) -> QuerySet:
        return Area.objects.visible_to(self.request.user)

    def default_node(self) -> Area | None:
        return rollup.home_node(self.request.user, Area.objects.all())


LAYOUT = display.Layout(
    gettext_lazy("党费统计"),
    gettext_lazy("统计区间 %(p)s（按党费所属月份）"),
    [
        Column("members", gettext_lazy("应交人次")),
        Column("due", gettext_lazy("应交（元）"), "value"),
        Column("paid", gettext_lazy("已交（元）"), "value"),
        Column("arrears", gettext_lazy("欠交（元）"), "value"),
        Column("unsettled", gettext_lazy("未交清人次"), phone=False),
        Column("paid_rate", gettext_lazy("收缴率"), "percent", phone=False),
    ],
    (gettext_lazy("该区间内没有党费记录。换一个统计区间试试。"), "no-dues"),
    "dues-figures-chart",
    [
        (
            gettext_lazy("应交"),
            gettext_lazy("统计区间内各月份的应交党费（含因收入变化计入的调整），计在党员所在支部的属地。"),
        ),
        (gettext_lazy("已交、欠交"), gettext_lazy("已交为交向这些月份的党费（不含自愿多交）；欠交为应交减已交。")),
        (gettext_lazy("数据来源"), gettext_lazy("各项统计取自每日统计库，每晚与原始记录核对一次。")),
    ],
)


def _page(selection: Selection, report: rollup.Report) -> display.Page:
    t = report.total
    rate = _("收缴率 %(r)s%%") % {"r": t.paid_rate} if t.paid_rate is not None else ""
    cards = [
        Card(_("应交（元）"), t.due, "value", sub=_("%(n)s 人次") % {"n": t.members}, testid="total-due"),
        Card(_("已交（元）"), t.paid, "value", sub=rate, testid="total-paid"),
        Card(
            _("欠交（元）"),
            t.arrears,
            "value",
            sub=_("未交清 %(n)s 人次") % {"n": t.unsettled},
            testid="total-arrears",
            warn=bool(t.unsettled),
        ),
        Card(_("自愿多交（元）"), t.extra, "value"),
    ]
    children = display.children_chart(
        report.children, [(_("应交人次"), "members"), (_("未交清人次"), "unsettled")], colors=["#1f6feb", "#c8161d"]
    )
    trend = display.trend_chart(
        report.trend,
        [(_("应交人次"), "members", "bar"), (_("已交清"), "settled", "line")],
        colors=["#1f6feb", "#1a7f37"],
    )
    charts = display.chart_boxes(
        children, _("各下级应交与未交清柱状图"), Chart("trend", _("应交与交清趋势"), _("应交与交清趋势图"), trend)
    )
    return display.Page(LAYOUT, cards, charts, [])


@require_roles(FIGURE_ROLES)
@require_GET
@replica_view
def figures_page(request):
    selection = Selection(request)
    report = dues_figures(user=request.user, node=selection.node, period=selection.period)
    return display.render_page(request, selection, report, _page, active_nav="dues_figures")
