"""Where one Open311 POST spends its time: every SQL statement of one request, then cProfile over many.

    .venv/bin/python bench/open311_profile.py [--size small|city] [--requests 200] [--top 40]

Runs in-process through Django's test Client on the bench's database (the one
bench/open311_throughput.py built: SQLite at --size small, DATABASE_URL for PostgreSQL), with
production settings and DEBUG off. Prints the queries of one warm POST (count and SQL), then the
posts/s of `--requests` POSTs and the top functions by cumulative time. Asserts nothing.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import random
import sys
import time
import urllib.parse
import uuid

from _setup import REPO, add_size_argument, line


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_size_argument(parser)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--top", type=int, default=40)
    parser.add_argument("--sql", action="store_true", help="print the SQL text of each statement")
    args = parser.parse_args()
    var_dir = os.environ.get("DANGJIAN_VAR_DIR", str(REPO / "var"))
    if args.size == "small":
        os.environ.setdefault("DATABASE_URL", f"sqlite:///{var_dir}/bench_open311_small.sqlite3")
    os.environ.setdefault("SECRET_KEY", "bench-only-not-secret")
    os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1,testserver")
    os.environ.setdefault("DANGJIAN_HTTPS", "0")
    os.environ["HUEY_FILE"] = "bench-open311-huey.sqlite3"
    os.environ["HUEY_NAME"] = "bench-open311"
    if args.size != "small":  # as bench/open311_throughput.py: the queue in Redis, as deployed
        os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/13")
    os.environ["DEBUG"] = "0"
    os.environ["DJANGO_SETTINGS_MODULE"] = "open311_settings"
    sys.path[:0] = [str(REPO), str(REPO / "bench")]
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, reset_queries
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from dangjian.cases.models import CaseCategory
    from dangjian.open311 import services
    from dangjian.territory.models import Area, Level

    call_command("migrate", verbosity=0)
    district = Area.objects.filter(level=Level.DISTRICT).order_by("pk").first()
    if district is None:
        raise SystemExit("no territory: run bench/open311_throughput.py at this size first")
    _client, key = services.client_create(actor=None, name=f"profile-{uuid.uuid4().hex[:8]}", district=district)
    grids = list(
        Area.objects.filter(level=Level.GRID, path__startswith=district.path, min_lat__isnull=False).values_list(
            "min_lat", "min_lng", "max_lat", "max_lng"
        )
    )
    codes = list(
        CaseCategory.objects.filter(is_active=True)
        .exclude(attributes__required=True)
        .values_list("code", flat=True)
        .distinct()
    )
    rng = random.Random(311)
    http = Client()

    def post():
        min_lat, min_lng, max_lat, max_lng = rng.choice(grids)
        fields = {
            "api_key": key,
            "jurisdiction_id": district.code or str(district.public_id),
            "service_code": rng.choice(codes),
            "lat": f"{min_lat + (max_lat - min_lat) * rng.uniform(0.4, 0.6):.6f}",
            "long": f"{min_lng + (max_lng - min_lng) * rng.uniform(0.4, 0.6):.6f}",
            "description": f"路灯不亮，已持续{rng.randint(1, 9)}天（{rng.random():.6f}）",
            "first_name": "三",
            "last_name": "张",
        }
        response = http.post(
            "/open311/v2/requests.json",
            urllib.parse.urlencode(fields),
            content_type="application/x-www-form-urlencoded; charset=utf-8",
            headers={"Idempotency-Key": uuid.uuid4().hex},
        )
        if response.status_code != 200:
            raise SystemExit(f"POST answered {response.status_code}: {response.content[:300]!r}")
        return response

    for _n in range(5):  # warm: the grid index, caches
        post()
    with CaptureQueriesContext(connection) as captured:
        post()
    line("database", f"{connection.vendor} {connection.settings_dict['NAME']}")
    line("queries per POST", len(captured.captured_queries))
    for n, q in enumerate(captured.captured_queries, 1):
        sql = q["sql"] if args.sql else q["sql"][:160]
        print(f"  {n:2d}. {q['time']}s {sql}")
    reset_queries()
    profiler = cProfile.Profile()
    t0 = time.perf_counter()
    profiler.enable()
    for _n in range(args.requests):
        post()
    profiler.disable()
    elapsed = time.perf_counter() - t0
    line("posts in-process (profiled)", f"{args.requests / elapsed:.1f}", "/s")
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(args.top)
    print(out.getvalue())
    t0, c0 = time.perf_counter(), time.process_time()
    for _n in range(args.requests):
        post()
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    line("posts in-process (not profiled)", f"{args.requests / wall:.1f}", "/s")
    line("CPU of this process per POST (not profiled)", f"{cpu / args.requests * 1000:.2f}", "ms")


if __name__ == "__main__":
    main()
