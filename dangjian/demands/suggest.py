"""谁来接单: a ranked list of who could take a demand, with the reasons in Chinese.

Candidates are the in-service members living in the demand's community who have an account (their
双报到 registration gives their declared skills), the resident units of the community with a live contact, and
the community's active volunteer teams with a leader. Each gets a score made of parts:

- proximity: lives in the same building (strongest), estate, or grid as the demand;
- skill: one of the skills that meet the demand's need category (NeedCategory.skills) is among the skills
  declared at the member's or unit's open registration (submitted or confirmed: a skill counts as soon as it
  is declared, not only once the community has confirmed where the member lives);
- load: open demands dispatched to or taken by them now (each one counts against);
- rating: average stars of the demands they did that were rated, trusted more with more ratings.

Queries are fixed whatever the number of candidates: one per candidate family, one for the
declared skills, one for load and ratings grouped by assignee.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Avg, Count, Exists, OuterRef, Q
from django.utils.translation import gettext as _

from dangjian.accounts.models import RoleAssignment
from dangjian.accounts.roles import Role
from dangjian.people.models import Member, MemberStatus
from dangjian.registration.models import Registration, RegistrationStatus, ServiceIntention
from dangjian.registration.workflow import OPEN_STATUSES
from dangjian.units.models import ResidentUnit
from dangjian.volunteering.models import Team

from .models import AssigneeKind, Demand
from .workflow import HANDLING_STATUSES

# Weights of the parts of a score (points). Proximity is the strongest signal: a neighbour can come now.
SAME_BUILDING = 50.0
SAME_ESTATE = 40.0
SAME_GRID = 20.0
SKILL = 30.0
PER_OPEN_DEMAND = -8.0
PER_STAR = 10.0  # per star above three, at full trust
FULL_TRUST_RATINGS = 5  # ratings needed for the average to count fully
UNIT_BASE = 5.0  # a unit or team of the community is a fair default when nobody lives nearby
TEAM_BASE = 5.0
LOAD_STATUSES = sorted(HANDLING_STATUSES)


@dataclass
class Suggestion:
    kind: str  # AssigneeKind value
    public_id: str
    name: str
    score: float = 0.0
    parts: dict[str, float] = field(default_factory=dict)
    reasons: list[str] = field(default_factory=list)
    obj: Any = None  # the Member, ResidentUnit or Team

    @property
    def kind_label(self) -> str:
        return str(AssigneeKind(self.kind).label)

    def add(self, part: str, points: float, reason: str = "") -> None:
        if points:
            self.parts[part] = round(self.parts.get(part, 0.0) + points, 1)
            self.score = round(self.score + points, 1)
        if reason:
            self.reasons.append(reason)


def _demand_grid_id(demand: Demand) -> int | None:
    if demand.grid_id:
        return demand.grid_id
    if demand.building_id and demand.building is not None:
        return demand.building.grid_id
    return None


def _members(demand: Demand) -> list[Member]:
    # Members living in the community: the ones the dispatch form offers and the dispatch accepts.
    return list(
        Member.objects.filter(
            status=MemberStatus.IN_SERVICE,
            user__isnull=False,
            user__is_active=True,
            home_community_id=demand.community_id,
        )
        .select_related("home_estate", "home_building", "home_building__estate")
        .order_by("pk")
    )


def _units(demand: Demand) -> list[ResidentUnit]:
    contact = RoleAssignment.objects.filter(unit=OuterRef("pk"), role=Role.UNIT_CONTACT, is_active=True)
    registered = Registration.objects.filter(
        unit=OuterRef("pk"), community_id=demand.community_id, status=RegistrationStatus.CONFIRMED
    )
    return list(
        ResidentUnit.objects.filter(Exists(contact))
        .filter(Q(community_id=demand.community_id) | Exists(registered))
        .order_by("pk")
    )


def _teams(demand: Demand) -> list[Team]:
    community_path = demand.area_path[: len(demand.community.path)] if demand.community_id else ""
    return list(
        Team.objects.filter(is_active=True, leader__isnull=False, area__path__startswith=community_path)
        .select_related("area")
        .order_by("pk")
    )


def _skills(members: list[Member], units: list[ResidentUnit]) -> tuple[dict[int, set[str]], dict[int, set[str]]]:
    """Skills declared at open registrations, by member and by unit (one query).

    A registration waits for the community to confirm where the member lives; the skills it declares are
    the member's own word either way, so a newly registered skill counts at once."""
    by_member: dict[int, set[str]] = {}
    by_unit: dict[int, set[str]] = {}
    if not members and not units:
        return by_member, by_unit
    rows = Registration.objects.filter(
        Q(member_id__in=[m.pk for m in members]) | Q(unit_id__in=[u.pk for u in units]),
        status__in=OPEN_STATUSES,
    ).values_list("member_id", "unit_id", "skills")
    for member_id, unit_id, skills in rows:
        names = {str(s) for s in (skills or [])}
        if member_id:
            by_member.setdefault(member_id, set()).update(names)
        if unit_id:
            by_unit.setdefault(unit_id, set()).update(names)
    return by_member, by_unit


