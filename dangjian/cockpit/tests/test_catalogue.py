"""Every figure of the catalogue, read from the store, equals a count of the raw rows of the demo
district (this is a test: counting rows here is the point), at the district, a subdistrict and a
community; the children of a node add up to it. (That the list at the bottom of a drill-down holds
as many rows as the figure counts is test_drilldown_lists.py.)"""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.db.models import Exists, F, OuterRef, Q, Sum

from dangjian.cases.facts import SATISFIED
from dangjian.cases.models import Case, CaseStatus
from dangjian.cases.workflow import CLOSED_STATUSES
from dangjian.cobuilding.facts import matter_solved
from dangjian.cobuilding.models import EstateGovernance
from dangjian.cobuilding.models import Matter as JointMatter
from dangjian.cockpit import readings
from dangjian.cockpit.catalogue import BY_KEY, FIGURES
from dangjian.core.periods import Period
from dangjian.deliberation.models import Matter as RunMatter
from dangjian.deliberation.models import Representative, Run, RunStatus
from dangjian.demands.models import Demand, DemandStatus
from dangjian.demands.workflow import SERVED_STATUSES
from dangjian.microprojects.models import Project
from dangjian.microprojects.models import Status as ProjectStatus
from dangjian.orglife.models import Obligation
from dangjian.people.models import Member, MemberStatus
from dangjian.registration.models import Registration, RegistrationKind, RegistrationStatus
from dangjian.territory.models import Area, Level
from dangjian.units.coverage import area_rules, figures_of, units_under_area
from dangjian.workforce.models import Education, Worker, WorkerKind, education_at_least

from .hand_counts import seed_figures_by_hand

pytestmark = pytest.mark.django_db(transaction=True)


def rate(num: int, den: int) -> float | None:
    return round(100 * num / den, 1) if den else None


def ytd_q(field: str, on: datetime.date) -> Q:
    span = readings.year_to_date(on)
    period = Period("custom", span.date_from, span.date_to)
    return Q(**{f"{field}__gte": period.start, f"{field}__lt": period.end})


def hand_count(node: Area, on: datetime.date) -> dict[str, float | int | None]:
    """Each figure of the catalogue counted from the raw rows under `node`."""
    path = node.path
    out: dict[str, float | int | None] = {}
    unit_figures = figures_of(units_under_area(node), rules=area_rules(node))
    out["units"] = unit_figures.units
    out["new_sector_coverage"] = rate(unit_figures.new_sector_covered, unit_figures.new_sector)
    out["blank_units"] = unit_figures.blank
    out["red_committee_coverage"] = rate(unit_figures.red_owners_committees, unit_figures.owners_committees)
    out["committee_work_coverage"] = rate(unit_figures.owners_committees_work_covered, unit_figures.owners_committees)
    estates = EstateGovernance.objects.filter(area_path__startswith=path)
    out["estate_branch_coverage"] = rate(estates.filter(branch__isnull=False).count(), estates.count())

    due = Member.objects.filter(status=MemberStatus.IN_SERVICE, home_community__path__startswith=path)
    confirmed = Registration.objects.filter(
        member=OuterRef("pk"),
        community=OuterRef("home_community"),
        kind=RegistrationKind.MEMBER,
        status=RegistrationStatus.CONFIRMED,
    )
    registered = due.filter(Exists(confirmed)).count()
    out["members_registered"] = registered
    out["registration_rate"] = rate(registered, due.count())
    reps = Representative.objects.filter(council__area_path__startswith=path, active=True)
    out["council_party_share"] = rate(reps.filter(is_party_member=True).count(), reps.count())

    demands = Demand.objects.filter(ytd_q("submitted_at", on), area_path__startswith=path).exclude(
        status=DemandStatus.WITHDRAWN
    )
    done = demands.filter(status__in=SERVED_STATUSES)
    out["demands_received"] = demands.count()
    out["demands_done"] = done.count()
    hours = sum(int(Decimal(h) * 10) for h in done.exclude(hours__isnull=True).values_list("hours", flat=True))
    out["service_hours"] = round(hours / 10, 2)
    projects = Project.objects.filter(ytd_q("proposed_at", on), area_path__startswith=path).exclude(
        status=ProjectStatus.WITHDRAWN
    )
    out["microprojects"] = projects.count()
    paid = projects.aggregate(s=Sum("amount_paid"))["s"] or Decimal(0)
    out["microproject_paid"] = round(int(paid * 100) / 1_000_000, 2)

    cases = Case.objects.filter(ytd_q("received_at", on), area_path__startswith=path).exclude(status=CaseStatus.MERGED)
    closed = cases.filter(status__in=CLOSED_STATUSES)
    rated = cases.exclude(rating="")
    out["cases_received"] = cases.count()
    out["cases_closed"] = closed.count()
    on_time = closed.filter(closed_at__isnull=False, deadline__isnull=False, closed_at__lte=F("deadline"))
    out["cases_on_time_rate"] = rate(on_time.count(), closed.count())
    out["cases_satisfaction"] = rate(rated.filter(rating__in=SATISFIED).count(), rated.count())

    runs = Run.objects.filter(ytd_q("started_at", on), area_path__startswith=path).exclude(status=RunStatus.WITHDRAWN)
    run_matters = RunMatter.objects.filter(run__in=runs)
    out["deliberation_runs"] = runs.count()
    out["deliberation_matters"] = run_matters.count()
    amount = run_matters.aggregate(s=Sum("amount"))["s"] or Decimal(0)
    out["deliberation_amount"] = round(int(amount * 100) / 1_000_000, 2)
    joint = JointMatter.objects.filter(ytd_q("raised_at", on), area_path__startswith=path)
    out["joint_matters"] = joint.count()
    solved = matter_solved(list(joint.values_list("pk", "outcome", "target_id")))
    out["joint_matters_solved"] = sum(1 for v in solved.values() if v)

    workers = list(Worker.objects.filter(active=True, area_path__startswith=path).exclude(area_path=""))
    out["workers"] = len(workers)
    out["workers_80s_share"] = rate(sum(w.birth_date.year >= 1980 for w in workers), len(workers))
    out["workers_bachelor_share"] = rate(
        sum(education_at_least(w.education, Education.BACHELOR) for w in workers), len(workers)
    )
    out["dual_role_share"] = rate(
        sum(bool(w.dual_role) for w in workers), sum(w.kind == WorkerKind.SECRETARY for w in workers)
    )
    span = readings.year_to_date(on)
    obligations = Obligation.objects.filter(
        area_path__startswith=path, period_start__gte=span.date_from, period_start__lte=span.date_to
    )
    out["orglife_compliance"] = rate(
        sum(held >= due for held, due in obligations.values_list("held", "due")), obligations.count()
    )
    out.update(seed_figures_by_hand(node, on))
    return out


