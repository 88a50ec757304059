"""The unit task workflow (交办任务), declared once and run by core.workflow.take_step: a matter handed to a
named member unit with a deadline is accepted by the unit, reported on, and confirmed (or sent back) by
the community or subdistrict that handed it; the hander may cancel it before it is done."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy

from dangjian.core.workflow import Move, State, StepSpec, Workflow

from . import permissions
from .models import TaskStatus, UnitTask, UnitTaskLog

S = TaskStatus


class Step(models.TextChoices):
    ACCEPT = "accept", gettext_lazy("接收")
    REPORT = "report", gettext_lazy("反馈办理情况")
    CONFIRM = "confirm", gettext_lazy("确认办结")
    RETURN = "return", gettext_lazy("退回重办")
    CANCEL = "cancel", gettext_lazy("撤销")


class Party(models.TextChoices):
    HANDER = "hander", gettext_lazy("交办方")
    UNIT = "unit", gettext_lazy("承办单位")


CREATE = "create"  # the log row of a new task


class TaskWorkflow(Workflow):
    name = "cobuilding.task"
    model = UnitTask
    log_model = UnitTaskLog
    log_fk = "task"
    status_choices = TaskStatus
    step_choices = Step
    party_choices = Party
    log_only_steps = {CREATE: gettext_lazy("交办")}

    def parties_for(self, actor: Any, obj: Any) -> set[str]:
        if actor is None:  # the system acts for both
            return {Party.HANDER, Party.UNIT}
        parties: set[str] = set()
        if permissions.manages(actor, obj.area_path):
            parties.add(Party.HANDER)
        if permissions.is_unit_contact(actor, obj.unit_id):
            parties.add(Party.UNIT)
        return parties

    def describe(self, obj: Any) -> str:
        return gettext_lazy("交办任务「%(t)s」") % {"t": obj.title}

    def recipients(self, obj: Any, name: str, actor: Any) -> Iterable[Any]:
        if name == "unit":
            return permissions.unit_contacts(obj.unit_id)
        if name == "hander":
            return permissions.area_workers(obj.area_path)
        return super().recipients(obj, name, actor)

    def object_url(self, obj: Any, name: str = "") -> str:
        return reverse("cobuilding:task", args=[obj.public_id])


FLOW = TaskWorkflow(
    states=[
        State(S.ASSIGNED, badge="blue", hint=gettext_lazy("已交办，待承办单位接收")),
        State(S.ACCEPTED, badge="warn", hint=gettext_lazy("承办单位办理中")),
        State(S.REPORTED, badge="warn", hint=gettext_lazy("承办单位已反馈，待确认")),
        State(S.DONE, is_open=False, is_done=True, counts_as_closed=True, badge="ok", hint=gettext_lazy("已办结")),
        State(S.CANCELLED, is_open=False, counts_as_closed=True, badge="grey", hint=gettext_lazy("已撤销")),
    ],
    steps=[
        StepSpec(
            Step.ACCEPT,
            service="dangjian.cobuilding.services.tasks.task_step",
            question=gettext_lazy("接收后请在办理时限内反馈办理情况。确认接收？"),
            done_message=gettext_lazy("已接收任务。"),
            notify=("hander",),
        ),
        StepSpec(
            Step.REPORT,
            service="dangjian.cobuilding.services.tasks.task_step",
            note_label=gettext_lazy("办理情况"),
            note_required=True,
            note_message=gettext_lazy("请填写办理情况。"),
            done_message=gettext_lazy("已反馈办理情况，等待交办方确认。"),
            notify=("hander",),
        ),
        StepSpec(
            Step.CONFIRM,
            service="dangjian.cobuilding.services.tasks.task_step",
            question=gettext_lazy("确认该任务已办结？"),
            done_message=gettext_lazy("任务已办结。"),
            notify=("unit",),
        ),
        StepSpec(
            Step.RETURN,
            service="dangjian.cobuilding.services.tasks.task_step",
            note_label=gettext_lazy("退回原因"),
            note_required=True,
            note_message=gettext_lazy("请填写退回原因。"),
            done_message=gettext_lazy("已退回承办单位重办。"),
            notify=("unit",),
        ),
        StepSpec(
            Step.CANCEL,
            service="dangjian.cobuilding.services.tasks.task_step",
            question=gettext_lazy("撤销后该事项需另行转办或说明理由办结。确认撤销？"),
            note_label=gettext_lazy("撤销原因"),
            note_required=True,
            note_message=gettext_lazy("请填写撤销原因。"),
            done_message=gettext_lazy("任务已撤销。"),
            notify=("unit",),
        ),
    ],
    moves=[
        Move(S.ASSIGNED, Step.ACCEPT, S.ACCEPTED, {Party.UNIT}),
        Move(S.ACCEPTED, Step.REPORT, S.REPORTED, {Party.UNIT}),
        Move(S.REPORTED, Step.CONFIRM, S.DONE, {Party.HANDER}),
        Move(S.REPORTED, Step.RETURN, S.ACCEPTED, {Party.HANDER}),
        Move([S.ASSIGNED, S.ACCEPTED], Step.CANCEL, S.CANCELLED, {Party.HANDER}),
    ],
)
