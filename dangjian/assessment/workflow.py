"""A score sheet's life, declared once and run by core.workflow.take_step:
待述职 (draft) → 已述职 (reported: the secretary's 述职) → 已评定 (scored: the district confirms the
scores once the manual items and the panel are in) → 已公布 (published with the scheme's ranking).
The district may send a 述职 back (reported → draft) with a reason. A department's sheet (街长评议) makes no
述职: the district confirms it from draft once the street chiefs have scored."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dangjian.core.workflow import Move, State, StepSpec, TransitionRefused, Workflow

from .models import Finding, FindingLog, FindingStatus, Sheet, SheetLog, SheetStatus
from .permissions import may_manage, may_report

S = SheetStatus
CREATE = "create"


class Step(models.TextChoices):
    REPORT = "report", gettext_lazy("提交述职")
    RETURN = "return", gettext_lazy("退回述职")
    CONFIRM = "confirm", gettext_lazy("确认评定")
    PUBLISH = "publish", gettext_lazy("公布结果")


class Party(models.TextChoices):
    SECRETARY = "secretary", gettext_lazy("党组织书记")
    DISTRICT = "district", gettext_lazy("区委组织部")


class SheetWorkflow(Workflow):
    name = "assessment.sheet"
    model = Sheet
    log_model = SheetLog
    log_fk = "sheet"
    status_choices = SheetStatus
    step_choices = Step
    party_choices = Party
    system_party = Party.DISTRICT
    system_takes_any_step = True
    log_only_steps = {CREATE: gettext_lazy("建立评分表")}

    def parties_for(self, actor: Any, obj: Any) -> set[str]:
        if actor is None:
            return {Party.DISTRICT}
        if not Sheet.objects.visible_to(actor).filter(pk=obj.pk).exists():
            raise TransitionRefused(_("%(s)s不在您的管辖范围内。") % {"s": self.describe(obj)})
        parties: set[str] = set()
        if may_report(actor, obj):
            parties.add(Party.SECRETARY)
        if may_manage(actor, obj.scheme):
            parties.add(Party.DISTRICT)
        return parties

    def describe(self, obj: Any) -> str:
        return _("%(org)s的考核评分表") % {"org": obj.subject_name}

    def recipients(self, obj: Any, name: str, actor: Any) -> Iterable[Any]:
        if name == "secretary" and getattr(obj, "department_id", None):
            # a department's sheet: its staff hear of the published result
            from dangjian.accounts.models import RoleAssignment
            from dangjian.accounts.roles import Role

            return list(
                RoleAssignment.objects.filter(department_id=obj.department_id, role=Role.DEPARTMENT_STAFF)
                .values_list("user_id", flat=True)
                .distinct()
            )
        if name == "secretary":
            from dangjian.orgs.models import OrgOfficer

            from .permissions import SECRETARY_POSTS

            return list(
                OrgOfficer.objects.filter(
                    org_id=obj.org_id, post__in=sorted(SECRETARY_POSTS), ended_on__isnull=True, user__isnull=False
                ).values_list("user_id", flat=True)
            )
        return super().recipients(obj, name, actor)


SVC = "dangjian.assessment.services.sheets"
SEC, DIS = {Party.SECRETARY}, {Party.DISTRICT}
FLOW = SheetWorkflow(
    states=[
        State(S.DRAFT, badge="blue", hint=gettext_lazy("等待党组织书记提交述职")),
        State(S.REPORTED, badge="warn", hint=gettext_lazy("已提交述职，等待评议和评分")),
        State(S.SCORED, badge="ok", hint=gettext_lazy("评分已确认，等待公布")),
        State(S.PUBLISHED, is_open=False, is_done=True, badge="ok", hint=gettext_lazy("考核结果已公布")),
    ],
    steps=[
        StepSpec(
            Step.REPORT,
            service=f"{SVC}.report_submit",
            question=gettext_lazy("确认提交述职？提交后由评议组打分。"),
            done_message=gettext_lazy("%(obj)s：述职已提交。"),
        ),
        StepSpec(
            Step.RETURN,
            service=f"{SVC}.report_return",
            question=gettext_lazy("确认退回述职，请书记修改后重新提交？"),
            note_label=gettext_lazy("退回原因"),
            note_required=True,
            note_message=gettext_lazy("请填写退回原因。"),
            done_message=gettext_lazy("%(obj)s：述职已退回。"),
            notify=("secretary",),
        ),
        StepSpec(
            Step.CONFIRM,
            service=f"{SVC}.sheet_confirm",
            question=gettext_lazy("确认评分无误？确认后不能再修改得分。"),
            done_message=gettext_lazy("%(obj)s：评分已确认。"),
        ),
        StepSpec(
            Step.PUBLISH,
            service="dangjian.assessment.services.schemes.scheme_publish",
            question=gettext_lazy("公布本方案全部已评定的考核结果和排名？"),
            done_message=gettext_lazy("%(obj)s：结果已公布。"),
            notify=("secretary",),
        ),
    ],
    moves=[
        Move(S.DRAFT, Step.REPORT, S.REPORTED, SEC),
        Move(S.REPORTED, Step.RETURN, S.DRAFT, DIS),
        Move(S.REPORTED, Step.CONFIRM, S.SCORED, DIS),
        # a department's sheet (街长评议) has no 述职: the district confirms it from 待述职 once the street
        # chiefs have scored (services.sheets.sheet_confirm refuses an organization's sheet here)
        Move(S.DRAFT, Step.CONFIRM, S.SCORED, DIS),
        Move(S.SCORED, Step.PUBLISH, S.PUBLISHED, DIS),
    ],
)


# -- 双随机 findings: each is a rectification item ---------------------------------------------------

F = FindingStatus


class FindingStep(models.TextChoices):
    RECTIFY = "rectify", gettext_lazy("报告整改")
    VERIFY = "verify", gettext_lazy("验收销号")
    REOPEN = "reopen", gettext_lazy("退回重改")


class FindingParty(models.TextChoices):
    SECRETARY = "secretary", gettext_lazy("党组织书记")
    INSPECTOR = "inspector", gettext_lazy("督导人员或区委组织部")


class FindingWorkflow(Workflow):
    name = "assessment.finding"
    model = Finding
    log_model = FindingLog
    log_fk = "finding"
    status_choices = FindingStatus
    step_choices = FindingStep
    party_choices = FindingParty
    system_party = FindingParty.INSPECTOR
    system_takes_any_step = True
    log_only_steps = {CREATE: gettext_lazy("记录问题")}

    def parties_for(self, actor: Any, obj: Any) -> set[str]:
        if actor is None:
            return {FindingParty.INSPECTOR}
        from .selectors import findings_for

        if not findings_for(actor).filter(pk=obj.pk).exists():
            raise TransitionRefused(_("%(s)s不在您的管辖范围内。") % {"s": self.describe(obj)})
        parties: set[str] = set()
        if may_report(actor, obj):
            parties.add(FindingParty.SECRETARY)
        if obj.pick.inspector_id == getattr(actor, "pk", None) or may_manage(actor, obj.pick.draw.scheme):
            parties.add(FindingParty.INSPECTOR)
        return parties

    def describe(self, obj: Any) -> str:
        return _("%(org)s的督导问题「%(t)s」") % {"org": obj.org.name, "t": str(obj.text)[:30]}

    def recipients(self, obj: Any, name: str, actor: Any) -> Iterable[Any]:
        if name == "inspector":
            return [obj.pick.inspector_id]
        if name == "secretary":
            return FLOW.recipients(obj, "secretary", actor)
        return super().recipients(obj, name, actor)


FSVC = "dangjian.assessment.services.inspection"
FSEC, FINS = {FindingParty.SECRETARY}, {FindingParty.INSPECTOR}
FINDING_FLOW = FindingWorkflow(
    states=[
        State(F.OPEN, badge="warn", hint=gettext_lazy("待党组织整改")),
        State(F.RECTIFIED, badge="blue", hint=gettext_lazy("已报告整改，等待验收")),
        State(F.VERIFIED, is_open=False, is_done=True, badge="ok", hint=gettext_lazy("整改已验收销号")),
    ],
    steps=[
        StepSpec(
            FindingStep.RECTIFY,
            service=f"{FSVC}.finding_rectify",
            note_label=gettext_lazy("整改情况"),
            note_required=True,
            note_message=gettext_lazy("请填写整改情况。"),
            done_message=gettext_lazy("%(obj)s：已报告整改。"),
            notify=("inspector",),
        ),
        StepSpec(
            FindingStep.VERIFY,
            service=f"{FSVC}.finding_verify",
            question=gettext_lazy("确认整改到位，验收销号？"),
            done_message=gettext_lazy("%(obj)s：已验收销号。"),
        ),
        StepSpec(
            FindingStep.REOPEN,
            service=f"{FSVC}.finding_reopen",
            note_label=gettext_lazy("退回原因"),
            note_required=True,
            note_message=gettext_lazy("请填写退回原因。"),
            done_message=gettext_lazy("%(obj)s：已退回重改。"),
            notify=("secretary",),
        ),
    ],
    moves=[
        Move(F.OPEN, FindingStep.RECTIFY, F.RECTIFIED, FSEC),
        Move(F.RECTIFIED, FindingStep.VERIFY, F.VERIFIED, FINS),
        Move(F.RECTIFIED, FindingStep.REOPEN, F.OPEN, FINS),
    ],
)
