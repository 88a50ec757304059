"""Co-building figures read from the store of facts: joint meetings held vs due and covenant fulfilment
(obligations vs visits made), at a district and at the whole territory.

    python bench/cobuilding_scale.py --size small                        # SQLite under var/, seconds
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/dj_h_cobuild_bench python bench/cobuilding_scale.py --size province

Sizes (communities / units): small 50 / 500; city 1,000 / 10,000; province 5,000 / 50,000 (ten districts
of ten subdistricts of fifty communities, ten units each). Builds once, behind the signals as a bulk load
is: the territory, a joint board per subdistrict and community with a meeting a month over the last year
(one in twelve missed), a covenant per unit with its obligations, and visits each way for about half the
covenants; then `facts --rebuild` of cobuilding.boards, .meetings, .covenants and .visits (timed). Then
times what the figures page reads (cobuilding/views/figures.py) for the year to today: the district's
and the whole territory's totals and per-child rows.

Prints one figure a line (`name: value unit`); the counts it prints are checked against the raw rows
(a mismatch prints MISMATCH). Asserts nothing; other processes on the machine disturb the timings.
"""

from __future__ import annotations

import argparse
import datetime
import random
import time

from _setup import add_size_argument, describe_db, line, median, percentile, quiet_debug, setup_django, sized

DISTRICT_NAME = "共建基准区"
UNITS_PER_COMMUNITY = 10


def build(districts: int, subdistricts: int, communities: int, rng: random.Random) -> None:
    from django.db import transaction
    from django.utils import timezone

    from dangjian.cobuilding.models import CoMeeting, Covenant, Direction, JointBoard, Visit, noon
    from dangjian.demo.bulk import bulk_insert, insert_tree
    from dangjian.meetings.models import Meeting, MeetingStatus
    from dangjian.territory.models import Area, Level
    from dangjian.units.models import ResidentUnit

    now = timezone.now()
    today = timezone.localdate()
    with transaction.atomic():
        levels: list[list[Area]] = [[], [], []]
        for d in range(districts):
            district = Area(level=Level.DISTRICT, name=f"{DISTRICT_NAME}{d + 1}", parent=None)
            levels[0].append(district)
            for s in range(subdistricts):
                sub = Area(level=Level.SUBDISTRICT, name=f"共建{d + 1}-{s + 1}街道", parent=district)
                levels[1].append(sub)
                for c in range(communities):
                    levels[2].append(Area(level=Level.COMMUNITY, name=f"共建{d + 1}-{s + 1}-{c + 1}社区", parent=sub))
        insert_tree(Area, levels)
        nodes = list(
            Area.objects.filter(level__in=(Level.SUBDISTRICT, Level.COMMUNITY), name__startswith="共建").order_by("pk")
        )
        bulk_insert(
            JointBoard,
            [
                JointBoard(area=a, area_path=a.path, level=a.level, name=f"{a.name}联席会议", created_at=now)
                for a in nodes
            ],
        )
        boards = list(JointBoard.objects.filter(area__in=nodes).select_related("area").order_by("pk"))
        meetings = []
        for board in boards:
            for month in range(12):
                if rng.random() < 1 / 12:
                    continue
                at = now - datetime.timedelta(days=15 + 30 * month)
                meetings.append(
                    Meeting(
                        owner_key=f"cobuilding.joint:{board.pk}", area=board.area, area_path=board.area_path,
                        kind="cobuilding_joint", kind_label="联席会议", title=board.name, starts_at=at,
                        status=MeetingStatus.CLOSED,
                    )
                )  # fmt: skip
        bulk_insert(Meeting, meetings)
        by_owner = {b.pk: b for b in boards}
        rows = Meeting.objects.filter(owner_key__startswith="cobuilding.joint:").values_list(
            "pk", "owner_key", "starts_at"
        )
        bulk_insert(
            CoMeeting,
            [
                CoMeeting(
                    kind="joint", board=(b := by_owner[int(key.split(":")[1])]), meeting_id=pk, area_id=b.area_id,
                    area_path=b.area_path, starts_at=at,
                )
                for pk, key, at in rows
            ],
        )  # fmt: skip
        communities_rows = [a for a in nodes if a.level == Level.COMMUNITY]
        bulk_insert(
            ResidentUnit,
            [
                ResidentUnit(name=f"{c.name}单位{k + 1}", kind="enterprise", community=c)
                for c in communities_rows
                for k in range(UNITS_PER_COMMUNITY)
            ],
        )
        units = ResidentUnit.objects.filter(community__in=communities_rows).select_related("community")
        start = datetime.date(today.year, 1, 1)
        bulk_insert(
            Covenant,
            [
                Covenant(
                    area_id=u.community_id, area_path=u.community.path, unit=u, starts_on=start,
                    ends_on=datetime.date(today.year + 2, 12, 31), meetings=12, unit_visits=1, area_visits=1,
                    projects=1, created_at=now,
                )
                for u in units
            ],
        )  # fmt: skip
        covenants = Covenant.objects.filter(area__in=communities_rows).order_by("pk")
        visits = []
        for c in covenants.values_list("pk", "unit_id", "area_id", "area_path"):
            if rng.random() < 0.5:
                continue
            for direction in Direction.values:
                day = start + datetime.timedelta(days=rng.randint(0, max(0, (today - start).days)))
                visits.append(
                    Visit(
                        direction=direction, covenant_id=c[0], unit_id=c[1], area_id=c[2], area_path=c[3],
                        visited_on=day, visited_at=noon(day), visitor="单位领导", created_at=now,
                    )
                )  # fmt: skip
        bulk_insert(Visit, visits)


