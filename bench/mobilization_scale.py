"""A call-up to every in-service member of a district: the time to issue it (enqueue) and to call
everyone (Call rows, in-app messages and figures, batch by batch); then placement proposals for the
answers over the district's grids (one distance matrix, the nearest grids first); then some answers are
placed through the service and the situation page (figures from the store, the map's grids) is read by
the district admin through gunicorn (median and p95) with its SQL query count.

    DEBUG=1 DATABASE_URL=postgres://postgres@127.0.0.1:5432/dj_h_mobil_bench \\
        .venv/bin/python bench/mobilization_scale.py [--size small|city|province]

Sizes (members with an account / communities × grids each / answers proposed): small 300 / 3 × 4 / 300
(SQLite: make bench); city 10,000 / 50 × 4 / 5,000; province 30,000 / 200 × 3 = 600 grids / 10,000 (the
issue's figures). SQLite unless DATABASE_URL is set (var/bench_mobilization_<size>.sqlite3). Builds once
(bulk inserts); each run issues one new call-up. Prints one figure a line.
"""

from __future__ import annotations

import argparse
import os
import time

from _setup import (
    Server,
    add_size_argument,
    describe_db,
    line,
    median,
    page_query_count,
    percentile,
    quiet_debug,
    setup_django,
    sized,
)

ADMIN, PASSWORD = "mob_bench_admin", "Bench-mobilization-2026"


def square(lng: float, lat: float, size: float = 0.004) -> dict:
    ring = [[lng, lat], [lng + size, lat], [lng + size, lat + size], [lng, lat + size], [lng, lat]]
    return {"type": "Polygon", "coordinates": [ring]}


def build(members: int, communities: int, grids_each: int) -> None:
    from dangjian.accounts.models import User
    from dangjian.orgs.services import org_create
    from dangjian.people.models import Member
    from dangjian.territory.services import area_create

    district = area_create(actor=None, level="district", name="动员基准区", parent=None, code="990021")
    sub = area_create(actor=None, level="subdistrict", name="动员基准街道", parent=district, code="990021001")
    root = org_create(actor=None, org_type="district_committee", name="动员基准区委", parent=None, area=district)
    wc = org_create(actor=None, org_type="working_committee", name="动员基准街道党工委", parent=root, area=sub)
    homes = []
    for k in range(communities):
        community = area_create(actor=None, level="community", name=f"动员{k + 1}社区", parent=sub)
        org = org_create(actor=None, org_type="community_committee", name=f"动员{k + 1}社区党委", parent=wc,
                         area=community)  # fmt: skip
        row, col = divmod(k, 20)
        for g in range(grids_each):
            area_create(actor=None, level="grid", name=f"动员{k + 1}社区{g + 1}网格", parent=community,
                        boundary=square(113.3 + col * 0.02 + g * 0.005, 22.1 + row * 0.02))  # fmt: skip
        homes.append((org, community))
    step = 5000
    for start in range(0, members, step):
        n = range(start, min(members, start + step))
        users = User.objects.bulk_create(
            [User(username=f"mb{i:07d}", full_name=f"党员{i}", mobile=f"137{i:08d}", password="!") for i in n]
        )
        Member.objects.bulk_create(
            [
                Member(
                    name=u.full_name,
                    org=homes[i % communities][0],
                    home_community=homes[i % communities][1],
                    status="in_service",
                    user=u,
                )  # fmt: skip
                for i, u in zip(n, users, strict=True)
            ]
        )


def ensure_admin(district):
    from dangjian.accounts.models import User
    from dangjian.accounts.services import role_assign, user_create

    user = User.objects.filter(username=ADMIN).first()
    if user is None:
        user = user_create(actor=None, username=ADMIN, password=PASSWORD, validate=False)
        role_assign(actor=None, user=user, role="district_admin", area=district)
    return User.objects.get(pk=user.pk)


