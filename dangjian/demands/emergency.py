"""A need raised on an emergency visit (应急动员's vulnerable-household visits) becomes a demand here:
recorded for the household as the community would record it (代录), accepted and dispatched by the
system to a member deployed in the grid, who takes it and records it done from 我的任务 like any
dispatched demand. The caller (mobilization) decides who may raise it and to whom it goes; this
module only writes the demand through the workflow, in the caller's transaction."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from dangjian.audit.services import Action, audit_record
from dangjian.people.models import Member
from dangjian.territory.models import Area, Building, Estate

from .models import AssigneeKind, Demand, DemandKind, DemandStatus, NeedCategory
from .services import _place, demand_accept, demand_dispatch
from .workflow import DEMAND_FLOW, Step, due_for, policy_for


@transaction.atomic
def demand_raise_on_visit(
    *,
    actor: Any,
    community: Area,
    title: str,
    description: str = "",
    estate: Estate | None = None,
    building: Building | None = None,
    category: NeedCategory | None = None,
    requester_name: str,
    requester_phone: str = "",
    assignee: Member | None = None,
    origin: str = "",
) -> Demand:
    """A demand for a household, submitted, accepted and (with `assignee`) dispatched to that member,
    who need not live in the community. `actor` (the visitor) is named in the log and the audit."""
    title = (title or "").strip()[:100]
    if not title:
        raise ValidationError({"title": _("请填写需求标题。")})
    if assignee is not None and assignee.user_id is None:
        raise ValidationError(_("%(m)s 尚未开通账号，不能在手机上接单。") % {"m": assignee.name})
    grid, area_path = _place(community, estate, building)
    demand = Demand(
        kind=DemandKind.FAMILY_HELP,
        category=category,
        title=title,
        description=(description or "").strip()[:2000],
        community=community,
        estate=estate,
        building=building,
        grid=grid,
        area_path=area_path,
        requester=None,
        requester_name=(requester_name or "").strip()[:50] or _("走访对象"),
        requester_phone=(requester_phone or "").strip(),
    )
    demand.step_due_at = due_for(DemandStatus.SUBMITTED, policy_for(demand))
    demand.save()
    note = origin or _("应急走访登记")
    DEMAND_FLOW.log(demand, actor=actor, step=Step.SUBMIT, from_status="", to_status=DemandStatus.SUBMITTED, note=note)
    audit_record(
        actor=actor,
        action=Action.CREATE,
        obj=demand,
        changes={"title": [None, title], "origin": [None, note]},
        area_path=area_path,
    )
    demand = demand_accept(actor=None, demand=demand, note=note)
    if assignee is not None:
        demand = demand_dispatch(
            actor=None, demand=demand, kind=AssigneeKind.MEMBER, member=assignee, note=note, anywhere=True
        )
    return demand
