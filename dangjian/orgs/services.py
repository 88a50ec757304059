"""Writes to the organization tree. Every write is atomic and audited."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.audit.services import Action, audit_record, diff, snapshot
from dangjian.core.figures import facts
from dangjian.core.text import pinyin_full, pinyin_initials
from dangjian.core.tree import TreeMoveError, move_subtree, place_new_node
from dangjian.territory.models import Area, Building, Estate

from .models import ALLOWED_PARENT_TYPES, TEMPORARY, OrgType, PartyOrg

if TYPE_CHECKING:
    from dangjian.units.models import ResidentUnit

ORG_FIELDS = ["name", "org_type", "parent", "area", "unit", "estate", "building", "secretary"]


def validate_org_parent(*, org_type: str, parent: PartyOrg | None) -> None:
    allowed = ALLOWED_PARENT_TYPES[org_type]
    if (parent.org_type if parent else None) not in allowed:
        names = "、".join(str(OrgType(t).label) for t in allowed if t) or _("无（顶级组织）")
        raise ValidationError(
            {"parent": _("%(type)s的上级组织应为：%(allowed)s。") % {"type": OrgType(org_type).label, "allowed": names}}
        )


def validate_anchor(*, area: Area, unit: ResidentUnit | None, estate: Estate | None, building: Building | None) -> None:
    if (
        unit is not None
        and not unit.community.path.startswith(area.path)
        and not area.path.startswith(unit.community.path)
    ):
        raise ValidationError({"unit": _("所在单位不在该组织的属地范围内。")})
    if (
        estate is not None
        and not estate.community.path.startswith(area.path)
        and not area.path.startswith(estate.community.path)
    ):
        raise ValidationError({"estate": _("所在小区不在该组织的属地范围内。")})
    if building is not None and estate is not None and building.estate_id != estate.pk:
        raise ValidationError({"building": _("所在楼栋不属于所选小区。")})


@transaction.atomic
def org_create(
    *,
    actor: Any,
    org_type: str,
    name: str,
    parent: PartyOrg | None,
    area: Area,
    unit: ResidentUnit | None = None,
    estate: Estate | None = None,
    building: Building | None = None,
    secretary: str = "",
) -> PartyOrg:
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("请填写组织名称。")})
    validate_org_parent(org_type=org_type, parent=parent)
    validate_anchor(area=area, unit=unit, estate=estate, building=building)
    org = PartyOrg(
        org_type=org_type,
        name=name,
        pinyin=pinyin_initials(name),
        pinyin_full=pinyin_full(name),
        area=area,
        unit=unit,
        estate=estate,
        building=building,
        secretary=secretary,
    )
    if parent is not None:
        parent = PartyOrg.objects.select_for_update().get(pk=parent.pk)
    place_new_node(org, parent)
    org.save()
    audit_record(
        actor=actor, action=Action.CREATE, obj=org, changes=diff({}, snapshot(org, ORG_FIELDS)), area_path=area.path
    )
    return org


@transaction.atomic
def org_update(*, actor: Any, org: PartyOrg, name: str | None = None, secretary: str | None = None) -> PartyOrg:
    org = PartyOrg.objects.select_for_update().get(pk=org.pk)
    before = snapshot(org, ORG_FIELDS)
    if name is not None:
        if not name.strip():
            raise ValidationError({"name": _("请填写组织名称。")})
        org.name = name.strip()
        org.pinyin, org.pinyin_full = pinyin_initials(org.name), pinyin_full(org.name)
    if secretary is not None:
        org.secretary = secretary.strip()
    changes = diff(before, snapshot(org, ORG_FIELDS))
    if changes:
        org.save()
        audit_record(actor=actor, action=Action.UPDATE, obj=org, changes=changes, area_path=org.area.path)
    return org


@transaction.atomic
def org_close_temporary(*, actor: Any, org: PartyOrg, on: datetime.date | None = None) -> PartyOrg:
    """撤销 a temporary organization (临时党委/临时党支部) when its deployment ends, with the temporary
    branches under it. Its rows stay as the record; nothing else of the tree changes."""
    org = PartyOrg.objects.select_for_update().get(pk=org.pk)
    if org.org_type not in TEMPORARY:
        raise ValidationError(_("只有临时党组织可以撤销。"))
    if org.closed_on is not None:
        return org
    on = on or timezone.localdate()
    closing = org.subtree().filter(org_type__in=list(TEMPORARY), closed_on__isnull=True)
    closed = list(closing.values_list("pk", flat=True))
    closing.update(closed_on=on, updated_at=timezone.now())
    facts.record_bulk(PartyOrg, closed)  # update() sends no signals: the organizations' stock follows
    org.refresh_from_db()
    audit_record(
        actor=actor, action=Action.UPDATE, obj=org, changes={"closed_on": [None, str(on)]}, area_path=org.area.path
    )
    return org


@transaction.atomic
def org_move(*, actor: Any, org: PartyOrg, new_parent: PartyOrg) -> PartyOrg:
    """Move an organization and its whole subtree under another organization."""
    org = PartyOrg.objects.select_for_update().get(pk=org.pk)
    validate_org_parent(org_type=org.org_type, parent=new_parent)
    old_parent, old_path = org.parent, org.path
    try:
        move_subtree(org, new_parent)
    except TreeMoveError as exc:
        raise ValidationError({"parent": str(exc)}) from exc
    # The paths were rewritten by update() (no signals): the figures store follows the moved subtree
    # (its members, the units organized into it) in this transaction.
    facts.record_bulk(PartyOrg, org.subtree().values_list("pk", flat=True))
    audit_record(
        actor=actor,
        action=Action.MOVE,
        obj=org,
        changes={"parent": [str(old_parent), str(new_parent)], "path": [old_path, org.path]},
        area_path=org.area.path,
    )
    return org
