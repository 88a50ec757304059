"""The mobilization integrity checks (core/integrity.py): declared state and log of call-ups; nobody
placed twice in overlapping time; each wanted headcount's placed count agrees with its live placements;
a household visited or excused has its time, an excused one its reason (constraints), and no ended
call-up leaves a household unvisited without a reason."""

from __future__ import annotations

from collections.abc import Iterator

from django.db.models import Exists, OuterRef
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dangjian.core import integrity
from dangjian.core.integrity import Finding, Options, finding, rows

from .models import CallUpStatus, Placement, PlacementStatus, Quota, Visit, VisitStatus
from .workflow import FLOW

integrity.register_workflow(FLOW)


@integrity.register("mobilization.double_booking", gettext_lazy("下沉人员没有时间重叠的重复安排"))
def double_booking(options: Options) -> Iterator[Finding]:
    live = Placement.objects.filter(status=PlacementStatus.ACTIVE)
    clash = live.filter(
        user_id=OuterRef("user_id"), starts_at__lt=OuterRef("ends_at"), ends_at__gt=OuterRef("starts_at")
    ).exclude(pk=OuterRef("pk"))
    for row in rows(live.filter(Exists(clash)), "user_id", "grid_path"):
        yield finding(Placement, row, "overlap", _("同一人员在重叠时间内有两个安排"))


@integrity.register("mobilization.quota_placed", gettext_lazy("需求人数的已安排数与在岗安排一致"))
def quota_placed(options: Options) -> Iterator[Finding]:
    for quota in Quota.objects.order_by("pk").iterator(chunk_size=500):
        live = Placement.objects.filter(
            callup_id=quota.callup_id,
            status__in=[PlacementStatus.ACTIVE, PlacementStatus.RELEASED],  # released when the call-up ended
            grid_path__startswith=quota.area_path,
        ).count()
        if live != quota.placed:
            yield finding(
                Quota,
                {"pk": quota.pk},
                "placed_mismatch",
                _("已安排 %(a)s，在岗安排 %(b)s") % {"a": quota.placed, "b": live},
            )


@integrity.register("mobilization.unvisited", gettext_lazy("结束的动员没有未说明原因的未走访户"))
def unvisited(options: Options) -> Iterator[Finding]:
    left = Visit.objects.filter(status=VisitStatus.PENDING, callup__status=CallUpStatus.ENDED)
    for row in rows(left, "label"):
        yield finding(
            Visit, row, "left_unvisited", _("动员已结束，「%(h)s」既未走访也未说明原因") % {"h": row["label"]}
        )
