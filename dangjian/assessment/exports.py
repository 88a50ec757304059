"""Excel export of assessment (served under /imports/export/, registered with the import engine): the score
sheets in the user's scope (organizations and, for 街长评议, departments; optionally one year), with each
one's total, grade, rank and status. Reads through visible_to() and is audited by export_response; it holds
no personal data."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from dangjian.core.db import replica_view
from dangjian.core.views import require_roles
from dangjian.imports import registry
from dangjian.imports.exports import ExportColumn, export_response, label

from .models import Sheet
from .permissions import READ_ROLES


def _local(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


COLUMNS = [
    ExportColumn(gettext_lazy("考核方案"), lambda s: s.scheme.title, width=30),
    ExportColumn(gettext_lazy("年度"), lambda s: s.scheme.year, width=8),
    ExportColumn(gettext_lazy("考核对象"), lambda s: s.subject_name, width=26),
    ExportColumn(gettext_lazy("总分"), lambda s: float(s.total), width=8),
    ExportColumn(gettext_lazy("等次"), lambda s: label(s, "grade"), width=8),
    ExportColumn(gettext_lazy("排名"), lambda s: s.rank or "", width=8),
    ExportColumn(gettext_lazy("状态"), lambda s: label(s, "status"), width=10),
    ExportColumn(gettext_lazy("述职时间"), lambda s: _local(s.reported_at), width=17),
]


@require_roles(READ_ROLES)
@require_http_methods(["GET", "POST"])
@replica_view
def export_sheets(request):
    qs = Sheet.objects.visible_to(request.user).select_related("scheme", "org", "department")
    year = request.GET.get("year", "")
    if year.isdigit():
        qs = qs.filter(scheme__year=int(year))
    return export_response(
        request=request,
        queryset_or_rows=qs.order_by("-scheme__year", "scheme_id", "rank", "-total", "pk"),
        columns=COLUMNS,
        filename=_("考核结果"),
        actor=request.user,
        object_type="assessment.sheet",
        masked=True,
        filters={"year": year} if year.isdigit() else None,
    )


registry.register_export(
    "export/assessment-sheets/",
    export_sheets,
    "export_assessment_sheets",
    label=gettext_lazy("考核结果"),
    roles=READ_ROLES,
    position=170,
)
