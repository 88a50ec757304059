"""办件统计: the figures page of a node (drill down by clicking a child), its grid heat map (JSON),
and the Excel exports of the figures table and of the case list."""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from dangjian.core.periods import PERIOD_CHOICES, Period, PeriodError, period_for
from dangjian.core.scoping import prefix_q
from dangjian.core.views import require_roles
from dangjian.territory.models import Area
from dangjian.units.models import Department

from . import exports, figures
from .figures import FIGURE_ROLES


class Selection:
    """What a figures request asks for: node, department, period (all checked against the user)."""

    def __init__(self, request):
        self.request = request
        user = request.user
        self.own_department = figures.user_department(user)
        self.node = self._node(request.GET.get("node", ""))
        self.department = self._department(request.GET.get("department", ""))
        self.period, self.period_error = self._period(request.GET)

    def _node(self, value: str) -> Area:
        user = self.request.user
        if value:
            try:
                return figures.nodes_for(user).get(public_id=value)
            except (Area.DoesNotExist, ValidationError, ValueError) as exc:
                raise Http404 from exc  # missing and out of scope alike
        node = figures.default_node(user)
        if node is None:
            raise Http404
        return node

    def _department(self, value: str) -> Department | None:
        if self.own_department is not None:
            return self.own_department
        return Department.objects.get_for_user(self.request.user, value) if value else None

    @staticmethod
    def _date(value: str) -> datetime.date | None:
        try:
            return datetime.date.fromisoformat(value) if value else None
        except ValueError:
            return None

    def _period(self, params) -> tuple[Period, str]:
        key = params.get("period", "this_month")
        if key not in dict(PERIOD_CHOICES):
            key = "this_month"
        try:
            return period_for(key, self._date(params.get("from", "")), self._date(params.get("to", ""))), ""
        except PeriodError as exc:
            return period_for("this_month"), str(exc)

    # -- links ----------------------------------------------------------------------------------
    def params(self, **changes: Any) -> dict[str, str]:
        params = {"node": str(self.node.public_id), "period": self.period.key}
        if self.period.key == "custom":
            params.update({"from": self.period.date_from.isoformat(), "to": self.period.date_to.isoformat()})
        if self.department is not None and self.own_department is None:
            params["department"] = str(self.department.public_id)
        params.update({k: v for k, v in changes.items() if v is not None})
        return {k: v for k, v in params.items() if v != ""}

    def url(self, name: str = "cases:figures", **changes: Any) -> str:
        return f"{reverse(name)}?{urlencode(self.params(**changes))}"

    def breadcrumb(self) -> list[Area]:
        ancestors = self.node.ancestors()
        if self.own_department is not None:
            return list(ancestors.filter(prefix_q("path", self.own_department.area.path)))
        return list(ancestors.visible_to(self.request.user))

    def filters(self) -> dict[str, str]:
        """The selection as the audit row of an export records it."""
        out = {"node": self.node.name, "period": self.period.label}
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


def _chart(selection: Selection, report: figures.Report) -> dict[str, Any]:
    rows = [r for r in report.children if r.area is not None]
    return {
        "children": {
            "labels": [r.label for r in rows],
            "urls": [selection.url(node=str(r.area.public_id)) for r in rows],
            "series": [
                {"name": _("受理"), "data": [r.figures.received for r in rows]},
                {"name": _("办结"), "data": [r.figures.closed for r in rows]},
                {"name": _("超期"), "data": [r.figures.overdue for r in rows]},
            ],
        },
        "trend": {
            **report.trend,
            "name": _("受理量"),
            "unit_label": {"day": _("按日"), "week": _("按周"), "month": _("按月")}[report.trend["unit"]],
        },
    }


@require_roles(FIGURE_ROLES)
@require_GET
def figures_page(request):
    selection = Selection(request)
    if selection.period_error:
        messages.error(request, selection.period_error)
    report = _report(selection)
    for row in report.children:
        row.url = selection.url(node=str(row.area.public_id)) if row.area is not None else ""
    for row in report.departments:
        row.url = selection.url(department=str(row.department.public_id)) if selection.own_department is None else ""
    context = {
        "selection": selection,
        "report": report,
        "node": selection.node,
        "breadcrumb": [(a, selection.url(node=str(a.public_id))) for a in selection.breadcrumb()],
        "period_choices": [
            (k, label, selection.url(period=k, **{"from": "", "to": ""})) for k, label in PERIOD_CHOICES
        ],
        "chart": _chart(selection, report),
        "map_url": selection.url("cases:figures_map"),
        "export_url": selection.url("cases:figures_export"),
        "cases_export_url": _cases_export_url(selection),
        "all_departments_url": selection.url(department="") if selection.department else "",
        "active_nav": "case_figures",
    }
    return render(request, "cases/figures/figures.html", context)


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
def figures_map(request):
    """The grids under the node, each with its number of cases in the period (GeoJSON)."""
    selection = Selection(request)
    data = figures.grid_heat(
        user=request.user, node=selection.node, department=selection.department, period=selection.period
    )
    return JsonResponse(data)


@require_roles(FIGURE_ROLES)
@require_http_methods(["GET", "POST"])
def figures_export(request):
    """The figures table (the children, the departments, the total) as Excel; audited."""
    selection = Selection(request)
    report = _report(selection)
    return exports.figures_export_response(request=request, selection=selection, report=report)


@require_roles(exports.EXPORT_ROLES)
@require_http_methods(["GET", "POST"])
def cases_export(request):
    """The case list with the list page's filters, as Excel; reporter phones masked; audited."""
    return exports.cases_export_response(request)
