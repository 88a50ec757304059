"""The allocation workflow, declared once and run by core.workflow.take_step: an allocation entered by
one district administrator is approved (which posts the allocation journal) or sent back by another.
The person who entered it may not approve it."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy

from dangjian.core.workflow import Move, State, StepSpec, Workflow

from . import permissions
from .models import Allocation, AllocationLog, AllocationStatus

S = AllocationStatus


class Step(models.TextChoices):
    APPROVE = "approve", gettext_lazy("批准")
    REJECT = "reject", gettext_lazy("退回")


class Party(models.TextChoices):
    APPROVER = "approver", gettext_lazy("另一名区级管理员")


CREATE = "create"  # the log row of a new allocation
ENTERER = "enterer"  # the notify name: who entered the allocation


class AllocationWorkflow(Workflow):
    name = "funds.allocation"
    model = Allocation
    log_model = AllocationLog
    log_fk = "allocation"
    version_field = None
    status_choices = AllocationStatus
    step_choices = Step
    party_choices = Party
    log_only_steps = {CREATE: gettext_lazy("录入")}

    def parties_for(self, actor: Any, obj: Any) -> set[str]:
        if permissions.may_approve(actor, obj):
            return {Party.APPROVER}
        return set()

    def describe(self, obj: Any) -> str:
        return gettext_lazy("经费拨付「%(area)s %(amount)s 元」") % {"area": obj.area.name, "amount": obj.amount}

    def recipients(self, obj: Any, name: str, actor: Any):
        if name == ENTERER:
            return [obj.entered_by_id]
        return super().recipients(obj, name, actor)

    def object_url(self, obj: Any, name: str = "") -> str:
        return reverse("funds:allocation", args=[obj.public_id])

    def area_path(self, obj: Any) -> str:
        return obj.area.path

    def lock(self, obj: Any) -> Any:
        # The area and district come along (the approval posts to their accounts); only the row is locked.
        qs = Allocation.objects.select_related("area", "district").select_for_update(of=("self",))
        return qs.get(pk=obj.pk)


FLOW = AllocationWorkflow(
    states=[
        State(S.PENDING, is_open=True, badge="warn", hint=gettext_lazy("等待另一名管理员审批")),
        State(S.APPROVED, is_open=False, is_done=True, badge="ok", hint=gettext_lazy("已批准并入账")),
        State(S.REJECTED, is_open=False, counts_as_closed=True, badge="red", hint=gettext_lazy("已退回，未入账")),
    ],
    steps=[
        StepSpec(
            Step.APPROVE,
            service="dangjian.funds.services.allocations.allocation_approve",
            question=gettext_lazy("批准后经费即拨入对方账户，记账不能修改。确认批准？"),
            done_message=gettext_lazy("已批准，经费已入账。"),
            notify=(ENTERER,),
        ),
        StepSpec(
            Step.REJECT,
            service="dangjian.funds.services.allocations.allocation_reject",
            question=gettext_lazy("确认退回该笔拨付？"),
            note_label=gettext_lazy("退回原因"),
            note_required=True,
            note_message=gettext_lazy("请填写退回原因。"),
            done_message=gettext_lazy("已退回。"),
            notify=(ENTERER,),
        ),
    ],
    moves=[
        Move(S.PENDING, Step.APPROVE, S.APPROVED, {Party.APPROVER}),
        Move(S.PENDING, Step.REJECT, S.REJECTED, {Party.APPROVER}),
    ],
)
