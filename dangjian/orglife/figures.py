"""组织生活统计: meetings due vs held per node and period (by period start: a quarter's figures are the
obligations whose period starts in it), by kind, and the attendance rate of the meetings held. Every
figure is read from the figures store (orglife/facts.py); nothing here reads the obligations or records."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from dangjian.core.db import replica_view
from dangjian.core.figures import display, rollup
from dangjian.core.figures import facts as store
from dangjian.core.figures.display import Card, Chart, Column, Link
from dangjian.core.figures.rollup import share
from dangjian.core.figures.selection import FigureSelection
from dangjian.core.periods import Period
from dangjian.core.views import require_roles
from dangjian.territory.models import Area, Level

from . import calendar
from .facts import OBLIGATIONS, RECORDS
from .models import Kind
from .permissions import OVERSEE_ROLES


@dataclass
class Figures:
    periods: int = 0
    due: int = 0
    held: int = 0
    met: int = 0
    meetings: int = 0
    due_people: int = 0
    present: int = 0
    guided: int = 0

    @property
    def received(self) -> int:
        return self.periods + self.meetings

    @property
    def behind(self) -> int:
        return self.periods - self.met

    @property
    def held_rate(self) -> float | None:
        return share(self.held, self.due)

    @property
    def met_rate(self) -> float | None:
        return share(self.met, self.periods)

    @property
    def attendance(self) -> float | None:
        return share(self.present, self.due_people)


def figures_of(o: store.Measures, r: store.Measures | None) -> Figures:
    f = Figures(periods=o["periods"], due=o["due"], held=o["held"], met=o["met"])
    if r is not None:
        f.meetings, f.due_people, f.present, f.guided = r["held"], r["due_people"], r["present"], r["guided"]
    return f


def compliance(path: str, period: Any, dim: str = "") -> Figures:
    """The figures of one node ("" : everything) for a period: two aggregate queries on the store."""
    return figures_of(store.total(OBLIGATIONS, path, period, dim), store.total(RECORDS, path, period, dim))


def by_kind(path: str, period: Any) -> list[tuple[str, Figures]]:
    obligations = store.by_dim(OBLIGATIONS, path, period, "kind")
    records = store.by_dim(RECORDS, path, period, "kind")
    out = []
    for kind in Kind:
        o = obligations.get(kind.value)
        if o is None and kind.value not in records:
            continue
        f = figures_of(o or store.empty(OBLIGATIONS), records.get(kind.value))
        out.append((str(kind.label), f))
    return out


def orglife_figures(*, user: Any, node: Area | None, period: Period) -> rollup.Report:
    path = node.path if node is not None else ""
    within = store.readable_path(user, path)
    if within is None:
        return rollup.Report(node=node, period=period, total=Figures())
    o_total, r_total = store.total(OBLIGATIONS, within, period), store.total(RECORDS, within, period)
    report = rollup.Report(node=node, period=period, total=figures_of(o_total, r_total))
    if node is not None and node.level != Level.GRID:
        o_children = store.children(OBLIGATIONS, path, period, "", o_total, within=within)
        r_children = store.children(RECORDS, path, period, "", r_total, within=within)
        found = {p: figures_of(m, r_children.get(p)) for p, m in o_children.items()}
        for p, m in r_children.items():
            found.setdefault(p, figures_of(store.empty(OBLIGATIONS), m))
        report.children = rollup.child_rows(node, found, Figures)
    names = ["held", "present"]
    days = store.per_day(RECORDS, within, period, names)
    report.trend = rollup.trend_from_days(days, period, names)
    return report


class Selection(FigureSelection):
    page = "orglife:figures"

    def nodes(self) -> QuerySet:
        return Area.objects.visible_to(self.request.user)

    def default_node(self) -> Area | None:
        return rollup.home_node(self.request.user, Area.objects.all())


LAYOUT = display.Layout(
    gettext_lazy("组织生活统计"),
    gettext_lazy("统计区间 %(p)s（应开事项按期间开始日，会议按召开日）"),
    [
        Column("due", gettext_lazy("应开次数")),
        Column("held", gettext_lazy("已开次数")),
        Column("held_rate", gettext_lazy("完成率"), "percent"),
        Column("behind", gettext_lazy("未完成事项"), phone=False),
        Column("attendance", gettext_lazy("出勤率"), "percent", phone=False),
    ],
    (gettext_lazy("该区间内没有应开的组织生活。换一个统计区间试试。"), "no-orglife"),
    "orglife-figures-chart",
    [
        (gettext_lazy("应开次数"), gettext_lazy("按本区组织生活规则，各支部在期间开始于统计区间内的应开会议次数。")),
        (gettext_lazy("完成率"), gettext_lazy("已开次数（每期最多计应开次数）占应开次数的比例。")),
        (gettext_lazy("出勤率"), gettext_lazy("统计区间内召开的会议实到应到人员占应到人数的比例。")),
        (gettext_lazy("数据来源"), gettext_lazy("各项统计取自每日统计库，每晚与原始记录核对一次。")),
    ],
)


def quarter_links(selection: Selection, today: datetime.date) -> list[Link]:
    this = calendar.quarter_of(today)
    last = calendar.quarter_of(this.start - datetime.timedelta(days=1))
    links = []
    for label, span, testid in ((_("本季度"), this, "this-quarter"), (_("上季度"), last, "last-quarter")):
        query = {
            "node": str(selection.node.public_id),
            "period": "custom",
            "from": span.start.isoformat(),
            "to": span.end.isoformat(),
        }
        links.append(Link(label, reverse("orglife:figures") + "?" + urlencode(query), testid))
    return links


def _page(selection: Selection, report: rollup.Report) -> display.Page:
    t = report.total
    cards = [
        Card(_("应开次数"), t.due, testid="total-due"),
        Card(
            _("已开次数"),
            t.held,
            sub=_("完成率 %(r)s%%") % {"r": t.held_rate} if t.held_rate is not None else "",
            testid="total-held",
        ),
        Card(_("未完成事项"), t.behind, warn=bool(t.behind), testid="total-behind"),
        Card(_("出勤率"), t.attendance, "percent", sub=_("召开会议 %(n)s 次") % {"n": t.meetings}),
        Card(_("落实指引的会议"), t.guided),
    ]
    children = display.children_chart(
        report.children, [(_("应开次数"), "due"), (_("已开次数"), "held")], colors=["#9a6700", "#1a7f37"]
    )
    trend = display.trend_chart(
        report.trend,
        [(_("召开会议"), "held", "bar"), (_("实到人次"), "present", "line")],
        colors=["#c8161d", "#1f6feb"],
    )
    charts = display.chart_boxes(
        children, _("各下级应开与已开柱状图"), Chart("trend", _("会议召开趋势"), _("会议召开趋势图"), trend)
    )
    actions = [
        *quarter_links(selection, timezone.localdate()),
        Link(_("滞后支部"), reverse("orglife:behind"), "behind"),
    ]
    return display.Page(LAYOUT, cards, charts, actions)


@require_roles(OVERSEE_ROLES)
@require_GET
@replica_view
def figures_page(request):
    selection = Selection(request)
    report = orglife_figures(user=request.user, node=selection.node, period=selection.period)
    path = store.readable_path(request.user, selection.node.path) if selection.node is not None else None
    kinds = by_kind(path, selection.period) if path is not None else []
    return display.render_page(
        request, selection, report, _page, template="orglife/figures.html", kinds=kinds, active_nav="orglife_figures"
    )
