"""The demand workflow, declared once and run by core.workflow.take_step.

群众点单 → 社区受理 → 发布认领 / 派单 → 接单 → 完成 → 评价 (or closed by the system). What each status
means, what each step is (its service, form, warning, done message) and who may take it from where
are below; the status sets, badges, the desk's step dispatch and the matrix tests are read from it.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dangjian.core.scoping import acting_user
from dangjian.core.tree import STEP
from dangjian.core.workflow import Move, State, StepSpec, Workflow
from dangjian.territory.models import Area

from . import permissions
from .models import Demand, DemandLog, DemandPolicy
from .models import DemandStatus as S


class Step(models.TextChoices):
    SUBMIT = "submit", _("点单")
    ACCEPT = "accept", _("受理")
    DECLINE = "decline", _("不予受理")
    WITHDRAW = "withdraw", _("撤回需求")
    PUBLISH = "publish", _("发布认领")
    DISPATCH = "dispatch", _("派单")
    CLAIM = "claim", _("认领")
    TAKE = "take", _("接单")
    REFUSE = "refuse", _("拒绝接单")
    RECALL = "recall", _("收回")
    GIVE_UP = "give_up", _("放弃办理")
    DONE = "done", _("完成登记")
    RATE = "rate", _("评价")
    CLOSE = "close", _("关闭")


# Log rows the reminder scans write; they are not steps anyone takes.
REMIND, ESCALATE = "remind", "escalate"


class Party(models.TextChoices):
    REQUESTER = "requester", _("点单人")
    WORKER = "worker", _("社区工作者")  # a community worker or admin whose scope holds the demand
    ASSIGNEE = "assignee", _("承接人")  # the member, unit contact or team leader it was given to / who claimed it
    CLAIMANT = "claimant", _("可认领的党员、驻区单位或服务队")
    SYSTEM = "system", _("系统")


REQ, W, A, C, SYS = Party.REQUESTER, Party.WORKER, Party.ASSIGNEE, Party.CLAIMANT, Party.SYSTEM


def policy_for(demand: Demand) -> DemandPolicy:
    district_path = demand.area_path[:STEP]
    policy = DemandPolicy.objects.filter(district__path=district_path).first()
    if policy is None:
        district = Area.objects.filter(path=district_path).first()
        policy = DemandPolicy(district=district) if district is not None else DemandPolicy()
    return policy


def due_for(status: str, policy: DemandPolicy) -> datetime.datetime | None:
    """When a demand that has just entered `status` is late; None once nothing more is owed."""
    hours: float = 0
    days = 0
    if status in (S.SUBMITTED, S.ACCEPTED):
        hours = policy.accept_within_hours
    elif status == S.PUBLISHED:
        hours = policy.claim_within_hours
    elif status == S.DISPATCHED:
        hours = policy.take_within_hours
    elif status == S.TAKEN:
        days = policy.do_within_days
    else:
        return None
    return timezone.now() + datetime.timedelta(hours=hours, days=days)


class DemandWorkflow(Workflow):
    name = "demands.demand"
    model = Demand
    log_model = DemandLog
    log_fk = "demand"
    status_choices = S
    step_choices = Step
    party_choices = Party
    system_party = Party.SYSTEM
    log_only_steps = {REMIND: _("超时提醒"), ESCALATE: _("上报社区书记")}

    def parties_for(self, actor: Any, obj: Demand) -> set[str]:
        """The parts `actor` (in their active role) plays in the demand; None is the system."""
        if actor is None:
            return {Party.SYSTEM}
        if acting_user(actor) is None:
            return set()
        parties: set[str] = set()
        if permissions.is_worker(actor, obj):
            parties.add(Party.WORKER)
        if obj.requester_id == actor.pk:
            parties.add(Party.REQUESTER)
        if permissions.is_assignee(actor, obj):
            parties.add(Party.ASSIGNEE)
        if obj.status == S.PUBLISHED and permissions.may_claim(actor, obj):
            parties.add(Party.CLAIMANT)
        return parties

    def describe(self, obj: Demand) -> str:
        return str(_("需求「%(t)s」") % {"t": obj.title})

    def recipients(self, obj: Demand, name: str, actor: Any) -> list[int]:
        """Who a step's `notify` names mean: the requester, whoever holds it, the community's workers."""
        from dangjian.notifications import recipients as who

        if name == "requester":
            return who.users(obj.requester_id)
        if name == "workers":
            return who.community_workers(obj.community.path)
        if name == "handler":  # whoever the current step waits for: the assignee, else the community
            return self.recipients(obj, "assignee" if obj.status in (S.DISPATCHED, S.TAKEN) else "workers", actor)
        if name == "assignee":
            if obj.assignee_kind == "unit":
                return who.unit_contacts(obj.assigned_unit_id)
            team = obj.assigned_team
            return who.users(obj.assigned_user_id, team.leader_id if team is not None else None)
        raise LookupError(f"demands.demand: no recipients named {name!r}")

    def lock(self, obj: Demand) -> Demand:
        # `of`: PostgreSQL refuses FOR UPDATE on the nullable side of outer joins.
        return (
            Demand.objects.select_for_update(of=("self",))
            .select_related("community", "assigned_team", "requester")
            .get(pk=obj.pk)
        )

    def step_fields(self, obj: Demand, target: str) -> dict[str, Any]:
        # A new step starts the lateness scan afresh.
        return {"step_due_at": due_for(target, policy_for(obj)), "escalated_at": None}


SERVICES = "dangjian.demands.services."
FORMS = "dangjian.demands.desk.forms."

DEMAND_FLOW = DemandWorkflow(
    states=[
        State(S.SUBMITTED, badge="amber"),
        State(S.ACCEPTED, badge="amber"),
        State(S.DECLINED, is_open=False, badge="grey"),
        State(S.PUBLISHED, badge="blue"),
        State(S.DISPATCHED, badge="blue"),
        State(S.TAKEN, badge="purple"),
        # Done: the service was given (hours and points are owed); rated or closed: settled.
        State(S.DONE, is_open=False, is_done=True, badge="pink"),
        State(S.RATED, is_open=False, is_done=True, counts_as_closed=True, badge="green"),
        State(S.CLOSED, is_open=False, is_done=True, counts_as_closed=True, badge="green"),
        State(S.WITHDRAWN, is_open=False, badge="grey"),
    ],
    steps=[
        StepSpec(
            Step.ACCEPT,
            service=SERVICES + "demand_accept",
            form=FORMS + "NoteForm",
            done_message=_("已受理，请发布认领或派单。"),
            notify=("requester",),
        ),
        StepSpec(
            Step.DECLINE,
            service=SERVICES + "demand_decline",
            form=FORMS + "ReasonForm",
            note_required=True,
            note_message=_("请填写不予受理的原因，点单人会看到。"),
            warning=_("不予受理后该需求结束，点单人可看到原因。"),
            done_message=_("已不予受理，点单人可看到原因。"),
            notify=("requester",),
        ),
        StepSpec(
            Step.WITHDRAW,
            service=SERVICES + "demand_withdraw",
            form=FORMS + "WithdrawForm",  # a worker withdrawing for the requester says why
            warning=_("撤回后该需求不再办理，预付的时间币将退回。"),
            done_message=_("需求已撤回。"),
            notify=("requester", "workers"),
        ),
        StepSpec(
            Step.PUBLISH,
            service=SERVICES + "demand_publish",
            form=FORMS + "NoteForm",
            done_message=_("已发布，等待党员、驻区单位或服务队认领。"),
        ),
        StepSpec(
            Step.DISPATCH,
            service=SERVICES + "demand_dispatch",
            form=FORMS + "DispatchForm",
            warning=_("已有承接方时，改派后原承接方不能再办理。"),
            done_message=_("已派单。"),
            notify=("assignee",),
        ),
        # Claimed on the board (its own form), not on the demand's page.
        StepSpec(
            Step.CLAIM,
            service=SERVICES + "demand_claim",
            done_message=_("认领成功，请尽快联系点单人并完成服务。"),
            notify=("requester",),
        ),
        StepSpec(
            Step.TAKE,
            service=SERVICES + "demand_take",
            form=FORMS + "NoteForm",
            done_message=_("已接单，请按期完成并登记。"),
            notify=("requester",),
        ),
        StepSpec(
            Step.REFUSE,
            service=SERVICES + "demand_refuse",
            form=FORMS + "ReasonForm",
            note_required=True,
            note_message=_("请填写不能接单的原因。"),
            warning=_("拒绝后需求退回社区重新派单。"),
            done_message=_("已拒绝，需求退回社区。"),
            notify=("workers",),
        ),
        StepSpec(
            Step.RECALL,
            service=SERVICES + "demand_recall",
            form=FORMS + "NoteForm",
            warning=_("收回后承接方不能再办理，需重新发布或派单。"),
            done_message=_("已收回，可重新发布或派单。"),
        ),
        StepSpec(
            Step.GIVE_UP,
            service=SERVICES + "demand_give_up",
            form=FORMS + "ReasonForm",
            note_required=True,
            note_message=_("请填写放弃的原因。"),
            warning=_("放弃后需求退回社区重新派单。"),
            done_message=_("已放弃，需求退回社区。"),
            notify=("workers",),
        ),
        StepSpec(
            Step.DONE,
            service=SERVICES + "demand_done",
            form=FORMS + "DoneForm",
            done_message=_("已登记完成，等待点单人评价。"),
            notify=("requester",),
        ),
        StepSpec(
            Step.RATE,
            service=SERVICES + "demand_rate",
            form=FORMS + "RateForm",
            done_message=_("感谢评价！服务时长和积分已记给服务者。"),
            notify=("assignee",),
        ),
        StepSpec(
            Step.CLOSE,
            service=SERVICES + "demand_close",
            form=FORMS + "NoteForm",
            warning=_("关闭后将按登记的服务时长记入时间银行和积分，不能再评价。"),
            done_message=_("已关闭，服务时长和积分已记入。"),
            notify=("assignee",),
        ),
    ],
    moves=[
        # The system accepts and dispatches a need raised on an emergency visit (emergency.py).
        Move(S.SUBMITTED, Step.ACCEPT, S.ACCEPTED, {W, SYS}),
        Move(S.SUBMITTED, Step.DECLINE, S.DECLINED, {W}),
        Move((S.SUBMITTED, S.ACCEPTED), Step.WITHDRAW, S.WITHDRAWN, {REQ, W}),
        Move(S.ACCEPTED, Step.PUBLISH, S.PUBLISHED, {W}),
        Move(S.ACCEPTED, Step.DISPATCH, S.DISPATCHED, {W, SYS}),
        Move(S.PUBLISHED, Step.CLAIM, S.TAKEN, {C}),
        Move(S.PUBLISHED, Step.DISPATCH, S.DISPATCHED, {W}),
        Move(S.PUBLISHED, Step.RECALL, S.ACCEPTED, {W}),
        Move(S.DISPATCHED, Step.TAKE, S.TAKEN, {A}),
        Move(S.DISPATCHED, Step.REFUSE, S.ACCEPTED, {A}),
        Move(S.DISPATCHED, Step.RECALL, S.ACCEPTED, {W}),
        Move(S.DISPATCHED, Step.DISPATCH, S.DISPATCHED, {W}),  # reassign
        Move(S.TAKEN, Step.DONE, S.DONE, {A}),
        Move(S.TAKEN, Step.GIVE_UP, S.ACCEPTED, {A}),
        Move(S.TAKEN, Step.DISPATCH, S.DISPATCHED, {W}),  # reassign
        Move(S.DONE, Step.RATE, S.RATED, {REQ}),
        Move(S.DONE, Step.CLOSE, S.CLOSED, {SYS, W}),
    ],
)

# Steps that end a demand or hand it back: the page offers them after those that move it on.
BACKWARD_STEPS = frozenset({Step.DECLINE, Step.WITHDRAW, Step.RECALL, Step.REFUSE, Step.GIVE_UP, Step.CLOSE})
# The steps the demand's page offers (those with a form); claims are made on the board.
PAGE_STEPS = frozenset(code for code, spec in DEMAND_FLOW.steps.items() if spec.form)

# Status sets, read from the declaration.
OPEN_DEMAND_STATUSES = DEMAND_FLOW.statuses(is_open=True)
# The service was given (for the service list, hours and points).
SERVED_STATUSES = DEMAND_FLOW.statuses(is_done=True)
# In the hands of whoever it was given to (to take, refuse, do, give up): their open tasks.
HANDLING_STATUSES = frozenset(source for move in DEMAND_FLOW.moves if A in move.parties for source in move.sources)
# Open and still the community's to place (accept, give out, see it claimed).
COMMUNITY_STATUSES = OPEN_DEMAND_STATUSES - HANDLING_STATUSES
