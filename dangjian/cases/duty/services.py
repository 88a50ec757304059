"""Writes of the street-chief duty list (街长制 "1+6+N" 权责清单) and of the working-day calendar.

A subdistrict's admin edits their own list, a district admin every list of the district; an item's
departments must serve the subdistrict (or an area above it). Every write is audited.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from dangjian.audit.services import Action, audit_record, diff
from dangjian.core.scoping import Scope
from dangjian.territory.models import Area, Level
from dangjian.units.models import Department

from ..intake.reference import intake_reference_changed
from ..models import CalendarDay, CaseCategory, DutyArea, DutyItem, LimitUnit, community_may_lead_default
from ..permissions import may_edit_duty_list

MAX_LIMIT: dict[str, int] = {LimitUnit.HOURS: 24 * 90, LimitUnit.WORKDAYS: 250}


def departments_for(subdistrict: Area):
    """Departments a subdistrict's duty list may name: serving it, an area below it, or above it."""
    return Department.objects.filter(Department.scope_q(Scope(area_path=subdistrict.path))).select_related("area")


def _require_edit(actor: Any, subdistrict: Area) -> None:
    if not may_edit_duty_list(actor, subdistrict):
        raise ValidationError(_("您不能修改「%(s)s」的权责清单。") % {"s": subdistrict.name})


def _snapshot(item: DutyItem) -> dict[str, Any]:
    return {
        "name": item.name,
        "duty_area": str(item.get_duty_area_display()),
        "lead_department": item.lead_department.name,
        "supporting_departments": sorted(d.name for d in item.supporting_departments.all()),
        "categories": sorted(c.name for c in item.categories.all()),
        "limit": f"{item.limit_amount} {LimitUnit(item.limit_unit).label}",
        "community_may_lead": item.community_may_lead,
        "sort": item.sort,
    }


def _validate(
    *,
    subdistrict: Area,
    name: str,
    duty_area: str,
    lead_department: Department,
    supporting_departments: list[Department],
    limit_amount: int,
    limit_unit: str,
    exclude_pk: int | None = None,
) -> None:
    errors: dict[str, list[str]] = {}
    if subdistrict.level != Level.SUBDISTRICT:
        errors.setdefault("__all__", []).append(_("权责清单属于街道。"))
    if not name:
        errors.setdefault("name", []).append(_("请填写事项名称。"))
    if duty_area not in DutyArea.values:
        errors.setdefault("duty_area", []).append(_("请选择领域。"))
    if limit_unit not in LimitUnit.values:
        errors.setdefault("limit_unit", []).append(_("时限单位应为小时或工作日。"))
    elif not 1 <= limit_amount <= MAX_LIMIT[limit_unit]:
        errors.setdefault("limit_amount", []).append(
            _("办理时限应在 1 到 %(n)s %(u)s之间。") % {"n": MAX_LIMIT[limit_unit], "u": LimitUnit(limit_unit).label}
        )
    reach = set(departments_for(subdistrict).values_list("pk", flat=True))
    if lead_department is None or lead_department.pk not in reach:
        errors.setdefault("lead_department", []).append(_("牵头部门须服务本街道。"))
    if any(d.pk not in reach for d in supporting_departments):
        errors.setdefault("supporting_departments", []).append(_("配合部门须服务本街道。"))
    if lead_department is not None and any(d.pk == lead_department.pk for d in supporting_departments):
        errors.setdefault("supporting_departments", []).append(_("牵头部门不必再列为配合部门。"))
    clash = DutyItem.objects.filter(subdistrict=subdistrict, name=name)
    if exclude_pk:
        clash = clash.exclude(pk=exclude_pk)
    if name and clash.exists():
        errors.setdefault("name", []).append(_("本街道的权责清单已有事项「%(n)s」。") % {"n": name})
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def duty_item_create(
    *,
    actor: Any,
    subdistrict: Area,
    name: str,
    duty_area: str,
    lead_department: Department,
    supporting_departments: Iterable[Department] = (),
    categories: Iterable[CaseCategory] = (),
    limit_amount: int,
    limit_unit: str,
    community_may_lead: bool | None = None,
    sort: int | None = None,
) -> DutyItem:
    """`community_may_lead` None: from the area (综合执法 → no)."""
    _require_edit(actor, subdistrict)
    name = (name or "").strip()
    supporting, cats = list(supporting_departments), list(categories)
    _validate(
        subdistrict=subdistrict,
        name=name,
        duty_area=duty_area,
        lead_department=lead_department,
        supporting_departments=supporting,
        limit_amount=limit_amount,
        limit_unit=limit_unit,
    )
    if sort is None:
        sort = (DutyItem.objects.filter(subdistrict=subdistrict).aggregate(m=Max("sort"))["m"] or 0) + 1
    item = DutyItem.objects.create(
        subdistrict=subdistrict,
        name=name,
        duty_area=duty_area,
        lead_department=lead_department,
        limit_amount=limit_amount,
        limit_unit=limit_unit,
        community_may_lead=(
            community_may_lead_default(duty_area) if community_may_lead is None else community_may_lead
        ),
        sort=sort,
    )
    item.supporting_departments.set(supporting)
    item.categories.set(cats)
    after = _snapshot(item)
    audit_record(
        actor=actor,
        action=Action.CREATE,
        obj=item,
        changes={k: [None, v] for k, v in after.items()},
        area_path=subdistrict.path,
    )
    return item


