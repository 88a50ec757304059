"""What is read from the demand loop: the figures page (服务清单统计, per node and period, drill
down by child), the yearly service records of members and units, and their Excel exports."""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from dangjian.core import periods
from dangjian.core.periods import PERIOD_CHOICES, PeriodError
from dangjian.core.views import querystring_without_page, require_roles
from dangjian.orgs.models import PartyOrg
from dangjian.territory.models import Area, Level

from . import exports, figures, records
from .figures import FIGURE_ROLES

NAV = "demand_insight"
PAGE_SIZE = 30


# -- figures --------------------------------------------------------------------------------------
def _date(value: str) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(value) if value else None
    except ValueError:
        return None


class FigureSelection:
    """Node and period of a figures request, checked against the user (404 outside their scope)."""

    def __init__(self, request):
        self.request = request
        self.node = self._node(request.GET.get("node", ""))
        key = request.GET.get("period", "this_month")
        if key not in dict(PERIOD_CHOICES):
            key = "this_month"
        self.error = ""
        try:
            self.period = periods.period_for(key, _date(request.GET.get("from", "")), _date(request.GET.get("to", "")))
        except PeriodError as exc:
            self.period, self.error = periods.period_for("this_month"), str(exc)

    def _node(self, value: str) -> Area:
        user = self.request.user
        if value:
            try:
                return Area.objects.visible_to(user).get(public_id=value)
            except (Area.DoesNotExist, ValidationError, ValueError) as exc:
                raise Http404 from exc
        node = figures.default_node(user)
        if node is None:
            raise Http404
        return node

    def params(self, **changes: Any) -> dict[str, str]:
        params = {"node": str(self.node.public_id), "period": self.period.key}
        if self.period.key == "custom":
            params.update({"from": self.period.date_from.isoformat(), "to": self.period.date_to.isoformat()})
        params.update({k: v for k, v in changes.items() if v is not None})
        return {k: v for k, v in params.items() if v != ""}

    def url(self, name: str = "demands:figures", **changes: Any) -> str:
        return f"{reverse(name)}?{urlencode(self.params(**changes))}"

    def breadcrumb(self) -> list[tuple[Area, str]]:
        return [(a, self.url(node=str(a.public_id))) for a in self.node.ancestors().visible_to(self.request.user)]


def _figures_report(selection: FigureSelection) -> figures.Report:
    return figures.demand_figures(user=selection.request.user, node=selection.node, period=selection.period)


@require_roles(FIGURE_ROLES)
@require_GET
def figures_page(request):
    selection = FigureSelection(request)
    if selection.error:
        messages.error(request, selection.error)
    report = _figures_report(selection)
    for row in report.children:
        row.url = selection.url(node=str(row.area.public_id)) if row.area is not None else ""
    rows = [r for r in report.children if r.area is not None]
    chart = {
        "children": {
            "labels": [r.label for r in rows],
            "urls": [r.url for r in rows],
            "series": [
                {"name": _("收到"), "data": [r.figures.received for r in rows]},
                {"name": _("完成"), "data": [r.figures.done for r in rows]},
                {"name": _("好评"), "data": [r.figures.good for r in rows]},
            ],
        },
        "trend": {**report.trend, "received_name": _("收到"), "done_name": _("完成")},
    }
    records_params = {"year": str(selection.period.date_to.year)}
    if selection.node.level == Level.COMMUNITY:
        records_params["community"] = str(selection.node.public_id)
    context = {
        "selection": selection,
        "report": report,
        "node": selection.node,
        "breadcrumb": selection.breadcrumb(),
        "period_choices": [
            (k, label, selection.url(period=k, **{"from": "", "to": ""})) for k, label in PERIOD_CHOICES
        ],
        "chart": chart,
        "export_url": selection.url("demands:figures_export"),
        "records_url": f"{reverse('demands:records')}?{urlencode(records_params)}",
        "active_nav": NAV,
    }
    return render(request, "demands/insight/figures.html", context)


@require_roles(FIGURE_ROLES)
@require_http_methods(["GET", "POST"])
def figures_export(request):
    selection = FigureSelection(request)
    report = _figures_report(selection)
    filters = {"node": selection.node.name, "period": selection.period.label}
    return exports.figures_export_response(request=request, report=report, filters=filters)


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
def records_export(request):
    selection = RecordSelection(request)
    return exports.records_export_response(
        request=request,
        records=selection.records(),
        units=selection.tab == "units",
        filters=selection.filters(),
        year=selection.year,
    )
