"""What is read from the demand loop: the figures page (服务清单统计, per node and period, drill
down by child), the yearly service records of members and units, and their Excel exports."""

from __future__ import annotations

from typing import Any

from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from dangjian.core.db import replica_view
from dangjian.core.figures import display
from dangjian.core.figures.display import Card, Chart, Column, Link
from dangjian.core.figures.selection import FigureSelection
from dangjian.core.views import querystring_without_page, require_roles
from dangjian.orgs.models import PartyOrg
from dangjian.territory.models import Area, Level

from .. import exports, records
from ..permissions import FIGURE_ROLES
from . import figures

NAV = "demand_insight"
PAGE_SIZE = 30


# -- figures --------------------------------------------------------------------------------------
class Selection(FigureSelection):
    """Node and period of a figures request, checked against the user (404 outside their scope)."""

    page = "demands:figures"

    def nodes(self) -> QuerySet:
        return Area.objects.visible_to(self.request.user)

    def default_node(self) -> Area | None:
        return figures.default_node(self.request.user)


def _figures_report(selection: Selection) -> figures.Report:
    return figures.demand_figures(user=selection.request.user, node=selection.node, period=selection.period)


COLUMNS = [
    Column("received", gettext_lazy("收到")),
    Column("accepted", gettext_lazy("受理"), phone=False),
    Column("taken", gettext_lazy("接单"), phone=False),
    Column("done", gettext_lazy("完成")),
    Column("stars", gettext_lazy("平均星级"), "value", phone=False),
    Column("good_rate", gettext_lazy("好评率"), "percent"),
    Column("hours", gettext_lazy("时长(h)"), "decimal", phone=False),
    Column("late", gettext_lazy("超时"), "alarm", phone=False),
]
DEFINITIONS = [
    (
        gettext_lazy("收到需求"),
        gettext_lazy("统计区间内提交的群众需求（含未受理的，不含求助人撤回的）。以下各项都就这批需求而言。"),
    ),
    (
        gettext_lazy("受理 / 接单 / 完成服务"),
        gettext_lazy("社区已受理的；党员、单位或服务队已接单的；已完成（含已评价、完成后自动关闭）的。"),
    ),
    (gettext_lazy("满意度"), gettext_lazy("已评价需求的平均星级；好评率为达到本区好评星级的评价所占比例。")),
    (gettext_lazy("服务时长"), gettext_lazy("已完成需求登记的服务时长之和。")),
    (
        gettext_lazy("超时未办"),
        gettext_lazy("尚在办理且当前环节已过时限的需求（以超时巡查或最近一次办理时为准）。"),
    ),
    (
        gettext_lazy("数据来源"),
        gettext_lazy("各项统计取自每日统计库，随每次办理同步更新，每晚与原始记录核对一次。"),
    ),
]

LAYOUT = display.Layout(
    gettext_lazy("服务清单统计"),
    gettext_lazy("统计区间 %(p)s（按提交时间）"),
    COLUMNS,
    (gettext_lazy("该区间内没有群众需求。换一个统计区间试试。"), "no-demands"),
    "demand-figures-chart",
    DEFINITIONS,
)


def _cards(report: figures.Report) -> list[Card]:
    t = report.total
    if t.good_rate is not None:
        good = _("好评（≥%(n)s星）%(r)s%%") % {"r": t.good_rate, "n": report.good_rating}
    else:
        good = _("暂无评价")
    return [
        Card(_("收到需求"), t.received, sub=_("未受理 %(n)s") % {"n": t.declined}, testid="total-received"),
        Card(_("受理"), t.accepted),
        Card(_("接单"), t.taken),
        Card(
            _("完成服务"),
            t.done,
            sub=_("完成率 %(r)s%%") % {"r": t.done_rate} if t.done_rate is not None else "",
            testid="total-done",
        ),
        Card(_("满意度"), t.stars, "stars", sub=good, testid="total-satisfaction"),
        Card(_("服务时长"), t.hours, "decimal", sub=_("小时"), testid="total-hours"),
        Card(_("超时未办"), t.late, sub=_("已上报书记 %(n)s") % {"n": t.escalated}, warn=bool(t.late)),
    ]


