"""The dual-registration workflow (双报到), declared once and run by core.workflow.take_step.

A member or unit submits; the community confirms or rejects; either side may withdraw an open
registration. The caller names the party it acts as (the desk acts for the community, the member's
page and the receipt link for the registrant): `FLOW.acting_as(party)` checks that the actor is that
party before anything else, so the refusals read as they always did.
"""

from __future__ import annotations

import copy
from typing import Any

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dangjian.core.workflow import Move, State, StepSpec, TransitionRefused, Workflow

from . import permissions
from .models import Registration, RegistrationLog, RegistrationStatus

S = RegistrationStatus


class Step(models.TextChoices):
    CONFIRM = "confirm", gettext_lazy("确认")
    REJECT = "reject", gettext_lazy("驳回")
    WITHDRAW = "withdraw", gettext_lazy("撤回")


class Party(models.TextChoices):
    COMMUNITY = "community", gettext_lazy("社区")
    REGISTRANT = "registrant", gettext_lazy("报到人")


SUBMIT = "submit"  # the log row of a submission: not a step anyone takes on an existing registration
C, R = Party.COMMUNITY, Party.REGISTRANT


class RegistrationWorkflow(Workflow):
    name = "registration.registration"
    model = Registration
    log_model = RegistrationLog
    log_fk = "registration"
    version_field = None  # the update is conditional on the status read under the lock
    status_choices = RegistrationStatus
    step_choices = Step
    party_choices = Party
    log_only_steps = {SUBMIT: gettext_lazy("提交报到")}
    note_max = 300
    claimed: str | None = None  # the party the caller acts as (see acting_as)

    def acting_as(self, party: str) -> RegistrationWorkflow:
        """This workflow for one call, acting as `party` (a copy: the declaration stays shared)."""
        flow = copy.copy(self)
        flow.claimed = party
        return flow

    def parties_for(self, actor: Any, obj: Any) -> set[str]:
        # No actor: the system (demo data, imports) or, for the registrant, the holder of the receipt
        # link, which the view has checked. Views of signed-in people always pass the user.
        assert self.claimed is not None, "take registration steps through FLOW.acting_as(party)"
        if actor is None or getattr(actor, "is_superuser", False):
            return {self.claimed}
        if self.claimed == Party.COMMUNITY:
            if not permissions.acts_for_community(actor, obj):
                raise TransitionRefused(_("只有「%(c)s」的社区工作者可以处理该报到。") % {"c": obj.community.name})
        elif not permissions.is_registrant(actor, obj):
            raise TransitionRefused(_("只有报到人本人可以撤回该报到。"))
        return {self.claimed}

    def area_path(self, obj: Any) -> str:
        return obj.community.path

    def recipients(self, obj: Any, name: str, actor: Any) -> list[int]:
        """Who a step's `notify` names mean: the registrant (the member, or the unit's contacts), the
        community's workers."""
        from dangjian.notifications import recipients as who

        if name == "registrant":
            member = obj.member
            return who.users(member.user_id if member is not None else None) or who.unit_contacts(obj.unit_id)
        if name == "community":
            return who.community_workers(obj.community.path)
        raise LookupError(f"registration.registration: no recipients named {name!r}")

    def object_url(self, obj: Any, name: str = "") -> str:
        return (
            reverse("registration:mine")
            if name == "registrant"
            else reverse("registration:detail", args=[obj.public_id])
        )

    def notice_text(self, obj: Any, step: str, note: str) -> tuple[str, str]:
        title = _("到「%(c)s」的双报到：%(step)s") % {"c": obj.community.name, "step": self.step_label(step)}
        return title, note

    def handled_by(self, obj: Any) -> str:
        last = obj.log.select_related("actor").order_by("-at", "-pk").first()
        if last is not None and last.actor is not None:
            return str(last.actor)
        return _("报到人") if obj.status == S.WITHDRAWN else _("系统")

    def refuse_state(self, obj: Any, step: str, version: int | None) -> str:
        return _("该报到已由 %(who)s 处理（当前状态：%(state)s），不能再%(step)s。") % {
            "who": self.handled_by(obj),
            "state": obj.get_status_display(),
            "step": self.step_label(step),
        }

    def refuse_party(self, obj: Any, move: Move, parties: set[str]) -> str:
        return _("%(party)s不能%(step)s报到。") % {
            "party": self.party_label(self.claimed or ""),
            "step": self.step_label(move.step),
        }


FLOW = RegistrationWorkflow(
    states=[
        State(S.SUBMITTED, is_open=True, badge="pending", hint=gettext_lazy("已提交，等待社区确认")),
        State(S.CONFIRMED, is_open=True, badge="ok", hint=gettext_lazy("已报到")),
        State(S.REJECTED, is_open=False, counts_as_closed=True, badge="red", hint=gettext_lazy("未通过")),
        State(S.WITHDRAWN, is_open=False, counts_as_closed=True, badge="neutral", hint=gettext_lazy("已撤回")),
    ],
    steps=[
        StepSpec(
            Step.CONFIRM,
            service="dangjian.registration.services.registration_confirm",
            question=gettext_lazy("确认「%(who)s」到「%(c)s」报到？"),
            note_label=gettext_lazy("确认意见（选填）"),
            done_message=gettext_lazy("已确认「%(who)s」的报到。"),
            notify=("registrant",),
        ),
        StepSpec(
            Step.REJECT,
            service="dangjian.registration.services.registration_reject",
            question=gettext_lazy("驳回「%(who)s」的报到？"),
            note_label=gettext_lazy("驳回原因（报到人可以看到）"),
            note_required=True,
            note_message=gettext_lazy("请填写驳回原因（报到人可以看到）。"),
            done_message=gettext_lazy("已驳回「%(who)s」的报到，报到人可看到驳回原因。"),
            notify=("registrant",),
        ),
        StepSpec(
            Step.WITHDRAW,
            service="dangjian.registration.services.registration_withdraw",
            question=gettext_lazy("撤回「%(who)s」的报到？撤回后需重新报到。"),
            # Required of the community only (the registrant may withdraw without a word): see services.
            note_label=gettext_lazy("撤回说明（报到人可以看到）"),
            note_message=gettext_lazy("请填写撤回说明（报到人可以看到）。"),
            done_message=gettext_lazy("已撤回「%(who)s」的报到。"),
            notify=("registrant", "community"),
        ),
    ],
    moves=[
        Move(S.SUBMITTED, Step.CONFIRM, S.CONFIRMED, {C}),
        Move(S.SUBMITTED, Step.REJECT, S.REJECTED, {C}),
        Move([S.SUBMITTED, S.CONFIRMED], Step.WITHDRAW, S.WITHDRAWN, {C, R}),
    ],
)
# An open registration: at most one per member, and per unit organization per community.
OPEN_STATUSES = [code for code, state in FLOW.states.items() if state.is_open]


def allowed_steps(registration: Registration, party: str) -> list[str]:
    """The steps `party` may take on the registration now, in declaration order."""
    return FLOW.allowed_steps(registration.status, {party})
