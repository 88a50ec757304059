"""Excel exports of 民生微实事 (served under /imports/export/, registered with the import engine):
projects with their money and acceptance, and the 双认领 claims. Each reads through visible_to() and
is audited by export_response. The lists hold no personal data beyond names already public on the board."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from dangjian.core.db import replica_view
from dangjian.core.views import require_roles
from dangjian.imports import registry
from dangjian.imports.exports import ExportColumn, date_text, export_response, label

from .models import Claim, Project
from .permissions import MANAGE_ROLES


def _local(value: Any) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


PROJECT_COLUMNS = [
    ExportColumn(gettext_lazy("社区"), lambda p: p.community.name),
    ExportColumn(gettext_lazy("项目名称"), lambda p: p.title, width=30),
    ExportColumn(gettext_lazy("类别"), lambda p: label(p, "kind"), width=8),
    ExportColumn(gettext_lazy("来源"), lambda p: label(p, "source"), width=12),
    ExportColumn(gettext_lazy("状态"), lambda p: label(p, "status"), width=10),
    ExportColumn(gettext_lazy("提议时间"), lambda p: _local(p.proposed_at), width=17),
    ExportColumn(gettext_lazy("估算金额（元）"), lambda p: p.estimated_amount, width=14),
    ExportColumn(gettext_lazy("立项资金（元）"), lambda p: p.budget_committed, width=14),
    ExportColumn(gettext_lazy("已支付（元）"), lambda p: p.amount_paid, width=14),
    ExportColumn(gettext_lazy("结余退回（元）"), lambda p: p.amount_released, width=14),
    ExportColumn(gettext_lazy("实施单位"), lambda p: p.implementer, width=22),
    ExportColumn(gettext_lazy("认领数"), lambda p: p.claims_count, width=8),
    ExportColumn(gettext_lazy("验收时间"), lambda p: _local(p.accepted_at), width=17),
    ExportColumn(gettext_lazy("验收人"), lambda p: p.acceptor_name, width=10),
    ExportColumn(gettext_lazy("满意度评价人数"), lambda p: p.votes_count, width=10),
    ExportColumn(gettext_lazy("满意率（%）"), lambda p: p.satisfaction if p.satisfaction is not None else "", width=10),
    ExportColumn(gettext_lazy("公示截止"), lambda p: date_text(p.publicity_until), width=12),
    ExportColumn(gettext_lazy("结项时间"), lambda p: _local(p.closed_at), width=17),
]

CLAIM_COLUMNS = [
    ExportColumn(gettext_lazy("社区"), lambda c: c.project.community.name),
    ExportColumn(gettext_lazy("项目"), lambda c: c.project.title, width=30),
    ExportColumn(gettext_lazy("认领人或单位"), lambda c: c.claimant_name, width=22),
    ExportColumn(gettext_lazy("身份"), lambda c: _("驻区单位") if c.unit_id else _("在职党员"), width=10),
    ExportColumn(gettext_lazy("认领内容"), lambda c: label(c, "kind"), width=8),
    ExportColumn(gettext_lazy("认领部分"), lambda c: c.part, width=26),
    ExportColumn(gettext_lazy("资金（元）"), lambda c: c.amount if c.amount is not None else "", width=12),
    ExportColumn(gettext_lazy("人力（小时）"), lambda c: c.hours if c.hours is not None else "", width=10),
    ExportColumn(gettext_lazy("认领时间"), lambda c: _local(c.created_at), width=17),
]


@require_roles(MANAGE_ROLES)
@require_http_methods(["GET", "POST"])
@replica_view
def export_projects(request):
    qs = (
        Project.objects.visible_to(request.user)
        .select_related("community", "implementer_unit")
        .order_by("-proposed_at", "-pk")
    )
    return export_response(
        request=request,
        queryset_or_rows=qs,
        columns=PROJECT_COLUMNS,
        filename=_("民生微实事项目"),
        actor=request.user,
        object_type="microprojects.project",
        masked=True,
    )


@require_roles(MANAGE_ROLES)
@require_http_methods(["GET", "POST"])
@replica_view
def export_claims(request):
    qs = (
        Claim.objects.filter(project__in=Project.objects.visible_to(request.user))
        .select_related("project__community")
        .order_by("-created_at", "-pk")
    )
    return export_response(
        request=request,
        queryset_or_rows=qs,
        columns=CLAIM_COLUMNS,
        filename=_("民生微实事双认领"),
        actor=request.user,
        object_type="microprojects.claim",
        masked=True,
    )


registry.register_export(
    "export/microprojects-projects/",
    export_projects,
    "export_microprojects_projects",
    label=gettext_lazy("民生微实事项目"),
    roles=MANAGE_ROLES,
    position=155,
)
registry.register_export(
    "export/microprojects-claims/",
    export_claims,
    "export_microprojects_claims",
    label=gettext_lazy("民生微实事双认领"),
    roles=MANAGE_ROLES,
    position=156,
)
