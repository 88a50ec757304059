"""Covenants (契约化共建) with their obligations and resources, and the visits made under them."""

from __future__ import annotations

import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.audit.services import Action, audit_record
from dangjian.core.scoping import acting_user
from dangjian.territory.models import Area, Level
from dangjian.units.models import ResidentUnit

from .. import permissions
from ..models import ContributionKind, Covenant, Direction, Resource, Visit

OBLIGATIONS = ("meetings", "unit_visits", "area_visits", "projects", "hours")


@transaction.atomic
def covenant_save(
    *,
    actor: Any,
    area: Area,
    unit: ResidentUnit,
    starts_on: datetime.date,
    ends_on: datetime.date,
    covenant: Covenant | None = None,
    note: str = "",
    **obligations: int,
) -> Covenant:
    """Sign (or amend) a covenant between a subdistrict or community and a unit, with its yearly
    obligations: joint meetings to attend, visits each way, projects to claim, volunteer hours."""
    if area.level not in {Level.SUBDISTRICT, Level.COMMUNITY}:
        raise ValidationError({"area": _("共建契约由街道或社区签订。")})
    permissions.require_manager(actor, area.path, _("签订共建契约"))
    if ends_on < starts_on:
        raise ValidationError({"ends_on": _("截止日期不能早于起始日期。")})
    unknown = set(obligations) - set(OBLIGATIONS)
    if unknown:
        raise ValueError(f"unknown obligations {sorted(unknown)}")
    for key, value in obligations.items():
        if value is None or int(value) < 0:
            raise ValidationError({key: _("请填写不小于 0 的整数。")})
    fields: dict[str, Any] = {
        "area": area,
        "unit": unit,
        "starts_on": starts_on,
        "ends_on": ends_on,
        "note": note.strip(),
    }
    fields.update({k: int(v) for k, v in obligations.items()})
    if covenant is None:
        covenant = Covenant.objects.create(**fields)
        action = Action.CREATE
    else:
        covenant = Covenant.objects.select_for_update().get(pk=covenant.pk)
        for key, value in fields.items():
            setattr(covenant, key, value)
        covenant.save()
        action = Action.UPDATE
    audit_record(actor=acting_user(actor), action=action, obj=covenant, area_path=covenant.area_path)
    return covenant


@transaction.atomic
def resource_add(*, actor: Any, covenant: Covenant, kind: str, description: str, amount: Any = 0) -> Resource:
    permissions.require_manager(actor, covenant.area_path, _("登记共建资源"))
    if kind not in ContributionKind.values:
        raise ValidationError({"kind": _("请选择资源类别。")})
    try:
        value = Decimal(str(amount or 0)).quantize(Decimal("0.01"))
    except InvalidOperation:
        raise ValidationError({"amount": _("请填写数量或金额。")}) from None
    if value < 0:
        raise ValidationError({"amount": _("数量或金额不能为负数。")})
    description = (description or "").strip()
    if not description:
        raise ValidationError({"description": _("请填写资源内容。")})
    resource = Resource.objects.create(covenant=covenant, kind=kind, description=description[:200], amount=value)
    audit_record(actor=acting_user(actor), action=Action.CREATE, obj=resource, area_path=covenant.area_path)
    return resource


@transaction.atomic
def visit_log(
    *,
    actor: Any,
    direction: str,
    unit: ResidentUnit,
    area: Area,
    visited_on: datetime.date,
    visitor: str,
    hosts: str = "",
    discussed: str = "",
    covenant: Covenant | None = None,
) -> Visit:
    """Log a visit: the unit's leader to the subdistrict or community, or theirs to the unit."""
    if direction not in Direction.values:
        raise ValidationError({"direction": _("请选择走访方向。")})
    allowed = permissions.manages(actor, area.path) or permissions.is_unit_contact(actor, unit.pk)
    if not allowed:
        raise ValidationError(_("只有本属地的工作人员或该单位联络员可以登记走访。"))
    if visited_on > timezone.localdate():
        raise ValidationError({"visited_on": _("走访日期不能晚于今天。")})
    visitor = (visitor or "").strip()
    if not visitor:
        raise ValidationError({"visitor": _("请填写走访人。")})
    if covenant is None:
        covenant = (
            Covenant.objects.filter(unit=unit, area=area, starts_on__lte=visited_on, ends_on__gte=visited_on)
            .order_by("-starts_on")
            .first()
        )
    visit = Visit.objects.create(
        direction=direction,
        covenant=covenant,
        unit=unit,
        area=area,
        visited_on=visited_on,
        visitor=visitor[:100],
        hosts=(hosts or "").strip()[:100],
        discussed=(discussed or "").strip(),
        logged_by=acting_user(actor) if getattr(actor, "is_authenticated", False) else None,
    )
    audit_record(actor=acting_user(actor), action=Action.CREATE, obj=visit, area_path=visit.area_path)
    return visit
