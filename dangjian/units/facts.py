"""What a resident unit adds to the figures store (core.figures.facts): a stock, read by the coverage
figures (units.coverage) for any node and any past date.

Two subjects of the same rows: "units" places a unit at its community (the territory tree), "units_org"
at the organization it is organized into (the organization tree; a unit with no organization is not
there). A unit's part is one count for every coverage figure it meets now (units.coverage.FIGURE_SQL,
in the same order and with the same meaning), with its kind as a dimension at every depth; the
thresholds are its own district's rule. Its effective members read the members on record at it, its
"organization inside" the organizations located at it: so a member's workplace or status, an
organization's unit, and a district's rule are followed too (their writes record the units they reach).
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any

from django.db.models import Count
from django.utils import timezone

from dangjian.core.figures import facts
from dangjian.core.tree import STEP
from dangjian.orgs.models import PartyOrg
from dangjian.people.models import ACTIVE_STATUSES, Member
from dangjian.territory.models import Area

from .models import NEW_SECTOR_KINDS, CoverageRule, ResidentUnit, UnitKind

DEFAULT_MIN_MEMBERS = CoverageRule._meta.get_field("min_members_for_single").default
DEFAULT_MIN_STAFF = CoverageRule._meta.get_field("min_staff_social_org").default
NEW_SECTOR = frozenset(k.value for k in NEW_SECTOR_KINDS)
RED = frozenset({UnitKind.OWNERS_COMMITTEE.value, UnitKind.PROPERTY_COMPANY.value})
SOCIAL, OWNERS, PROPERTY = (
    UnitKind.SOCIAL_ORGANIZATION.value,
    UnitKind.OWNERS_COMMITTEE.value,
    UnitKind.PROPERTY_COMPANY.value,
)
# The coverage figures (units.coverage.Figures), one counter each, in its field order.
COUNTS = (
    "units",
    "single",
    "joint",
    "with_members",
    "with_members_formed",
    "due_single",
    "due_single_own",
    "due_single_joint",
    "new_sector",
    "new_sector_covered",
    "big_social",
    "big_social_covered",
    "work_covered",
    "blank",
    "owners_committees",
    "red_owners_committees",
    "property_companies",
    "red_property",
    "owners_committees_work_covered",
    "property_work_covered",
)


def unit_counts(
    *,
    kind: str,
    staff: int,
    members: int,
    has_org: bool,
    own: bool,
    instructor: bool,
    org_inside: bool,
    min_members: int,
    min_staff: int,
) -> dict[str, int]:
    """The figures one unit meets (1) or not (0): the same conditions as units.coverage.FIGURE_SQL."""
    red = has_org or (kind in RED and org_inside)
    red_work = red or instructor
    due = members >= min_members
    big_social = kind == SOCIAL and staff >= min_staff
    out = {
        "units": 1,
        "single": has_org and own,
        "joint": has_org and not own,
        "with_members": members >= 1,
        "with_members_formed": members >= 1 and has_org,
        "due_single": due,
        "due_single_own": due and own,
        "due_single_joint": due and has_org and not own,
        "new_sector": kind in NEW_SECTOR,
        "new_sector_covered": kind in NEW_SECTOR and has_org,
        "big_social": big_social,
        "big_social_covered": big_social and has_org,
        "work_covered": has_org or instructor,
        "blank": not has_org and (members >= 1 or big_social),
        "owners_committees": kind == OWNERS,
        "red_owners_committees": kind == OWNERS and red,
        "property_companies": kind == PROPERTY,
        "red_property": kind == PROPERTY and red,
        "owners_committees_work_covered": kind == OWNERS and red_work,
        "property_work_covered": kind == PROPERTY and red_work,
    }
    return {name: int(bool(value)) for name, value in out.items()}


class UnitFacts(facts.Subject):
    name = "units"
    model = ResidentUnit
    stock = True
    cohort_field = "created_at"  # a rebuild counts a unit, as it is now, from the day it was created
    counts = COUNTS
    dims = {"kind": None}
    fields = (
        "created_at",
        "kind",
        "staff_count",
        "member_count",
        "instructor",
        "party_org_id",
        "party_org__unit",
        "party_org__path",
        "community__path",
    )

    def node(self, row: Mapping[str, Any]) -> str | None:
        return row["community__path"]

    def extras(self, pks: list[int]) -> dict[int, Any]:
        on_record = dict(
            Member.objects.filter(workplace_id__in=pks, status__in=ACTIVE_STATUSES)
            .order_by()
            .values_list("workplace_id")
            .annotate(n=Count("pk"))
        )
        located = set(PartyOrg.objects.filter(unit_id__in=pks).values_list("unit_id", flat=True))
        rules = {
            path: (m, s)
            for path, m, s in CoverageRule.objects.values_list(
                "district__path", "min_members_for_single", "min_staff_social_org"
            )
        }
        return {pk: (on_record.get(pk, 0), pk in located, rules) for pk in pks}

    def part(self, row: Mapping[str, Any], extra: Any, now: datetime.datetime) -> facts.Part | None:
        path = self.node(row)
        if not path:
            return None
        on_record, located, rules = extra if extra is not None else (0, False, {})
        m, s = rules.get(row["community__path"][:STEP], (DEFAULT_MIN_MEMBERS, DEFAULT_MIN_STAFF))
        has_org = row["party_org_id"] is not None
        counts = unit_counts(
            kind=row["kind"],
            staff=row["staff_count"],
            members=max(row["member_count"], on_record),
            has_org=has_org,
            own=has_org and row["party_org__unit"] == row["pk"],
            instructor=bool(row["instructor"]),
            org_inside=located,
            min_members=m,
            min_staff=s,
        )
        created = row["created_at"] or now
        return facts.Part(day=timezone.localdate(created), area_path=path, dims=(f"kind:{row['kind']}",), counts=counts)

    def follows(self) -> list[facts.Follow]:
        return [
            facts.Follow(Member, ("workplace_id", "status"), lambda v: [v["workplace_id"]]),
            facts.Follow(PartyOrg, ("unit_id",), _units_of_org),
            facts.Follow(CoverageRule, ("district_id",), _units_of_district),
            facts.Follow(Area, ("path",), _units_of_community),  # after a move: facts.record_bulk(Area, ...)
        ]


def _units_of_community(values: Mapping[str, Any]) -> list[int]:
    return list(ResidentUnit.objects.filter(community_id=values["pk"]).values_list("pk", flat=True))


def _units_of_org(values: Mapping[str, Any]) -> list[int]:
    """The units an organization's write may change: the unit it belongs to, those organized into it."""
    pks = list(ResidentUnit.objects.filter(party_org_id=values["pk"]).values_list("pk", flat=True))
    return [*pks, values["unit_id"]] if values["unit_id"] else pks


def _units_of_district(values: Mapping[str, Any]) -> list[int]:
    path = Area.objects.filter(pk=values["district_id"]).values_list("path", flat=True).first()
    if path is None:
        return []
    return list(ResidentUnit.objects.filter(community__path__startswith=path).values_list("pk", flat=True))


class UnitOrgFacts(UnitFacts):
    """The same parts, placed at the unit's organization (the organization tree)."""

    name = "units_org"

    def node(self, row: Mapping[str, Any]) -> str | None:
        return row["party_org__path"]


UNITS = facts.register(UnitFacts())
UNITS_ORG = facts.register(UnitOrgFacts())