@transaction.atomic
def duty_item_update(
    *,
    actor: Any,
    item: DutyItem,
    name: str,
    duty_area: str,
    lead_department: Department,
    supporting_departments: Iterable[Department] = (),
    categories: Iterable[CaseCategory] = (),
    limit_amount: int,
    limit_unit: str,
    community_may_lead: bool | None = None,
    sort: int | None = None,
) -> DutyItem:
    """`community_may_lead` None: kept (from the area when the area changes)."""
    item = (
        DutyItem.objects.select_for_update(of=("self",))
        .select_related("subdistrict", "lead_department")
        .get(pk=item.pk)
    )
    _require_edit(actor, item.subdistrict)
    name = (name or "").strip()
    supporting, cats = list(supporting_departments), list(categories)
    _validate(
        subdistrict=item.subdistrict,
        name=name,
        duty_area=duty_area,
        lead_department=lead_department,
        supporting_departments=supporting,
        limit_amount=limit_amount,
        limit_unit=limit_unit,
        exclude_pk=item.pk,
    )
    before = _snapshot(item)
    if community_may_lead is None and duty_area != item.duty_area:
        community_may_lead = community_may_lead_default(duty_area)
    if community_may_lead is not None:
        item.community_may_lead = community_may_lead
    item.name, item.duty_area, item.lead_department = name, duty_area, lead_department
    item.limit_amount, item.limit_unit = limit_amount, limit_unit
    if sort is not None:
        item.sort = sort
    item.save(
        update_fields=[
            "name",
            "duty_area",
            "lead_department",
            "limit_amount",
            "limit_unit",
            "community_may_lead",
            "sort",
            "updated_at",
        ]
    )
    item.supporting_departments.set(supporting)
    item.categories.set(cats)
    changes = diff(before, _snapshot(item))
    if changes:
        audit_record(actor=actor, action=Action.UPDATE, obj=item, changes=changes, area_path=item.subdistrict.path)
    return item


@transaction.atomic
def duty_item_delete(*, actor: Any, item: DutyItem) -> None:
    item = (
        DutyItem.objects.select_for_update(of=("self",))
        .select_related("subdistrict", "lead_department")
        .get(pk=item.pk)
    )
    _require_edit(actor, item.subdistrict)
    before = _snapshot(item)
    # Cases keep their deadline; they only lose the link to the item (on_delete=SET_NULL).
    linked = item.cases.count()
    audit_record(
        actor=actor,
        action=Action.DELETE,
        obj=item,
        changes={**{k: [v, None] for k, v in before.items()}, "linked_cases": [linked, None]},
        area_path=item.subdistrict.path,
    )
    item.delete()


