"""Writes for the household register (households and residents), and its bulk import."""

from __future__ import annotations

import re
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, reset_queries, transaction
from django.utils.translation import gettext as _

from dangjian.audit.services import Action, audit_record, diff, snapshot
from dangjian.core.validators import validate_mobile
from dangjian.imports.engine import RecordChange, Writer
from dangjian.imports.resolvers import chunked
from dangjian.territory.models import Building

from ..models import (
    Household,
    Resident,
    ResidentTag,
)
from .common import UNCHANGED, masked_changes

# --- the household register ----------------------------------------------------------------

LANDLINE_RE = re.compile(r"^0\d{9,10}$")  # area code and number, e.g. 0756 2123456


def normalize_phone(value: str) -> str:
    """A mobile number, or a landline with its area code (elderly residents often have only one)."""
    value = re.sub(r"[\s()（）-]", "", value or "")
    if not value:
        return ""
    if LANDLINE_RE.fullmatch(value):
        return value
    try:
        return validate_mobile(value)
    except ValidationError as exc:
        raise ValidationError(_("电话应为 11 位手机号，或带区号的固定电话（如 0756-2123456）。")) from exc


def _register_area_path(building: Building) -> str:
    grid = building.grid
    return grid.path if grid is not None else building.community.path


def _clean_tags(tags: list[str] | None) -> list[str]:
    tags = list(dict.fromkeys(tags or []))
    unknown = [t for t in tags if t not in ResidentTag.values]
    if unknown:
        raise ValidationError({"tags": _("未知的标签：%(t)s") % {"t": "、".join(unknown)}})
    # Stored in the order of ResidentTag, so lists read the same everywhere.
    return [t for t in ResidentTag.values if t in tags]


@transaction.atomic
def household_create(*, actor: Any, building: Building, room: str) -> Household:
    room = (room or "").strip()
    if not room:
        raise ValidationError({"room": _("请填写门牌或房号。")})
    if len(room) > 30:
        raise ValidationError({"room": _("门牌/房号请控制在 30 字以内。")})
    if Household.objects.filter(building=building, room=room).exists():
        raise ValidationError({"room": _("%(b)s已有房号「%(r)s」的住户。") % {"b": building, "r": room}})
    try:
        with transaction.atomic():
            household = Household.objects.create(building=building, room=room)
    except IntegrityError as exc:  # another grid worker added the same room a moment ago
        raise ValidationError({"room": _("%(b)s已有房号「%(r)s」的住户。") % {"b": building, "r": room}}) from exc
    audit_record(
        actor=actor,
        action=Action.CREATE,
        obj=household,
        changes={"building": [None, str(building)], "room": [None, room]},
        area_path=_register_area_path(building),
    )
    return household


@transaction.atomic
def household_delete(*, actor: Any, household: Household) -> None:
    household = (
        Household.objects.select_for_update(of=("self",))
        .select_related("building__grid", "building__community")
        .get(pk=household.pk)
    )
    if household.residents.exists():
        raise ValidationError(_("该户还有登记的居民，请先移除居民再删除住户。"))
    audit_record(
        actor=actor,
        action=Action.DELETE,
        obj=household,
        changes={"building": [str(household.building), None], "room": [household.room, None]},
        area_path=_register_area_path(household.building),
    )
    household.delete()


RESIDENT_FIELDS = ["name", "mobile", "tags"]


@transaction.atomic
def resident_create(
    *, actor: Any, household: Household, name: str, mobile: str = "", tags: list[str] | None = None
) -> Resident:
    errors: dict[str, list[str]] = {}
    name = (name or "").strip()
    if not name:
        errors["name"] = [_("请填写居民姓名。")]
    try:
        mobile = normalize_phone(mobile)
    except ValidationError as exc:
        errors["mobile"] = exc.messages
    try:
        clean_tags = _clean_tags(tags)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    resident = Resident.objects.create(household=household, name=name, mobile=mobile, tags=clean_tags)
    audit_record(
        actor=actor,
        action=Action.CREATE,
        obj=resident,
        changes=masked_changes(diff({}, snapshot(resident, RESIDENT_FIELDS))) | {"household": [None, str(household)]},
        area_path=_register_area_path(household.building),
    )
    return resident


