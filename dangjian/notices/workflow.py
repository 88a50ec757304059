"""The notice workflow, declared once and run by core.workflow.take_step: a draft is published (which
starts the fan-out) and a draft or a published notice may be withdrawn. Only the issuer takes steps:
a desk role whose territory holds the issuing node (permissions.may_manage)."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy

from dangjian.core.workflow import Move, State, StepSpec, Workflow

from . import permissions
from .models import Notice, NoticeLog, NoticeStatus

S = NoticeStatus


class Step(models.TextChoices):
    PUBLISH = "publish", gettext_lazy("发布")
    WITHDRAW = "withdraw", gettext_lazy("撤回")


class Party(models.TextChoices):
    ISSUER = "issuer", gettext_lazy("发布单位")


CREATE = "create"  # the log row of a new draft


class NoticeWorkflow(Workflow):
    name = "notices.notice"
    model = Notice
    log_model = NoticeLog
    log_fk = "notice"
    version_field = None  # conditional on the status read under the lock
    status_choices = NoticeStatus
    step_choices = Step
    party_choices = Party
    log_only_steps = {CREATE: gettext_lazy("起草")}

    def parties_for(self, actor: Any, obj: Any) -> set[str]:
        # No actor: the system (the bench) acts for the issuer.
        if actor is None or permissions.may_manage(actor, obj):
            return {Party.ISSUER}
        return set()

    def describe(self, obj: Any) -> str:
        return gettext_lazy("通知「%(t)s」") % {"t": obj.title}


FLOW = NoticeWorkflow(
    states=[
        State(S.DRAFT, is_open=True, badge="grey", hint=gettext_lazy("草稿，尚未发布")),
        State(S.PUBLISHED, is_open=False, is_done=True, badge="green", hint=gettext_lazy("已发布")),
        State(S.WITHDRAWN, is_open=False, counts_as_closed=True, badge="red", hint=gettext_lazy("已撤回")),
    ],
    steps=[
        StepSpec(
            Step.PUBLISH,
            service="dangjian.notices.services.notice_publish",
            question=gettext_lazy("发布后将逐一送达接收人，发布后不能修改。确认发布？"),
            done_message=gettext_lazy("通知已发布，正在逐一送达接收人。"),
        ),
        StepSpec(
            Step.WITHDRAW,
            service="dangjian.notices.services.notice_withdraw",
            question=gettext_lazy("撤回后接收人将不再看到该通知，也不能再签收。确认撤回？"),
            note_label=gettext_lazy("撤回原因"),
            note_required=True,
            note_message=gettext_lazy("请填写撤回原因。"),
            done_message=gettext_lazy("通知已撤回。"),
        ),
    ],
    moves=[
        Move(S.DRAFT, Step.PUBLISH, S.PUBLISHED, {Party.ISSUER}),
        Move([S.DRAFT, S.PUBLISHED], Step.WITHDRAW, S.WITHDRAWN, {Party.ISSUER}),
    ],
)
