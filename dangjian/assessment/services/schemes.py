"""Schemes: a district's scheme for a year and kind with its default lists (rules.py), items the district
adds, the 评议 panel, a sheet for every organization the scheme assesses, recomputing the automatic items,
and publishing the ranking (the `publish` step on each confirmed sheet)."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.audit.services import audit_record
from dangjian.core.figures import facts as store
from dangjian.core.scoping import acting_user
from dangjian.core.tree import subtree_q
from dangjian.core.workflow import take_step
from dangjian.orgs.models import PartyOrg
from dangjian.territory.models import Area, Level
from dangjian.units.models import Department

from .. import metrics
from ..facts import SHEETS
from ..models import Item, ListKind, PanelMember, Scheme, SchemeKind, Score, Sheet, SheetLog, SheetStatus, Source
from ..permissions import may_create, may_manage
from ..rules import ORG_TYPES, default_items
from ..workflow import CREATE, FLOW, Step
from . import sheets as sheet_services


def _require_manage(actor: Any, scheme: Scheme) -> None:
    if actor is not None and not may_manage(actor, scheme):
        raise ValidationError(_("只有区委组织部可以修改考核方案。"))


@transaction.atomic
def scheme_create(
    *,
    actor: Any,
    district: Area,
    year: int,
    kind: str,
    title: str = "",
    report_due: datetime.date | None = None,
    with_defaults: bool = True,
) -> Scheme:
    if district.level != Level.DISTRICT:
        raise ValidationError(_("考核方案属于一个区。"))
    if actor is not None and not may_create(actor):
        raise ValidationError(_("只有区委组织部可以制定考核方案。"))
    if kind not in SchemeKind.values:
        raise ValidationError({"kind": _("请选择考核类型。")})
    if Scheme.objects.filter(district=district, year=year, kind=kind).exists():
        raise ValidationError(_("%(y)s 年已有这一类考核方案。") % {"y": year})
    scheme = Scheme(
        district=district,
        area_path=district.path,
        year=year,
        kind=kind,
        title=(title or "").strip()[:120] or f"{year}年{SchemeKind(kind).label}",
        report_due=report_due,
        created_by=acting_user(actor),
    )
    if actor is not None and not may_manage(actor, scheme):
        raise ValidationError(_("只能为本区制定考核方案。"))
    scheme.save()
    if with_defaults:
        Item.objects.bulk_create([Item(scheme=scheme, **row) for row in default_items(kind)])
    audit_record(actor=actor, action="create", obj=scheme, changes={"title": [None, scheme.title]},
                 area_path=scheme.area_path)  # fmt: skip
    return scheme


@transaction.atomic
def item_add(
    *,
    actor: Any,
    scheme: Scheme,
    name: str,
    weight: Decimal,
    list_kind: str = ListKind.ASSESSMENT,
    source: str = Source.MANUAL,
    metric: str = "",
    deadline: datetime.date | None = None,
    evidence: str = "",
) -> Item:
    _require_manage(actor, scheme)
    if scheme.sheets.exclude(status__in=sheet_services.EDITABLE).exists():
        raise ValidationError(_("已有评分表确认评分，不能再增加考核项目。"))
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("请填写考核内容。")})
    if weight is None or weight <= 0:
        raise ValidationError({"weight": _("分值应大于 0。")})
    if list_kind not in ListKind.values or source not in Source.values:
        raise ValidationError(_("请选择清单和评分方式。"))
    if source == Source.AUTO and metric not in dict(metrics.choices(scheme.kind)):
        raise ValidationError({"metric": _("请选择自动指标。")})
    for_departments = scheme.kind == SchemeKind.DEPARTMENT
    if (source == Source.PANEL and for_departments) or (source == Source.CHIEF and not for_departments):
        raise ValidationError({"source": _("述职评议用于党组织，街长评分用于驻街部门。")})
    if source != Source.AUTO:
        metric = ""
    order = (scheme.items.order_by("-order").values_list("order", flat=True).first() or 0) + 1
    item = Item.objects.create(
        scheme=scheme, order=order, name=name[:200], weight=weight, list_kind=list_kind, source=source,
        metric=metric, deadline=deadline, evidence=(evidence or "")[:300],
    )  # fmt: skip
    Score.objects.bulk_create([Score(sheet_id=pk, item=item) for pk in scheme.sheets.values_list("pk", flat=True)])
    for sheet in scheme.sheets.all():
        sheet_services.total_write(sheet)
    audit_record(actor=actor, action="update", obj=scheme, changes={"item": [None, item.name]},
                 area_path=scheme.area_path)  # fmt: skip
    return item


@transaction.atomic
def panel_set(*, actor: Any, scheme: Scheme, users: list[Any]) -> list[PanelMember]:
    _require_manage(actor, scheme)
    keep = {u.pk for u in users}
    scheme.panel.exclude(user_id__in=keep).delete()
    have = set(scheme.panel.values_list("user_id", flat=True))
    PanelMember.objects.bulk_create([PanelMember(scheme=scheme, user_id=pk) for pk in sorted(keep - have)])
    audit_record(actor=actor, action="update", obj=scheme, changes={"panel": [None, len(keep)]},
                 area_path=scheme.area_path)  # fmt: skip
    return list(scheme.panel.all())


def departments_assessed(scheme: Scheme):
    """街长评议: the departments serving the district or one of its subdistricts."""
    return Department.objects.filter(subtree_q("area__path", scheme.area_path)).select_related("area")


def orgs_assessed(scheme: Scheme):
    return PartyOrg.objects.filter(
        subtree_q("area__path", scheme.area_path), org_type__in=sorted(ORG_TYPES[SchemeKind(scheme.kind)]),
        closed_on__isnull=True,
    ).select_related("area")  # fmt: skip


@transaction.atomic
def sheets_open(*, actor: Any, scheme: Scheme) -> int:
    """A sheet (with a blank score per item) for every organization the scheme assesses that has none."""
    _require_manage(actor, scheme)
    cohort = timezone.make_aware(datetime.datetime(scheme.year, 1, 1))
    if scheme.kind == SchemeKind.DEPARTMENT:
        have = set(scheme.sheets.values_list("department_id", flat=True))
        new = [
            Sheet(scheme=scheme, department=d, area_path=d.area.path, cohort_at=cohort)
            for d in departments_assessed(scheme).order_by("area__path", "name", "pk")
            if d.pk not in have
        ]
    else:
        have = set(scheme.sheets.values_list("org_id", flat=True))
        new = [
            Sheet(scheme=scheme, org=o, area_path=o.area.path, cohort_at=cohort)
            for o in orgs_assessed(scheme).order_by("path")
            if o.pk not in have
        ]
    made = Sheet.objects.bulk_create(new, batch_size=500)
    if not made[:1] or made[0].pk is None:  # backends that return no ids
        made = list(scheme.sheets.filter(public_id__in=[s.public_id for s in new]))
    items = list(scheme.items.all())
    now, user = timezone.now(), acting_user(actor)
    label = FLOW.actor_label(actor)
    SheetLog.objects.bulk_create(
        [SheetLog(sheet=s, at=now, actor=user, actor_label=label, step=CREATE, from_status="",
                  to_status=SheetStatus.DRAFT) for s in made],
        batch_size=1000,
    )  # fmt: skip
    Score.objects.bulk_create([Score(sheet=s, item=i) for s in made for i in items], batch_size=1000)
    for sheet in made:  # bulk_create sends no signals: the store of facts hears of each sheet here
        store.record(SHEETS, sheet, created=True)
    audit_record(actor=actor, action="update", obj=scheme, changes={"sheets": [len(have), len(have) + len(made)]},
                 area_path=scheme.area_path)  # fmt: skip
    return len(made)


def scheme_recompute(*, actor: Any, scheme: Scheme) -> int:
    """Recompute the automatic items of every open sheet (one transaction per sheet)."""
    _require_manage(actor, scheme)
    n = 0
    open_sheets = scheme.sheets.filter(status__in=sheet_services.EDITABLE)
    for sheet in open_sheets.select_related("org__area", "department__area", "scheme"):
        sheet_services.sheet_recompute(actor=actor, sheet=sheet)
        n += 1
    return n


def ranks(totals: list[tuple[int, Decimal]]) -> dict[int, int]:
    """Competition ranking by total, highest first: equal totals share a rank (1, 2, 2, 4)."""
    out: dict[int, int] = {}
    previous, rank = None, 0
    for position, (pk, total) in enumerate(sorted(totals, key=lambda t: (-t[1], t[0])), start=1):
        if total != previous:
            rank, previous = position, total
        out[pk] = rank
    return out


@transaction.atomic
def scheme_publish(*, actor: Any, scheme: Scheme, note: str = "") -> int:
    """Publish every confirmed sheet (the `publish` step) and rank the published ones within the scheme."""
    _require_manage(actor, scheme)
    scheme = Scheme.objects.select_for_update().get(pk=scheme.pk)
    ready = list(scheme.sheets.filter(status=SheetStatus.SCORED).select_related("org", "department", "scheme"))
    if not ready:
        raise ValidationError(_("没有已确认评分、待公布的评分表。"))
    for sheet in ready:
        take_step(FLOW, actor=actor, obj=sheet, step=Step.PUBLISH, note=note)
    published = scheme.sheets.filter(status=SheetStatus.PUBLISHED)
    order = ranks(list(published.values_list("pk", "total")))
    for pk, rank in order.items():
        Sheet.objects.filter(pk=pk).update(rank=rank)
    scheme.published_at = timezone.now()
    scheme.save(update_fields=["published_at"])
    audit_record(actor=actor, action="update", obj=scheme, changes={"published": [None, len(ready)]},
                 area_path=scheme.area_path)  # fmt: skip
    return len(ready)
