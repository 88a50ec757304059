"""Excel exports of dues (served under /imports/export/, registered with the import engine): the months
of the organizations a user acts for, with what was owed, paid and is outstanding. Pay bases are not
exported (personal data the sheet does not need)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from dangjian.core.db import replica_view
from dangjian.core.views import require_roles
from dangjian.imports import registry
from dangjian.imports.exports import ExportColumn, export_response, label

from .models import DuesMonth
from .permissions import BRANCH_ROLES, orgs_acted_for

COLUMNS = [
    ExportColumn(gettext_lazy("党组织"), lambda d: d.org.name, width=26),
    ExportColumn(gettext_lazy("月份"), lambda d: f"{d.month:%Y-%m}", width=10),
    ExportColumn(gettext_lazy("姓名"), lambda d: d.member_name, width=10),
    ExportColumn(gettext_lazy("交纳类别"), lambda d: label(d, "category"), width=16),
    ExportColumn(gettext_lazy("应交（元）"), lambda d: d.amount_due, width=12),
    ExportColumn(gettext_lazy("调整（元）"), lambda d: d.adjustment, width=12),
    ExportColumn(gettext_lazy("已交（元）"), lambda d: d.paid, width=12),
    ExportColumn(gettext_lazy("欠交（元）"), lambda d: d.outstanding, width=12),
    ExportColumn(gettext_lazy("自愿多交（元）"), lambda d: d.extra, width=14),
]


@require_roles(BRANCH_ROLES)
@require_http_methods(["GET", "POST"])
@replica_view
def export_dues(request):
    qs = (
        DuesMonth.objects.filter(org__in=orgs_acted_for(request.user))
        .select_related("org")
        .order_by("org__path", "-month", "member_name", "pk")
    )
    return export_response(
        request=request,
        queryset_or_rows=qs,
        columns=COLUMNS,
        filename=_("党费收缴"),
        actor=request.user,
        object_type="dues.duesmonth",
        masked=True,
    )


registry.register_export(
    "export/dues/", export_dues, "export_dues", label=gettext_lazy("党费收缴"), roles=BRANCH_ROLES, position=170
)
