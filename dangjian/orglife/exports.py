"""Excel exports of org life (served under /imports/export/, registered with the import engine): the
meeting records and the obligations (due vs held per branch, kind and period) in the user's scope.
Each reads through visible_to() and is audited by export_response; they hold no personal data."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from dangjian.core.db import replica_view
from dangjian.core.views import require_roles
from dangjian.imports import registry
from dangjian.imports.exports import ExportColumn, date_text, export_response, label, name_of

from .models import MeetingRecord, Obligation
from .permissions import OVERSEE_ROLES


def _local(value: Any) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


RECORD_COLUMNS = [
    ExportColumn(gettext_lazy("党支部"), lambda r: r.org.name, width=26),
    ExportColumn(gettext_lazy("会议类型"), lambda r: label(r, "kind"), width=12),
    ExportColumn(gettext_lazy("主题"), lambda r: r.topic, width=30),
    ExportColumn(gettext_lazy("召开时间"), lambda r: _local(r.starts_at), width=17),
    ExportColumn(gettext_lazy("地点"), lambda r: r.place, width=20),
    ExportColumn(gettext_lazy("状态"), lambda r: label(r, "status"), width=10),
    ExportColumn(gettext_lazy("应到人数"), lambda r: r.due_count, width=10),
    ExportColumn(gettext_lazy("实到人数"), lambda r: r.present_count, width=10),
    ExportColumn(gettext_lazy("落实的指引"), lambda r: name_of(r.guidance), width=24),
    ExportColumn(gettext_lazy("关联服务活动"), lambda r: r.linked_label, width=20),
    ExportColumn(gettext_lazy("参观地点"), lambda r: r.visit, width=20),
]

OBLIGATION_COLUMNS = [
    ExportColumn(gettext_lazy("党支部"), lambda o: o.org.name, width=26),
    ExportColumn(gettext_lazy("会议类型"), lambda o: label(o, "kind"), width=12),
    ExportColumn(gettext_lazy("期间开始"), lambda o: date_text(o.period_start), width=12),
    ExportColumn(gettext_lazy("期间结束"), lambda o: date_text(o.period_end), width=12),
    ExportColumn(gettext_lazy("应开次数"), lambda o: o.due, width=10),
    ExportColumn(gettext_lazy("已开次数"), lambda o: o.held, width=10),
    ExportColumn(gettext_lazy("完成"), lambda o: _("是") if o.met else _("否"), width=6),
]


@require_roles(OVERSEE_ROLES)
@require_http_methods(["GET", "POST"])
@replica_view
def export_records(request):
    qs = MeetingRecord.objects.visible_to(request.user).select_related("org", "guidance").order_by("-starts_at", "-pk")
    return export_response(
        request=request,
        queryset_or_rows=qs,
        columns=RECORD_COLUMNS,
        filename=_("组织生活记录"),
        actor=request.user,
        object_type="orglife.record",
        masked=True,
    )


@require_roles(OVERSEE_ROLES)
@require_http_methods(["GET", "POST"])
@replica_view
def export_obligations(request):
    qs = Obligation.objects.visible_to(request.user).select_related("org").order_by("-period_start", "org_id", "kind")
    return export_response(
        request=request,
        queryset_or_rows=qs,
        columns=OBLIGATION_COLUMNS,
        filename=_("组织生活应开与已开"),
        actor=request.user,
        object_type="orglife.obligation",
        masked=True,
    )


registry.register_export(
    "export/orglife-records/",
    export_records,
    "export_orglife_records",
    label=gettext_lazy("组织生活记录"),
    roles=OVERSEE_ROLES,
    position=160,
)
registry.register_export(
    "export/orglife-obligations/",
    export_obligations,
    "export_orglife_obligations",
    label=gettext_lazy("组织生活应开与已开"),
    roles=OVERSEE_ROLES,
    position=161,
)