def _history(members: list[Member], units: list[ResidentUnit], teams: list[Team]) -> dict[tuple[str, int], dict]:
    """Open load and rating history per assignee (one grouped query)."""
    if not (members or units or teams):
        return {}
    rows = (
        Demand.objects.filter(
            Q(assigned_member_id__in=[m.pk for m in members])
            | Q(assigned_unit_id__in=[u.pk for u in units])
            | Q(assigned_team_id__in=[t.pk for t in teams])
        )
        .values("assignee_kind", "assigned_member_id", "assigned_unit_id", "assigned_team_id")
        .annotate(
            load=Count("pk", filter=Q(status__in=LOAD_STATUSES)),
            rated=Count("pk", filter=Q(rating__isnull=False)),
            stars=Avg("rating", filter=Q(rating__isnull=False)),
        )
        .order_by()
    )
    out: dict[tuple[str, int], dict] = {}
    for row in rows:
        kind = row["assignee_kind"]
        pk = {
            AssigneeKind.MEMBER: row["assigned_member_id"],
            AssigneeKind.UNIT: row["assigned_unit_id"],
            AssigneeKind.TEAM: row["assigned_team_id"],
        }.get(kind)
        if pk is None:
            continue
        entry = out.setdefault((kind, pk), {"load": 0, "rated": 0, "stars_sum": 0.0})
        entry["load"] += row["load"]
        entry["rated"] += row["rated"]
        entry["stars_sum"] += float(row["stars"] or 0) * row["rated"]
    return out


def _proximity(suggestion: Suggestion, member: Member, demand: Demand, grid_id: int | None) -> None:
    building = member.home_building
    estate = member.home_estate or (building.estate if building is not None else None)
    if demand.building_id and building is not None and building.pk == demand.building_id:
        where = f"{estate.name} {building.name}" if estate is not None else building.name
        suggestion.add("proximity", SAME_BUILDING, _("同住%(where)s") % {"where": where})
    elif demand.estate_id and estate is not None and estate.pk == demand.estate_id:
        suggestion.add("proximity", SAME_ESTATE, _("同住%(where)s") % {"where": estate.name})
    elif grid_id and building is not None and building.grid_id == grid_id:
        name = demand.grid.name if demand.grid_id and demand.grid is not None else ""
        suggestion.add("proximity", SAME_GRID, _("同在%(grid)s") % {"grid": name} if name else _("同一网格"))


def _needed_skills(demand: Demand) -> list[str]:
    """The skills that meet the demand's need category, in their list order (one query)."""
    if not demand.category_id:
        return []
    return list(
        ServiceIntention.objects.filter(need_categories=demand.category_id)
        .order_by("order", "pk")
        .values_list("name", flat=True)
    )


def _skill(suggestion: Suggestion, skills: set[str], needed: list[str]) -> None:
    matched = [name for name in needed if name in skills]
    if matched:
        suggestion.add("skill", SKILL, _("特长：%(skill)s") % {"skill": "、".join(matched)})


def _track_record(suggestion: Suggestion, history: dict | None) -> None:
    load = history["load"] if history else 0
    if load:
        suggestion.add("load", PER_OPEN_DEMAND * load, _("当前承接 %(n)s 件") % {"n": load})
    else:
        suggestion.add("load", 0, _("当前无在办需求"))
    rated = history["rated"] if history else 0
    if rated:
        average = history["stars_sum"] / rated
        trust = min(rated, FULL_TRUST_RATINGS) / FULL_TRUST_RATINGS
        suggestion.add(
            "rating",
            round((average - 3) * PER_STAR * trust, 1),
            _("历史评价 %(stars).1f 星（%(n)s 次）") % {"stars": average, "n": rated},
        )


def suggest_for(demand: Demand, limit: int = 10) -> list[Suggestion]:
    """Who could take `demand`, best first (ties: by name), at most `limit`."""
    grid_id = _demand_grid_id(demand)
    members, units, teams = _members(demand), _units(demand), _teams(demand)
    member_skills, unit_skills = _skills(members, units)
    needed = _needed_skills(demand)
    history = _history(members, units, teams)
    suggestions: list[Suggestion] = []
    for member in members:
        s = Suggestion(AssigneeKind.MEMBER.value, str(member.public_id), member.name, obj=member)
        _proximity(s, member, demand, grid_id)
        _skill(s, member_skills.get(member.pk, set()), needed)
        _track_record(s, history.get((AssigneeKind.MEMBER, member.pk)))
        suggestions.append(s)
    for unit in units:
        s = Suggestion(AssigneeKind.UNIT.value, str(unit.public_id), unit.name, obj=unit)
        s.add("base", UNIT_BASE, _("本社区驻区单位") if unit.community_id == demand.community_id else _("已报到单位"))
        _skill(s, unit_skills.get(unit.pk, set()), needed)
        _track_record(s, history.get((AssigneeKind.UNIT, unit.pk)))
        suggestions.append(s)
    for team in teams:
        s = Suggestion(AssigneeKind.TEAM.value, str(team.public_id), team.name, obj=team)
        label = team.get_fixed_group_display() if team.fixed_group else ""
        reason = _("志愿服务队（%(g)s）") % {"g": label} if label else _("志愿服务队")
        s.add("base", TEAM_BASE, reason)
        _track_record(s, history.get((AssigneeKind.TEAM, team.pk)))
        suggestions.append(s)
    suggestions.sort(key=lambda s: (-s.score, s.name, s.public_id))
    return suggestions[:limit]
