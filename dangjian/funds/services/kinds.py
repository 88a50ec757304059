"""Fund kinds and their floor rules, edited per district; the floor bases refreshed for a year."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Sum
from django.utils.translation import gettext as _

from dangjian.audit.services import Action, audit_record
from dangjian.core.tree import subtree_q
from dangjian.people.models import ACTIVE_STATUSES, Member
from dangjian.territory.models import Area, Estate

from ..models import FloorBasis, FundKind, Level
from ..permissions import is_district_admin

EDITABLE = (
    "name",
    "level",
    "rule",
    "fixed_amount",
    "per_unit_min",
    "per_unit_max",
    "total_min",
    "total_max",
    "active",
    "note",
)


@transaction.atomic
def kind_update(*, actor: Any, kind: FundKind, data: dict[str, Any]) -> FundKind:
    if not is_district_admin(actor, kind.district):
        raise ValidationError(_("只有区级管理员可以修改经费类别。"))
    locked = FundKind.objects.select_for_update().get(pk=kind.pk)
    changes = {}
    for name in EDITABLE:
        if name in data and getattr(locked, name) != data[name]:
            changes[name] = [str(getattr(locked, name)), str(data[name])]
            setattr(locked, name, data[name])
    if changes:
        locked.save()
        audit_record(actor=actor, action=Action.UPDATE, obj=locked, changes=changes, area_path=locked.district.path)
    return locked


@transaction.atomic
def bases_refresh(*, actor: Any, district: Area, year: int, members: dict[int, int] | None = None) -> int:
    """Write each community's and subdistrict's households (from the estates) and members (given by the
    caller per area id, e.g. from the member stock) for `year`; the floor check reads these rows."""
    if actor is not None and not is_district_admin(actor, district):
        raise ValidationError(_("只有区级管理员可以核定保底基数。"))
    areas = list(Area.objects.filter(subtree_q("path", district.path), level__in=[Level.COMMUNITY, Level.SUBDISTRICT]))
    per_community = dict(
        Estate.objects.filter(subtree_q("community__path", district.path))
        .order_by()
        .values("community_id")
        .annotate(h=Sum("households"))
        .values_list("community_id", "h")
    )
    paths = {a.pk: a.path for a in areas}
    households: dict[int, int] = {}
    for area in areas:
        if area.level == Level.COMMUNITY:
            households[area.pk] = int(per_community.get(area.pk) or 0)
    for area in areas:
        if area.level == Level.SUBDISTRICT:
            households[area.pk] = sum(
                households.get(pk, 0) for pk, path in paths.items() if path.startswith(area.path) and pk != area.pk
            )
    if members is None:
        members = _members_per_area(district, areas)
    written = 0
    for area in areas:
        FloorBasis.objects.update_or_create(
            area=area,
            year=year,
            defaults={"households": households.get(area.pk, 0), "members": int(members.get(area.pk, 0))},
        )
        written += 1
    return written


def _members_per_area(district: Area, areas: list[Area]) -> dict[int, int]:
    """Members on the books of organizations placed in each community (and summed per subdistrict):
    one grouped query, run once a year by the refresh, never by a page."""
    by_path = dict(
        Member.objects.filter(status__in=ACTIVE_STATUSES, org__isnull=False)
        .filter(subtree_q("org__area__path", district.path))
        .order_by()
        .values("org__area__path")
        .annotate(n=Count("pk"))
        .values_list("org__area__path", "n")
    )
    out: dict[int, int] = {}
    for area in areas:
        out[area.pk] = sum(n for path, n in by_path.items() if path.startswith(area.path))
    return out
