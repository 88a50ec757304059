"""The step-up workflow, declared once and run by core.workflow.take_step: a proposal the yearly run
made is approved (the worker's grade moves up, a GradeRecord is written in the step) or rejected by the
district's organization department (a district admin whose district holds the worker)."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dangjian.core.workflow import Move, State, StepSpec, TransitionRefused, Workflow

from .models import ProposalStatus, StepUpLog, StepUpProposal
from .permissions import is_district_admin_of

CREATE = "create"  # the proposal's first log row: the run writes it, no one takes it as a step


class Party(models.TextChoices):
    DISTRICT = "district", gettext_lazy("区委组织部（区级管理员）")


class StepUpStep(models.TextChoices):
    APPROVE = "approve", gettext_lazy("批准晋级")
    REJECT = "reject", gettext_lazy("不予晋级")


class StepUpWorkflow(Workflow):
    name = "workforce.stepup"
    model = StepUpProposal
    log_model = StepUpLog
    log_fk = "proposal"
    status_choices = ProposalStatus
    step_choices = StepUpStep
    party_choices = Party
    system_party = Party.DISTRICT
    system_takes_any_step = True
    log_only_steps = {CREATE: gettext_lazy("年度核定提出晋级建议")}

    def parties_for(self, actor: Any, obj: Any) -> set[str]:
        if actor is None:
            return {Party.DISTRICT}
        if not StepUpProposal.objects.visible_to(actor).filter(pk=obj.pk).exists():
            raise TransitionRefused(_("「%(o)s」不在您的管辖范围内。") % {"o": self.describe(obj)})
        return {Party.DISTRICT} if is_district_admin_of(actor, obj.area_path) else set()

    def describe(self, obj: Any) -> str:
        return _("%(w)s的晋级建议（%(f)s级→%(t)s级）") % {"w": obj.worker.name, "f": obj.from_grade, "t": obj.to_grade}

    def recipients(self, obj: Any, name: str, actor: Any) -> list[Any]:
        """ "worker": the worker's own account, where the register links one."""
        if name == "worker":
            return [obj.worker.user_id] if obj.worker.user_id else []
        raise LookupError(f"workforce.stepup: no recipients named {name!r}")

    def object_url(self, obj: Any, name: str = "") -> str:
        from django.urls import reverse

        if name == "worker":
            return reverse("workforce:mine")
        return reverse("workforce:run", args=[obj.run.public_id])


P = ProposalStatus
D = {Party.DISTRICT}
SVC = "dangjian.workforce.services.stepup.proposal_step"
_done = gettext_lazy("%(obj)s：%(step)s。")
STEPUP_FLOW = StepUpWorkflow(
    states=[
        State(P.PROPOSED, badge="warn", hint=gettext_lazy("晋级建议待区委组织部审批")),
        State(P.APPROVED, is_open=False, is_done=True, counts_as_closed=True, badge="ok", hint=gettext_lazy("已晋级")),
        State(P.REJECTED, is_open=False, counts_as_closed=True, badge="grey", hint=gettext_lazy("本年度不予晋级")),
    ],
    steps=[
        StepSpec(
            StepUpStep.APPROVE,
            service=SVC,
            notify=("worker",),
            question=gettext_lazy("批准晋升一级？"),
            done_message=_done,
        ),
        StepSpec(
            StepUpStep.REJECT,
            service=SVC,
            notify=("worker",),
            note_label=gettext_lazy("不予晋级的理由"),
            note_required=True,
            done_message=_done,
        ),
    ],
    moves=[
        Move(P.PROPOSED, StepUpStep.APPROVE, P.APPROVED, D),
        Move(P.PROPOSED, StepUpStep.REJECT, P.REJECTED, D),
    ],
)
