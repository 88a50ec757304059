"""The 民生微实事 workflow, declared once and run by core.workflow.take_step.

征集 → 评议 (the council's meeting, counted by meetings.counting) → 街道审核 → 待立项 → 立项 (budget
committed in the funds ledger) → 实施 → 验收 (named acceptor, photos, the residents' satisfaction votes)
→ 公示 (the public board) → 结项 (payments settled, the unspent budget released). A proposal may be
rejected before it is funded, and its proposer may withdraw it while it is collected."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dangjian.core.scoping import scope_for
from dangjian.core.tree import STEP
from dangjian.core.workflow import Move, State, StepSpec, TransitionRefused, Workflow
from dangjian.meetings.permissions import manages_area

from .models import Project, ProjectLog, Status

CREATE = "create"


class Party(models.TextChoices):
    COMMUNITY = "community", gettext_lazy("社区（社区工作者或上级管理员）")
    SUBDISTRICT = "subdistrict", gettext_lazy("街道（街道或区管理员）")
    PROPOSER = "proposer", gettext_lazy("提议人")


def is_subdistrict(actor: Any, area_path: str) -> bool:
    """The system, a superuser, or an admin of the subdistrict (or district) over the path."""
    if actor is None:
        return True
    scope = scope_for(actor)
    if scope.everything:
        return True
    own = scope.area_path or ""
    return bool(own) and len(own) <= 2 * STEP and area_path.startswith(own)


class Step(models.TextChoices):
    TO_REVIEW = "to_review", gettext_lazy("提交议事会评议")
    PASS_REVIEW = "pass_review", gettext_lazy("评议通过，报街道审核")
    APPROVE = "approve", gettext_lazy("街道审核通过")
    ESTABLISH = "establish", gettext_lazy("立项并落实资金")
    FINISH = "finish", gettext_lazy("完工，申请验收")
    ACCEPT = "accept", gettext_lazy("验收通过并公示")
    CLOSE = "close", gettext_lazy("结项")
    REJECT = "reject", gettext_lazy("不予立项")
    WITHDRAW = "withdraw", gettext_lazy("撤回提议")


class ProjectWorkflow(Workflow):
    name = "microprojects.project"
    model = Project
    log_model = ProjectLog
    log_fk = "project"
    status_choices = Status
    step_choices = Step
    party_choices = Party
    system_party = Party.COMMUNITY
    system_takes_any_step = True
    log_only_steps = {
        CREATE: gettext_lazy("提出项目"),
        "claim": gettext_lazy("认领"),
        "progress": gettext_lazy("记录进展"),
        "payment": gettext_lazy("支付"),
    }

    def parties_for(self, actor: Any, obj: Any) -> set[str]:
        if actor is None:
            return {Party.COMMUNITY, Party.SUBDISTRICT}
        if not Project.objects.visible_to(actor).filter(pk=obj.pk).exists():
            raise TransitionRefused(_("「%(o)s」不在您的管辖范围内。") % {"o": obj})
        parties: set[str] = set()
        if manages_area(actor, obj.area_path):
            parties.add(Party.COMMUNITY)
            if is_subdistrict(actor, obj.area_path):
                parties.add(Party.SUBDISTRICT)
        if obj.proposed_by_id and obj.proposed_by_id == getattr(actor, "pk", None):
            parties.add(Party.PROPOSER)
        return parties

    def describe(self, obj: Any) -> str:
        return _("民生微实事「%(t)s」") % {"t": obj.title}

    def recipients(self, obj: Any, name: str, actor: Any) -> list[Any]:
        """ "proposer": who proposed it; "claimants": who claimed part of it (told it was accepted);
        "subdistrict": the subdistrict's admins (told a project waits for their approval)."""
        if name == "proposer":
            return [obj.proposed_by_id] if obj.proposed_by_id else []
        if name == "claimants":
            return sorted(set(obj.claims.values_list("claimant_id", flat=True)))
        if name == "subdistrict":
            from dangjian.accounts.models import RoleAssignment
            from dangjian.accounts.roles import Role

            return sorted(
                set(
                    RoleAssignment.objects.filter(
                        role=Role.SUBDISTRICT_ADMIN, is_active=True, area__path=obj.area_path[: 2 * STEP]
                    ).values_list("user_id", flat=True)
                )
            )
        raise LookupError(f"microprojects.project: no recipients named {name!r}")

    def object_url(self, obj: Any, name: str = "") -> str:
        from django.urls import reverse

        return reverse("microprojects:detail", args=[obj.public_id])


