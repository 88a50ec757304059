"""Excel exports of the deliberation lists (served under /imports/export/, registered with the
import engine): councils with their representatives, topics, and 四议两公开 runs with their matters.
Each reads through visible_to() and is audited by export_response. A representative's household is
masked unless full values are asked for (by POST) by a role that may see them; the audit row says which."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from dangjian.core.db import replica_view
from dangjian.core.text import mask_address
from dangjian.core.views import require_roles
from dangjian.imports import registry
from dangjian.imports.exports import ExportColumn, date_text, export_response, label, name_of, wants_full_values
from dangjian.imports.permissions import may_see_full_values

from .models import Council, Matter, Representative, Run, Topic
from .permissions import MANAGE_ROLES


def _local(value: Any) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def representative_columns(*, full: bool) -> list[ExportColumn]:
    """The representatives' columns, the household in full only for a `full` export."""
    household = (lambda r: r.household) if full else (lambda r: mask_address(r.household))
    return [
        column if column.header is not HOUSEHOLD else ExportColumn(HOUSEHOLD, household, width=column.width)
        for column in REPRESENTATIVE_COLUMNS
    ]


HOUSEHOLD = gettext_lazy("户（门牌）")
REPRESENTATIVE_COLUMNS = [
    ExportColumn(gettext_lazy("社区"), lambda r: r.council.community.name),
    ExportColumn(gettext_lazy("议事会"), lambda r: r.council.name, width=22),
    ExportColumn(gettext_lazy("类型"), lambda r: label(r.council, "kind"), width=12),
    ExportColumn(gettext_lazy("代表姓名"), lambda r: r.name, width=10),
    ExportColumn(HOUSEHOLD, lambda r: mask_address(r.household), width=16),
    ExportColumn(gettext_lazy("小区"), lambda r: name_of(r.estate)),
    ExportColumn(gettext_lazy("党员"), lambda r: _("是") if r.is_party_member else _("否"), width=6),
    ExportColumn(gettext_lazy("任期开始"), lambda r: date_text(r.term_start), width=12),
    ExportColumn(gettext_lazy("任期结束"), lambda r: date_text(r.term_end), width=12),
    ExportColumn(gettext_lazy("选举会议"), lambda r: name_of(r.election_meeting), width=24),
]

TOPIC_COLUMNS = [
    ExportColumn(gettext_lazy("社区"), lambda t: t.community.name),
    ExportColumn(gettext_lazy("议题"), lambda t: t.title, width=30),
    ExportColumn(gettext_lazy("来源"), lambda t: label(t, "source"), width=12),
    ExportColumn(gettext_lazy("关联诉求或事件"), lambda t: t.source_ref, width=20),
    ExportColumn(gettext_lazy("提出时间"), lambda t: _local(t.submitted_at), width=17),
    ExportColumn(gettext_lazy("状态"), lambda t: label(t, "status"), width=10),
    ExportColumn(gettext_lazy("议事会"), lambda t: name_of(t.council), width=22),
    ExportColumn(gettext_lazy("答复或议定结果"), lambda t: t.answer, width=30),
]

MATTER_COLUMNS = [
    ExportColumn(gettext_lazy("社区"), lambda m: m.run.community.name),
    ExportColumn(gettext_lazy("四议两公开"), lambda m: m.run.title, width=26),
    ExportColumn(gettext_lazy("提议时间"), lambda m: _local(m.run.started_at), width=17),
    ExportColumn(gettext_lazy("状态"), lambda m: label(m.run, "status"), width=12),
    ExportColumn(gettext_lazy("事项"), lambda m: m.title, width=26),
    ExportColumn(gettext_lazy("事项类别"), lambda m: m.kind.name, width=26),
    ExportColumn(gettext_lazy("金额（元）"), lambda m: m.amount, width=14),
    ExportColumn(gettext_lazy("决议时间"), lambda m: _local(m.run.resolved_at), width=17),
]


def _export(request, qs, columns, filename: str, object_type: str, *, masked: bool = True):
    return export_response(
        request=request,
        queryset_or_rows=qs,
        columns=columns,
        filename=filename,
        actor=request.user,
        object_type=object_type,
        masked=masked,
    )


@require_roles(MANAGE_ROLES)
@require_http_methods(["GET", "POST"])
@replica_view
def export_representatives(request):
    qs = (
        Representative.objects.filter(active=True, council__in=Council.objects.visible_to(request.user))
        .select_related("council__community", "estate", "election_meeting")
        .order_by("council__area_path", "council__name", "pk")
    )
    full = wants_full_values(request) and may_see_full_values(request.user)
    columns = representative_columns(full=full)
    return _export(request, qs, columns, _("议事代表"), "deliberation.representative", masked=not full)


@require_roles(MANAGE_ROLES)
@require_http_methods(["GET", "POST"])
@replica_view
def export_topics(request):
    qs = Topic.objects.visible_to(request.user).select_related("community", "council").order_by("-submitted_at", "-pk")
    return _export(request, qs, TOPIC_COLUMNS, _("议题"), "deliberation.topic")


@require_roles(MANAGE_ROLES)
@require_http_methods(["GET", "POST"])
@replica_view
def export_matters(request):
    qs = (
        Matter.objects.filter(run__in=Run.objects.visible_to(request.user))
        .select_related("run__community", "kind")
        .order_by("-run__started_at", "run_id", "pk")
    )
    return _export(request, qs, MATTER_COLUMNS, _("四议两公开事项"), "deliberation.matter")


registry.register_export(
    "export/deliberation-representatives/",
    export_representatives,
    "export_deliberation_representatives",
    label=gettext_lazy("议事代表"),
    roles=MANAGE_ROLES,
    position=150,
)
registry.register_export(
    "export/deliberation-topics/",
    export_topics,
    "export_deliberation_topics",
    label=gettext_lazy("议题"),
    roles=MANAGE_ROLES,
    position=151,
)
registry.register_export(
    "export/deliberation-matters/",
    export_matters,
    "export_deliberation_matters",
    label=gettext_lazy("四议两公开事项"),
    roles=MANAGE_ROLES,
    position=152,
)
