"""Liaison work (包联/挂点): a visit checked in on the phone with its location, the problems collected on
it filed as cases through the channel 挂点收集 (the liaison named as the reporter), the group (组团)."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.audit.services import Action, audit_record
from dangjian.cases.intake.services import case_submit
from dangjian.cases.models import Case, CaseCategory, Channel
from dangjian.core.scoping import acting_user
from dangjian.people.models import Liaison
from dangjian.territory.models import Area

from .. import permissions
from ..models import GroupMember, LiaisonVisit, Matter, Outcome


def may_act_for(actor: Any, liaison: Liaison) -> bool:
    """The liaison themselves, or a desk person whose territory holds the liaison's node."""
    if actor is None:
        return True
    return (liaison.user_id is not None and liaison.user_id == actor.pk) or permissions.manages(
        actor, liaison.area_path()
    )


def _target_area(liaison: Liaison) -> Area:
    return liaison.area if liaison.area is not None else liaison.estate.community  # type: ignore[union-attr]


@transaction.atomic
def liaison_checkin(
    *,
    actor: Any,
    liaison: Liaison,
    lat: float | None,
    lng: float | None,
    notes: str = "",
    at: datetime.datetime | None = None,
) -> LiaisonVisit:
    """Check in at the liaison's grid, community or estate (the phone's location)."""
    if not may_act_for(actor, liaison):
        raise ValidationError(_("只能为本人的包联点签到。"))
    if not liaison.is_active:
        raise ValidationError(_("该包联已结束。"))
    for value, low, high in ((lat, -90, 90), (lng, -180, 180)):
        if value is not None and not low <= value <= high:
            raise ValidationError({"lat": _("位置无效，请重新定位。")})
    visit = LiaisonVisit.objects.create(
        liaison=liaison,
        area_path=liaison.area_path(),
        visited_at=at or timezone.now(),
        lat=lat,
        lng=lng,
        notes=(notes or "").strip(),
        logged_by=acting_user(actor) if getattr(actor, "is_authenticated", False) else None,
    )
    audit_record(actor=acting_user(actor), action=Action.CREATE, obj=visit, area_path=visit.area_path)
    return visit


@transaction.atomic
def liaison_problem_file(
    *, actor: Any, visit: LiaisonVisit, category: CaseCategory | str, description: str
) -> tuple[Matter, Case]:
    """A problem collected on the visit: a case through 挂点收集, with the liaison's name on it, and a
    matter that follows it."""
    liaison = visit.liaison
    if not may_act_for(actor, liaison):
        raise ValidationError(_("只能为本人的包联走访登记问题。"))
    description = (description or "").strip()
    if not description:
        raise ValidationError({"description": _("请描述收集到的问题。")})
    area = _target_area(liaison)
    grid = liaison.area if liaison.area is not None and liaison.area.level == "grid" else None
    case = case_submit(
        actor=actor,
        channel=Channel.LIAISON,
        category=category,
        description=description,
        lat=visit.lat,
        lng=visit.lng,
        grid=grid,
        area=None if grid is not None else area,
        reporter_name=f"{liaison.leader_name}（{liaison.post}）"[:50],
    )
    matter = Matter.objects.create(
        area=area,
        title=description[:200],
        liaison_visit=visit,
        liaison=liaison,
        raised_at=timezone.now(),
        raised_by=acting_user(actor) if getattr(actor, "is_authenticated", False) else None,
        outcome=Outcome.CASE,
        target_id=case.public_id,
        routed_at=timezone.now(),
    )
    audit_record(actor=acting_user(actor), action=Action.CREATE, obj=matter, area_path=matter.area_path)
    return matter, case


@transaction.atomic
def group_member_add(*, actor: Any, liaison: Liaison, name: str, role: str) -> GroupMember:
    """组团: a deputy, committee member or cadre who visits with the liaison."""
    if not may_act_for(actor, liaison):
        raise ValidationError(_("只能调整本人或本辖区的包联组团。"))
    name, role = (name or "").strip(), (role or "").strip()
    if not name or not role:
        raise ValidationError({"name": _("请填写组团成员的姓名和身份。")})
    member = GroupMember.objects.create(liaison=liaison, name=name[:50], role=role[:50])
    audit_record(actor=acting_user(actor), action=Action.CREATE, obj=member, area_path=liaison.area_path())
    return member