@transaction.atomic
def resident_update(
    *, actor: Any, resident: Resident, name: str = UNCHANGED, mobile: str = UNCHANGED, tags: list[str] = UNCHANGED
) -> Resident:
    resident = Resident.objects.select_for_update().get(pk=resident.pk)
    before = snapshot(resident, RESIDENT_FIELDS)
    errors: dict[str, list[str]] = {}
    if name is not UNCHANGED:
        resident.name = (name or "").strip()
        if not resident.name:
            errors["name"] = [_("请填写居民姓名。")]
    if mobile is not UNCHANGED:
        try:
            resident.mobile = normalize_phone(mobile)
        except ValidationError as exc:
            errors["mobile"] = exc.messages
    if tags is not UNCHANGED:
        try:
            resident.tags = _clean_tags(tags)
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    changes = diff(before, snapshot(resident, RESIDENT_FIELDS))
    if changes:
        resident.save()
        audit_record(
            actor=actor,
            action=Action.UPDATE,
            obj=resident,
            changes=masked_changes(changes),
            area_path=_register_area_path(resident.household.building),
        )
    return resident


@transaction.atomic
def resident_delete(*, actor: Any, resident: Resident) -> None:
    resident = Resident.objects.select_for_update().get(pk=resident.pk)
    household = resident.household
    audit_record(
        actor=actor,
        action=Action.DELETE,
        obj=resident,
        changes={"name": [resident.name, None], "household": [str(household), None]},
        area_path=_register_area_path(household.building),
    )
    resident.delete()


@transaction.atomic
def resident_reveal_mobile(*, actor: Any, resident: Resident, ip: str | None = None, via: str = "") -> str:
    """A resident's full phone number (also shown by the edit form, `via="edit"`); always audited."""
    changes = {"field": "mobile", "via": via} if via else {"field": "mobile"}
    audit_record(
        actor=actor,
        action=Action.REVEAL,
        obj=resident,
        changes=changes,
        ip=ip,
        area_path=_register_area_path(resident.household.building),
    )
    return resident.mobile


# --- the Excel import (dangjian.people.importers checks the rows; these write them) ---------


def residents_import(*, rows: list[dict[str, Any]], writer: Writer) -> dict[str, int]:
    """Add the checked rows of a resident import: the households not on record first (one per
    building and room), then the residents, each with its 新增 audit row (bulk)."""
    new_keys = list(dict.fromkeys((r["building_id"], r["room"]) for r in rows if r["household_id"] is None))
    created: dict[tuple[int, str], int] = {}
    where = {(r["building_id"], r["room"]): (r["area_path"], (r["estate"] or "") + r["building"]) for r in rows}
    for chunk in chunked(new_keys, writer.batch_size):
        households = [Household(building_id=b, room=room) for b, room in chunk]
        Household.objects.bulk_create(households, batch_size=writer.batch_size)
        created.update({(h.building_id, h.room): h.pk for h in households})
        writer.audit(
            (
                h,
                f"{where[(h.building_id, h.room)][1]} {h.room}",
                {"building": [None, where[(h.building_id, h.room)][1]], "room": [None, h.room]},
                where[(h.building_id, h.room)][0],
            )
            for h in households
        )
    done = 0
    for chunk in chunked(rows, writer.batch_size):
        residents = [
            Resident(
                household_id=r["household_id"] or created[(r["building_id"], r["room"])],
                area_path=r["area_path"],
                name=r["name"],
                mobile=r["mobile"],
                tags=r["tags"],
            )
            for r in chunk
        ]
        Resident.objects.bulk_create(residents, batch_size=writer.batch_size)
        writer.audit(
            (
                x,
                x.name,
                {
                    "name": [None, x.name],
                    "household": [None, f"{r['building']} {r['room']}"],
                    "tags": [None, x.tags],
                },
                r["area_path"],
            )
            for x, r in zip(residents, chunk, strict=True)
        )
        done += len(chunk)
        writer.progress(done / len(rows))
        reset_queries()
    return {"residents": done, "households_created": len(created)}


def residents_import_update(*, changes: list[RecordChange], writer: Writer) -> int:
    """Apply an update-mode resident import: each changed resident saved, with its 修改 audit row."""
    for done, change in enumerate(changes, start=1):
        for field, value in change.values.items():
            setattr(change.record, field, value)
        change.record.save()
        writer.progress(done / len(changes))
    writer.audit(((c.record, c.record.name, c.changes, c.area_path) for c in changes), action=Action.UPDATE)
    return len(changes)
