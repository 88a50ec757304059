"""通知签收统计: notices issued and their sign rate per territory node and period, drill down by child.

The cohort of a period is the notices *published* in it (withdrawn ones leave it). Every figure is read
from the figures store (notices/facts.py says what a notice adds: issued, recipients, read, signed,
public, on its publishing day at its issuing node); nothing here reads the notices or receipts tables.
"""

from __future__ import annotations

from dataclasses import dataclass
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
from dangjian.core.periods import Period
from dangjian.core.views import require_roles
from dangjian.territory.models import Area, Level

from .facts import NOTICES
from .permissions import ISSUER_ROLES

NAMES = ("issued", "recipients", "read", "signed", "public")


@dataclass
class Figures:
    issued: int = 0
    recipients: int = 0
    read: int = 0
    signed: int = 0
    public: int = 0

    @property
    def received(self) -> int:
        # What the shared figures page asks to know whether the period has anything to chart.
        return self.issued

    @property
    def sign_rate(self) -> float | None:
        return share(self.signed, self.recipients)

    @property
    def read_rate(self) -> float | None:
        return share(self.read, self.recipients)


def figures_of(m: store.Measures) -> Figures:
    return Figures(**{name: m[name] for name in NAMES})


def notice_figures(*, user: Any, node: Area | None, period: Period) -> rollup.Report:
    """The total, one row per child (zeros included) and the trend; the caller checked the node."""
    path = node.path if node is not None else ""
    within = store.readable_path(user, path)
    node_total = store.total(NOTICES, within, period) if within is not None else store.empty(NOTICES)
    report = rollup.Report(node=node, period=period, total=figures_of(node_total))
    if node is not None and node.level != Level.GRID:
        found = store.children(NOTICES, path, period, "", node_total, within=within) if within is not None else {}
        report.children = rollup.child_rows(node, {p: figures_of(m) for p, m in found.items()}, Figures)
    names = ["issued", "signed"]
    days = store.per_day(NOTICES, within, period, names) if within is not None else {}
    report.trend = rollup.trend_from_days(days, period, names)
    return report


class Selection(FigureSelection):
    page = "notices:figures"

    def nodes(self) -> QuerySet:
        return Area.objects.visible_to(self.request.user)

    def default_node(self) -> Area | None:
        return rollup.home_node(self.request.user, Area.objects.all())


LAYOUT = display.Layout(
    gettext_lazy("通知签收统计"),
    gettext_lazy("统计区间 %(p)s（按发布时间）"),
    [
        Column("issued", gettext_lazy("发布通知")),
        Column("recipients", gettext_lazy("接收人次"), phone=False),
        Column("signed", gettext_lazy("已签收")),
        Column("sign_rate", gettext_lazy("签收率"), "percent"),
        Column("read_rate", gettext_lazy("阅读率"), "percent", phone=False),
    ],
    (gettext_lazy("该区间内没有发布通知。换一个统计区间试试。"), "no-notices"),
    "notice-figures-chart",
    [
        (gettext_lazy("发布通知"), gettext_lazy("统计区间内发布的通知（不含已撤回的），计在发布单位。")),
        (gettext_lazy("签收率"), gettext_lazy("这些通知的已签收人次占接收人次的比例，随每次签收同步更新。")),
        (gettext_lazy("数据来源"), gettext_lazy("各项统计取自每日统计库，每晚与原始记录核对一次。")),
    ],
)


def _page(selection: Selection, report: rollup.Report) -> display.Page:
    t = report.total
    rate = _("签收率 %(r)s%%") % {"r": t.sign_rate} if t.sign_rate is not None else ""
    cards = [
        Card(_("发布通知"), t.issued, sub=_("向居民公开 %(n)s") % {"n": t.public}, testid="total-issued"),
        Card(_("接收人次"), t.recipients),
        Card(_("已签收"), t.signed, sub=rate, testid="total-signed"),
        Card(_("未签收"), t.recipients - t.signed, warn=bool(t.recipients - t.signed)),
    ]
    children = display.children_chart(
        report.children, [(_("接收人次"), "recipients"), (_("已签收"), "signed")], colors=["#1f6feb", "#1a7f37"]
    )
    trend = display.trend_chart(
        report.trend, [(_("发布通知"), "issued", "bar"), (_("已签收"), "signed", "line")], colors=["#c8161d", "#1a7f37"]
    )
    charts = display.chart_boxes(
        children, _("各下级接收与签收柱状图"), Chart("trend", _("发布与签收趋势"), _("发布与签收趋势图"), trend)
    )
    return display.Page(LAYOUT, cards, charts, [])


@require_roles(ISSUER_ROLES)
@require_GET
@replica_view
def figures_page(request):
    selection = Selection(request)
    report = notice_figures(user=request.user, node=selection.node, period=selection.period)
    return display.render_page(request, selection, report, _page, active_nav="notice_figures")
