"""Formation and coverage figures (units.coverage): up to a province, 100,000 resident units, 1,000,000 members.

    DEBUG=1 .venv/bin/python bench/coverage.py [--size small|city|province] [--calls N] [--sample 10] [--seed 7]

Sizes: small = the city tree (130 communities) with 2,000 units and 20,000 members (make bench);
city = the city tree with 10,000 units and 100,000 members; province = as below.

On var/bench_coverage[_<size>].sqlite3 unless DATABASE_URL is set (e.g. postgres://postgres@127.0.0.1:5432/
dj_units_bench). Builds, if the database does not hold them yet: the province scale with the bulk
builder (dangjian.demo.bulk.build_scale("province"): 100 districts, 10,000 communities, 50,000
organizations), then ~100,000 resident units (about a third in their own branch, small ones in
per-community joint branches, some with only an instructor), 1,000,000 members (most linked to a
workplace: on-record counts that mostly match what the units report), and a coverage rule for
every tenth district. All in batches with bulk_create (no services, no audit rows).

The figures store (units/facts.py, people/facts.py) is rebuilt when it does not hold the units yet
(`manage.py facts --rebuild --subject units --subject units_org --subject members`, timed).

Then times, for the whole province (every district by its own rule), a district, a subdistrict
and a community (sampled): area_figures (the cards, from the store: the snapshot look-up and one
aggregate), and the coverage page's reads (figures, per-child and per-kind breakdowns from the store,
the blank-spot first page from the units). Median and p95 per level, queries per call, Python heap
peak of one call (tracemalloc) and the process's peak RSS; the first node's figures are checked
against those counted from the units (one call each, timed: what the page cost before the store;
`--rows N` times N such calls). Then the member counts of an organization's subtree (a district
committee's, 1M members in all) from the store (people.selectors.member_counts) beside the same counts
from the members table. Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import random
import resource
import sys
import time
import tracemalloc

from _setup import add_size_argument, describe_db, line, median, percentile, quiet_debug, setup_django

# size: (bulk tree, resident units, members)
DATA = {
    "small": ("city", 2_000, 20_000),
    "city": ("city", 10_000, 100_000),
    "province": ("province", 100_000, 1_000_000),
}
BATCH = 5_000

# (kind, weight, staff range)
KINDS = [
    ("enterprise", 45, (3, 400)),
    ("social_organization", 12, (2, 90)),
    ("agency", 6, (10, 300)),
    ("state_enterprise", 3, (30, 800)),
    ("school", 5, (20, 200)),
    ("hospital", 3, (20, 600)),
    ("property_company", 8, (5, 150)),
    ("owners_committee", 12, (0, 0)),
    ("other", 6, (1, 60)),
]
REGISTRATION = {
    "agency": "11",
    "school": "12",
    "hospital": "12",
    "social_organization": "52",
    "owners_committee": "Y1",
    "other": "Y1",
}


def build_units_and_members(
    rng: random.Random, units_total: int, members_total: int, progress: bool = True
) -> dict[str, int]:
    from django.db import connection, reset_queries, transaction
    from django.db.models import OuterRef, Subquery
    from tqdm import tqdm

    from dangjian.core.validators import credit_code_check_char
    from dangjian.demo.bulk import Pinyin, distribute, insert_tree
    from dangjian.demo.names import person_name
    from dangjian.demo.units import organization_code
    from dangjian.orgs.models import OrgType, PartyOrg
    from dangjian.people.models import Member
    from dangjian.territory.models import Area, Level
    from dangjian.units.models import CoverageRule, ResidentUnit

    pin = Pinyin()
    communities = list(Area.objects.filter(level=Level.COMMUNITY).order_by("path").values_list("pk", "name"))
    committee_of = dict(
        PartyOrg.objects.filter(org_type__in=[OrgType.COMMUNITY_COMMITTEE, OrgType.EXPANDED_COMMITTEE])
        .order_by("path")
        .values_list("area_id", "pk")
    )
    counts = distribute(units_total, len(communities), rng, lo=1)
    weights = [w for _k, w, _s in KINDS]
    serial = 0
    built: dict[str, int] = {}
    bar = tqdm(
        total=units_total + members_total,
        file=sys.stderr,
        unit="行",
        desc="单位与党员",
        disable=not progress,
        mininterval=1,
    )
    with transaction.atomic():
        # Joint branches first (one in every third community), so units can point at them when created.
        joint_community = [c for k, (c, _name) in enumerate(communities) if k % 3 == 0 and c in committee_of]
        parents = {
            o.pk: o
            for o in PartyOrg.objects.select_for_update().filter(
                org_type__in=[OrgType.COMMUNITY_COMMITTEE, OrgType.EXPANDED_COMMITTEE]
            )
        }
        joint_rows = []
        names = dict(communities)
        for community_id in joint_community:
            joint_rows.append(
                PartyOrg(
                    org_type=OrgType.JOINT_BRANCH,
                    name=f"{names[community_id]}非公企业联合党支部",
                    pinyin=pin(names[community_id], "非公企业联合党支部"),
                    parent=parents[committee_of[community_id]],
                    area_id=community_id,
                )
            )
        insert_tree(PartyOrg, [joint_rows])
        joint_of = {o.area_id: o.pk for o in joint_rows}
        built["联合党支部"] = len(joint_rows)

        # Units, in batches; remember per unit what the members step needs.
        unit_facts: list[tuple[int, int, int, int | None]] = []  # unit pk, community pk, members, org pk
        own_units: list[ResidentUnit] = []
        pending: list[ResidentUnit] = []

        def flush_units():
            ResidentUnit.objects.bulk_create(pending, batch_size=BATCH)
            for unit in pending:
                unit_facts.append((unit.pk, unit.community_id, unit.member_count, unit.party_org_id))
                if getattr(unit, "wants_own", False):
                    own_units.append(unit)
            bar.update(len(pending))
            pending.clear()
            reset_queries()

        for (community_id, community_name), n in zip(communities, counts, strict=True):
            base = community_name.removesuffix("社区")
            for k in range(n):
                kind, _w, (lo, hi) = rng.choices(KINDS, weights=weights)[0]
                staff = rng.randint(lo, hi) if hi else 0
                roll = rng.random()
                members = 0 if roll < 0.4 else rng.randint(1, 2) if roll < 0.65 else rng.randint(3, 50)
                if staff:
                    members = min(members, staff)
                serial += 1
                first17 = REGISTRATION.get(kind, "91") + "440000" + organization_code(f"{serial:08d}")
                unit = ResidentUnit(
                    name=f"{base}{kind[:3].upper()}{k + 1}号单位",
                    pinyin=pin(base) + f"{k + 1}",
                    kind=kind,
                    credit_code=first17 + credit_code_check_char(first17),
                    community_id=community_id,
                    staff_count=staff,
                    member_count=members,
                )
                big_social = kind == "social_organization" and staff >= 30
                if members >= 3 and rng.random() < 0.8:
                    unit.wants_own = True
                elif (1 <= members < 3 or big_social) and community_id in joint_of and rng.random() < 0.7:
                    unit.party_org_id = joint_of[community_id]
                elif rng.random() < 0.4:
                    unit.instructor = person_name(rng)
                pending.append(unit)
                if len(pending) >= BATCH:
                    flush_units()
        flush_units()
        built["驻区单位"] = len(unit_facts)

        # Their own branches, then one UPDATE points each such unit at its branch.
        branches = [
            PartyOrg(
                org_type=OrgType.BRANCH,
                name=f"{unit.name}党支部",
                pinyin=unit.pinyin + "dzb",
                parent=parents[committee_of[unit.community_id]],
                area_id=unit.community_id,
                unit_id=unit.pk,
            )
            for unit in own_units
            if unit.community_id in committee_of
        ]
        insert_tree(PartyOrg, [branches])
        ResidentUnit.objects.filter(
            pk__in=PartyOrg.objects.filter(org_type=OrgType.BRANCH, unit__isnull=False).values("unit_id")
        ).update(
            party_org=Subquery(PartyOrg.objects.filter(unit=OuterRef("pk"), org_type=OrgType.BRANCH).values("pk")[:1])
        )
        built["单独组建党支部"] = len(branches)
        branch_of = {o.unit_id: o.pk for o in branches}
        own_units.clear()
        del branches

        # Members: on record at their workplace (mostly what the unit reports), the rest without one.
        with_workplace = 0
        pending_members: list[Member] = []

        def flush_members():
            Member.objects.bulk_create(pending_members, batch_size=BATCH)
            bar.update(len(pending_members))
            pending_members.clear()
            reset_queries()

        total = 0
        for unit_pk, community_id, reported, org_pk in unit_facts:
            on_record = reported if rng.random() < 0.9 else max(0, reported + rng.randint(-2, 3))
            org_id = branch_of.get(unit_pk) or org_pk or committee_of.get(community_id)
            for _m in range(on_record):
                if total >= members_total:
                    break
                pending_members.append(
                    Member(
                        name=person_name(rng),
                        status="in_service" if rng.random() < 0.95 else "floating",
                        org_id=org_id,
                        workplace_id=unit_pk,
                        home_community_id=community_id,
                    )
                )
                total += 1
                with_workplace += 1
                if len(pending_members) >= BATCH:
                    flush_members()
        community_ids = [c for c, _n in communities]
        while total < members_total:
            community_id = rng.choice(community_ids)
            pending_members.append(
                Member(
                    name=person_name(rng),
                    status=rng.choice(["retired", "retired", "moved_out"]),
                    org_id=committee_of.get(community_id),
                    home_community_id=community_id,
                )
            )
            total += 1
            if len(pending_members) >= BATCH:
                flush_members()
        flush_members()
        built["党员"] = total
        built["其中有工作单位"] = with_workplace

        # Every tenth district has its own rule; the others keep the defaults.
        districts = list(Area.objects.filter(level=Level.DISTRICT).order_by("path").values_list("pk", flat=True))
        rules = [
            CoverageRule(
                district_id=pk, min_members_for_single=rng.choice([3, 5]), min_staff_social_org=rng.choice([30, 50])
            )
            for pk in districts[::10]
        ]
        CoverageRule.objects.bulk_create(rules)
        built["自定义规则的区"] = len(rules)
    bar.close()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return built


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_size_argument(parser)
    parser.add_argument("--calls", type=int, default=None, help="timed calls per level (default 10 small, else 30)")
    parser.add_argument("--sample", type=int, default=10, help="nodes sampled per level (default 10)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--rows", type=int, default=1, help="timed calls counted from the units, per level")
    args = parser.parse_args()
    scale, units_total, members_total = DATA[args.size]
    if args.calls is None:
        args.calls = 10 if args.size == "small" else 30

    setup_django("bench_coverage.sqlite3" if args.size == "province" else f"bench_coverage_{args.size}.sqlite3")
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from dangjian.demo.bulk import SCALES, build_scale
    from dangjian.orgs.models import PartyOrg
    from dangjian.people.models import Member
    from dangjian.territory.models import Area, Level
    from dangjian.units import coverage as selectors
    from dangjian.units.models import ResidentUnit

    line("database", describe_db())
    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    line("migrate", f"{time.perf_counter() - started:.1f}", "s")
    if PartyOrg.objects.count() < SCALES[scale].orgs:
        started = time.perf_counter()
        build_scale(scale, seed=440402, progress=args.size != "small")
        line(f"{scale} scale built (bulk)", f"{time.perf_counter() - started:.1f}", "s")
    if ResidentUnit.objects.count() < units_total:
        started = time.perf_counter()
        built = build_units_and_members(
            random.Random(args.seed), units_total, members_total, progress=args.size != "small"
        )
        line("units and members built (bulk)", f"{time.perf_counter() - started:.1f}", "s")
        line("built", ", ".join(f"{k} {v}" for k, v in built.items()))
    from dangjian.core.models import FactMark

    if not FactMark.objects.filter(subject="units").exists():
        from dangjian.core.figures import facts

        for name in ("units", "units_org", "members"):
            started = time.perf_counter()
            written = facts.rebuild([name])[name]
            line(f"facts {name} rebuilt", f"{time.perf_counter() - started:.1f} s, {written} fact rows")
    quiet_debug()
    line("resident units", ResidentUnit.objects.count())
    line(
        "members",
        f"{Member.objects.count()} ({Member.objects.filter(workplace__isnull=False).count()} with a workplace)",
    )
    line("organizations", PartyOrg.objects.count())
    rng = random.Random(args.seed)

    def page_reads(area):
        """What the coverage page reads for a node (the view's selectors, without the template):
        the rule, the children, one aggregate for the figures, the children's and the kinds', and
        the first page of blank spots (their count is one of the figures)."""
        rules = selectors.area_rules(area)
        children = selectors.child_areas(area) if area is None or area.level != Level.COMMUNITY else []
        coverage = selectors.area_coverage(area, children=children, rules=rules)
        units = selectors.units_under_area(area, ResidentUnit.objects.all())
        first = list(selectors.blank_spots(units, rules=rules)[:20])
        return coverage.figures, coverage.figures.blank, first

    districts = Area.objects.filter(level=Level.DISTRICT).count()
    levels = [(f"whole deployment (all {districts} districts)", [None])]
    for level in (Level.DISTRICT, Level.SUBDISTRICT, Level.COMMUNITY):
        ids = list(Area.objects.filter(level=level).order_by("path").values_list("pk", flat=True))
        picked = sorted(rng.sample(ids, min(args.sample, len(ids))))
        levels.append(
            (
                f"{level.label}/{level.value} ({len(ids)} nodes, {len(picked)} sampled)",
                list(Area.objects.filter(pk__in=picked).order_by("path")),
            )
        )

    for label, nodes in levels:
        sizes = [selectors.units_under_area(node).count() for node in nodes]
        figures = selectors.area_figures(nodes[0])
        with CaptureQueriesContext(connection) as ctx:
            selectors.area_figures(nodes[0])
        figure_queries = len(ctx.captured_queries)
        with CaptureQueriesContext(connection) as ctx:
            _f, blank_count, _first = page_reads(nodes[0])
        page_queries = len(ctx.captured_queries)
        calls = max(3, args.calls if nodes[0] is not None else max(3, args.calls // 3))
        timings, page_timings = [], []
        for k in range(calls):
            node = nodes[k % len(nodes)]
            t0 = time.perf_counter()
            selectors.area_figures(node)
            timings.append((time.perf_counter() - t0) * 1000)
            t0 = time.perf_counter()
            page_reads(node)
            page_timings.append((time.perf_counter() - t0) * 1000)
        tracemalloc.start()
        page_reads(nodes[0])
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        line(
            f"{label}: units per node; first node's figures",
            f"{min(sizes)}-{max(sizes)}; 单建率 {figures.single_rate} "
            f"({figures.single_rate.num}/{figures.single_rate.den}), 组建率 {figures.formation_rate}, "
            f"组织覆盖率 {figures.org_coverage}, 工作覆盖率 {figures.work_coverage}, 空白点 {blank_count}",
        )
        line(
            f"  area_figures ({calls} calls, {figure_queries} queries per call)",
            f"median {median(timings):.1f} ms, p95 {percentile(timings, 95):.1f} ms",
        )
        line(
            f"  coverage page reads ({calls} calls, {page_queries} queries per call)",
            f"median {median(page_timings):.1f} ms, p95 {percentile(page_timings, 95):.1f} ms, "
            f"Python heap peak {peak / 1024:.0f} KiB",
        )
        row_timings = []
        for k in range(max(1, args.rows)):
            node = nodes[k % len(nodes)]
            t0 = time.perf_counter()
            counted = selectors.area_figures(node, units=ResidentUnit.objects.all())
            row_timings.append((time.perf_counter() - t0) * 1000)
            if k == 0:
                agrees = counted == figures
        line(
            f"  area_figures counted from the units ({len(row_timings)} calls; agrees with the store: {agrees})",
            f"median {median(row_timings):.1f} ms, p95 {percentile(row_timings, 95):.1f} ms",
        )
    # Member counts of an organization's subtree: a district committee's (depth 1) and a working committee's.
    from dangjian.people.selectors import member_counts, member_counts_from_rows

    for depth in (1, 2):
        ids = list(PartyOrg.objects.filter(depth=depth).order_by("path").values_list("pk", flat=True))
        orgs = [PartyOrg.objects.get(pk=pk) for pk in sorted(rng.sample(ids, min(args.sample, len(ids))))]
        with CaptureQueriesContext(connection) as ctx:
            member_counts(orgs[0])
        timings, raw = [], []
        for k in range(max(3, args.calls * 3)):
            t0 = time.perf_counter()
            member_counts(orgs[k % len(orgs)])
            timings.append((time.perf_counter() - t0) * 1000)
        agrees = True
        for org in orgs[:3]:
            t0 = time.perf_counter()
            counted = member_counts_from_rows(org)
            raw.append((time.perf_counter() - t0) * 1000)
            agrees = agrees and counted == member_counts(org)
        sizes = [member_counts(org)["members"] for org in orgs]
        line(
            f"member counts of an organization's subtree, depth {depth} ({len(orgs)} sampled, {min(sizes)}-"
            f"{max(sizes)} members, {len(timings)} calls, {len(ctx.captured_queries)} queries per call)",
            f"median {median(timings):.2f} ms, p95 {percentile(timings, 95):.2f} ms",
        )
        line(
            f"  the same counted from the members table ({len(raw)} calls; agrees with the store: {agrees})",
            f"median {median(raw):.1f} ms, max {max(raw):.1f} ms",
        )
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    line("process peak RSS (includes the build when it ran)", f"{rss:.0f}", "MiB")


if __name__ == "__main__":
    main()
