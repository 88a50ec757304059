"""办件统计: the figures page of a node (drill down by clicking a child), its grid heat map (JSON),
and the Excel exports of the figures table and of the case list."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import JsonResponse
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from dangjian.core.db import replica_view
from dangjian.core.figures import display
from dangjian.core.figures.display import Card, Chart, Column, Link, Table
from dangjian.core.figures.selection import FigureSelection
from dangjian.core.scoping import prefix_q
from dangjian.core.views import require_roles
from dangjian.territory.models import Area
from dangjian.units.models import Department

from .. import exports
from ..permissions import EXPORT_ROLES, FIGURE_ROLES
from . import selectors as figures


class Selection(FigureSelection):
    """What a figures request asks for: node, department, period (all checked against the user)."""

    page = "cases:figures"

    def __init__(self, request):
        self.own_department = figures.user_department(request.user)
        super().__init__(request)
        self.department = self._department(request.GET.get("department", ""))

    def nodes(self) -> QuerySet:
        return figures.nodes_for(self.request.user)

    def default_node(self) -> Area | None:
        return figures.default_node(self.request.user)

    def _department(self, value: str) -> Department | None:
        if self.own_department is not None:
            return self.own_department
        return Department.objects.get_for_user(self.request.user, value) if value else None

    def extra_params(self) -> dict[str, str]:
        if self.department is not None and self.own_department is None:
            return {"department": str(self.department.public_id)}
        return {}

    def ancestors(self) -> QuerySet:
        if self.own_department is not None:
            return self.node.ancestors().filter(prefix_q("path", self.own_department.area.path))
        return super().ancestors()

    def filters(self) -> dict[str, str]:
        out = super().filters()
        if self.department is not None:
            out["department"] = self.department.name
        return out


def _report(selection: Selection) -> figures.Report:
    return figures.case_figures(
        user=selection.request.user,
        node=selection.node,
        department=selection.department,
        date_from=selection.period.date_from,
        date_to=selection.period.date_to,
        period_key=selection.period.key,
    )


COLUMNS = [
    Column("received", gettext_lazy("受理")),
    Column("dispatched", gettext_lazy("派单"), phone=False),
    Column("closed", gettext_lazy("办结")),
    Column("on_time_rate", gettext_lazy("按时率"), "percent", phone=False),
    Column("overdue", gettext_lazy("超期"), "alarm"),
    Column("returned", gettext_lazy("退回"), phone=False),
    Column("satisfaction_rate", gettext_lazy("满意率"), "percent"),
    Column("median_hours", gettext_lazy("用时中位数(h)"), "value", phone=False),
]
DEFINITIONS = [
    (
        gettext_lazy("受理"),
        gettext_lazy("统计区间内登记的事件（含不予受理的，不含并入其他事件的重复件）。以下各项都就这批事件而言。"),
    ),
    (gettext_lazy("派单"), gettext_lazy("已派给网格、社区、部门或发布认领的事件。")),
    (
        gettext_lazy("办结 / 按时办结"),
        gettext_lazy("现为已办结、已回访或已归档的事件；办结时间不晚于办理期限的为按时办结。"),
    ),
    (
        gettext_lazy("超期"),
        gettext_lazy("尚未办结且已过期限的（以期限巡查或最近一次办理时为准），加上晚于期限办结的。"),
    ),
    (gettext_lazy("退回"), gettext_lazy("被承办方退回过至少一次的事件（按件计，不按次数）。")),
    (gettext_lazy("满意率"), gettext_lazy("（满意 + 基本满意）÷ 已评价，按每件事件最近一次评价。")),
    (
        gettext_lazy("办结用时中位数"),
        gettext_lazy(
            "已办结事件从登记到办结的小时数的中位数。按用时分档（1、2、4、8、12、24、36、48、72、96、120、168、"
            "240、360、720 小时）统计，在中位数所在的档内按比例估算，是近似值，误差不超过该档的宽度。"
        ),
    ),
    (
        gettext_lazy("数据来源"),
        gettext_lazy("各项统计取自每日统计库，随每次办理同步更新，每晚与原始记录核对一次。"),
    ),
]

LAYOUT = display.Layout(
    gettext_lazy("办件统计"),
    gettext_lazy("统计区间 %(p)s（按受理时间）"),
    COLUMNS,
    (gettext_lazy("该区间内没有受理的事件。换一个统计区间试试。"), "no-cases"),
    "figures-chart",
    DEFINITIONS,
)


def _rate_line(text: str, rate: float | None) -> str:
    return text % {"r": rate} if rate is not None else ""


def _cards(t: figures.Figures) -> list[Card]:
    return [
        Card(_("受理"), t.received, testid="total-received"),
        Card(_("派单"), t.dispatched),
        Card(_("办结"), t.closed, sub=_rate_line(_("办结率 %(r)s%%"), t.close_rate), testid="total-closed"),
        Card(_("按时办结"), t.closed_on_time, sub=_rate_line(_("按时率 %(r)s%%"), t.on_time_rate)),
        Card(_("超期"), t.overdue, testid="total-overdue", warn=bool(t.overdue)),
        Card(_("退回"), t.returned),
        Card(
            _("满意率"),
            t.satisfaction_rate,
            "percent",
            sub=_("已评价 %(n)s 件") % {"n": t.rated},
            testid="total-satisfaction",
        ),
        Card(_("办结用时中位数"), t.median_hours, "value", sub=_("小时")),
    ]


def _page(selection: Selection, report: figures.Report) -> display.Page:
    t = report.total
    actions = [Link(_("导出统计表"), selection.url("cases:figures_export"), "export-figures")]
    if t.received:
        actions.append(Link(_("导出事件清单"), _cases_export_url(selection), "export-cases"))
    children = display.children_chart(
        report.children,
        [(_("受理"), "received"), (_("办结"), "closed"), (_("超期"), "overdue")],
        colors=["#c8161d", "#1a7f37", "#e8862a"],
    )
    unit_label = {"day": _("按日"), "week": _("按周"), "month": _("按月")}[report.trend["unit"]]
    trend = display.trend_chart(report.trend, [(_("受理量"), "values", "bar")], colors=["#1f6feb"])
    trend_box = Chart("trend", _("受理趋势"), _("受理量趋势图"), trend, badge=unit_label)
    charts = display.chart_boxes(children, _("各下级受理、办结、超期柱状图"), trend_box)
    return display.Page(LAYOUT, _cards(t), charts, actions)


@require_roles(FIGURE_ROLES)
@require_GET
@replica_view
def figures_page(request):
    selection = Selection(request)
    report = _report(selection)
    for row in report.departments:
        row.url = selection.url(department=str(row.department.public_id)) if selection.own_department is None else ""
    return display.render_page(
        request,
        selection,
        report,
        _page,
        "cases/figures/figures.html",
        departments=Table("departments", _("部门"), COLUMNS, report.departments),
        map_url=selection.url("cases:figures_map"),
        all_departments_url=selection.url(department="") if selection.department else "",
        active_nav="case_figures",
    )


def _cases_export_url(selection: Selection) -> str:
    params = {
        "area": str(selection.node.public_id),
        "date_from": selection.period.date_from.isoformat(),
        "date_to": selection.period.date_to.isoformat(),
    }
    if selection.department is not None and selection.own_department is None:
        params["department"] = str(selection.department.public_id)
    return f"{reverse('cases:export')}?{urlencode(params)}"


@require_roles(FIGURE_ROLES)
@require_GET
@replica_view
def figures_map(request):
    """The grids under the node, each with its number of cases in the period (GeoJSON)."""
    selection = Selection(request)
    data = figures.grid_heat(
        user=request.user, node=selection.node, department=selection.department, period=selection.period
    )
    return JsonResponse(data)


@require_roles(FIGURE_ROLES)
@require_http_methods(["GET", "POST"])
@replica_view
def figures_export(request):
    """The figures table (the children, the departments, the total) as Excel; audited."""
    selection = Selection(request)
    report = _report(selection)
    return exports.figures_export_response(request=request, selection=selection, report=report)


@require_roles(EXPORT_ROLES)
@require_http_methods(["GET", "POST"])
@replica_view
def cases_export(request):
    """The case list with the list page's filters, as Excel; reporter phones masked; audited."""
    return exports.cases_export_response(request)