def read(node: Area, on: datetime.date) -> dict[str, float | int | None]:
    out = {}
    for f in FIGURES:
        m = readings.measures([f.reading], node.path, on)[f.reading]
        out[f.key] = f.value(m)
    return out


def demo_nodes() -> list[Area]:
    district = Area.objects.get(level=Level.DISTRICT)
    subdistrict = Area.objects.get(name="拱北街道")
    community = Area.objects.get(name="婆石社区")
    return [district, subdistrict, community]


def test_every_figure_equals_a_count_of_the_rows(demo):
    on = readings.today()
    nodes = demo_nodes()
    for node in nodes:
        counted = hand_count(node, on)
        assert set(counted) == {f.key for f in FIGURES}, "every catalogued figure has its hand count"
        stored = read(node, on)
        for key in counted:
            assert stored[key] == counted[key], f"{node.name} {key}: store {stored[key]} ≠ rows {counted[key]}"
    district_values = read(nodes[0], on)
    # The demo gives every figure something to show (a catalogue of zeros would check nothing).
    empty = [f.key for f in FIGURES if not district_values[f.key]]
    assert not empty, f"the demo district shows nothing for {empty}"


def test_children_add_up_to_their_node(demo):
    on = readings.today()
    for node in demo_nodes():
        for f in FIGURES:
            total, children = readings.figure_children(f.key, node, on)
            assert sum(t.num for t in children.values()) == total.num, f"{node.name} {f.key} numerator"
            if f.rate:
                assert sum(t.den for t in children.values()) == total.den, f"{node.name} {f.key} denominator"
            if f.additive and f.scale == 1:
                assert sum(t.value for t in children.values()) == total.value, f"{node.name} {f.key}"


def test_the_catalogue_names_what_each_figure_is():
    for f in FIGURES:
        assert str(f.label) and str(f.definition) and str(f.unit), f.key
        assert BY_KEY[f.key] is f
        assert f.group in {"organization", "members", "service", "governance", "support"}
    assert len(BY_KEY) == len(FIGURES), "keys are unique"


def test_docs_figures_lists_every_figure_and_its_list():
    """docs/figures.md is the same catalogue for people: a row per figure, in the same group, naming
    the list it links to exactly when cockpit.links declares one."""
    from pathlib import Path

    from django.conf import settings

    from dangjian.cockpit.links import LINKS

    text = (Path(settings.BASE_DIR) / "docs" / "figures.md").read_text(encoding="utf-8")
    rows = {}
    for line in text.splitlines():
        if line.startswith("| `"):
            cells = [c.strip() for c in line.strip("|").split("|")]
            rows[cells[0].strip("`")] = cells
    assert set(rows) == set(BY_KEY), "docs/figures.md and the catalogue list the same figures"
    for key, cells in rows.items():
        assert cells[1] == str(BY_KEY[key].label), key
        linked = cells[6] not in ("—", "")
        assert linked == (key in LINKS), f"docs/figures.md: the 明细列表 of {key} {'is' if linked else 'is not'} given"
