"""Reads: the formation and coverage figures of any node of the two trees (the coverage pages).

The figures (shown with these definitions on the coverage page)
----------------------------------------------------------------
A node's units are, for a territory node, the units whose community lies in its subtree; for
an organization node, the units whose `party_org` lies in the organization's subtree. Each unit:

- 党员数 (members) = the larger of the number the unit reports (`member_count`) and the members
  on record who work there (Member.workplace = the unit, still on an organization's books).
- 单独组建 (single formation): `party_org` is the unit's own organization (party_org.unit = the unit).
  联合组建 (joint formation): `party_org` is set but is not the unit's own (a joint or estate branch).
  未组建: no `party_org`.
- Thresholds come from the CoverageRule of the unit's district (defaults 3 and 30):
  m = min_members_for_single, s = min_staff_social_org.

The rates (numerator ÷ denominator; a rate whose denominator is 0 is shown "—", never 0 %):

- 单建率 = units with ≥ m members that have their own organization ÷ units with ≥ m members.
- 组建率（单建+联建） = units with ≥ 1 member that have an organization (single or joint)
  ÷ units with ≥ 1 member.
- 组织覆盖率（两新组织） = non-public enterprises and social organizations that have an organization
  ÷ non-public enterprises and social organizations.
- 社会组织覆盖率 = social organizations with ≥ s staff that have an organization ÷ such social organizations.
- 工作覆盖率 = units that have an organization or a Party-building instructor (党建指导员) ÷ all units.
- 空白点 = units the rules say must have an organization and that have none: units with ≥ 1 member
  (≥ m: should form their own; fewer: their own or a joint one), and social organizations with
  ≥ s staff.
- 红色业委会 / 红色物业 share = owners' committees (property companies) with Party members or a
  Party organization inside — a PartyOrg located at the unit, or `party_org` set, or members
  (reported or on record) — ÷ all owners' committees (property companies).

Where they are read from
------------------------
A node's figures (area_figures, org_figures) and its coverage page's breakdowns (area_coverage,
org_coverage: per child node and per kind) are read from the figures store (units/facts.py: every unit
a stock of one count per figure it meets, placed at its community and at its organization), as of the
end of any date (`on`, default today): a few indexed queries whatever the number of units, and the same
figures for any past date (the seeds' before/after). Each unit is judged by its own district's rule.
Given a `units` queryset instead (a set narrower than the node's subtree), they are counted from the
units themselves: ONE aggregate query over the units (plus one for the rule), the breakdown one more
GROUP BY, no per-unit Python loop; so are figures_of and kind_breakdown, and the blank-spot lists.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, fields
from typing import Any

from django.db import connections
from django.db.models import (
    Case,
    Count,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Greatest, Substr
from django.utils.translation import gettext as _

from dangjian.core.figures import facts
from dangjian.core.scoping import prefix_q
from dangjian.core.tree import STEP
from dangjian.orgs.models import PartyOrg
from dangjian.people.models import ACTIVE_STATUSES, Member
from dangjian.territory.models import Area, Level

from .facts import COUNTS, UNITS, UNITS_ORG
from .models import NEW_SECTOR_KINDS, CoverageRule, ResidentUnit, UnitKind, UnitKindOption

DEFAULT_MIN_MEMBERS = CoverageRule._meta.get_field("min_members_for_single").default
DEFAULT_MIN_STAFF = CoverageRule._meta.get_field("min_staff_social_org").default
KIND_LABELS = {k.value: str(k.label) for k in UnitKind}


# Kinds whose "red" share is reported (红色业委会, 红色物业). Red means a Party organization in it (its own or a
# joint one, or one located at it): the seed's 业委会党组织覆盖率. Members alone do not make it red; its work
# coverage (an organization or a Party-building instructor: the seed's 工作覆盖率) is counted separately.
RED_KINDS = [UnitKind.OWNERS_COMMITTEE, UnitKind.PROPERTY_COMPANY]


# -- rules ----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Thresholds:
    min_members_for_single: int = DEFAULT_MIN_MEMBERS
    min_staff_social_org: int = DEFAULT_MIN_STAFF
    custom: bool = False  # False: no CoverageRule row, the defaults apply


def district_path_of(path: str) -> str:
    """The district's path for any territory path (districts are the roots of the territory tree)."""
    return path[:STEP]


