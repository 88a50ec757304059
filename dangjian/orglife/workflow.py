"""A meeting record's life, declared once and run by core.workflow.take_step:
已计划 (planned) → 已召开 (held) or 已取消 (cancelled). Whoever runs the branch takes the steps
(permissions.may_run); a cancellation tells the roster."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dangjian.core.workflow import Move, State, StepSpec, TransitionRefused, Workflow

from .models import Kind, MeetingRecord, RecordLog, RecordStatus
from .permissions import may_run

S = RecordStatus
CREATE = "create"


class Step(models.TextChoices):
    HOLD = "hold", gettext_lazy("登记召开")
    CANCEL = "cancel", gettext_lazy("取消")


class Party(models.TextChoices):
    SECRETARY = "secretary", gettext_lazy("支部书记、支委或社区党委")


class RecordWorkflow(Workflow):
    name = "orglife.record"
    model = MeetingRecord
    log_model = RecordLog
    log_fk = "record"
    status_choices = RecordStatus
    step_choices = Step
    party_choices = Party
    system_party = Party.SECRETARY
    system_takes_any_step = True
    log_only_steps = {CREATE: gettext_lazy("计划会议")}

    def parties_for(self, actor: Any, obj: Any) -> set[str]:
        if actor is None:
            return {Party.SECRETARY}
        if not MeetingRecord.objects.visible_to(actor).filter(pk=obj.pk).exists():
            raise TransitionRefused(_("「%(t)s」不在您的管辖范围内。") % {"t": obj.topic})
        return {Party.SECRETARY} if may_run(actor, obj.org) else set()

    def describe(self, obj: Any) -> str:
        # The kind's label from the choices by value (any object with kind and topic can be described).
        kind = Kind(obj.kind).label if obj.kind in Kind.values else _("组织生活")
        return _("%(kind)s「%(t)s」") % {"kind": kind, "t": obj.topic}

    def recipients(self, obj: Any, name: str, actor: Any) -> Iterable[Any]:
        if name == "attendees":
            if obj.meeting_id is None:
                return []
            from dangjian.meetings.models import Attendee

            return list(
                Attendee.objects.filter(meeting_id=obj.meeting_id, user__isnull=False).values_list("user_id", flat=True)
            )
        return super().recipients(obj, name, actor)


SVC = "dangjian.orglife.services.records"
P = {Party.SECRETARY}
FLOW = RecordWorkflow(
    states=[
        State(S.PLANNED, badge="blue", hint=gettext_lazy("已计划，尚未召开")),
        State(S.HELD, is_open=False, is_done=True, badge="ok", hint=gettext_lazy("已召开，计入应开次数")),
        State(S.CANCELLED, is_open=False, counts_as_closed=True, badge="grey", hint=gettext_lazy("已取消")),
    ],
    steps=[
        StepSpec(
            Step.HOLD,
            service=f"{SVC}.record_hold",
            question=gettext_lazy("确认会议已召开？将按签到情况计入出勤和党员学习积分，登记后不能撤销。"),
            done_message=gettext_lazy("%(obj)s：已登记召开。"),
        ),
        StepSpec(
            Step.CANCEL,
            service=f"{SVC}.record_cancel",
            question=gettext_lazy("确认取消这次会议？将通知参会人员。"),
            note_label=gettext_lazy("取消原因"),
            note_required=True,
            note_message=gettext_lazy("请填写取消原因。"),
            done_message=gettext_lazy("%(obj)s：已取消。"),
            notify=("attendees",),
        ),
    ],
    moves=[
        Move(S.PLANNED, Step.HOLD, S.HELD, P),
        Move(S.PLANNED, Step.CANCEL, S.CANCELLED, P),
    ],
)
