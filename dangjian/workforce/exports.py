"""Excel exports of the workforce (served under /imports/export/, registered with the import engine):
the register (ID number and mobile masked unless full values are asked for by a role that may see
them; the audit row says which), and the training hours of a year. Each reads through visible_to()."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from dangjian.core.db import replica_view
from dangjian.core.text import mask_mobile
from dangjian.core.validators import mask_citizen_id
from dangjian.core.views import require_roles
from dangjian.imports import registry
from dangjian.imports.exports import ExportColumn, date_text, export_response, label, wants_full_values
from dangjian.imports.permissions import may_see_full_values

from .models import TrainingYear, Worker
from .permissions import MANAGE_ROLES


def _yes(value: bool) -> str:
    return _("是") if value else _("否")


def worker_columns(*, full: bool) -> list[ExportColumn]:
    return [
        ExportColumn(gettext_lazy("姓名"), lambda w: w.name, width=10),
        ExportColumn(gettext_lazy("所在社区或街道"), lambda w: w.area.name, width=16),
        ExportColumn(gettext_lazy("类别"), lambda w: label(w, "kind"), width=16),
        ExportColumn(gettext_lazy("现任职务"), lambda w: w.title, width=18),
        ExportColumn(gettext_lazy("性别"), lambda w: label(w, "gender"), width=6),
        ExportColumn(gettext_lazy("出生日期"), lambda w: date_text(w.birth_date), width=12),
        ExportColumn(
            gettext_lazy("身份证号"),
            (lambda w: w.id_number) if full else (lambda w: mask_citizen_id(w.id_number)),
            width=22,
        ),
        ExportColumn(
            gettext_lazy("手机号"), (lambda w: w.mobile) if full else (lambda w: mask_mobile(w.mobile)), width=14
        ),
        ExportColumn(gettext_lazy("学历"), lambda w: label(w, "education"), width=10),
        ExportColumn(gettext_lazy("两委成员"), lambda w: _yes(w.is_committee), width=8),
        ExportColumn(gettext_lazy("一肩挑"), lambda w: _yes(w.dual_role), width=8),
        ExportColumn(gettext_lazy("下沉社区"), lambda w: _yes(w.placed), width=8),
        ExportColumn(gettext_lazy("派出单位"), lambda w: w.sending_unit, width=18),
        ExportColumn(gettext_lazy("批次"), lambda w: w.batch or "", width=6),
        ExportColumn(gettext_lazy("岗位"), lambda w: w.post.name if w.post else "", width=14),
        ExportColumn(gettext_lazy("等级"), lambda w: w.grade or "", width=6),
        ExportColumn(gettext_lazy("入职日期"), lambda w: date_text(w.joined_on), width=12),
    ]


HOURS_COLUMNS = [
    ExportColumn(gettext_lazy("姓名"), lambda t: t.worker.name, width=10),
    ExportColumn(gettext_lazy("所在社区或街道"), lambda t: t.worker.area.name, width=16),
    ExportColumn(gettext_lazy("年度"), lambda t: t.year, width=6),
    ExportColumn(gettext_lazy("场次"), lambda t: t.sessions, width=6),
    ExportColumn(gettext_lazy("学时"), lambda t: t.hours, width=8),
]


@require_roles(MANAGE_ROLES)
@require_http_methods(["GET", "POST"])
@replica_view
def export_workers(request):
    qs = (
        Worker.objects.visible_to(request.user)
        .filter(active=True)
        .select_related("area", "post")
        .order_by("area_path", "name", "pk")
    )
    full = wants_full_values(request) and may_see_full_values(request.user)
    return export_response(
        request=request, queryset_or_rows=qs, columns=worker_columns(full=full), filename=_("社区工作者"),
        actor=request.user, object_type="workforce.worker", masked=not full,
    )  # fmt: skip


@require_roles(MANAGE_ROLES)
@require_http_methods(["GET", "POST"])
@replica_view
def export_training_hours(request):
    try:
        year = int(request.GET.get("year") or timezone.localdate().year)
    except ValueError:
        year = timezone.localdate().year
    qs = (
        TrainingYear.objects.visible_to(request.user)
        .filter(year=year)
        .select_related("worker__area")
        .order_by("-hours", "-pk")
    )
    return export_response(
        request=request, queryset_or_rows=qs, columns=HOURS_COLUMNS, filename=_("培训学时"), actor=request.user,
        object_type="workforce.training_year", masked=True,
    )  # fmt: skip


registry.register_export(
    "export/workforce-workers/",
    export_workers,
    "export_workforce_workers",
    label=gettext_lazy("社区工作者"),
    roles=MANAGE_ROLES,
    position=190,
)
registry.register_export(
    "export/workforce-training-hours/",
    export_training_hours,
    "export_workforce_training_hours",
    label=gettext_lazy("培训学时"),
    roles=MANAGE_ROLES,
    position=191,
)
