"""Admission requests (社区工作事项准入): submitted by a department or an office with the resources that
follow the task (权随责走、费随事转), decided by the district or the joint meeting (a district admin records
it), and, once admitted, put into the next draft of the community list."""

from __future__ import annotations

import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.accounts.roles import Role
from dangjian.core.scoping import acting_user, scope_for
from dangjian.core.tree import STEP
from dangjian.core.workflow import take_step
from dangjian.territory.models import Area
from dangjian.units.models import Department

from ..models import AdmissionRequest, AdmissionStatus, DecisionBody, DutyKind, DutyList, DutyListEntry, VersionStatus
from ..permissions import SENDER_ROLES
from ..workflow import ADMISSION_FLOW, CREATE
from . import lists


def applicant_of(actor: Any, sender: Department | Area | None = None) -> tuple[Department | None, Area | None]:
    """Who applies or sends for the actor: their department, or their own district/subdistrict office; the
    system (actor None: the demo, an import) names the sender."""
    if actor is None and sender is not None:
        return (sender, None) if isinstance(sender, Department) else (None, sender)
    scope = scope_for(actor)
    if scope.role == Role.DEPARTMENT_STAFF and scope.department_id:
        return Department.objects.select_related("area").get(pk=scope.department_id), None
    if scope.role in SENDER_ROLES and scope.area_path:
        return None, Area.objects.get(path=scope.area_path)
    raise ValidationError(_("只有职能部门、区和街道可以提出准入申请或下派任务。"))


def money_clean(value: Any) -> Decimal:
    try:
        money = Decimal(str(value or "0").replace(",", "").strip() or "0")
    except InvalidOperation as exc:
        raise ValidationError({"money": _("经费请填写金额（元）。")}) from exc
    if money < 0 or money != money.quantize(Decimal("0.01")):
        raise ValidationError({"money": _("经费须为不小于 0 的金额，最多两位小数。")})
    return money


@transaction.atomic
def admission_submit(
    *,
    actor: Any,
    title: str,
    reason: str,
    entry: DutyListEntry | None = None,
    money: Any = 0,
    people: int = 0,
    powers: str = "",
    resources_note: str = "",
    sender: Department | Area | None = None,
) -> AdmissionRequest:
    department, office = applicant_of(actor, sender)
    node = department.area if department else office
    assert node is not None  # applicant_of names one of the two
    title, reason = (title or "").strip(), (reason or "").strip()
    errors = {}
    if not title:
        errors["title"] = _("请填写事项名称。")
    if not reason:
        errors["reason"] = _("请说明为什么需要社区承担这项工作。")
    if errors:
        raise ValidationError(errors)
    if entry is not None and not entry.list_version.area_path.startswith(node.path[:STEP]):
        raise ValidationError({"entry": _("所选事项不属于本区的清单。")})
    district = Area.objects.get(path=node.path[:STEP])
    request = AdmissionRequest.objects.create(
        district=district,
        area_path=node.path,
        applicant_department=department,
        applicant_area=office,
        applicant_user=acting_user(actor),
        title=title[:200],
        reason=reason,
        entry=entry,
        money=money_clean(money),
        people=max(int(people or 0), 0),
        powers=(powers or "").strip()[:300],
        resources_note=(resources_note or "").strip()[:300],
    )
    ADMISSION_FLOW.log(request, actor=actor, step=CREATE, from_status="", to_status=request.status)
    return request


def admission_decide(
    *,
    actor: Any,
    request: AdmissionRequest,
    step: str,
    decided_on: datetime.date | None = None,
    decision_body: str = "",
    decision_basis: str = "",
    note: str = "",
    version: int | None = None,
) -> AdmissionRequest:
    """The district's decision, recorded by a district admin: the date, the deciding body and its basis."""
    decided_on = decided_on or timezone.localdate()
    if decided_on > timezone.localdate():
        raise ValidationError({"decided_on": _("决定日期不能晚于今天。")})
    if decision_body not in DecisionBody.values:
        raise ValidationError({"decision_body": _("请选择决定机关（区委区政府或联席会议）。")})
    basis = (decision_basis or "").strip()
    if not basis:
        raise ValidationError({"decision_basis": _("请填写决定依据（会议纪要或批复文号）。")})
    return take_step(
        ADMISSION_FLOW,
        actor=actor,
        obj=request,
        step=step,
        version=version,
        note=note,
        fields={
            "decided_by": acting_user(actor),
            "decided_on": decided_on,
            "decision_body": decision_body,
            "decision_basis": basis[:300],
        },
    )


@transaction.atomic
def admission_to_draft(*, actor: Any, request: AdmissionRequest, duty_list: DutyList, kind: DutyKind) -> DutyListEntry:
    """An admitted new item becomes an entry of the community list's draft (a draft is made from the version
    in force when there is none)."""
    locked = AdmissionRequest.objects.select_for_update().get(pk=request.pk)
    if locked.status != AdmissionStatus.ADMITTED:
        raise ValidationError(_("只有准予准入的事项可以列入清单。"))
    if locked.added_entry_id:
        raise ValidationError(_("该事项已列入清单草案。"))
    if duty_list.kind != "community_work" or not duty_list.area_path.startswith(locked.district.path):
        raise ValidationError(_("请选择本区的社区工作事项清单。"))
    draft = duty_list.versions.filter(status=VersionStatus.DRAFT).first()
    if draft is None:
        draft = lists.draft_create(actor=actor, duty_list=duty_list)
    decided = locked.decided_on.isoformat() if locked.decided_on else ""
    basis = _("准入：%(b)s（%(d)s）") % {"b": locked.decision_basis, "d": decided}
    entry = lists.entry_save(
        actor=actor,
        version=draft,
        data={
            "name": locked.title,
            "kind": kind,
            "lead_text": locked.applicant,
            "lead_department": locked.applicant_department,
            "legal_basis": basis,
        },
    )
    AdmissionRequest.objects.filter(pk=locked.pk).update(added_entry=entry)
    request.added_entry = entry
    return entry