@transaction.atomic
def duty_import(*, actor: Any, subdistrict: Area, content: bytes) -> list[DutyItem]:
    """Check the workbook again and write every row, or none: a problem anywhere writes nothing."""
    from .importers import DutyImporter

    _require_edit(actor, subdistrict)
    importer = DutyImporter(subdistrict)
    result = importer.check(content)
    if result.problems:
        raise ValidationError(
            _("文件中有 %(n)s 处问题，未导入任何事项。请修改后重新上传。") % {"n": result.error_count}
        )
    # Lock the list against a second import of the same file running at the same time.
    list(Area.objects.select_for_update().filter(pk=subdistrict.pk).values_list("pk"))
    names = [row["name"] for row in result.rows]
    taken = set(DutyItem.objects.filter(subdistrict=subdistrict, name__in=names).values_list("name", flat=True))
    if taken:
        raise ValidationError(_("权责清单已有事项「%(n)s」，未导入任何事项。") % {"n": "、".join(sorted(taken)[:5])})
    # Rows without a number go after everything numbered, in file order.
    last = DutyItem.objects.filter(subdistrict=subdistrict).aggregate(m=Max("sort"))["m"] or 0
    last = max([last, *(row["sort"] for row in result.rows)])
    items = []
    for row in result.rows:
        if not row["sort"]:
            last += 1
        items.append(
            DutyItem(
                subdistrict=subdistrict,
                name=row["name"],
                duty_area=row["duty_area"],
                lead_department_id=row["lead_department_id"],
                limit_amount=row["limit_amount"],
                limit_unit=row["limit_unit"],
                community_may_lead=row["community_may_lead"],
                sort=row["sort"] or last,
            )
        )
    DutyItem.objects.bulk_create(items)
    if not items or items[0].pk is None:  # backends that do not return ids from bulk_create
        by_name = dict(DutyItem.objects.filter(subdistrict=subdistrict, name__in=names).values_list("name", "pk"))
        for item in items:
            item.pk = by_name[item.name]
    support = DutyItem.supporting_departments.through
    cats = DutyItem.categories.through
    support.objects.bulk_create(
        [
            support(dutyitem_id=i.pk, department_id=d)
            for i, r in zip(items, result.rows, strict=True)
            for d in r["supporting_ids"]
        ]
    )
    cats.objects.bulk_create(
        [
            cats(dutyitem_id=i.pk, casecategory_id=c)
            for i, r in zip(items, result.rows, strict=True)
            for c in r["category_ids"]
        ]
    )
    # bulk_create sends no signals: intake's copy of the duty lists hears of the import here.
    intake_reference_changed()
    for item, row in zip(items, result.rows, strict=True):
        audit_record(
            actor=actor,
            action=Action.CREATE,
            obj=item,
            changes={
                "name": [None, item.name],
                "lead_department": [None, row["lead_department"]],
                "limit": [None, f"{item.limit_amount} {LimitUnit(item.limit_unit).label}"],
                "source": [None, _("Excel 导入")],
            },
            area_path=subdistrict.path,
        )
    audit_record(
        actor=actor,
        action=Action.IMPORT,
        obj=subdistrict,
        object_repr=_("导入权责清单 %(n)s 项：%(s)s") % {"n": len(items), "s": subdistrict.name},
        changes={"rows": [None, len(items)]},
        area_path=subdistrict.path,
    )
    return items


# -- the working-day calendar ----------------------------------------------------------------------
@transaction.atomic
def calendar_load(
    *, actor: Any, year: int, days: dict[datetime.date, tuple[bool, str]], source: str = ""
) -> dict[str, int]:
    """Make `year`'s CalendarDay rows exactly `days` (date → (is_workday, name)).

    Idempotent: loading the same days again changes nothing; rows of the year that `days` no longer
    holds are removed (a provisional calendar replaced by the official one)."""
    wrong = sorted(d for d in days if d.year != year)
    if wrong:
        raise ValidationError(_("日期 %(d)s 不在 %(y)s 年内。") % {"d": wrong[0].isoformat(), "y": year})
    first, last = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    existing = {row.date: row for row in CalendarDay.objects.filter(date__gte=first, date__lte=last)}
    created = updated = unchanged = 0
    new_rows, changed_rows = [], []
    for day, (is_workday, name) in sorted(days.items()):
        name = (name or "")[:40]
        row = existing.get(day)
        if row is None:
            new_rows.append(CalendarDay(date=day, is_workday=is_workday, name=name))
            created += 1
        elif row.is_workday != is_workday or row.name != name:
            row.is_workday, row.name = is_workday, name
            changed_rows.append(row)
            updated += 1
        else:
            unchanged += 1
    CalendarDay.objects.bulk_create(new_rows)
    CalendarDay.objects.bulk_update(changed_rows, ["is_workday", "name"])
    stale = [d for d in existing if d not in days]
    deleted = CalendarDay.objects.filter(date__in=stale).delete()[0] if stale else 0
    counts = {"created": created, "updated": updated, "deleted": deleted, "unchanged": unchanged}
    if created or updated or deleted:
        audit_record(
            actor=actor,
            action=Action.UPDATE,
            object_type="cases.calendarday",
            object_id=str(year),
            object_repr=_("%(y)s 年节假日与调休") % {"y": year},
            changes={"source": [None, source], **{k: [None, v] for k, v in counts.items()}},
        )
    return counts
