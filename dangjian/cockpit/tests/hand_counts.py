"""The seed figures added to the catalogue (territory, organizations, the weak-organization register,
volunteer teams, centres, whistles, demands and liaison problems by kind or source, dues, funds,
assessment grades) counted from the raw rows under a node, for test_catalogue (counting rows here is
the point: nothing of the store or of the subjects' own code is used)."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db.models import Q, Sum

from dangjian.assessment.models import Grade, Sheet, SheetStatus
from dangjian.cases.models import Whistle
from dangjian.cases.workflow import CLOSED_STATUSES
from dangjian.centers.models import CenterStandard, Norm, ServiceCenter
from dangjian.centers.selectors import circle_for
from dangjian.cobuilding.facts import matter_solved
from dangjian.cobuilding.models import Matter as JointMatter
from dangjian.cockpit import readings
from dangjian.core.periods import Period
from dangjian.core.tree import STEP
from dangjian.demands.models import Demand, DemandKind, DemandStatus
from dangjian.demands.workflow import SERVED_STATUSES
from dangjian.dues.models import DuesMonth
from dangjian.funds.models import FloorBasis, FundKind, Journal, JournalKind, Rule
from dangjian.funds.rules import floor_of
from dangjian.orgs.models import PartyOrg, WeakOrgCase
from dangjian.territory.models import Area, Level
from dangjian.volunteering.models import Team, TeamMember

PARTY_ORG_TYPES = (
    "district_committee",
    "working_committee",
    "community_committee",
    "expanded_committee",
    "temp_committee",
    "general_branch",
    "branch",
    "joint_branch",
    "estate_branch",
    "temp_branch",
)
BRANCH_TYPES = ("branch", "joint_branch", "estate_branch", "temp_branch")


def rate(num: int, den: int) -> float | None:
    return round(100 * num / den, 1) if den else None


def ytd_q(field: str, on: datetime.date) -> Q:
    span = readings.year_to_date(on)
    period = Period("custom", span.date_from, span.date_to)
    return Q(**{f"{field}__gte": period.start, f"{field}__lt": period.end})


def fen(amount) -> int:
    return int((Decimal(amount or 0) * 100).quantize(Decimal(1)))


def seed_figures_by_hand(node: Area, on: datetime.date) -> dict[str, float | int | None]:
    path = node.path
    out: dict[str, float | int | None] = {}
    areas = Area.objects.filter(path__startswith=path)
    out["communities"] = areas.filter(level=Level.COMMUNITY).count()
    out["grids"] = areas.filter(level=Level.GRID).count()

    orgs = PartyOrg.objects.filter(area__path__startswith=path, closed_on__isnull=True)
    out["party_orgs"] = orgs.filter(org_type__in=PARTY_ORG_TYPES).count()
    out["party_branches"] = orgs.filter(org_type__in=BRANCH_TYPES).count()
    out["estate_branches"] = orgs.filter(org_type="estate_branch").count()
    weak = WeakOrgCase.objects.filter(org__area__path__startswith=path)
    delisted = weak.filter(status="delisted").count()
    out["weak_open"] = weak.filter(status__in=["flagged", "rectifying", "applied_for_delisting"]).count()
    out["weak_delisted"] = delisted
    out["weak_delisted_rate"] = rate(delisted, weak.count())

    teams = Team.objects.filter(area__path__startswith=path, is_active=True)
    out["volunteer_teams"] = teams.count()
    out["volunteers"] = TeamMember.objects.filter(team__in=teams, left_at__isnull=True).count()

    demands = Demand.objects.filter(ytd_q("submitted_at", on), area_path__startswith=path).exclude(
        status=DemandStatus.WITHDRAWN
    )
    done = demands.filter(status__in=SERVED_STATUSES)
    out["family_help_done"] = done.filter(kind=DemandKind.FAMILY_HELP).count()
    out["micro_wish_done"] = done.filter(kind=DemandKind.MICRO_WISH).count()

    liaison = JointMatter.objects.filter(
        ytd_q("raised_at", on), area_path__startswith=path, comeeting__isnull=True, visit__isnull=True
    )
    out["liaison_problems"] = liaison.count()
    solved = matter_solved(list(liaison.values_list("pk", "outcome", "target_id")))
    out["liaison_problems_solved"] = sum(1 for v in solved.values() if v)

    whistles = Whistle.objects.filter(ytd_q("blown_at", on), case__area_path__startswith=path)
    out["whistles"] = whistles.count()
    out["whistles_solved"] = whistles.filter(case__status__in=CLOSED_STATUSES).count()

    standards = {s.level: s for s in CenterStandard.objects.all()}
    centers = list(ServiceCenter.objects.filter(area__path__startswith=path, is_active=True))

    def area_met(c: ServiceCenter) -> bool:
        s = standards.get(c.level)
        return s is None or c.floor_area >= s.min_area

    def all_met(c: ServiceCenter) -> bool:
        s = standards.get(c.level)
        functions = s is None or all(f in (c.functions or []) for f in s.required_functions)
        norms = all((c.norms or {}).get(code) for code in Norm.values)
        return area_met(c) and functions and norms

    out["centers"] = len(centers)
    out["centers_area_rate"] = rate(sum(area_met(c) for c in centers), len(centers))
    out["centers_standard_rate"] = rate(sum(all_met(c) for c in centers), len(centers))
    # The ten-minute circle as its own page computes it (geometry over the district's open centres).
    circle = circle_for(node) if node.level != Level.GRID else None
    out["circle_coverage"] = rate(circle.total.covered_estates, circle.total.estates) if circle else None

    dues = list(
        DuesMonth.objects.filter(ytd_q("month_start", on), area_path__startswith=path).values_list(
            "amount_due", "adjustment", "paid"
        )
    )
    owed = [(max(Decimal(0), due + adj), paid) for due, adj, paid in dues]
    out["dues_settled_rate"] = rate(sum(paid >= o for o, paid in owed), len(owed))
    out["dues_paid"] = round(sum(fen(min(paid, o)) for o, paid in owed) / 1_000_000, 2)

    journals = Journal.objects.filter(ytd_q("created_at", on), area_path__startswith=path)
    for key, kind in (("funds_allocated", JournalKind.ALLOCATION), ("funds_paid", JournalKind.PAYMENT)):
        total = journals.filter(kind=kind).aggregate(s=Sum("amount"))["s"]
        out[key] = round(fen(total) / 1_000_000, 2)

    # Floors (the kinds' rules on the year's reckoned bases, or none) against each area's allocations.
    floors = met = 0
    end = Period("custom", on, on).end  # allocations written up to the end of `on`
    areas = Area.objects.filter(path__startswith=path, level__in=[Level.COMMUNITY, Level.SUBDISTRICT])
    for area in areas:
        basis = FloorBasis.objects.filter(area=area, year=on.year).first()
        kinds = FundKind.objects.filter(district__path=area.path[:STEP], level=area.level, active=True)
        for kind in kinds.exclude(rule=Rule.NONE):
            floor = floor_of(kind, households=basis.households if basis else 0, members=basis.members if basis else 0)
            if floor > 0:
                given = Journal.objects.filter(
                    kind=JournalKind.ALLOCATION, area=area, fund=kind.code, year=on.year, created_at__lt=end
                ).aggregate(s=Sum("amount"))["s"]
                floors += 1
                met += (given or 0) >= floor
    out["fund_floors_met"] = rate(met, floors)

    sheets = Sheet.objects.filter(ytd_q("cohort_at", on), area_path__startswith=path)
    published = sheets.filter(status=SheetStatus.PUBLISHED)
    out["assessment_published"] = published.count()
    out["assessment_good_rate"] = rate(published.filter(grade=Grade.GOOD).count(), published.count())
    return out