def thresholds_for(district_path: str | None) -> Thresholds:
    """The rule of the district at `district_path` (one query), or the defaults."""
    return rules_for(district_path).thresholds


@dataclass(frozen=True)
class Rules:
    """The thresholds that apply below a node, read once: the node's district's rule, or, above
    the districts (the whole deployment), every district's rule that differs from the defaults."""

    thresholds: Thresholds
    by_district: tuple[tuple[str, int, int], ...] = ()  # (district path, m, s)
    whole: bool = False

    def expressions(self) -> tuple[Any, Any]:
        """SQL expressions for m and s per unit: constants inside one district; a CASE on the
        unit's district (the `district_key` alias) above the districts."""
        if not self.whole:
            return Value(self.thresholds.min_members_for_single), Value(self.thresholds.min_staff_social_org)
        members = [When(Q(district_key=p), then=Value(m)) for p, m, _s in self.by_district if m != DEFAULT_MIN_MEMBERS]
        staff = [When(Q(district_key=p), then=Value(s)) for p, _m, s in self.by_district if s != DEFAULT_MIN_STAFF]
        m_expr = Case(*members, default=Value(DEFAULT_MIN_MEMBERS), output_field=IntegerField())
        s_expr = Case(*staff, default=Value(DEFAULT_MIN_STAFF), output_field=IntegerField())
        return (m_expr if members else Value(DEFAULT_MIN_MEMBERS), s_expr if staff else Value(DEFAULT_MIN_STAFF))

    @property
    def by_unit_district(self) -> bool:
        return self.whole and any(m != DEFAULT_MIN_MEMBERS or s != DEFAULT_MIN_STAFF for _p, m, s in self.by_district)


def rules_for(district_path: str | None) -> Rules:
    """The rules below a node whose district is at `district_path` (None: the whole deployment). One query."""
    if district_path:
        row = (
            CoverageRule.objects.filter(district__path=district_path)
            .values_list("min_members_for_single", "min_staff_social_org")
            .first()
        )
        return Rules(Thresholds(row[0], row[1], custom=True) if row else Thresholds())
    rows = tuple(CoverageRule.objects.values_list("district__path", "min_members_for_single", "min_staff_social_org"))
    return Rules(Thresholds(), by_district=rows, whole=True)


