"""The two workflows of deliberation, declared once and run by core.workflow.take_step.

Topics: 待筛选 → 已列入议程 → 已议定, or answered / referred.
四议两公开: 党组织提议 → 两委会商议 → 党员大会审议 → 居民代表会议决议 → 决议公开 → 实施结果公开 → 办结.
Each "pass" step is refused unless the stage's meeting reached its quorum and its majority
(`services.runs.stage_passed`); the first two may merge only where the district allows 一肩挑.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dangjian.core.workflow import Move, State, StepSpec, TransitionRefused, Workflow
from dangjian.meetings.permissions import manages_area

from .models import Run, RunLog, RunStatus, Stage, Topic, TopicLog, TopicStatus

CREATE = "create"  # the first log row of a topic or a run: no one takes it as a step


class Party(models.TextChoices):
    COMMITTEE = "committee", gettext_lazy("社区党委（社区工作者或上级管理员）")


def _parties(model: type[models.Model], actor: Any, obj: Any) -> set[str]:
    if actor is None:
        return {Party.COMMITTEE}
    manager: Any = model._default_manager  # a ScopedManager
    if not manager.visible_to(actor).filter(pk=obj.pk).exists():
        raise TransitionRefused(_("「%(o)s」不在您的管辖范围内。") % {"o": obj})
    return {Party.COMMITTEE} if manages_area(actor, obj.area_path) else set()


class TopicStep(models.TextChoices):
    ACCEPT = "accept", gettext_lazy("列入议程")
    ANSWER = "answer", gettext_lazy("直接答复")
    REFER = "refer", gettext_lazy("转有关部门办理")
    DECIDE = "decide", gettext_lazy("记录议定结果")


class TopicWorkflow(Workflow):
    name = "deliberation.topic"
    model = Topic
    log_model = TopicLog
    log_fk = "topic"
    status_choices = TopicStatus
    step_choices = TopicStep
    party_choices = Party
    system_party = Party.COMMITTEE
    system_takes_any_step = True
    log_only_steps = {CREATE: gettext_lazy("提出议题")}

    def parties_for(self, actor: Any, obj: Any) -> set[str]:
        return _parties(Topic, actor, obj)

    def describe(self, obj: Any) -> str:
        return _("议题「%(t)s」") % {"t": obj.title}

    def recipients(self, obj: Any, name: str, actor: Any) -> list[Any]:
        """ "proposer": whoever raised the topic (told how it was screened and decided)."""
        if name == "proposer":
            return [obj.submitted_by_id] if obj.submitted_by_id else []
        raise LookupError(f"deliberation.topic: no recipients named {name!r}")

    def object_url(self, obj: Any, name: str = "") -> str:
        from django.urls import reverse

        return reverse("deliberation:topic", args=[obj.public_id])


T, C = TopicStatus, {Party.COMMITTEE}
TOPIC_SVC = "dangjian.deliberation.services.topics.topic_step"
_topic_done = gettext_lazy("%(obj)s：已%(step)s。")
TOPIC_FLOW = TopicWorkflow(
    states=[
        State(T.RECEIVED, badge="blue", hint=gettext_lazy("社区党委正在筛选您的议题")),
        State(T.ACCEPTED, badge="warn", hint=gettext_lazy("已列入议事会议程")),
        State(T.ANSWERED, is_open=False, is_done=True, counts_as_closed=True, badge="ok", hint=gettext_lazy("已答复")),
        State(T.REFERRED, is_open=False, counts_as_closed=True, badge="grey", hint=gettext_lazy("已转有关部门办理")),
        State(
            T.DECIDED, is_open=False, is_done=True, counts_as_closed=True, badge="ok", hint=gettext_lazy("议事会已议定")
        ),
    ],
    steps=[
        StepSpec(
            TopicStep.ACCEPT,
            service=TOPIC_SVC,
            notify=("proposer",),
            question=gettext_lazy("列入议事会议程？"),
            done_message=_topic_done,
        ),
        StepSpec(
            TopicStep.ANSWER,
            service=TOPIC_SVC,
            notify=("proposer",),
            note_label=gettext_lazy("答复内容"),
            note_required=True,
            done_message=_topic_done,
        ),
        StepSpec(
            TopicStep.REFER,
            service=TOPIC_SVC,
            notify=("proposer",),
            note_label=gettext_lazy("转办说明"),
            note_required=True,
            done_message=_topic_done,
        ),
        StepSpec(
            TopicStep.DECIDE,
            service=TOPIC_SVC,
            notify=("proposer",),
            note_label=gettext_lazy("议定结果"),
            note_required=True,
            done_message=_topic_done,
        ),
    ],
    moves=[
        Move(T.RECEIVED, TopicStep.ACCEPT, T.ACCEPTED, C),
        Move(T.RECEIVED, TopicStep.ANSWER, T.ANSWERED, C),
        Move(T.RECEIVED, TopicStep.REFER, T.REFERRED, C),
        Move(T.ACCEPTED, TopicStep.DECIDE, T.DECIDED, C),
    ],
)


class RunStep(models.TextChoices):
    PASS_PROPOSE = "pass_propose", gettext_lazy("党组织提议通过")
    PASS_MERGED = "pass_merged", gettext_lazy("一肩挑：提议并商议通过")
    PASS_CONSULT = "pass_consult", gettext_lazy("两委会商议通过")
    PASS_REVIEW = "pass_review", gettext_lazy("党员大会审议通过")
    PASS_RESOLVE = "pass_resolve", gettext_lazy("居民代表会议决议通过")
    DECIDE_DIRECTLY = "decide_directly", gettext_lazy("不经四议直接决定")
    PUBLISH_RESOLUTION = "publish_resolution", gettext_lazy("决议公开")
    PUBLISH_RESULT = "publish_result", gettext_lazy("实施结果公开")
    CLOSE = "close", gettext_lazy("办结")
    WITHDRAW = "withdraw", gettext_lazy("撤回")


# The stage whose meeting each pass step needs, and the stage a run is in while in each status.
STEP_STAGE: dict[str, str] = {
    RunStep.PASS_PROPOSE: Stage.PROPOSE,
    RunStep.PASS_MERGED: Stage.PROPOSE,
    RunStep.PASS_CONSULT: Stage.CONSULT,
    RunStep.PASS_REVIEW: Stage.REVIEW,
    RunStep.PASS_RESOLVE: Stage.RESOLVE,
}
STATUS_STAGE: dict[str, str] = {
    RunStatus.PROPOSING: Stage.PROPOSE,
    RunStatus.CONSULTING: Stage.CONSULT,
    RunStatus.REVIEWING: Stage.REVIEW,
    RunStatus.RESOLVING: Stage.RESOLVE,
}
STAGE_ORDER = list(Stage.values)


class RunWorkflow(Workflow):
    name = "deliberation.run"
    model = Run
    log_model = RunLog
    log_fk = "run"
    status_choices = RunStatus
    step_choices = RunStep
    party_choices = Party
    system_party = Party.COMMITTEE
    system_takes_any_step = True
    log_only_steps = {CREATE: gettext_lazy("党组织提出动议")}

    def parties_for(self, actor: Any, obj: Any) -> set[str]:
        return _parties(Run, actor, obj)

    def describe(self, obj: Any) -> str:
        return _("「%(t)s」") % {"t": obj.title}

    def refuse_state(self, obj: Any, step: str, version: int | None) -> str:
        stage = STEP_STAGE.get(step)
        current = STATUS_STAGE.get(obj.status)
        if stage and current and STAGE_ORDER.index(stage) > STAGE_ORDER.index(current):
            return _("%(obj)s的上一步「%(prev)s」尚未通过，不能%(step)s。") % {
                "obj": self.describe(obj),
                "prev": Stage(current).label,
                "step": self.step_label(step),
            }
        return super().refuse_state(obj, step, version)


R = RunStatus
RUN_SVC = "dangjian.deliberation.services.runs.run_step"
_run_done = gettext_lazy("%(obj)s：%(step)s。")
RUN_FLOW = RunWorkflow(
    states=[
        State(R.PROPOSING, badge="blue", hint=gettext_lazy("党组织提议")),
        State(R.CONSULTING, badge="blue", hint=gettext_lazy("两委会商议")),
        State(R.REVIEWING, badge="warn", hint=gettext_lazy("党员大会审议")),
        State(R.RESOLVING, badge="warn", hint=gettext_lazy("居民代表会议决议")),
        State(R.RESOLVED, badge="pending", hint=gettext_lazy("已决议，待公开")),
        State(R.IMPLEMENTING, badge="pending", hint=gettext_lazy("决议已公开，实施中")),
        State(R.RESULT_PUBLISHED, badge="pending", hint=gettext_lazy("实施结果已公开")),
        State(R.CLOSED, is_open=False, is_done=True, counts_as_closed=True, badge="ok", hint=gettext_lazy("已办结")),
        State(R.WITHDRAWN, is_open=False, counts_as_closed=True, badge="grey", hint=gettext_lazy("已撤回")),
    ],
    steps=[
        StepSpec(RunStep.PASS_PROPOSE, service=RUN_SVC, done_message=_run_done),
        StepSpec(RunStep.PASS_MERGED, service=RUN_SVC, done_message=_run_done),
        StepSpec(RunStep.PASS_CONSULT, service=RUN_SVC, done_message=_run_done),
        StepSpec(RunStep.PASS_REVIEW, service=RUN_SVC, done_message=_run_done),
        StepSpec(RunStep.PASS_RESOLVE, service=RUN_SVC, done_message=_run_done),
        StepSpec(
            RunStep.DECIDE_DIRECTLY,
            service=RUN_SVC,
            note_label=gettext_lazy("决定依据"),
            note_required=True,
            done_message=_run_done,
        ),
        StepSpec(RunStep.PUBLISH_RESOLUTION, service=RUN_SVC, done_message=_run_done),
        StepSpec(RunStep.PUBLISH_RESULT, service=RUN_SVC, done_message=_run_done),
        StepSpec(RunStep.CLOSE, service=RUN_SVC, done_message=_run_done),
        StepSpec(
            RunStep.WITHDRAW,
            service=RUN_SVC,
            note_label=gettext_lazy("撤回原因"),
            note_required=True,
            done_message=_run_done,
        ),
    ],
    moves=[
        Move(R.PROPOSING, RunStep.PASS_PROPOSE, R.CONSULTING, C),
        Move(R.PROPOSING, RunStep.PASS_MERGED, R.REVIEWING, C),
        Move(R.CONSULTING, RunStep.PASS_CONSULT, R.REVIEWING, C),
        Move(R.REVIEWING, RunStep.PASS_REVIEW, R.RESOLVING, C),
        Move(R.RESOLVING, RunStep.PASS_RESOLVE, R.RESOLVED, C),
        Move(R.PROPOSING, RunStep.DECIDE_DIRECTLY, R.RESOLVED, C),
        Move(R.RESOLVED, RunStep.PUBLISH_RESOLUTION, R.IMPLEMENTING, C),
        Move(R.IMPLEMENTING, RunStep.PUBLISH_RESULT, R.RESULT_PUBLISHED, C),
        Move(R.RESULT_PUBLISHED, RunStep.CLOSE, R.CLOSED, C),
        Move([R.PROPOSING, R.CONSULTING, R.REVIEWING, R.RESOLVING], RunStep.WITHDRAW, R.WITHDRAWN, C),
    ],
)
