"""Excel exports of the demand figures table and of the yearly service records.

Both go through imports.exports.export_response: rows the caller scoped, one 导出 audit row with the
selection and the row count. Neither holds personal data (names of members and units only).
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dangjian.core.figures.rollup import Row
from dangjian.imports.exports import ExportColumn, export_response

from .insight.figures import Report


def _rate(value: float | None) -> str:
    return f"{value}%" if value is not None else ""


FIGURE_COLUMNS = [
    ExportColumn(gettext_lazy("属地"), lambda r: r.label, width=20),
    ExportColumn(gettext_lazy("收到需求"), lambda r: r.figures.received, width=10),
    ExportColumn(gettext_lazy("受理"), lambda r: r.figures.accepted, width=8),
    ExportColumn(gettext_lazy("未受理"), lambda r: r.figures.declined, width=8),
    ExportColumn(gettext_lazy("接单"), lambda r: r.figures.taken, width=8),
    ExportColumn(gettext_lazy("完成"), lambda r: r.figures.done, width=8),
    ExportColumn(gettext_lazy("完成率"), lambda r: _rate(r.figures.done_rate), width=8),
    ExportColumn(gettext_lazy("已评价"), lambda r: r.figures.rated, width=8),
    ExportColumn(gettext_lazy("平均星级"), lambda r: r.figures.stars if r.figures.stars is not None else "", width=8),
    ExportColumn(gettext_lazy("好评率"), lambda r: _rate(r.figures.good_rate), width=8),
    ExportColumn(gettext_lazy("服务时长（小时）"), lambda r: float(r.figures.hours), width=12),
    ExportColumn(gettext_lazy("超时未办"), lambda r: r.figures.late, width=8),
]


def figures_export_response(*, request: Any, report: Report, filters: dict[str, Any]):
    rows = [*report.children, Row("total", str(_("合计")), report.total)]
    return export_response(
        request=request,
        queryset_or_rows=rows,
        columns=FIGURE_COLUMNS,
        filename=str(_("服务清单统计")),
        actor=request.user,
        object_type="demands.figures",
        filters=filters,
    )


def _stars(obj: Any) -> Any:
    return round(obj.average_rating, 2) if obj.average_rating is not None else ""


MEMBER_RECORD_COLUMNS = [
    ExportColumn(gettext_lazy("姓名"), lambda m: m.name, width=10),
    ExportColumn(gettext_lazy("所在党组织"), lambda m: m.org.name if m.org else "", width=24),
    ExportColumn(gettext_lazy("居住社区"), lambda m: m.home_community.name if m.home_community else "", width=12),
    ExportColumn(gettext_lazy("接单"), lambda m: m.taken_count, width=8),
    ExportColumn(gettext_lazy("完成"), lambda m: m.done_count, width=8),
    ExportColumn(gettext_lazy("点单服务时长（小时）"), lambda m: float(m.service_hours), width=14),
    ExportColumn(gettext_lazy("志愿服务时长（小时）"), lambda m: float(m.volunteer_hours), width=14),
    ExportColumn(gettext_lazy("合计时长（小时）"), lambda m: float(m.total_hours), width=12),
    ExportColumn(gettext_lazy("评价次数"), lambda m: m.rated_count, width=8),
    ExportColumn(gettext_lazy("平均星级"), _stars, width=8),
]

UNIT_RECORD_COLUMNS = [
    ExportColumn(gettext_lazy("单位"), lambda u: u.name, width=26),
    ExportColumn(gettext_lazy("所在社区"), lambda u: u.community.name if u.community else "", width=12),
    ExportColumn(gettext_lazy("接单"), lambda u: u.taken_count, width=8),
    ExportColumn(gettext_lazy("完成"), lambda u: u.done_count, width=8),
    ExportColumn(gettext_lazy("服务时长（小时）"), lambda u: float(u.service_hours), width=12),
    ExportColumn(gettext_lazy("评价次数"), lambda u: u.rated_count, width=8),
    ExportColumn(gettext_lazy("平均星级"), _stars, width=8),
]


def records_export_response(*, request: Any, records: Any, units: bool, filters: dict[str, Any], year: int):
    name = _("%(y)s年度单位服务记录") if units else _("%(y)s年度党员服务记录")
    return export_response(
        request=request,
        queryset_or_rows=records,
        columns=UNIT_RECORD_COLUMNS if units else MEMBER_RECORD_COLUMNS,
        filename=name % {"y": year},
        actor=request.user,
        object_type="demands.records",
        filters=filters,
    )
