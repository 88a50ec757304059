"""/api/v1/demands: 群众点单 over JSON. The list is the desk's (its tabs and search, its keyset order),
a demand is read as its page reads it, a demand is filed through 我要点单's form and demand_submit,
and a step goes through the page's dispatch (the declared form and DEMAND_FLOW.service(step))."""

from __future__ import annotations

import datetime
from typing import Any
from uuid import UUID

from django.http import Http404
from django.utils.module_loading import import_string
from ninja import Query, Router, Schema

from dangjian.core.api import (
    ERRORS,
    ApiError,
    Page,
    StepIn,
    StepOut,
    api_idempotent,
    created,
    form_values,
    keyset_body,
    ordering_of,
    require_role,
    step_answer,
    step_data,
    take_step,
)
from dangjian.core.text import mask_mobile

from . import selectors
from .desk import forms
from .desk.selectors import DESK_DEFERRED, communities_for, find_for_step, offered_steps
from .models import Demand
from .permissions import DESK_ROLES, NEW_ROLES, is_desk
from .services import demand_submit
from .workflow import DEMAND_FLOW, PAGE_STEPS

router = Router(tags=["群众点单"])
ORDERINGS = {"-submitted_at": selectors.DESK_ORDERING}  # ?ordering=: the desk's order (its indexes)


class DemandOut(Schema):
    id: UUID
    title: str
    kind: str
    status: str
    status_label: str
    category: str
    community: str
    estate: str
    requester_name: str
    submitted_at: datetime.datetime
    needed_by: datetime.date | None = None

    @staticmethod
    def of(demand: Demand) -> DemandOut:
        return DemandOut(
            id=demand.public_id,
            title=demand.title,
            kind=demand.kind,
            status=demand.status,
            status_label=str(DEMAND_FLOW.status_label(demand.status)),
            category=demand.category.name if demand.category_id else "",
            community=demand.community.name,
            estate=demand.estate.name if demand.estate_id else "",
            requester_name=demand.requester_name,
            submitted_at=demand.submitted_at,
            needed_by=demand.needed_by,
        )


class DemandLogOut(Schema):
    step: str
    step_label: str
    at: datetime.datetime


class DemandDetailOut(DemandOut):
    version: int
    description: str
    requester_phone: str  # masked, as on the demand's page
    bank_hours: float
    steps: list[str]  # the steps this token's role may take now
    log: list[DemandLogOut]


class DemandFilters(Schema):
    tab: str = "submitted"
    q: str = ""
    ordering: str = "-submitted_at"
    cursor: str | None = None
    limit: int | None = None


@router.get("/demands", response={200: Page[DemandOut], **ERRORS}, summary="需求列表（工作台的分组与搜索）")
def demand_list(request, filters: Query[DemandFilters]):
    require_role(request.user, DESK_ROLES)
    _, ordering = ordering_of(filters.ordering, ORDERINGS, "-submitted_at")
    tabs = [*selectors.TABS, *selectors.QUEUES, "all"]
    if filters.tab not in tabs:
        raise ApiError(422, "invalid", "不支持的分组。", {"tab": "可选：" + "、".join(tabs)})
    q = form_values(forms.FilterForm({"q": filters.q}))["q"]
    demands = selectors.desk_list(request.user, tab="" if filters.tab == "all" else filters.tab, q=q)
    return keyset_body(
        demands.defer(*DESK_DEFERRED),
        ordering,
        cursor=filters.cursor,
        limit=filters.limit,
        item=DemandOut.of,
    )


def _detail(user: Any, demand: Demand) -> DemandDetailOut:
    log = selectors.full_log(demand) if is_desk(user) else selectors.public_log(demand)
    return DemandDetailOut(
        **DemandOut.of(demand).model_dump(),
        version=demand.version,
        description=demand.description,
        requester_phone=mask_mobile(demand.requester_phone),
        bank_hours=float(demand.bank_hours),
        steps=[str(step) for step in offered_steps(user, demand)],
        log=[DemandLogOut(step=e.step, step_label=str(DEMAND_FLOW.step_label(e.step)), at=e.at) for e in log],
    )


@router.get("/demands/{demand_id}", response={200: DemandDetailOut, **ERRORS}, summary="一条需求")
def demand_detail(request, demand_id: UUID):
    return _detail(request.user, selectors.get_demand_for_user(request.user, demand_id))


class DemandIn(Schema):
    kind: str
    title: str
    description: str = ""
    category: int | None = None
    needed_by: datetime.date | None = None
    community: UUID | None = None  # 代录 by a worker: the requester's community
    estate: UUID | None = None
    building: UUID | None = None
    bank_hours: float | None = None
    requester_name: str = ""
    requester_phone: str = ""


@router.post(
    "/demands", response={201: DemandOut, **ERRORS}, summary="我要点单（或工作人员代录）；支持 Idempotency-Key"
)
@api_idempotent
def demand_new(request, payload: DemandIn):
    user = request.user
    require_role(user, NEW_ROLES)
    form = forms.SubmitForm(
        step_data(payload.model_dump()), {}, communities=communities_for(user), for_someone=is_desk(user)
    )
    data = form_values(form)
    demand = demand_submit(
        actor=user,
        kind=data["kind"],
        category=data.get("category"),
        title=data["title"],
        description=data.get("description", ""),
        needed_by=data.get("needed_by"),
        community=data.get("community"),
        estate=data.get("estate"),
        building=data.get("building"),
        photos=data.get("photos") or [],
        bank_hours=data.get("bank_hours") or 0,
        requester_name=data.get("requester_name", ""),
        requester_phone=data.get("requester_phone", ""),
    )
    demand = Demand.objects.select_related("category", "community", "estate").get(pk=demand.pk)
    return created(DemandOut.of(demand))


@router.post(
    "/demands/{demand_id}/steps/{step}", response={200: StepOut, **ERRORS}, summary="办理一步（受理、派单、完成…）"
)
def demand_step(request, demand_id: UUID, step: str, payload: StepIn):
    if step not in PAGE_STEPS:
        raise Http404
    user = request.user
    demand = find_for_step(user, demand_id)
    parties = DEMAND_FLOW.parties_for(user, demand)
    form = import_string(DEMAND_FLOW.steps[step].form)(
        step_data(payload.model_dump()), {}, demand=demand, parties=parties
    )
    demand = take_step(DEMAND_FLOW, step, form=form, actor=user, target="demand", obj=demand)
    return step_answer(DEMAND_FLOW, step, demand)
