"""The audit log's Excel export: its columns and view (served under /imports/export/audit/,
registered with the import engine), with the audit page's own filters."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dangjian.core.db import replica_view
from dangjian.core.views import require_roles
from dangjian.imports import registry
from dangjian.imports.exports import ExportColumn, export_response, label

from . import changes as audit_changes
from .models import AuditEvent
from .permissions import AUDIT_ROLES
from .selectors import FILTERS, filter_events

AUDIT_COLUMNS = [
    ExportColumn(gettext_lazy("时间"), lambda e: e.at, width=20),
    ExportColumn(gettext_lazy("操作人"), lambda e: e.actor_name, width=12),
    ExportColumn(gettext_lazy("角色"), lambda e: e.role_label, width=14),
    ExportColumn(gettext_lazy("操作"), lambda e: label(e, "action"), width=10),
    ExportColumn(gettext_lazy("对象类型"), lambda e: e.object_type, width=18),
    ExportColumn(gettext_lazy("对象"), lambda e: e.object_repr, width=28),
    ExportColumn(gettext_lazy("变更"), audit_changes.as_text, width=60),
    ExportColumn(gettext_lazy("IP"), lambda e: e.ip or "", width=16),
]


def audit_rows(qs: QuerySet) -> QuerySet:
    return qs.order_by("-at", "-pk")


@require_roles(AUDIT_ROLES)
@replica_view
def export_audit(request):
    qs = filter_events(AuditEvent.objects.visible_to(request.user), request.GET)
    return export_response(
        request=request,
        queryset_or_rows=audit_rows(qs),
        columns=AUDIT_COLUMNS,
        filename=_("审计记录"),
        actor=request.user,
        object_type="audit.auditevent",
        filters={name: request.GET[name].strip() for name in FILTERS if request.GET.get(name, "").strip()},
    )


registry.register_export(
    "export/audit/", export_audit, "export_audit", label=gettext_lazy("审计记录"), roles=AUDIT_ROLES, position=50
)
