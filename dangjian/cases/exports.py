"""Excel exports of cases: the case list (with the list page's filters) and the figures table.

Both go through imports.exports.export_response: scoped rows only, the reporter's phone masked,
one 导出 audit row with the filters and the row count.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dangjian.imports.exports import ExportColumn, export_response
from dangjian.territory.models import Area
from dangjian.units.models import Department

from . import selectors
from .figures import selectors as figures
from .models import CaseCategory, CaseStatus, Channel

if TYPE_CHECKING:
    from .figures.views import Selection


def _time(value: datetime.datetime | None) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def _name(obj: Any) -> str:
    return obj.name if obj is not None else ""


def _assignee(case: Any) -> str:
    for obj in (case.assigned_department, case.assigned_unit, case.assigned_user, case.assigned_area):
        if obj is not None:
            return getattr(obj, "name", "") or getattr(obj, "full_name", "") or str(obj)
    return ""


def _overdue(case: Any) -> str:
    if case.deadline is None:
        return ""
    late = case.closed_at > case.deadline if case.closed_at else case.is_open and case.deadline < timezone.now()
    return _("是") if late else ""


CASE_COLUMNS = [
    ExportColumn(gettext_lazy("编号"), lambda c: c.number, width=20),
    ExportColumn(gettext_lazy("受理时间"), lambda c: _time(c.received_at), width=17),
    ExportColumn(gettext_lazy("来源"), lambda c: c.get_channel_display(), width=10),
    ExportColumn(gettext_lazy("类别"), lambda c: c.category.name, width=12),
    ExportColumn(gettext_lazy("状态"), lambda c: c.get_status_display(), width=12),
    ExportColumn(gettext_lazy("社区"), lambda c: _name(c.community), width=12),
    ExportColumn(gettext_lazy("网格"), lambda c: _name(c.grid), width=16),
    ExportColumn(gettext_lazy("地点"), lambda c: c.address, width=24),
    ExportColumn(gettext_lazy("描述"), lambda c: c.description, width=40),
    ExportColumn(gettext_lazy("反映人"), lambda c: c.reporter_name, width=10),
    ExportColumn(gettext_lazy("联系电话"), lambda c: c.reporter_phone, personal="mobile", width=14),
    ExportColumn(gettext_lazy("承办"), _assignee, width=22),
    ExportColumn(gettext_lazy("办理期限"), lambda c: _time(c.deadline), width=17),
    ExportColumn(gettext_lazy("办结时间"), lambda c: _time(c.closed_at), width=17),
    ExportColumn(gettext_lazy("超期"), _overdue, width=6),
    ExportColumn(gettext_lazy("退回次数"), lambda c: c.return_count, width=8),
    ExportColumn(gettext_lazy("评价"), lambda c: c.get_rating_display() if c.rating else "", width=10),
]


def _date(value: str) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _category(value: str) -> CaseCategory | None:
    if not value:
        return None
    category = CaseCategory.objects.filter(code=value).first()
    if category is None:
        try:
            category = CaseCategory.objects.filter(public_id=value).first()
        except ValidationError:
            category = None
    return category


def list_filters(request) -> tuple[dict[str, Any], dict[str, str]]:
    """The case list's filters from the query string, resolved in the user's scope (an area or a
    department out of scope is a 404), and their labels for the audit row."""
    params, user = request.GET, request.user
    filters: dict[str, Any] = {}
    labels: dict[str, str] = {}
    status = params.get("status", "")
    if status in CaseStatus.values:
        filters["status"] = labels["status"] = status
    if params.get("q", "").strip():
        filters["q"] = labels["q"] = params["q"].strip()[:50]
    category = _category(params.get("category", ""))
    if category is not None:
        filters["category"], labels["category"] = category, category.name
    if params.get("channel", "") in Channel.values:
        filters["channel"] = labels["channel"] = params["channel"]
    for flag in ("overdue", "supervised", "mine", "unmerged", "closed", "on_time", "rated", "satisfied"):
        if params.get(flag) in ("1", "on", "true"):
            filters[flag], labels[flag] = True, "1"
    if params.get("tab", "") in selectors.TABS:
        filters["tab"] = labels["tab"] = params["tab"]
    for key, names in (("date_from", ("date_from", "from")), ("date_to", ("date_to", "to"))):
        value = next((_date(params.get(n, "")) for n in names if params.get(n)), None)
        if value is not None:
            filters[key], labels[key] = value, value.isoformat()
    if params.get("area"):
        try:
            area = figures.nodes_for(user).get(public_id=params["area"])
        except (ValidationError, ValueError, Area.DoesNotExist) as exc:
            raise Http404 from exc
        filters["area"], labels["area"] = area, area.name
    if params.get("department"):
        department = Department.objects.get_for_user(user, params["department"])
        filters["department"], labels["department"] = department, department.name
    return filters, labels


def cases_export_response(request):
    filters, labels = list_filters(request)
    cases = selectors.case_list(request.user, **filters).select_related(*selectors.LIST_RELATED)
    area = filters.get("area")
    return export_response(
        request=request,
        queryset_or_rows=cases,
        columns=CASE_COLUMNS,
        filename=_("%(node)s事件清单") % {"node": area.name} if area is not None else _("事件清单"),
        actor=request.user,
        object_type="cases.case",
        filters=labels,
        area_path=area.path if area is not None else None,
    )


# -- the figures table ------------------------------------------------------------------------------
@dataclass
class FigureLine:
    kind: str
    label: str
    figures: figures.Figures


def _rate(value: float | None) -> Any:
    return value if value is not None else "—"


FIGURE_COLUMNS = [
    ExportColumn(gettext_lazy("分组"), lambda r: r.kind, width=8),
    ExportColumn(gettext_lazy("名称"), lambda r: r.label, width=26),
    ExportColumn(gettext_lazy("受理"), lambda r: r.figures.received, width=8),
    ExportColumn(gettext_lazy("派单"), lambda r: r.figures.dispatched, width=8),
    ExportColumn(gettext_lazy("办结"), lambda r: r.figures.closed, width=8),
    ExportColumn(gettext_lazy("按时办结"), lambda r: r.figures.closed_on_time, width=10),
    ExportColumn(gettext_lazy("按时办结率(%)"), lambda r: _rate(r.figures.on_time_rate), width=12),
    ExportColumn(gettext_lazy("超期"), lambda r: r.figures.overdue, width=8),
    ExportColumn(gettext_lazy("退回"), lambda r: r.figures.returned, width=8),
    ExportColumn(gettext_lazy("已评价"), lambda r: r.figures.rated, width=8),
    ExportColumn(gettext_lazy("满意率(%)"), lambda r: _rate(r.figures.satisfaction_rate), width=10),
    ExportColumn(gettext_lazy("办结用时中位数(小时)"), lambda r: _rate(r.figures.median_hours), width=16),
]


def figure_lines(report: figures.Report) -> list[FigureLine]:
    lines = [FigureLine(str(_("下级")), row.label, row.figures) for row in report.children]
    lines += [FigureLine(str(_("部门")), row.label, row.figures) for row in report.departments]
    lines.append(FigureLine(str(_("合计")), report.node.name if report.node else "", report.total))
    return lines


def figures_export_response(*, request, selection: Selection, report: figures.Report):
    name = selection.node.name
    if selection.department is not None:
        name = f"{name}{selection.department.name}"
    return export_response(
        request=request,
        queryset_or_rows=figure_lines(report),
        columns=FIGURE_COLUMNS,
        filename=_("%(node)s办件统计") % {"node": name},
        actor=request.user,
        object_type="cases.figures",
        filters=selection.filters(),
        area_path=selection.node.path,
    )
