"""What must hold of co-building (core.integrity): the task workflow; no raised matter is lost (each is
routed within the district's days, to a case, demand, task or project that exists, or closed with a
reason); a routed task names its matter's unit task; each co-building meeting's engine meeting carries its
owner key."""

from __future__ import annotations

import datetime
from collections.abc import Iterator

from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dangjian.cases.models import Case
from dangjian.core import integrity
from dangjian.core.integrity import Finding, Options, finding, rows
from dangjian.core.tree import STEP
from dangjian.demands.models import Demand

from .models import CoMeeting, DistrictRules, Matter, Outcome, UnitTask
from .workflow import FLOW

integrity.register_workflow(FLOW)

DEFAULT_DAYS = DistrictRules._meta.get_field("matter_days").default


@integrity.register("cobuilding.matters_followed", gettext_lazy("共建议定事项无一遗漏：按时转办或说明理由办结"))
def matters_followed(options: Options) -> Iterator[Finding]:
    now = options.now or timezone.now()
    days = dict(DistrictRules.objects.values_list("district__path", "matter_days"))
    oldest = now - datetime.timedelta(days=min([DEFAULT_DAYS, *days.values()]))
    for row in rows(
        Matter.objects.filter(outcome=Outcome.OPEN, raised_at__lt=oldest), "title", "raised_at", "area_path"
    ):
        limit = days.get(row["area_path"][:STEP], DEFAULT_DAYS)
        if row["raised_at"] < now - datetime.timedelta(days=limit):
            yield finding(
                Matter,
                row,
                "matter_not_routed",
                _("「%(t)s」提出已超过 %(d)s 天仍未转办") % {"t": row["title"], "d": limit},
            )
    targets = (
        (Outcome.CASE, Case),
        (Outcome.DEMAND, Demand),
        (Outcome.TASK, UnitTask),
    )
    for outcome, model in targets:
        exists = Exists(model.objects.filter(public_id=OuterRef("target_id")))
        for row in rows(Matter.objects.filter(outcome=outcome).filter(~exists), "title"):
            yield finding(
                Matter,
                row,
                "matter_target_missing",
                _("「%(t)s」的去向（%(o)s）不存在") % {"t": row["title"], "o": Outcome(outcome).label},
            )
    wrong_task = Matter.objects.filter(outcome=Outcome.TASK).exclude(
        Exists(UnitTask.objects.filter(matter=OuterRef("pk"), public_id=OuterRef("target_id")))
    )
    for row in rows(wrong_task, "title"):
        yield finding(
            Matter, row, "matter_task_mismatch", _("「%(t)s」记录的交办任务不是它自己的任务") % {"t": row["title"]}
        )


@integrity.register("cobuilding.meeting_owner", gettext_lazy("共建会议与会议引擎的所属事项一致"))
def meeting_owner(options: Options) -> Iterator[Finding]:
    for row in rows(
        CoMeeting.objects.select_related("meeting"),
        "kind",
        "board_id",
        "estate_id",
        "committee_id",
        "meeting__owner_key",
    ):
        owner = row["board_id"] or row["estate_id"] or row["committee_id"]
        want = f"cobuilding.{row['kind']}:{owner}"
        if row["meeting__owner_key"] != want:
            yield finding(
                CoMeeting,
                row,
                "owner_key",
                _("会议所属事项为 %(h)s，应为 %(w)s") % {"h": row["meeting__owner_key"], "w": want},
            )
