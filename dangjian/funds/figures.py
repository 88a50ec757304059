"""经费统计: allocated, committed, paid, refunded and released per territory node and period, drill
down by child; read from the figures store only (funds/facts.py: each journal's amount in fen under
"flow:<kind>" on its day at its area). Nothing here reads the ledger's tables."""

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
from dangjian.core.figures.selection import FigureSelection
from dangjian.core.money import yuan
from dangjian.core.periods import Period
from dangjian.core.views import require_roles
from dangjian.territory.models import Area, Level

from .facts import FLOWS
from .models import JournalKind
from .permissions import DESK_ROLES

K = JournalKind
FLOW_NAMES = {
    K.ALLOCATION: "allocated",
    K.COMMITMENT: "committed",
    K.PAYMENT: "paid",
    K.REFUND: "refunded",
    K.RELEASE: "released",
}
WAN = Decimal(10000)


@dataclass
class Figures:
    allocated: Decimal = Decimal(0)
    committed: Decimal = Decimal(0)
    paid: Decimal = Decimal(0)
    refunded: Decimal = Decimal(0)
    released: Decimal = Decimal(0)
    journals: int = 0

    @property
    def received(self) -> int:
        return self.journals

    @property
    def spent(self) -> Decimal:
        """Actually spent: payments less refunds."""
        return self.paid - self.refunded

    @property
    def allocated_wan(self) -> float:
        return float((self.allocated / WAN).quantize(Decimal("0.01")))

    @property
    def spent_wan(self) -> float:
        return float((self.spent / WAN).quantize(Decimal("0.01")))


def _add(figures: dict[str, Figures], path: str, kind: str, m: store.Measures) -> None:
    f = figures.setdefault(path, Figures())
    setattr(f, FLOW_NAMES[kind], getattr(f, FLOW_NAMES[kind]) + yuan(m.amount))
    f.journals += m["journals"]


def fund_figures(*, user: Any, node: Area | None, period: Period) -> rollup.Report:
    """The total, one row per child (zeros included) and the trend; the caller checked the node."""
    path = node.path if node is not None else ""
    within = store.readable_path(user, path)
    total = Figures()
    by_child: dict[str, Figures] = {}
    if within is not None:
        for kind in FLOW_NAMES:
            dim = f"flow:{kind}"
            node_total = store.total(FLOWS, within, period, dim)
            setattr(total, FLOW_NAMES[kind], yuan(node_total.amount))
            total.journals += node_total["journals"]
            if node is not None and node.level != Level.GRID:
                for child, m in store.children(FLOWS, path, period, dim, node_total, within=within).items():
                    _add(by_child, child, kind, m)
    report = rollup.Report(node=node, period=period, total=total)
    if node is not None and node.level != Level.GRID:
        report.children = rollup.child_rows(node, by_child, Figures)
    names = [str(K.ALLOCATION), str(K.PAYMENT)]
    days = store.per_day(FLOWS, within, period, names) if within is not None else {}
    report.trend = rollup.trend_from_days(days, period, names)
    return report


class Selection(FigureSelection):
    page = "funds:figures"

    def nodes(self) -> QuerySet:
        return Area.objects.visible_to(self.request.user)

    def default_node(self) -> Area | None:
        return rollup.home_node(self.request.user, Area.objects.all())


LAYOUT = display.Layout(
    gettext_lazy("经费统计"),
    gettext_lazy("统计区间 %(p)s（按记账时间）"),
    [
        Column("allocated", gettext_lazy("拨付（元）"), "value"),
        Column("committed", gettext_lazy("承诺（元）"), "value", phone=False),
        Column("paid", gettext_lazy("支付（元）"), "value", phone=False),
        Column("refunded", gettext_lazy("退款（元）"), "value", phone=False),
        Column("spent", gettext_lazy("实际支出（元）"), "value"),
    ],
    (gettext_lazy("该区间内没有经费记账。换一个统计区间试试。"), "no-funds"),
    "funds-figures-chart",
    [
        (gettext_lazy("拨付"), gettext_lazy("经另一名区级管理员批准入账的拨付，计在拨付对象（社区或街道）。")),
        (gettext_lazy("实际支出"), gettext_lazy("统计区间内的支付减去退款。")),
        (
            gettext_lazy("数据来源"),
            gettext_lazy("各项统计取自每日统计库，随每笔记账同步更新，每晚与原始记录核对一次。"),
        ),
    ],
)


def _page(selection: Selection, report: rollup.Report) -> display.Page:
    t = report.total
    cards = [
        Card(_("拨付（元）"), t.allocated, "value", testid="total-allocated"),
        Card(_("承诺（元）"), t.committed, "value", sub=_("释放 %(r)s 元") % {"r": t.released}),
        Card(
            _("实际支出（元）"),
            t.spent,
            "value",
            sub=_("支付 %(p)s 元，退款 %(r)s 元") % {"p": t.paid, "r": t.refunded},
            testid="total-spent",
        ),
    ]
    children = display.children_chart(
        report.children,
        [(_("拨付（万元）"), "allocated_wan"), (_("实际支出（万元）"), "spent_wan")],
        colors=["#1f6feb", "#c8161d"],
    )
    trend = display.trend_chart(
        report.trend,
        [(_("拨付笔数"), str(K.ALLOCATION), "bar"), (_("支付笔数"), str(K.PAYMENT), "line")],
        colors=["#1f6feb", "#c8161d"],
    )
    charts = display.chart_boxes(
        children, _("各下级拨付与支出柱状图"), Chart("trend", _("拨付与支付笔数趋势"), _("拨付与支付笔数趋势图"), trend)
    )
    return display.Page(LAYOUT, cards, charts, [])


@require_roles(DESK_ROLES)
@require_GET
@replica_view
def figures_page(request):
    selection = Selection(request)
    report = fund_figures(user=request.user, node=selection.node, period=selection.period)
    return display.render_page(request, selection, report, _page, active_nav="funds_figures")