# -- per-unit expressions -------------------------------------------------------------------------
def members_on_record() -> Coalesce:
    """Members on record working at the unit (correlated count; uses the workplace index)."""
    counted = (
        Member.objects.filter(workplace=OuterRef("pk"), status__in=ACTIVE_STATUSES)
        .order_by()
        .values("workplace")
        .annotate(n=Count("pk"))
        .values("n")[:1]
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def effective_members() -> Greatest:
    return Greatest("member_count", members_on_record(), output_field=IntegerField())


def with_unit_facts(units: QuerySet, rules: Rules) -> QuerySet:
    """Annotate what the rules look at: eff_members, own (1 = single formation), min_members, min_staff."""
    m_expr, s_expr = rules.expressions()
    if rules.by_unit_district:
        units = units.alias(district_key=Substr("community__path", 1, STEP))
    return units.annotate(
        eff_members=effective_members(),
        own=Case(When(party_org__unit=F("pk"), then=Value(1)), default=Value(0), output_field=IntegerField()),
        min_members=m_expr,
        min_staff=s_expr,
    )


# -- the figures ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Rate:
    num: int
    den: int

    @property
    def percent(self) -> float | None:
        return None if self.den == 0 else 100.0 * self.num / self.den

    def __str__(self) -> str:
        pct = self.percent
        return "—" if pct is None else f"{pct:.1f}%"


@dataclass(frozen=True)
class Figures:
    units: int = 0
    single: int = 0
    joint: int = 0
    with_members: int = 0
    with_members_formed: int = 0
    due_single: int = 0
    due_single_own: int = 0
    due_single_joint: int = 0
    new_sector: int = 0
    new_sector_covered: int = 0
    big_social: int = 0
    big_social_covered: int = 0
    work_covered: int = 0
    blank: int = 0
    owners_committees: int = 0
    red_owners_committees: int = 0
    property_companies: int = 0
    red_property: int = 0
    owners_committees_work_covered: int = 0
    property_work_covered: int = 0

    @property
    def unformed(self) -> int:
        return self.units - self.single - self.joint

    @property
    def single_rate(self) -> Rate:
        return Rate(self.due_single_own, self.due_single)

    @property
    def formation_rate(self) -> Rate:
        return Rate(self.with_members_formed, self.with_members)

    @property
    def org_coverage(self) -> Rate:
        return Rate(self.new_sector_covered, self.new_sector)

    @property
    def social_coverage(self) -> Rate:
        return Rate(self.big_social_covered, self.big_social)

    @property
    def work_coverage(self) -> Rate:
        return Rate(self.work_covered, self.units)

    @property
    def red_owners_committee_share(self) -> Rate:
        return Rate(self.red_owners_committees, self.owners_committees)

    @property
    def red_property_share(self) -> Rate:
        return Rate(self.red_property, self.property_companies)

    @property
    def owners_committee_work_share(self) -> Rate:
        return Rate(self.owners_committees_work_covered, self.owners_committees)

    @property
    def property_work_share(self) -> Rate:
        return Rate(self.property_work_covered, self.property_companies)

    def __add__(self, other: Figures) -> Figures:
        return Figures(*(getattr(self, name) + getattr(other, name) for name in FIGURE_FIELDS))

    def chart_rates(self) -> dict[str, float | None]:
        return {
            "single": _round(self.single_rate.percent),
            "formation": _round(self.formation_rate.percent),
            "org": _round(self.org_coverage.percent),
            "work": _round(self.work_coverage.percent),
        }


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


FIGURE_FIELDS = [f.name for f in fields(Figures)]
_SOC, _OWN, _PROP = (
    UnitKind.SOCIAL_ORGANIZATION.value,
    UnitKind.OWNERS_COMMITTEE.value,
    UnitKind.PROPERTY_COMPANY.value,
)
_NEW_SECTOR = tuple(k.value for k in NEW_SECTOR_KINDS)
# Each figure as a condition on one unit row u (columns: kind, staff_count, eff_members, has_org,
# own, instructor_set, org_inside, min_members, min_staff) with its parameters.
_RED = "(u.has_org = 1 OR u.org_inside = 1)"
_RED_WORK = "(u.has_org = 1 OR u.org_inside = 1 OR u.instructor_set = 1)"
FIGURE_SQL: dict[str, tuple[str, tuple[str, ...]]] = {
    "units": ("1 = 1", ()),
    "single": ("u.has_org = 1 AND u.own = 1", ()),
    "joint": ("u.has_org = 1 AND u.own = 0", ()),
    "with_members": ("u.eff_members >= 1", ()),
    "with_members_formed": ("u.eff_members >= 1 AND u.has_org = 1", ()),
    "due_single": ("u.eff_members >= u.min_members", ()),
    "due_single_own": ("u.eff_members >= u.min_members AND u.own = 1", ()),
    "due_single_joint": ("u.eff_members >= u.min_members AND u.has_org = 1 AND u.own = 0", ()),
    "new_sector": ("u.kind IN (%s, %s)", _NEW_SECTOR),
    "new_sector_covered": ("u.kind IN (%s, %s) AND u.has_org = 1", _NEW_SECTOR),
    "big_social": ("u.kind = %s AND u.staff_count >= u.min_staff", (_SOC,)),
    "big_social_covered": ("u.kind = %s AND u.staff_count >= u.min_staff AND u.has_org = 1", (_SOC,)),
    "work_covered": ("(u.has_org = 1 OR u.instructor_set = 1)", ()),
    "blank": ("u.has_org = 0 AND (u.eff_members >= 1 OR (u.kind = %s AND u.staff_count >= u.min_staff))", (_SOC,)),
    "owners_committees": ("u.kind = %s", (_OWN,)),
    "red_owners_committees": (f"u.kind = %s AND {_RED}", (_OWN,)),
    "property_companies": ("u.kind = %s", (_PROP,)),
    "red_property": (f"u.kind = %s AND {_RED}", (_PROP,)),
    "owners_committees_work_covered": (f"u.kind = %s AND {_RED_WORK}", (_OWN,)),
    "property_work_covered": (f"u.kind = %s AND {_RED_WORK}", (_PROP,)),
}
assert list(FIGURE_SQL) == FIGURE_FIELDS == list(COUNTS)


def _unit_rows(units: QuerySet, *, rules: Rules, key: Any) -> QuerySet:
    """One row per unit with the columns the figures read, `key` being what rows are grouped by."""
    # A scalar subquery, looked up per owners' committee or property company only (an EXISTS would
    # be planned by PostgreSQL as a hash over every organization, for every node however small).
    located = Subquery(PartyOrg.objects.filter(unit=OuterRef("pk")).order_by().values("pk")[:1])
    org_inside = Case(
        When(Q(kind__in=RED_KINDS) & Q(located_org__isnull=False), then=Value(1)),
        default=Value(0),
        output_field=IntegerField(),
    )
    rows = with_unit_facts(units.order_by().alias(located_org=located), rules).annotate(
        group_key=key,
        has_org=Case(When(party_org__isnull=False, then=Value(1)), default=Value(0), output_field=IntegerField()),
        instructor_set=Case(When(instructor="", then=Value(0)), default=Value(1), output_field=IntegerField()),
        org_inside=org_inside,
    )
    return rows.values(
        "group_key",
        "kind",
        "staff_count",
        "eff_members",
        "has_org",
        "own",
        "instructor_set",
        "org_inside",
        "min_members",
        "min_staff",
    )


def _aggregate(units: QuerySet, *, rules: Rules, key: Any) -> dict[tuple[Any, str], Figures]:
    """Figures per (value of `key`, unit kind), in one query: SUM(CASE ...) over the per-unit rows.

    Every figure is a count, so a node's figures, its children's and its kinds' are all sums of
    these cells: one scan of the node's units serves the whole coverage page."""
    rows = _unit_rows(units, rules=rules, key=key)
    inner_sql, inner_params = rows.query.get_compiler(using=rows.db).as_sql()
    sums: list[str] = []
    params: list[Any] = []
    for name in FIGURE_FIELDS:
        condition, condition_params = FIGURE_SQL[name]
        sums.append(f"SUM(CASE WHEN {condition} THEN 1 ELSE 0 END)")
        params.extend(condition_params)
    params = [*params, *inner_params]  # the SELECT list's parameters come before the FROM's
    connection = connections[rows.db]
    # An OFFSET keeps both databases from flattening the per-unit rows into the sums, which
    # would evaluate the members-on-record subquery once per figure instead of once per unit.
    fence = "LIMIT -1 OFFSET 0" if connection.vendor == "sqlite" else "OFFSET 0"
    sql = f"SELECT u.group_key, u.kind, {', '.join(sums)} FROM ({inner_sql} {fence}) u GROUP BY u.group_key, u.kind"
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        result = cursor.fetchall()
    return {(row[0], row[1]): Figures(*(int(v or 0) for v in row[2:])) for row in result}


def _sum(cells: Iterable[Figures]) -> Figures:
    total = Figures()
    for cell in cells:
        total = total + cell
    return total


@dataclass(frozen=True)
class Row:
    """One row of a breakdown: a child node (or a kind) and its figures."""

    label: str
    figures: Figures
    node: Any = None  # the child Area or PartyOrg (or the kind's value), when the row is one
    note: str = ""


@dataclass(frozen=True)
class Coverage:
    """A node's figures, its children's (rows) and its unit kinds' (kinds), from one query."""

    figures: Figures
    rows: list[Row]
    kinds: list[Row]


def _coverage(cells: dict[tuple[Any, str], Figures], rows: list[Row]) -> Coverage:
    by_kind: dict[str, list[Figures]] = {}
    for (_key, kind), cell in cells.items():
        by_kind.setdefault(kind, []).append(cell)
    # The built-in kinds in their order, then a district's own kinds (律所, 五类大型企业...) by name.
    builtin = [k.value for k in UnitKind if k.value in by_kind]
    own = sorted((k for k in by_kind if k not in UnitKind.values), key=UnitKindOption.label_of)
    kinds = [Row(UnitKindOption.label_of(k, KIND_LABELS), _sum(by_kind[k]), node=k) for k in [*builtin, *own]]
    return Coverage(_sum(cells.values()), rows, kinds)


def _by_key(cells: dict[tuple[Any, str], Figures]) -> dict[Any, Figures]:
    grouped: dict[Any, list[Figures]] = {}
    for (key, _kind), cell in cells.items():
        grouped.setdefault(key, []).append(cell)
    return {key: _sum(group) for key, group in grouped.items()}


def _figures(m: facts.Measures) -> Figures:
    return Figures(*(m[name] for name in FIGURE_FIELDS))


def _stored_coverage(
    subject: facts.Subject, path: str, *, on: datetime.date | None, children: bool
) -> tuple[dict[str, Figures], dict[str, Figures]]:
    """From the store: the figures per child node (keyed by path; none unless `children`) and per kind
    at the node ("" : every root, summed), as of the end of `on`."""
    day = facts.stock_day(subject, on)
    by_kind: dict[str, Figures] = {}
    for (_path, dim), m in facts.stock_cells(subject, path, on=day, dim_prefix="kind:").items():
        if m.any():
            kind = dim.split(":", 1)[1]
            by_kind[kind] = by_kind.get(kind, Figures()) + _figures(m)
    by_child: dict[str, Figures] = {}
    if children:
        for (child, _dim), m in facts.stock_cells(subject, path, on=day, children=True).items():
            if m.any():
                by_child[child] = _figures(m)
    return by_child, {k: f for k, f in by_kind.items() if f.units}


def _stored_total(subject: facts.Subject, path: str, on: datetime.date | None) -> Figures:
    return _figures(facts.stock_total(subject, path, on=on))


def figures_of(units: QuerySet, *, rules: Rules) -> Figures:
    """All the figures of one set of units, in one query."""
    return _sum(_aggregate(units, rules=rules, key=Value("")).values())


# -- nodes ------------------------------------------------------------------------------------------
def units_under_area(area: Area | None, units: QuerySet | None = None) -> QuerySet:
    base = units if units is not None else ResidentUnit.objects.all()
    return base.filter(prefix_q("community__path", area.path)) if area is not None else base


def units_under_org(org: PartyOrg, units: QuerySet | None = None) -> QuerySet:
    base = units if units is not None else ResidentUnit.objects.all()
    return base.filter(prefix_q("party_org__path", org.path))


def area_rules(area: Area | None) -> Rules:
    return rules_for(district_path_of(area.path) if area is not None else None)


def org_rules(org: PartyOrg) -> Rules:
    return rules_for(district_path_of(org.area.path))


def child_areas(area: Area | None) -> list[Area]:
    """The children of a node that hold communities (never grids), in path order."""
    qs = Area.objects.filter(parent=area) if area is not None else Area.objects.filter(depth=1)
    return list(qs.exclude(level=Level.GRID).order_by("path"))


def area_coverage(
    area: Area | None,
    *,
    units: QuerySet | None = None,
    children: list[Area] | None = None,
    rules: Rules | None = None,
    on: datetime.date | None = None,
) -> Coverage:
    """A territory node's figures (None: the whole deployment, every district by its own rule),
    each child node's (subdistricts, zones, communities; never grids) and each kind's, as of the end
    of `on` (default today): from the store (four indexed queries), or from `units` when given (one
    query; `rules` then applies, and `on` does not)."""
    children = child_areas(area) if children is None else children
    if units is None:
        by_child, by_kind = _stored_coverage(UNITS, area.path if area else "", on=on, children=bool(children))
        rows = [Row(child.name, by_child.get(child.path, Figures()), node=child) for child in children]
        return _coverage({("", kind): f for kind, f in by_kind.items()}, rows)
    depth = area.depth if area is not None else 0
    key = Substr("community__path", 1, (depth + 1) * STEP) if children else Value("")
    cells = _aggregate(units_under_area(area, units), rules=rules or area_rules(area), key=key)
    by_key = _by_key(cells)
    rows = [Row(child.name, by_key.get(child.path, Figures()), node=child) for child in children]
    return _coverage(cells, rows)


def org_coverage(
    org: PartyOrg,
    *,
    units: QuerySet | None = None,
    children: list[PartyOrg] | None = None,
    rules: Rules | None = None,
    on: datetime.date | None = None,
) -> Coverage:
    """An organization node's figures (the units organized into its subtree), each child
    organization's that covers any unit (and the node's own, "本级"), and each kind's, as of the end
    of `on`: from the store, or from `units` when given (one query)."""
    if children is None:
        children = list(PartyOrg.objects.filter(parent=org).order_by("path"))
    if units is None:
        by_key, by_kind = _stored_coverage(UNITS_ORG, org.path, on=on, children=True)
        cells = {("", kind): f for kind, f in by_kind.items()}
        below = _sum(by_key.values())
        own = _sum(cells.values()) + Figures(*(-getattr(below, name) for name in FIGURE_FIELDS))
        if own.units:
            by_key[org.path] = own
    else:
        key = Substr("party_org__path", 1, len(org.path) + STEP)
        cells = _aggregate(units_under_org(org, units), rules=rules or org_rules(org), key=key)
        by_key = _by_key(cells)
    rows = []
    if org.path in by_key:
        rows.append(Row(_("本级直接覆盖"), by_key[org.path], node=None, note="self"))
    rows += [Row(child.name, by_key[child.path], node=child) for child in children if child.path in by_key]
    return _coverage(cells, rows)


def area_figures(
    area: Area | None,
    *,
    units: QuerySet | None = None,
    rules: Rules | None = None,
    on: datetime.date | None = None,
) -> Figures:
    """The figures of a territory node (None: the whole deployment, every district by its own rule) as
    of the end of `on` (default today), from the store (two indexed queries); from `units` when given."""
    if units is None:
        return _stored_total(UNITS, area.path if area is not None else "", on)
    return figures_of(units_under_area(area, units), rules=rules or area_rules(area))


def org_figures(
    org: PartyOrg,
    *,
    units: QuerySet | None = None,
    rules: Rules | None = None,
    on: datetime.date | None = None,
) -> Figures:
    """The figures of an organization node (the units organized into its subtree) as of the end of
    `on`, from the store; from `units` when given."""
    if units is None:
        return _stored_total(UNITS_ORG, org.path, on)
    return figures_of(units_under_org(org, units), rules=rules or org_rules(org))


def area_breakdown(area: Area | None, **kwargs: Any) -> list[Row]:
    """The figures of each child node below a territory node."""
    return area_coverage(area, **kwargs).rows


def org_breakdown(org: PartyOrg, **kwargs: Any) -> list[Row]:
    """The figures of each child organization (and of the units organized into the node itself)."""
    return org_coverage(org, **kwargs).rows


def kind_breakdown(units: QuerySet, *, rules: Rules) -> list[Row]:
    """The figures per unit kind (kinds with no unit left out), in one query."""
    return _coverage(_aggregate(units, rules=rules, key=Value("")), []).kinds


# -- blank spots ------------------------------------------------------------------------------------
def blank_spots(units: QuerySet, *, rules: Rules) -> QuerySet:
    """空白点: units that should have an organization under the rules and have none, most members first.

    Each row has eff_members, min_members and min_staff; `blank_reasons(unit)` says why in Chinese.
    """
    # "No organization" as an expression, not `party_org IS NULL`: SQLite would otherwise walk the
    # party_org index over every unformed unit of the deployment instead of the node's communities.
    no_org = Case(When(party_org__isnull=True, then=Value(1)), default=Value(0), output_field=IntegerField())
    return (
        with_unit_facts(units.alias(no_org=no_org).filter(no_org=1), rules)
        .filter(Q(eff_members__gte=1) | Q(kind=UnitKind.SOCIAL_ORGANIZATION, staff_count__gte=F("min_staff")))
        .select_related("community")
        .order_by("-eff_members", "-staff_count", "name", "pk")
    )


def blank_reasons(unit: Any) -> list[str]:
    """Why an annotated unit (from with_unit_facts) is a blank spot; empty when it is not one."""
    if unit.party_org_id is not None:
        return []
    reasons = []
    eff, m, s = unit.eff_members, unit.min_members, unit.min_staff
    if eff >= m:
        reasons.append(_("有党员 %(n)s 名（≥ %(m)s 名），应单独组建党组织") % {"n": eff, "m": m})
    elif eff >= 1:
        reasons.append(_("有党员 %(n)s 名，应单独或联合组建党组织") % {"n": eff})
    if unit.kind == UnitKind.SOCIAL_ORGANIZATION and unit.staff_count >= s:
        reasons.append(
            _("从业人员 %(n)s 人的社会组织（≥ %(s)s 人），应实现党组织覆盖") % {"n": unit.staff_count, "s": s}
        )
    return reasons


def is_red(unit: ResidentUnit) -> bool:
    """红色业委会 / 红色物业 for one unit (detail page): a Party organization covers it or sits in it.

    Party members alone (reported or on record) do not make it red: that is work, not organizational, coverage."""
    return unit.party_org_id is not None or PartyOrg.objects.filter(unit=unit).exists()
