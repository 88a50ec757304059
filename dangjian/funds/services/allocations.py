"""Allocations: entered by one district administrator, approved by another; approval posts the
allocation journal (the district's source account of the kind and year → the area's fund account)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.audit.services import Action, audit_record
from dangjian.core import ledger
from dangjian.core.workflow import take_step
from dangjian.territory.models import Area

from ..models import LEDGER, Allocation, AllocationStatus, JournalKind, Level
from ..permissions import is_district_admin
from ..workflow import CREATE, FLOW, Step
from . import book


@transaction.atomic
def allocation_enter(*, actor: Any, area: Area, kind: str, year: int, amount: Any, memo: str = "") -> Allocation:
    """Enter an allocation for approval (nothing is posted until another administrator approves it)."""
    if area is None or area.level not in (Level.COMMUNITY, Level.SUBDISTRICT):
        raise ValidationError(_("只能拨付到社区或街道。"))
    district = book.district_of(area)
    if actor is None or not is_district_admin(actor, district):
        raise ValidationError(_("只有区级管理员可以录入拨付。"))
    fund = book.fund_kind(district, kind)
    if fund.level != area.level:
        raise ValidationError(
            _("「%(kind)s」拨付到%(level)s。") % {"kind": fund.name, "level": fund.get_level_display()}
        )
    allocation = Allocation.objects.create(
        area=area,
        district=district,
        fund=fund.code,
        year=book.clean_year(year),
        amount=ledger.clean_amount(LEDGER, amount),
        memo=(memo or "").strip()[:200],
        entered_by=actor,
    )
    FLOW.log(allocation, actor=actor, step=CREATE, from_status="", to_status=allocation.status)
    audit_record(
        actor=actor,
        action=Action.CREATE,
        obj=allocation,
        area_path=area.path,
        changes={"amount": [None, str(allocation.amount)], "fund": [None, fund.name], "year": [None, allocation.year]},
    )
    return allocation


def post_allocation(*, actor: Any, allocation: Allocation, key: str | None = None) -> Any:
    """The allocation journal of an approved allocation (source → fund), idempotent on its key."""
    return book.post(
        kind=JournalKind.ALLOCATION,
        key=key or f"funds.allocation:{allocation.public_id}",
        lines=[
            (book.source_account(allocation.district, allocation.fund, allocation.year), -allocation.amount),
            (book.fund_account(allocation.area, allocation.fund, allocation.year), allocation.amount),
        ],
        area=allocation.area,
        fund=allocation.fund,
        year=allocation.year,
        amount=allocation.amount,
        memo=allocation.memo,
        actor=actor,
        approver=actor,
    )


@transaction.atomic
def allocation_approve(*, actor: Any, allocation: Allocation, note: str = "") -> Allocation:
    """Approve: the allocation journal is posted in the same transaction as the step."""

    def prepare(locked: Allocation, parties: set[str]) -> dict[str, Any]:
        journal = post_allocation(actor=actor, allocation=locked)
        return {"journal": journal, "approver": actor, "decided_at": timezone.now()}

    return take_step(FLOW, actor=actor, obj=allocation, step=Step.APPROVE, note=note, prepare=prepare)


@transaction.atomic
def allocation_reject(*, actor: Any, allocation: Allocation, note: str = "") -> Allocation:
    return take_step(
        FLOW,
        actor=actor,
        obj=allocation,
        step=Step.REJECT,
        note=note,
        fields={"approver": actor, "decided_at": timezone.now()},
    )


def allocate_now(
    *, actor: Any, approver: Any, area: Area, kind: str, year: int, amount: Any, memo: str = ""
) -> Allocation:
    """Enter and approve at once (the demo and the bench: two named people)."""
    allocation = allocation_enter(actor=actor, area=area, kind=kind, year=year, amount=amount, memo=memo)
    return allocation_approve(actor=approver, allocation=allocation)


__all__ = ["AllocationStatus", "allocation_enter", "allocation_approve", "allocation_reject", "allocate_now"]
