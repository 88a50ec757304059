"""发展党员 as one workflow, run by core.workflow.take_step.

入党申请人 → 入党积极分子 → 发展对象 → 列入发展计划 → (支部大会表决) 待上级党委审批 → 预备党员 →
(支部大会讨论转正) 待上级党委批准转正 → 正式党员; 终止 from any stage before the higher committee's
approval, or when it refuses; 取消预备党员资格 during probation (on the branch meeting's vote) or
instead of the conversion, by the higher committee, which marks the member's record 已出党.
The branch (its committee officers, or the community workers whose community holds it) takes the
branch's steps; the higher committee (the subdistrict or district administrators whose territory
holds it) approves. Every interval is checked by the step's service against the district's rules
(`rules.py`) before the state moves.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dangjian.accounts.roles import ADMIN_ROLES, Role
from dangjian.core.scoping import scope_for
from dangjian.core.workflow import KEEP, Move, State, StepSpec, TransitionRefused, Workflow

from .models import Recruit, RecruitLog, Stage

CREATE = "create"


class Party(models.TextChoices):
    BRANCH = "branch", gettext_lazy("党支部（支委或社区工作者）")
    COMMITTEE = "committee", gettext_lazy("上级党委（街道或区管理员）")


def is_branch_officer(actor: Any, org_id: int) -> bool:
    from dangjian.orgs.selectors import orgs_led_by

    return orgs_led_by(actor).filter(pk=org_id).exists()


def parties_of(actor: Any, obj: Any) -> set[str]:
    """Who `actor` is to the file: the branch, the higher committee, or neither."""
    if actor is None:
        return {Party.BRANCH, Party.COMMITTEE}
    scope = scope_for(actor)
    if scope.everything:
        return {Party.BRANCH, Party.COMMITTEE}
    parties: set[str] = set()
    within = bool(scope.area_path) and obj.area_path.startswith(scope.area_path)
    if within and scope.role == Role.COMMUNITY_WORKER:
        parties.add(Party.BRANCH)
    if within and scope.role in ADMIN_ROLES:
        parties.add(Party.COMMITTEE)
    if scope.role == Role.PARTY_MEMBER and is_branch_officer(actor, obj.org_id):
        parties.add(Party.BRANCH)
    return parties


class Step(models.TextChoices):
    TALK = "talk", gettext_lazy("记录谈话")
    MAKE_ACTIVIST = "make_activist", gettext_lazy("确定为入党积极分子")
    NOTICE = "notice", gettext_lazy("开始公示")
    MAKE_CANDIDATE = "make_candidate", gettext_lazy("确定为发展对象")
    INTRODUCERS = "introducers", gettext_lazy("确定入党介绍人")
    REVIEW = "review", gettext_lazy("记录政治审查")
    TRAIN = "train", gettext_lazy("记录集中培训")
    PLAN = "plan", gettext_lazy("列入发展计划")
    ADMIT_VOTE = "admit_vote", gettext_lazy("支部大会表决接收")
    APPROVE = "approve", gettext_lazy("上级党委审批接收")
    REJECT = "reject", gettext_lazy("上级党委不予批准")
    EXTEND = "extend", gettext_lazy("延长预备期")
    CONVERT_VOTE = "convert_vote", gettext_lazy("支部大会讨论转正")
    CONVERT_APPROVE = "convert_approve", gettext_lazy("上级党委批准转正")
    END = "end", gettext_lazy("终止培养")
    DISQUALIFY = "disqualify", gettext_lazy("取消预备党员资格")


class RecruitWorkflow(Workflow):
    name = "recruitment.recruit"
    model = Recruit
    log_model = RecruitLog
    log_fk = "recruit"
    status_choices = Stage
    step_choices = Step
    party_choices = Party
    system_party = Party.BRANCH
    system_takes_any_step = True
    log_only_steps = {CREATE: gettext_lazy("登记入党申请")}

    def parties_for(self, actor: Any, obj: Any) -> set[str]:
        if actor is not None and not Recruit.objects.visible_to(actor).filter(pk=obj.pk).exists():
            raise TransitionRefused(_("「%(o)s」不在您的管辖范围内。") % {"o": obj.name})
        return parties_of(actor, obj)

    def describe(self, obj: Any) -> str:
        return _("%(n)s的入党材料") % {"n": obj.name}

    def recipients(self, obj: Any, name: str, actor: Any) -> list[Any]:
        """ "applicant": the person's own account; "secretary": the branch's secretaries now."""
        if name == "applicant":
            return [obj.user_id] if obj.user_id else []
        if name == "secretary":
            from .selectors import secretaries_of

            return list(secretaries_of(obj.org))
        raise LookupError(f"recruitment.recruit: no recipients named {name!r}")

    def object_url(self, obj: Any, name: str = "") -> str:
        return reverse("recruitment:detail", args=[obj.public_id])


S, B, C = Stage, {Party.BRANCH}, {Party.COMMITTEE}
# 取消预备党员资格 from this stage needs the branch meeting's vote; after the branch voted to convert,
# the committee's decision alone suffices (the service checks it, the page asks for the vote only here).
DISQUALIFY_VOTED_FROM = Stage.PROBATIONARY
SVC = "dangjian.recruitment.services.recruit_step"
FORM = "dangjian.recruitment.forms.StepForm"
_done = gettext_lazy("%(obj)s：已%(step)s。")
TELL = ("applicant", "secretary")
RECRUIT_FLOW = RecruitWorkflow(
    states=[
        State(S.APPLICANT, badge="blue", hint=gettext_lazy("已递交入党申请书，党组织将派人谈话")),
        State(S.ACTIVIST, badge="blue", hint=gettext_lazy("入党积极分子，培养考察中")),
        State(S.CANDIDATE, badge="warn", hint=gettext_lazy("发展对象，政治审查和集中培训中")),
        State(S.PLANNED, badge="warn", hint=gettext_lazy("已列入发展计划，待支部大会讨论")),
        State(S.PENDING_APPROVAL, badge="pending", hint=gettext_lazy("支部大会已通过，待上级党委审批")),
        State(S.PROBATIONARY, badge="pending", hint=gettext_lazy("预备党员，预备期考察中")),
        State(S.PENDING_CONVERSION, badge="pending", hint=gettext_lazy("支部大会已讨论转正，待上级党委批准")),
        State(
            S.FULL, is_open=False, is_done=True, counts_as_closed=True, badge="ok", hint=gettext_lazy("已转为正式党员")
        ),
        State(S.ENDED, is_open=False, counts_as_closed=True, badge="grey", hint=gettext_lazy("已终止")),
    ],
    steps=[
        StepSpec(Step.TALK, service=SVC, form=FORM, done_message=_done),
        StepSpec(Step.MAKE_ACTIVIST, service=SVC, form=FORM, notify=TELL, done_message=_done),
        StepSpec(Step.NOTICE, service=SVC, form=FORM, notify=("secretary",), done_message=_done),
        StepSpec(Step.MAKE_CANDIDATE, service=SVC, form=FORM, notify=TELL, done_message=_done),
        StepSpec(Step.INTRODUCERS, service=SVC, form=FORM, done_message=_done),
        StepSpec(Step.REVIEW, service=SVC, form=FORM, done_message=_done),
        StepSpec(Step.TRAIN, service=SVC, form=FORM, done_message=_done),
        StepSpec(Step.PLAN, service=SVC, form=FORM, notify=TELL, done_message=_done),
        StepSpec(Step.ADMIT_VOTE, service=SVC, form=FORM, notify=TELL, done_message=_done),
        StepSpec(Step.APPROVE, service=SVC, form=FORM, notify=TELL, done_message=_done),
        StepSpec(
            Step.REJECT,
            service=SVC,
            form=FORM,
            notify=TELL,
            note_label=gettext_lazy("不予批准的理由"),
            note_required=True,
            done_message=_done,
        ),
        StepSpec(
            Step.EXTEND,
            service=SVC,
            form=FORM,
            notify=TELL,
            note_label=gettext_lazy("延长预备期的理由"),
            note_required=True,
            done_message=_done,
        ),
        StepSpec(Step.CONVERT_VOTE, service=SVC, form=FORM, notify=TELL, done_message=_done),
        StepSpec(Step.CONVERT_APPROVE, service=SVC, form=FORM, notify=TELL, done_message=_done),
        StepSpec(
            Step.END,
            service=SVC,
            form=FORM,
            notify=TELL,
            note_label=gettext_lazy("终止的原因"),
            note_required=True,
            question=gettext_lazy("确定终止此人的入党培养？此操作不能撤销。"),
            done_message=_done,
        ),
        # 党章第七条: a probationary member who does not meet the conditions loses the membership, by
        # the branch meeting's decision approved by the higher committee (which records both).
        StepSpec(
            Step.DISQUALIFY,
            service=SVC,
            form=FORM,
            notify=TELL,
            note_label=gettext_lazy("取消资格的理由"),
            note_required=True,
            question=gettext_lazy("确定取消此人的预备党员资格？其党员档案将标为「已出党」，此操作不能撤销。"),
            done_message=_done,
        ),
    ],
    moves=[
        Move(S.APPLICANT, Step.TALK, KEEP, B),
        Move(S.APPLICANT, Step.MAKE_ACTIVIST, S.ACTIVIST, B),
        Move([S.ACTIVIST, S.PLANNED, S.PROBATIONARY], Step.NOTICE, KEEP, B),
        Move(S.ACTIVIST, Step.MAKE_CANDIDATE, S.CANDIDATE, B),
        Move(S.CANDIDATE, Step.INTRODUCERS, KEEP, B),
        Move(S.CANDIDATE, Step.REVIEW, KEEP, B),
        Move(S.CANDIDATE, Step.TRAIN, KEEP, B),
        Move(S.CANDIDATE, Step.PLAN, S.PLANNED, B),
        Move(S.PLANNED, Step.ADMIT_VOTE, S.PENDING_APPROVAL, B),
        Move(S.PENDING_APPROVAL, Step.APPROVE, S.PROBATIONARY, C),
        Move(S.PENDING_APPROVAL, Step.REJECT, S.ENDED, C),
        Move(S.PROBATIONARY, Step.EXTEND, KEEP, B),
        Move(S.PROBATIONARY, Step.CONVERT_VOTE, S.PENDING_CONVERSION, B),
        Move(S.PENDING_CONVERSION, Step.CONVERT_APPROVE, S.FULL, C),
        Move([S.APPLICANT, S.ACTIVIST, S.CANDIDATE, S.PLANNED], Step.END, S.ENDED, B),
        Move([S.PROBATIONARY, S.PENDING_CONVERSION], Step.DISQUALIFY, S.ENDED, C),
    ],
)
