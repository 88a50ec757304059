"""/api/v1/cases: the case workbench over JSON. The list is the desk's (its filters through the desk's
filter form, its keyset page), a case is read as the case page reads it, a report is filed through the
phone report's form and case_submit, and a step goes through the desk's dispatch (the step's declared
form and CASE_FLOW.service(step), with the version read for stale checks)."""

from __future__ import annotations

import datetime
from typing import Any
from uuid import UUID

from django.http import Http404
from django.utils.module_loading import import_string
from ninja import Query, Router, Schema

from dangjian.accounts.roles import active_assignment
from dangjian.core.api import (
    ERRORS,
    ApiError,
    Page,
    StepIn,
    StepOut,
    api_idempotent,
    created,
    filter_values,
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
from .desk import forms as desk_forms
from .desk.selectors import filter_choices, offered_steps
from .intake.forms import ReportForm
from .models import Case
from .permissions import DESK_ROLES, REPORTER_ROLES, is_desk
from .workflow import CASE_FLOW, DESK_STEPS

router = Router(tags=["诉求案件"])
# ?ordering=: the desk's one order (overdue first, then by deadline; its indexes serve each scope).
ORDERINGS = {"due": selectors.LIST_ORDER}


class Place(Schema):
    id: UUID
    name: str


class CaseOut(Schema):
    id: UUID
    number: str
    status: str
    status_label: str
    channel: str
    category: str
    description: str
    place: Place | None = None
    assignee: str
    received_at: datetime.datetime
    deadline: datetime.datetime | None = None
    supervised: bool

    @staticmethod
    def of(case: Case) -> CaseOut:
        place = case.grid or case.community
        return CaseOut(
            id=case.public_id,
            number=case.number,
            status=case.status,
            status_label=CASE_FLOW.status_label(case.status),
            channel=case.channel,
            category=case.category.name if case.category_id else "",
            description=case.description,
            place=Place(id=place.public_id, name=place.name) if place is not None else None,
            assignee=_assignee(case),
            received_at=case.received_at,
            deadline=case.deadline,
            supervised=case.supervised,
        )


def _assignee(case: Case) -> str:
    for name in ("assigned_department", "assigned_unit", "assigned_area"):
        if getattr(case, f"{name}_id"):
            return getattr(case, name).name
    if case.assigned_user_id:
        return case.assigned_user.full_name or case.assigned_user.username
    return ""


class LogOut(Schema):
    step: str
    step_label: str
    to_status: str
    at: datetime.datetime
    note: str


class CaseDetailOut(CaseOut):
    version: int
    address: str
    lat: float | None = None
    lng: float | None = None
    reporter_phone: str  # masked, as on the case page
    steps: list[str]  # the steps this token's role may take now (as the case page offers them)
    log: list[LogOut]


def _detail(user: Any, case: Case) -> CaseDetailOut:
    extra = selectors.case_detail(case, internal=is_desk(user))
    return CaseDetailOut(
        **CaseOut.of(case).model_dump(),
        version=case.version,
        address=case.address,
        lat=case.lat,
        lng=case.lng,
        reporter_phone=mask_mobile(case.reporter_phone),
        steps=[str(s) for s in offered_steps(user, case)],
        log=[
            LogOut(
                step=entry.step,
                step_label=str(CASE_FLOW.step_label(entry.step)),
                to_status=entry.to_status or "",
                at=entry.at,
                note=getattr(entry, "note", "") or "",
            )
            for entry in extra["log"]
        ],
    )


class CaseFilters(Schema):
    tab: str = ""
    q: str = ""
    status: str = ""
    category: str = ""
    channel: str = ""
    area: str = ""
    department: str = ""
    overdue: bool = False
    supervised: bool = False
    mine: bool = False
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None
    ordering: str = "due"
    cursor: str | None = None
    limit: int | None = None


@router.get("/cases", response={200: Page[CaseOut], **ERRORS}, summary="案件列表（工作台的筛选与排序）")
def case_list(request, filters: Query[CaseFilters]):
    user = request.user
    require_role(user, DESK_ROLES)
    ordering_of(filters.ordering, ORDERINGS, "due")
    params = step_data(filters.model_dump(exclude={"tab", "cursor", "limit", "ordering"}))
    areas, departments = filter_choices(user)
    values = filter_values(desk_forms.CaseFilterForm(params, user=user, areas=areas, departments=departments))
    tab = filters.tab
    if tab and tab not in selectors.TABS and tab not in selectors.QUEUES:
        raise ApiError(
            422, "invalid", "不支持的分组。", {"tab": "可选：" + "、".join([*selectors.TABS, *selectors.QUEUES])}
        )

    def page_fn(after: str | None, per_page: int) -> Any:
        return selectors.case_page(user, after=after, per_page=per_page, tab=tab, **values)

    return keyset_body(
        [], selectors.LIST_ORDER, cursor=filters.cursor, limit=filters.limit, item=CaseOut.of, page_fn=page_fn
    )


@router.get("/cases/{case_id}", response={200: CaseDetailOut, **ERRORS}, summary="一件案件")
def case_detail(request, case_id: UUID):
    require_role(request.user, DESK_ROLES)
    return _detail(request.user, selectors.get_case_for_user(request.user, case_id))


class ReportIn(Schema):
    category: str
    description: str
    lat: float | None = None
    lng: float | None = None
    address: str = ""
    reporter_phone: str
    not_public: bool = False


@router.post(
    "/cases",
    response={201: CaseOut, **ERRORS},
    summary="我要反映（居民、党员）：与手机上报同一服务；支持 Idempotency-Key",
)
@api_idempotent
def case_report(request, payload: ReportIn):
    user = request.user
    require_role(user, REPORTER_ROLES)
    assignment = active_assignment(user)
    home = assignment.home_community if assignment is not None else None
    form = ReportForm(step_data(payload.model_dump()), {}, home=home)
    form_values(form)
    case = form.submit(actor=user)
    case = Case.objects.select_related("category", "grid", "community").get(pk=case.pk)
    return created(CaseOut.of(case))


@router.post(
    "/cases/{case_id}/steps/{step}", response={200: StepOut, **ERRORS}, summary="办理一步（派单、签收、办结…）"
)
def case_step(request, case_id: UUID, step: str, payload: StepIn):
    if step not in DESK_STEPS:
        raise Http404
    user = request.user
    case = selectors.get_case_for_user(user, case_id)
    form_class = import_string(CASE_FLOW.steps[step].form)
    form = form_class(step_data(payload.model_dump()), {}, case=case, user=user, initial={"version": case.version})
    case = take_step(CASE_FLOW, step, form=form, actor=user, target="case", obj=case)
    return step_answer(CASE_FLOW, step, case)
