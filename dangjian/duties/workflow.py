"""The three workflows of duty lists and admission, declared once and run by core.workflow.take_step:

- `duties.version`: a list's draft is put in force by the district (the one in force before it is
  superseded in the same step, by the system);
- `duties.admission`: a request is admitted or refused by the district (a district admin records the
  decision of the district or of the joint meeting, with its date and basis);
- `duties.task`: a task is sent down (refused unless it cites an admitted item: services/tasks.py) and
  closed by its sender;
- `duties.reply`: a community's reply to a task is filled in (and may be corrected) by its workers.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dangjian.core.workflow import KEEP, Move, State, StepSpec, Workflow

from . import permissions
from .models import (
    AdmissionLog,
    AdmissionRequest,
    AdmissionStatus,
    DownTask,
    DutyListVersion,
    ReplyLog,
    ReplyStatus,
    TaskLog,
    TaskReply,
    TaskStatus,
    VersionLog,
    VersionStatus,
)

CREATE = "create"  # the first log row of a new object: no one takes it as a step


class Party(models.TextChoices):
    DISTRICT = "district", gettext_lazy("区委区政府（区级管理员）")
    KEEPER = "keeper", gettext_lazy("清单维护单位")
    APPLICANT = "applicant", gettext_lazy("申请单位")
    SENDER = "sender", gettext_lazy("下派单位")
    COMMUNITY = "community", gettext_lazy("社区")
    SYSTEM = "system", gettext_lazy("系统")


# -- versions ----------------------------------------------------------------------------------------------
class VersionStep(models.TextChoices):
    ENACT = "enact", gettext_lazy("批准施行")
    SUPERSEDE = "supersede", gettext_lazy("废止")


class VersionWorkflow(Workflow):
    name = "duties.version"
    model = DutyListVersion
    log_model = VersionLog
    log_fk = "list_version"
    status_choices = VersionStatus
    step_choices = VersionStep
    party_choices = Party
    system_party = Party.SYSTEM
    system_takes_any_step = True
    log_only_steps = {CREATE: gettext_lazy("新建草案")}

    def parties_for(self, actor: Any, obj: Any) -> set[str]:
        if actor is None:
            return {Party.SYSTEM}
        parties: set[str] = set()
        if permissions.is_district_admin_of(actor, obj.area_path):
            parties.add(Party.DISTRICT)
        if permissions.keeps_list(actor, obj.area_path):
            parties.add(Party.KEEPER)
        return parties

    def describe(self, obj: Any) -> str:
        return _("%(l)s第%(n)s版") % {"l": obj.duty_list.name, "n": obj.number}

    def object_url(self, obj: Any, name: str = "") -> str:
        return reverse("duties:version", args=[obj.public_id])


V = VersionStatus
VERSION_FLOW = VersionWorkflow(
    states=[
        State(V.DRAFT, badge="blue", hint=gettext_lazy("草案，修改后报区里批准施行")),
        State(V.IN_FORCE, is_open=False, is_done=True, badge="ok", hint=gettext_lazy("现行版本")),
        State(V.SUPERSEDED, is_open=False, counts_as_closed=True, badge="grey", hint=gettext_lazy("已被新版本取代")),
    ],
    steps=[
        StepSpec(
            VersionStep.ENACT,
            service="dangjian.duties.services.lists.version_enact",
            question=gettext_lazy("批准后本版本即为现行清单，原现行版本同时废止。确认批准施行？"),
            done_message=gettext_lazy("%(obj)s已批准施行。"),
        ),
        StepSpec(VersionStep.SUPERSEDE, manual=False),
    ],
    moves=[
        Move(V.DRAFT, VersionStep.ENACT, V.IN_FORCE, {Party.DISTRICT}),
        Move(V.IN_FORCE, VersionStep.SUPERSEDE, V.SUPERSEDED, {Party.SYSTEM}),
    ],
)


# -- admission ---------------------------------------------------------------------------------------------
class AdmissionStep(models.TextChoices):
    ADMIT = "admit", gettext_lazy("准予准入")
    REFUSE = "refuse", gettext_lazy("不予准入")


class AdmissionWorkflow(Workflow):
    name = "duties.admission"
    model = AdmissionRequest
    log_model = AdmissionLog
    log_fk = "request"
    status_choices = AdmissionStatus
    step_choices = AdmissionStep
    party_choices = Party
    system_party = Party.DISTRICT
    system_takes_any_step = True
    log_only_steps = {CREATE: gettext_lazy("提交准入申请")}

    def parties_for(self, actor: Any, obj: Any) -> set[str]:
        if actor is None:
            return {Party.DISTRICT}
        return {Party.DISTRICT} if permissions.is_district_admin_of(actor, obj.district.path) else set()

    def describe(self, obj: Any) -> str:
        return _("准入申请「%(t)s」") % {"t": obj.title}

    def recipients(self, obj: Any, name: str, actor: Any) -> Iterable[Any]:
        if name == "applicant":
            return [obj.applicant_user_id] if obj.applicant_user_id else []
        return super().recipients(obj, name, actor)

    def object_url(self, obj: Any, name: str = "") -> str:
        return reverse("duties:admission", args=[obj.public_id])


A = AdmissionStatus
ADMISSION_FLOW = AdmissionWorkflow(
    states=[
        State(A.SUBMITTED, badge="warn", hint=gettext_lazy("待区委区政府或联席会议审批")),
        State(
            A.ADMITTED,
            is_open=False,
            is_done=True,
            counts_as_closed=True,
            badge="ok",
            hint=gettext_lazy("准予准入，可据此向社区下派"),
        ),
        State(
            A.REFUSED, is_open=False, counts_as_closed=True, badge="red", hint=gettext_lazy("不予准入，不得下派到社区")
        ),
    ],
    steps=[
        StepSpec(
            AdmissionStep.ADMIT,
            service="dangjian.duties.services.admission.admission_decide",
            form="dangjian.duties.forms.DecisionForm",
            done_message=gettext_lazy("%(obj)s：已准予准入。"),
            notify=("applicant",),
        ),
        StepSpec(
            AdmissionStep.REFUSE,
            service="dangjian.duties.services.admission.admission_decide",
            form="dangjian.duties.forms.DecisionForm",
            note_label=gettext_lazy("不予准入的理由"),
            note_required=True,
            done_message=gettext_lazy("%(obj)s：不予准入。"),
            notify=("applicant",),
        ),
    ],
    moves=[
        Move(A.SUBMITTED, AdmissionStep.ADMIT, A.ADMITTED, {Party.DISTRICT}),
        Move(A.SUBMITTED, AdmissionStep.REFUSE, A.REFUSED, {Party.DISTRICT}),
    ],
)


# -- tasks sent down ---------------------------------------------------------------------------------------
class TaskStep(models.TextChoices):
    SEND = "send", gettext_lazy("下派")
    CLOSE = "close", gettext_lazy("结束填报")


class TaskWorkflow(Workflow):
    name = "duties.task"
    model = DownTask
    log_model = TaskLog
    log_fk = "task"
    status_choices = TaskStatus
    step_choices = TaskStep
    party_choices = Party
    system_party = Party.SENDER
    system_takes_any_step = True
    log_only_steps = {
        CREATE: gettext_lazy("拟定任务"),
        "cite": gettext_lazy("修改依据"),
        "remind": gettext_lazy("提醒未填报的社区"),
    }

    def parties_for(self, actor: Any, obj: Any) -> set[str]:
        return {Party.SENDER} if permissions.sends_from(actor, obj) else set()

    def describe(self, obj: Any) -> str:
        return _("下派任务「%(t)s」") % {"t": obj.title}

    def recipients(self, obj: Any, name: str, actor: Any) -> Iterable[Any]:
        if name == "communities":
            from .selectors import community_workers

            return community_workers([r.area_path for r in obj.replies.all()])
        return super().recipients(obj, name, actor)

    def object_url(self, obj: Any, name: str = "") -> str:
        if name == "communities":
            return reverse("duties:inbox")
        return reverse("duties:task", args=[obj.public_id])


T = TaskStatus
TASK_FLOW = TaskWorkflow(
    states=[
        State(T.DRAFT, badge="blue", hint=gettext_lazy("拟定中，尚未下派")),
        State(T.SENT, badge="warn", hint=gettext_lazy("已下派，社区填报中")),
        State(
            T.CLOSED, is_open=False, is_done=True, counts_as_closed=True, badge="grey", hint=gettext_lazy("填报已结束")
        ),
    ],
    steps=[
        StepSpec(
            TaskStep.SEND,
            service="dangjian.duties.services.tasks.task_send",
            question=gettext_lazy("下派后各社区即收到任务并按要求填报。确认下派？"),
            done_message=gettext_lazy("%(obj)s已下派。"),
            notify=("communities",),
        ),
        StepSpec(
            TaskStep.CLOSE,
            service="dangjian.duties.services.tasks.task_close",
            question=gettext_lazy("结束后社区不能再填报。确认结束？"),
            done_message=gettext_lazy("%(obj)s已结束填报。"),
        ),
    ],
    moves=[
        Move(T.DRAFT, TaskStep.SEND, T.SENT, {Party.SENDER}),
        Move(T.SENT, TaskStep.CLOSE, T.CLOSED, {Party.SENDER}),
    ],
)


# -- replies -----------------------------------------------------------------------------------------------
class ReplyStep(models.TextChoices):
    REPLY = "reply", gettext_lazy("填报")


class ReplyWorkflow(Workflow):
    name = "duties.reply"
    model = TaskReply
    log_model = ReplyLog
    log_fk = "reply"
    status_choices = ReplyStatus
    step_choices = ReplyStep
    party_choices = Party
    system_party = Party.COMMUNITY
    system_takes_any_step = True
    log_only_steps = {CREATE: gettext_lazy("下派到社区")}

    def parties_for(self, actor: Any, obj: Any) -> set[str]:
        return {Party.COMMUNITY} if permissions.replies_for(actor, obj) else set()

    def describe(self, obj: Any) -> str:
        return _("%(c)s对「%(t)s」的填报") % {"c": obj.community.name, "t": obj.task.title}

    def check(self, obj: Any, *, actor: Any, step: str, version: int | None = None):
        from dangjian.core.workflow import TransitionRefused

        if obj.task.status != TaskStatus.SENT:
            raise TransitionRefused(_("任务「%(t)s」已结束填报。") % {"t": obj.task.title})
        return super().check(obj, actor=actor, step=step, version=version)

    def object_url(self, obj: Any, name: str = "") -> str:
        return reverse("duties:reply", args=[obj.public_id])


R = ReplyStatus
REPLY_FLOW = ReplyWorkflow(
    states=[
        State(R.PENDING, badge="warn", hint=gettext_lazy("待社区填报")),
        State(R.REPLIED, is_open=False, is_done=True, counts_as_closed=True, badge="ok", hint=gettext_lazy("已填报")),
    ],
    steps=[
        StepSpec(
            ReplyStep.REPLY,
            service="dangjian.duties.services.tasks.reply_submit",
            done_message=gettext_lazy("%(obj)s已提交。"),
        ),
    ],
    moves=[
        Move(R.PENDING, ReplyStep.REPLY, R.REPLIED, {Party.COMMUNITY}),
        Move(R.REPLIED, ReplyStep.REPLY, KEEP, {Party.COMMUNITY}),
    ],
)
