"""A meeting's life, declared once and run by core.workflow.take_step:
筹备中 (planned) → 进行中 (open) → 已散会 (closed) → 纪要已定稿 (minutes_frozen)."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dangjian.core.workflow import Move, State, StepSpec, TransitionRefused, Workflow

from .models import Meeting, MeetingLog, MeetingStatus
from .permissions import runs

S = MeetingStatus
CREATE = "create"  # the log row of a meeting's calling: it starts there, no one takes it as a step


class Step(models.TextChoices):
    NOTIFY = "notify", gettext_lazy("发出会议通知")
    OPEN = "open", gettext_lazy("宣布开会")
    CLOSE = "close", gettext_lazy("宣布散会")
    PUBLISH_MINUTES = "publish_minutes", gettext_lazy("发布纪要征求意见")
    FREEZE = "freeze", gettext_lazy("纪要定稿")


class Party(models.TextChoices):
    SECRETARY = "secretary", gettext_lazy("会议主持人、记录人或社区工作者")


class MeetingWorkflow(Workflow):
    name = "meetings.meeting"
    model = Meeting
    log_model = MeetingLog
    log_fk = "meeting"
    status_choices = MeetingStatus
    step_choices = Step
    party_choices = Party
    system_party = Party.SECRETARY
    system_takes_any_step = True
    log_only_steps = {CREATE: gettext_lazy("召集会议")}

    def parties_for(self, actor: Any, obj: Any) -> set[str]:
        if actor is not None and not Meeting.objects.visible_to(actor).filter(pk=obj.pk).exists():
            raise TransitionRefused(_("「%(m)s」不在您的管辖范围内。") % {"m": obj.title})
        return {Party.SECRETARY} if runs(actor, obj) else set()

    def describe(self, obj: Any) -> str:
        return f"「{obj.title}」"


SVC = "dangjian.meetings.services.meeting_step"
P = {Party.SECRETARY}
_done = gettext_lazy("%(obj)s：已%(step)s。")
FLOW = MeetingWorkflow(
    states=[
        State(S.PLANNED, badge="blue", hint=gettext_lazy("会议筹备中")),
        State(S.OPEN, badge="warn", hint=gettext_lazy("会议进行中，可签到、表决")),
        State(S.CLOSED, badge="pending", hint=gettext_lazy("已散会，纪要起草或征求意见中")),
        State(
            S.FROZEN, is_open=False, is_done=True, counts_as_closed=True, badge="ok", hint=gettext_lazy("纪要已定稿")
        ),
    ],
    steps=[
        StepSpec(
            Step.NOTIFY, service=SVC, question=gettext_lazy("向名单上有账号的人员发出会议通知？"), done_message=_done
        ),
        StepSpec(
            Step.OPEN, service=SVC, question=gettext_lazy("确认宣布开会？开会后可签到和表决。"), done_message=_done
        ),
        StepSpec(
            Step.CLOSE, service=SVC, question=gettext_lazy("确认宣布散会？散会后不能再签到和表决。"), done_message=_done
        ),
        StepSpec(
            Step.PUBLISH_MINUTES,
            service=SVC,
            question=gettext_lazy("发布纪要，请参会人员在意见期内提出意见？"),
            done_message=_done,
        ),
        StepSpec(
            Step.FREEZE, service=SVC, question=gettext_lazy("确认纪要定稿？定稿后不能再修改。"), done_message=_done
        ),
    ],
    moves=[
        Move(S.PLANNED, Step.NOTIFY, "", P),
        Move(S.PLANNED, Step.OPEN, S.OPEN, P),
        Move(S.OPEN, Step.CLOSE, S.CLOSED, P),
        Move(S.CLOSED, Step.PUBLISH_MINUTES, "", P),
        Move(S.CLOSED, Step.FREEZE, S.FROZEN, P),
    ],
)