def report(label: str, timings: list[float]) -> None:
    line(f"{label} median", round(median(timings), 1), "ms")
    line(f"{label} p95", round(percentile(timings, 95), 1), "ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_size_argument(parser)
    args = parser.parse_args()
    os.environ.setdefault("HUEY_FILE", f"bench_mobilization_{args.size}_huey.sqlite3")
    setup_django(f"bench_mobilization_{args.size}.sqlite3")
    quiet_debug()
    from django.core.management import call_command
    from django.urls import reverse
    from django.utils import timezone
    from huey.contrib.djhuey import HUEY

    from dangjian.mobilization import proposals, selectors, services
    from dangjian.mobilization.models import Call, CallStatus
    from dangjian.territory.models import Area

    members = sized(args.size, 300, 10_000, 30_000)
    communities = sized(args.size, 3, 50, 200)
    grids_each = sized(args.size, 4, 4, 3)
    answers = sized(args.size, 300, 5_000, 10_000)
    placements = sized(args.size, 100, 500, 1_000)
    call_command("migrate", verbosity=0)
    line("database", describe_db())
    if not Area.objects.filter(code="990021").exists():
        started = time.perf_counter()
        build(members, communities, grids_each)
        line("build", round(time.perf_counter() - started, 1), "s")
    district = Area.objects.get(code="990021")
    grids = list(Area.objects.filter(level="grid", path__startswith=district.path))
    admin = ensure_admin(district)
    reverse("mobilization:home")  # a running worker has its URLconf loaded: not part of the send time
    HUEY.immediate = False
    now = timezone.now()
    started = time.perf_counter()
    callup = services.callup_issue(
        actor=None, area=district, issued_by=admin, title="基准台风防御", kinds=["patrol"],
        starts_at=now, ends_at=now + timezone.timedelta(days=2), quotas=[(g, 5) for g in grids],
    )  # fmt: skip
    line("issue (enqueue)", round((time.perf_counter() - started) * 1000, 1), "ms")
    HUEY.flush()
    started = time.perf_counter()
    called = services.fanout_run(callup.pk)
    elapsed = time.perf_counter() - started
    line("send call-up", round(elapsed, 2), "s")
    line("send rate", round(called / elapsed) if elapsed else 0, "people/s")
    line("called", called)
    pks = list(Call.objects.filter(callup=callup).order_by("pk").values_list("pk", flat=True)[:answers])
    Call.objects.filter(pk__in=pks).update(status=CallStatus.AVAILABLE, answered_at=now)
    calls = list(Call.objects.filter(pk__in=pks))
    started = time.perf_counter()
    open_grids = proposals.open_grids(callup)
    ranked = proposals.propose_many(calls, open_grids, limit=3)
    elapsed = time.perf_counter() - started
    line("grids open", len(open_grids))
    line("proposals", len(ranked), "answers")
    line("proposal time", round(elapsed, 2), "s")
    line("proposal rate", round(len(ranked) / elapsed) if elapsed else 0, "answers/s")
    line("answers without a proposal", sum(1 for v in ranked.values() if not v))

    # Placing answers on their best proposal with room left (else a grid with room), one service call
    # each (the person's lock, the headcounts, the figures).
    by_pk = {g.pk: g for g in grids}
    room = {g.pk: g.unmet for g in open_grids}
    to_place = []
    for call in calls:
        best = next((p.grid.pk for p in ranked.get(call.pk, []) if room[p.grid.pk] > 0), None)
        if best is None:  # the three nearest are full: the nearest open grid the commander would pick
            best = next((pk for pk, left in room.items() if left > 0), None)
        if best is not None:
            room[best] -= 1
            to_place.append((call, by_pk[best]))
        if len(to_place) >= placements:
            break
    started = time.perf_counter()
    for call, grid in to_place:
        services.placement_confirm(actor=None, call=call, grid=grid)
    elapsed = time.perf_counter() - started
    line("placements", len(to_place))
    line("placement time per person", round(elapsed * 1000 / max(1, len(to_place)), 1), "ms")

    # The situation view: figures per child node and the map's grids from the store.
    started = time.perf_counter()
    total, children = selectors.situation(callup, district)
    features = selectors.map_grids(callup, district)
    line("situation read (in process)", round((time.perf_counter() - started) * 1000, 1), "ms")
    line("situation placed / wanted", f"{total.placed} / {total.wanted}")
    line("situation child nodes", len(children))
    line("map grids", len(features))
    sub = children[0].node if children else district
    paths = {
        "district": reverse("mobilization:detail", args=[callup.public_id]),
        "subdistrict": reverse("mobilization:detail", args=[callup.public_id]) + f"?node={sub.public_id}",
    }
    calls_per_page = sized(args.size, 10, 30, 30)
    with Server() as server:
        session = server.session(ADMIN, PASSWORD)
        for label, path in paths.items():
            server.time_page(session, path, 2)  # warm up
            report(f"situation page ({label})", server.time_page(session, path, calls_per_page))
            line(f"situation page ({label}) SQL queries", page_query_count(admin, path))


if __name__ == "__main__":
    main()