def _page(selection: Selection, report: figures.Report) -> display.Page:
    records_params = {"year": str(selection.period.date_to.year)}
    if selection.node.level == Level.COMMUNITY:
        records_params["community"] = str(selection.node.public_id)
    children = display.children_chart(
        report.children,
        [(_("收到"), "received"), (_("完成"), "done"), (_("好评"), "good")],
        colors=["#1f6feb", "#1a7f37", "#c8161d"],
    )
    trend = display.trend_chart(
        report.trend,
        [(_("收到"), "received", "bar"), (_("完成"), "done", "line")],
        colors=["#1f6feb", "#1a7f37"],
    )
    trend_box = Chart("trend", _("需求趋势"), _("收到与完成趋势图"), trend)
    links = [
        Link(_("导出统计表"), selection.url("demands:figures_export"), "export-figures"),
        Link(_("年度服务记录"), f"{reverse('demands:records')}?{urlencode(records_params)}", "records-link"),
    ]
    charts = display.chart_boxes(children, _("各下级收到、完成、好评柱状图"), trend_box)
    return display.Page(LAYOUT, _cards(report), charts, links)


@require_roles(FIGURE_ROLES)
@require_GET
@replica_view
def figures_page(request):
    selection = Selection(request)
    return display.render_page(request, selection, _figures_report(selection), _page, active_nav=NAV)


@require_roles(FIGURE_ROLES)
@require_http_methods(["GET", "POST"])
@replica_view
def figures_export(request):
    selection = Selection(request)
    report = _figures_report(selection)
    return exports.figures_export_response(request=request, report=report, filters=selection.filters())


# -- yearly records -------------------------------------------------------------------------------
class RecordSelection:
    """A community or a Party organization (in the user's scope), a year, members or units, a search."""

    def __init__(self, request):
        self.request = request
        user = request.user
        self.org = None
        self.community = None
        org_id = request.GET.get("org", "")
        community_id = request.GET.get("community", "")
        if org_id:
            self.org = PartyOrg.objects.get_for_user(user, org_id)
        elif community_id:
            self.community = Area.objects.get_for_user(user, community_id, level=Level.COMMUNITY)
        else:
            self.community = self.communities().first()
            if self.community is None:
                raise Http404
        this_year = timezone.localdate().year
        try:
            year = int(request.GET.get("year", this_year))
        except ValueError:
            year = this_year
        self.year = min(max(year, 2000), this_year)
        self.tab = "units" if request.GET.get("tab") == "units" else "members"
        self.q = request.GET.get("q", "").strip()[:50]

    def communities(self):
        return Area.objects.visible_to(self.request.user).filter(level=Level.COMMUNITY).order_by("path")

    @property
    def subject(self) -> Any:
        return self.org or self.community

    def records(self):
        scope = {"community": self.community, "org": self.org}
        if self.tab == "units":
            qs = records.units_of(**scope)
            if self.q:
                qs = qs.filter(Q(name__icontains=self.q) | Q(pinyin__icontains=self.q.lower()))
            return records.unit_records(qs, self.year)
        qs = records.members_of(**scope)
        if self.q:
            qs = qs.filter(Q(name__icontains=self.q) | Q(pinyin__icontains=self.q.lower()))
        return records.member_records(qs, self.year)

    def params(self, **changes: Any) -> dict[str, str]:
        params = {"year": str(self.year), "tab": self.tab, "q": self.q}
        if self.org is not None:
            params["org"] = str(self.org.public_id)
        else:
            params["community"] = str(self.community.public_id)
        params.update(changes)
        return {k: v for k, v in params.items() if v}

    def url(self, name: str = "demands:records", **changes: Any) -> str:
        return f"{reverse(name)}?{urlencode(self.params(**changes))}"

    def filters(self) -> dict[str, str]:
        return {"subject": self.subject.name, "year": str(self.year), "tab": self.tab, "q": self.q}


@require_roles(FIGURE_ROLES)
@require_GET
@replica_view
def records_page(request):
    selection = RecordSelection(request)
    qs = selection.records()
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    this_year = timezone.localdate().year
    context = {
        "selection": selection,
        "page": page,
        "totals": records.totals(qs, with_volunteering=selection.tab == "members"),
        "with_timebank": records.timebank_available(),
        "years": list(range(this_year, this_year - 5, -1)),
        "communities": list(selection.communities()[:200]),
        "tab_urls": {
            "members": selection.url(tab="members", q=""),
            "units": selection.url(tab="units", q=""),
        },
        "export_url": selection.url("demands:records_export"),
        "figures_url": reverse("demands:figures"),
        "querystring": querystring_without_page(request),
        "active_nav": NAV,
    }
    return render(request, "demands/insight/records.html", context)


@require_roles(FIGURE_ROLES)
@require_http_methods(["GET", "POST"])
@replica_view
def records_export(request):
    selection = RecordSelection(request)
    return exports.records_export_response(
        request=request,
        records=selection.records(),
        units=selection.tab == "units",
        filters=selection.filters(),
        year=selection.year,
    )