S = Status
C, D, P = {Party.COMMUNITY}, {Party.SUBDISTRICT}, {Party.PROPOSER}
SVC = "dangjian.microprojects.services.projects.project_step"
_done = gettext_lazy("%(obj)s：%(step)s。")
PROJECT_FLOW = ProjectWorkflow(
    states=[
        State(S.COLLECTING, badge="blue", hint=gettext_lazy("社区正在征集和整理，将提交议事会评议")),
        State(S.REVIEWING, badge="blue", hint=gettext_lazy("议事会评议中")),
        State(S.AUDITING, badge="warn", hint=gettext_lazy("议事会已评议通过，等待街道审核")),
        State(S.APPROVED, badge="warn", hint=gettext_lazy("街道已审核通过，等待立项落实资金")),
        State(S.IMPLEMENTING, badge="pending", hint=gettext_lazy("已立项，正在实施")),
        State(S.ACCEPTING, badge="pending", hint=gettext_lazy("已完工，正在验收，欢迎居民评价")),
        State(S.PUBLICIZING, badge="pending", hint=gettext_lazy("已验收，结果公示中")),
        State(S.CLOSED, is_open=False, is_done=True, counts_as_closed=True, badge="ok", hint=gettext_lazy("已结项")),
        State(S.REJECTED, is_open=False, counts_as_closed=True, badge="grey", hint=gettext_lazy("未立项")),
        State(S.WITHDRAWN, is_open=False, counts_as_closed=True, badge="grey", hint=gettext_lazy("已撤回")),
    ],
    steps=[
        StepSpec(Step.TO_REVIEW, service=SVC, notify=("proposer",), done_message=_done),
        StepSpec(Step.PASS_REVIEW, service=SVC, notify=("proposer", "subdistrict"), done_message=_done),
        StepSpec(Step.APPROVE, service=SVC, notify=("proposer",), done_message=_done),
        StepSpec(Step.ESTABLISH, service=SVC, notify=("proposer", "claimants"), done_message=_done),
        StepSpec(Step.FINISH, service=SVC, done_message=_done),
        StepSpec(
            Step.ACCEPT,
            service=SVC,
            notify=("proposer", "claimants"),
            note_label=gettext_lazy("验收意见"),
            note_required=True,
            done_message=_done,
        ),
        StepSpec(Step.CLOSE, service=SVC, notify=("proposer",), done_message=_done),
        StepSpec(
            Step.REJECT,
            service=SVC,
            notify=("proposer",),
            note_label=gettext_lazy("不予立项的理由"),
            note_required=True,
            done_message=_done,
        ),
        StepSpec(
            Step.WITHDRAW,
            service=SVC,
            note_label=gettext_lazy("撤回原因"),
            note_required=True,
            question=gettext_lazy("撤回后不能恢复，确定撤回？"),
            done_message=_done,
        ),
    ],
    moves=[
        Move(S.COLLECTING, Step.TO_REVIEW, S.REVIEWING, C),
        Move(S.REVIEWING, Step.PASS_REVIEW, S.AUDITING, C),
        Move(S.AUDITING, Step.APPROVE, S.APPROVED, D),
        Move(S.APPROVED, Step.ESTABLISH, S.IMPLEMENTING, C),
        Move(S.IMPLEMENTING, Step.FINISH, S.ACCEPTING, C),
        Move(S.ACCEPTING, Step.ACCEPT, S.PUBLICIZING, C),
        Move(S.PUBLICIZING, Step.CLOSE, S.CLOSED, C),
        Move([S.COLLECTING, S.REVIEWING], Step.REJECT, S.REJECTED, C),
        Move([S.AUDITING, S.APPROVED], Step.REJECT, S.REJECTED, D),
        Move(S.COLLECTING, Step.WITHDRAW, S.WITHDRAWN, C | P),
    ],
)