def timed(fn, calls: int) -> list[float]:
    out = []
    for _ in range(calls):
        started = time.perf_counter()
        fn()
        out.append((time.perf_counter() - started) * 1000)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_size_argument(parser)
    parser.add_argument("--calls", type=int, default=30)
    parser.add_argument("--no-rebuild", action="store_true", help="keep the facts as they are")
    args = parser.parse_args()
    setup_django(f"bench_cobuilding_{args.size}.sqlite3")
    quiet_debug()
    from django.core.management import call_command
    from django.utils import timezone

    from dangjian.cobuilding.facts import BOARDS, COVENANTS, MEETINGS, VISITS
    from dangjian.cobuilding.models import CoMeeting, Covenant, Visit
    from dangjian.core.figures import facts
    from dangjian.core.periods import period_for
    from dangjian.territory.models import Area, Level

    districts, subdistricts, communities = sized(args.size, (1, 5, 10), (1, 20, 50), (10, 10, 50))
    call_command("migrate", verbosity=0)
    line("database", describe_db())
    first = Area.objects.filter(level=Level.DISTRICT, name=f"{DISTRICT_NAME}1").first()
    if first is None:
        started = time.perf_counter()
        build(districts, subdistricts, communities, random.Random(440402))
        line("build", round(time.perf_counter() - started, 1), "s")
        first = Area.objects.get(level=Level.DISTRICT, name=f"{DISTRICT_NAME}1")
    line("covenants", Covenant.objects.count())
    line("joint meetings", CoMeeting.objects.count())
    line("visits", Visit.objects.count())
    if not args.no_rebuild:
        for subject in (BOARDS, MEETINGS, COVENANTS, VISITS):
            started = time.perf_counter()
            written = facts.rebuild([subject.name])[subject.name]
            line(f"facts --rebuild {subject.name}", round(time.perf_counter() - started, 1), f"s ({written} fact rows)")

    today = timezone.localdate()
    year_start = datetime.date(today.year, 1, 1)
    period = period_for("custom", year_start, today)
    days = (today - year_start).days + 1

    def figures(path: str) -> tuple:
        return (
            facts.stock_total(BOARDS, path, on=today),
            facts.stock_total(COVENANTS, path, on=today),
            facts.total(MEETINGS, path, period),
            facts.total(VISITS, path, period),
            facts.stock_cells(BOARDS, path, on=today, children=True),
            facts.stock_cells(COVENANTS, path, on=today, children=True),
            facts.children(MEETINGS, path, period),
            facts.children(VISITS, path, period),
        )

    for label, path in (("district", first.path), ("all", "")):
        boards, covenants, meetings, visits, *_rest = figures(path)
        due = round(boards["meetings_due_year"] * days / 365)
        visits_due = round((covenants["unit_visits"] + covenants["area_visits"]) * days / 365)
        made = visits["unit_visits"] + visits["area_visits"]
        line(f"{label} joint boards", boards["boards"])
        line(f"{label} joint meetings held", meetings["joint_held"])
        line(f"{label} joint meetings due", due)
        line(f"{label} covenants", covenants["covenants"])
        line(f"{label} covenant visits made", made)
        line(f"{label} covenant visits due", visits_due)
        line(f"{label} covenant visit fulfilment", f"{min(made, visits_due) * 100 / max(visits_due, 1):.1f}", "%")
        raw_held = CoMeeting.objects.filter(
            area_path__startswith=path, starts_at__date__gte=year_start, meeting__status="closed"
        ).count()
        raw_visits = Visit.objects.filter(area_path__startswith=path, visited_on__gte=year_start).count()
        if (raw_held, raw_visits) != (meetings["joint_held"], made):
            line(f"{label} MISMATCH raw", f"{raw_held} meetings, {raw_visits} visits")
        timings = timed(lambda path=path: figures(path), args.calls)
        line(f"{label} figures median", round(median(timings), 1), "ms")
        line(f"{label} figures p95", round(percentile(timings, 95), 1), "ms")


if __name__ == "__main__":
    main()
