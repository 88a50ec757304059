"""Reads of resident units: the unit list and its formation annotation, the kinds a place offers,
candidates for forms. The coverage figures are in coverage.py."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import (
    Case,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import Substr
from django.utils.translation import gettext as _

from dangjian.core.scoping import prefix_q
from dangjian.core.search import name_or_pinyin_q
from dangjian.core.tree import STEP, ancestor_paths
from dangjian.orgs.models import OrgType, PartyOrg
from dangjian.territory.models import Area, Level

from .coverage import RED_KINDS, Rules, Thresholds, effective_members
from .models import NEW_SECTOR_KINDS, Department, ResidentUnit, UnitKind, UnitKindOption


def unit_kind_choices(path: str | None) -> list[tuple[str, str]]:
    """The unit kinds a place under `path` offers (its district's own, else the defaults)."""
    return list(UnitKindOption.for_district_path(path).values_list("code", "name"))


# -- lists -------------------------------------------------------------------------------------------
class Formation:
    SINGLE = "single"
    JOINT = "joint"
    NONE = "none"


# The unit list's order (core.keyset: stored columns, the last one unique): units_unit_name.
UNIT_ORDER = ("name", "pk")


def formation_choices() -> list[tuple[str, str]]:
    return [(Formation.SINGLE, _("单独组建")), (Formation.JOINT, _("联合组建")), (Formation.NONE, _("未组建"))]


class Sector:
    NEW = "new"  # 两新组织: non-public enterprises and social organizations (units.facts "new_sector")


def sector_choices() -> list[tuple[str, str]]:
    return [(Sector.NEW, _("两新组织（非公企业、社会组织）"))]


class Covered:
    """The list's coverage filter, each the condition of a coverage figure (units.facts.unit_counts)."""

    ORG = "org"  # has its own or a joint Party organization: new_sector_covered among 两新组织
    RED = "red"  # an organization, or (业委会, 物业) one located at it: red_owners_committees
    WORK = "work"  # RED or a Party-building instructor: owners_committees_work_covered
    BLANK = "blank"  # 党建空白点: blank


def covered_choices() -> list[tuple[str, str]]:
    return [
        (Covered.ORG, _("已建党组织（单独或联合）")),
        (Covered.RED, _("有党组织（含业委会、物业内设）")),
        (Covered.WORK, _("有党组织或党建指导员")),
        (Covered.BLANK, _("党建空白点")),
    ]


def _covered(units: QuerySet, covered: str, rules: Rules | None) -> QuerySet:
    """`units` (annotated with eff_members) narrowed to those meeting one coverage condition, as the
    figures store counts them (units.facts.unit_counts, units.coverage.FIGURE_SQL)."""
    has_org = Q(party_org__isnull=False)
    located = Q(kind__in=RED_KINDS) & Exists(PartyOrg.objects.filter(unit=OuterRef("pk")))
    if covered == Covered.ORG:
        return units.filter(has_org)
    if covered == Covered.RED:
        return units.filter(has_org | located)
    if covered == Covered.WORK:
        return units.filter(has_org | located | ~Q(instructor=""))
    if covered == Covered.BLANK:
        # As coverage.blank_spots: each unit by its district's rule; "no organization" as an expression.
        _m, min_staff = (rules or Rules(Thresholds())).expressions()
        if rules is not None and rules.by_unit_district:
            units = units.alias(district_key=Substr("community__path", 1, STEP))
        no_org = Case(When(party_org__isnull=True, then=Value(1)), default=Value(0), output_field=IntegerField())
        return units.alias(no_org=no_org, min_staff=min_staff).filter(
            Q(no_org=1),
            Q(eff_members__gte=1) | Q(kind=UnitKind.SOCIAL_ORGANIZATION, staff_count__gte=F("min_staff")),
        )
    return units


def with_formation(units: QuerySet) -> QuerySet:
    return units.annotate(
        formation=Case(
            When(party_org__isnull=True, then=Value(Formation.NONE)),
            When(party_org__unit=F("pk"), then=Value(Formation.SINGLE)),
            default=Value(Formation.JOINT),
        )
    )


def unit_list(
    user: Any,
    *,
    query: str = "",
    kind: str = "",
    formation: str = "",
    community: Area | None = None,
    area: Area | None = None,
    sector: str = "",
    covered: str = "",
    rules: Rules | None = None,
) -> QuerySet:
    """The units the user sees, filtered. `covered` (Covered) as the coverage figures count it; a blank
    spot by `rules` (the thresholds of the units' district: coverage.rules_for)."""
    units = with_formation(ResidentUnit.objects.visible_to(user)).annotate(eff_members=effective_members())
    if query:
        q = name_or_pinyin_q(query)
        if query.isascii() and query.isalnum():
            q |= Q(credit_code__icontains=query.upper())
        units = units.filter(q)
    if kind:
        units = units.filter(kind=kind)
    if formation:
        units = units.filter(formation=formation)
    if sector == Sector.NEW:
        units = units.filter(kind__in=NEW_SECTOR_KINDS)
    if covered:
        units = _covered(units, covered, rules)
    if community is not None:
        units = units.filter(community=community)
    if area is not None:
        units = units.filter(prefix_q("community__path", area.path))
    return units.select_related("community", "party_org").order_by(*UNIT_ORDER)


def attach_unit_facts(units: list[ResidentUnit]) -> list[ResidentUnit]:
    """Set formation and eff_members (unit_list's annotations) on a page of units: one query (a keyset
    page reads its rows without annotations)."""
    ids = [u.pk for u in units]
    facts = {
        pk: (formation, eff)
        for pk, formation, eff in with_formation(ResidentUnit.objects.filter(pk__in=ids))
        .annotate(eff_members=effective_members())
        .order_by()
        .values_list("pk", "formation", "eff_members")
    }
    for unit in units:
        unit.formation, unit.eff_members = facts.get(unit.pk, (Formation.NONE, 0))  # type: ignore[attr-defined]
    return units


def communities_visible(user: Any) -> QuerySet:
    return Area.objects.visible_to(user).filter(level=Level.COMMUNITY).order_by("path")


# -- formation choices ------------------------------------------------------------------------------
# Organizations that may cover units other than their own: joint branches; estate branches for
# the owners' committee and the property company of their estate (红色业委会 / 红色物业).
JOINT_TYPES = [OrgType.JOINT_BRANCH]
ESTATE_KINDS = [UnitKind.OWNERS_COMMITTEE, UnitKind.PROPERTY_COMPANY]
# Where a unit's own new branch may sit.
BRANCH_PARENT_TYPES = [
    OrgType.COMMUNITY_COMMITTEE,
    OrgType.EXPANDED_COMMITTEE,
    OrgType.GENERAL_BRANCH,
    OrgType.WORKING_COMMITTEE,
]


def _covering_q(unit: ResidentUnit) -> Q:
    """Organizations whose territory contains the unit's community (the community or above it)."""
    path = unit.community.path
    return Q(area__path__in=[*ancestor_paths(path), path])


def formation_candidates(unit: ResidentUnit, user: Any) -> QuerySet:
    """What the formation page offers: the unit's own organizations, joint branches covering its
    community, and (owners' committees, property companies) estate branches of its community."""
    allowed = Q(unit=unit) | (Q(org_type__in=JOINT_TYPES, unit__isnull=True) & _covering_q(unit))
    if unit.kind in ESTATE_KINDS:
        allowed |= Q(org_type=OrgType.ESTATE_BRANCH, unit__isnull=True, area=unit.community)
    return PartyOrg.objects.visible_to(user).filter(allowed).select_related("area").order_by("path")


def branch_parent_candidates(unit: ResidentUnit, user: Any) -> QuerySet:
    return (
        PartyOrg.objects.visible_to(user)
        .filter(_covering_q(unit), org_type__in=BRANCH_PARENT_TYPES)
        .order_by("-depth", "path")
    )


def departments_for_committee(committee: PartyOrg, *, within: Area) -> QuerySet:
    """Departments whose staff may sit on the committee: those serving an area above it (区直部门) or
    inside the area its adjunct members come from."""
    above = ancestor_paths(committee.area.path) + [committee.area.path]
    return (
        Department.objects.filter(Q(area__path__in=above) | prefix_q("area__path", within.path))
        .select_related("area")
        .order_by("area__path", "name")
    )


def units_for_selection(user: Any, *, within: Area | None = None, exclude_ids: Iterable[int] = ()) -> QuerySet:
    units = ResidentUnit.objects.visible_to(user)
    if within is not None:
        units = units.filter(prefix_q("community__path", within.path))
    return units.exclude(pk__in=list(exclude_ids)).select_related("community").order_by("community__path", "name")
