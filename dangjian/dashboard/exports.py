"""The territory tree as Excel: every node the user sees with what lies under it (counts of grids,
estates, buildings, households, residents, organizations, members, units), served under
/imports/export/territory/ and registered with the import engine. It reads from several apps,
so it sits here, at the top layer."""

from __future__ import annotations

import operator
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.db.models import Count, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dangjian.core.db import replica_view
from dangjian.core.tree import ancestor_paths
from dangjian.core.views import require_roles
from dangjian.imports import registry
from dangjian.imports.exports import ExportColumn, export_response
from dangjian.orgs.models import PartyOrg
from dangjian.people.models import Household, Member, Resident
from dangjian.territory.models import Area, Building, Estate, Level
from dangjian.territory.permissions import TREE_ROLES
from dangjian.units.models import ResidentUnit

TERRITORY_COUNTS = [
    ("grids", gettext_lazy("网格数")),
    ("estates", gettext_lazy("小区数")),
    ("buildings", gettext_lazy("楼栋数")),
    ("households", gettext_lazy("住户数")),
    ("residents", gettext_lazy("居民数")),
    ("orgs", gettext_lazy("党组织数")),
    ("members", gettext_lazy("党员数")),
    ("units", gettext_lazy("驻区单位数")),
]


def territory_rows(user: Any) -> list[dict[str, Any]]:
    """Every node the user sees, root first, with what lies under it (only what they may see).

    A dozen grouped queries whatever the size: counts are taken per community (or per grid, or
    per anchoring node) and added up the tree in memory.
    """
    areas = list(
        Area.objects.visible_to(user).order_by("path").values("pk", "path", "level", "name", "code", "parent_id")
    )
    if not areas:
        return []
    by_pk = {a["pk"]: a for a in areas}
    names = {a["path"]: a["name"] for a in areas}
    top_ancestors = {p for a in areas for p in ancestor_paths(a["path"]) if p not in names}
    names.update(Area.objects.filter(path__in=sorted(top_ancestors)).values_list("path", "name"))
    rolled: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    own: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))

    def roll(metric: str, counts: Iterable[tuple[int | None, int]]) -> None:
        for pk, n in counts:
            area = by_pk.get(pk) if pk is not None else None
            if area is None:
                continue
            for path in [*ancestor_paths(area["path"]), area["path"]]:
                rolled[path][metric] += n

    def grouped(qs: QuerySet, field: str) -> list[tuple[int | None, int]]:
        return list(qs.order_by().values_list(field).annotate(n=Count("pk")))

    roll("grids", [(a["pk"], 1) for a in areas if a["level"] == Level.GRID])
    roll("estates", grouped(Estate.objects.visible_to(user), "community_id"))
    roll("buildings", grouped(Building.objects.visible_to(user), "community_id"))
    roll("households", grouped(Household.objects.visible_to(user), "building__community_id"))
    roll("residents", grouped(Resident.objects.visible_to(user), "household__building__community_id"))
    roll("orgs", grouped(PartyOrg.objects.visible_to(user), "area_id"))
    roll("members", grouped(Member.objects.visible_to(user).filter(org__isnull=False), "org__area_id"))
    roll("members", grouped(Member.objects.visible_to(user).filter(org__isnull=True), "home_community_id"))
    roll("units", grouped(ResidentUnit.objects.visible_to(user), "community_id"))
    # A grid's own figures: what lies in it (estates may lie in several grids).
    through = Estate.grids.through.objects.filter(area_id__in=[a["pk"] for a in areas if a["level"] == Level.GRID])
    for pk, n in through.order_by().values_list("area_id").annotate(n=Count("pk")):
        own[pk]["estates"] = n
    for metric, qs, field in (
        ("buildings", Building.objects.visible_to(user), "grid_id"),
        ("households", Household.objects.visible_to(user), "building__grid_id"),
        ("residents", Resident.objects.visible_to(user), "household__building__grid_id"),
    ):
        for pk, n in grouped(qs.filter(**{f"{field}__isnull": False}), field):
            if pk is not None:
                own[pk][metric] = n
    out = []
    for area in areas:
        counts = own[area["pk"]] if area["level"] == Level.GRID else rolled[area["path"]]
        if area["level"] == Level.GRID:
            counts["grids"] = 1
            for metric in ("orgs", "members", "units"):
                counts[metric] = rolled[area["path"]][metric]
        out.append(
            {
                "level": str(Level(area["level"]).label),
                "name": area["name"],
                "above": "/".join(names.get(p, "") for p in ancestor_paths(area["path"])),
                "code": area["code"],
                **{metric: counts.get(metric, 0) for metric, _label in TERRITORY_COUNTS},
            }
        )
    return out


TERRITORY_COLUMNS = [
    ExportColumn(gettext_lazy("层级"), lambda r: r["level"], width=8),
    ExportColumn(gettext_lazy("名称"), lambda r: r["name"], width=24),
    ExportColumn(gettext_lazy("上级"), lambda r: r["above"], width=30),
    ExportColumn(gettext_lazy("区划代码"), lambda r: r["code"], width=14),
    *[ExportColumn(label, operator.itemgetter(metric), width=10) for metric, label in TERRITORY_COUNTS],
]


@require_roles(TREE_ROLES)
@replica_view
def export_territory(request):
    return export_response(
        request=request,
        queryset_or_rows=territory_rows(request.user),
        columns=TERRITORY_COLUMNS,
        filename=_("属地"),
        actor=request.user,
        object_type="territory.area",
    )


registry.register_export(
    "export/territory/",
    export_territory,
    "export_territory",
    label=gettext_lazy("属地（社区、网格及统计）"),
    roles=TREE_ROLES,
    position=40,
)
