"""The call-up workflow, declared once and run by core.workflow.take_step: a call-up is issued
(the log row of its creation; the fan-out starts) and runs until the issuer ends it, which closes the
temporary Party organization and archives the record (services.callup_end)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy

from dangjian.core.workflow import Move, State, StepSpec, Workflow

from . import permissions
from .models import CallUp, CallUpLog, CallUpStatus

S = CallUpStatus


class Step(models.TextChoices):
    END = "end", gettext_lazy("结束动员")


class Party(models.TextChoices):
    ISSUER = "issuer", gettext_lazy("发起单位")
    SYSTEM = "system", gettext_lazy("系统")


ISSUE = "issue"  # the log row of a new call-up


class CallUpWorkflow(Workflow):
    name = "mobilization.callup"
    model = CallUp
    log_model = CallUpLog
    log_fk = "callup"
    version_field = None
    status_choices = CallUpStatus
    step_choices = Step
    party_choices = Party
    system_party = Party.SYSTEM
    log_only_steps = {ISSUE: gettext_lazy("发起动员")}

    def parties_for(self, actor: Any, obj: Any) -> set[str]:
        if actor is None:
            return {Party.SYSTEM}
        if permissions.may_end(actor, obj):
            return {Party.ISSUER}
        return set()

    def describe(self, obj: Any) -> str:
        return gettext_lazy("应急动员「%(t)s」") % {"t": obj.title}

    def recipients(self, obj: Any, name: str, actor: Any) -> Iterable[Any]:
        if name == "deployed":
            from .models import Placement, PlacementStatus

            return list(
                Placement.objects.filter(callup=obj, status=PlacementStatus.ACTIVE)
                .values_list("user_id", flat=True)
                .distinct()
            )
        return super().recipients(obj, name, actor)


FLOW = CallUpWorkflow(
    states=[
        State(S.ACTIVE, is_open=True, badge="warn", hint=gettext_lazy("动员进行中")),
        State(S.ENDED, is_open=False, is_done=True, badge="grey", hint=gettext_lazy("动员已结束，记录已归档")),
    ],
    steps=[
        StepSpec(
            Step.END,
            service="dangjian.mobilization.services.callup_end",
            question=gettext_lazy("结束后下沉人员撤回、临时党组织撤销、记录归档，不能再安排人员。确认结束？"),
            done_message=gettext_lazy("动员已结束，记录已归档。"),
            notify=("deployed",),
        ),
    ],
    moves=[Move(S.ACTIVE, Step.END, S.ENDED, {Party.ISSUER, Party.SYSTEM})],
)
