"""The Excel export of the development pipeline (served under /imports/export/, registered with the
import engine): one row per person with every stage's date; the ID number and mobile masked unless
full values are asked for (by POST) by a role that may see them; the audit row says which."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from dangjian.core.db import replica_view
from dangjian.core.views import require_roles
from dangjian.imports import registry
from dangjian.imports.exports import ExportColumn, date_text, export_response, label, wants_full_values
from dangjian.imports.permissions import may_see_full_values

from .models import Recruit
from .views import BOARD_ROLES

COLUMNS = [
    ExportColumn(gettext_lazy("党支部"), lambda r: r.org.name, width=24),
    ExportColumn(gettext_lazy("姓名"), lambda r: r.name, width=10),
    ExportColumn(gettext_lazy("身份证号"), lambda r: r.id_number, personal="citizen_id", width=20),
    ExportColumn(gettext_lazy("手机号"), lambda r: r.mobile, personal="mobile", width=14),
    ExportColumn(gettext_lazy("阶段"), lambda r: label(r, "status"), width=14),
    ExportColumn(gettext_lazy("递交申请"), lambda r: date_text(r.applied_on), width=12),
    ExportColumn(gettext_lazy("谈话"), lambda r: date_text(r.talked_on), width=12),
    ExportColumn(gettext_lazy("入党积极分子"), lambda r: date_text(r.activist_on), width=12),
    ExportColumn(gettext_lazy("发展对象"), lambda r: date_text(r.candidate_on), width=12),
    ExportColumn(gettext_lazy("列入发展计划"), lambda r: date_text(r.planned_on), width=12),
    ExportColumn(gettext_lazy("支部大会接收"), lambda r: date_text(r.admitted_on), width=12),
    ExportColumn(gettext_lazy("上级党委审批"), lambda r: date_text(r.approved_on), width=12),
    ExportColumn(gettext_lazy("预备期满"), lambda r: date_text(r.probation_ends_on), width=12),
    ExportColumn(gettext_lazy("转正"), lambda r: date_text(r.converted_on), width=12),
    ExportColumn(gettext_lazy("下一步日期"), lambda r: date_text(r.next_due), width=12),
]


@require_roles(BOARD_ROLES)
@require_http_methods(["GET", "POST"])
@replica_view
def export_pipeline(request):
    qs = (
        Recruit.objects.visible_to(request.user).select_related("org").order_by("area_path", "status", "next_due", "pk")
    )
    full = wants_full_values(request) and may_see_full_values(request.user)
    return export_response(
        request=request,
        queryset_or_rows=qs,
        columns=COLUMNS,
        filename=_("发展党员"),
        actor=request.user,
        object_type="recruitment.recruit",
        masked=not full,
    )


registry.register_export(
    "export/recruitment-pipeline/",
    export_pipeline,
    "export_recruitment_pipeline",
    label=gettext_lazy("发展党员"),
    roles=BOARD_ROLES,
    position=160,
)
