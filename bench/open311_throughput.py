"""Open311 POST throughput and latency under concurrent load, beside a bare Django JSON view (the anchor).

    .venv/bin/python bench/open311_throughput.py [--size small|city|province] [--cases N] [--workers 4]
        [--concurrency 16] [--duration 20]

Sizes: small 2,000 cases on SQLite (var/bench_open311_small.sqlite3, seconds; `make bench`), city
100,000 and province 1,000,000 cases on PostgreSQL (DATABASE_URL, else
postgres://postgres@127.0.0.1:5432/dj_bench311, created when missing, never the development
database). Set-up, once per database: migrate, a city-size territory (`demo_district --scale city`:
600 grids) and `--cases` cases over the last year written by dangjian.demo.bulk_cases.generate_cases
(COPY on PostgreSQL). Then the app is served by gunicorn on 127.0.0.1 with `--workers` sync workers and
production settings plus one bench-only URL (bench/open311_settings.py, bench/open311_urls.py: a bare
Django JSON view behind the same middleware), and this process drives it from `--concurrency`
threads, one new connection per request (no keep-alive), for `--duration` seconds per phase after a
warm-up:

1. POST /bench/ceiling.json, form-encoded like an Open311 post (the anchor), then POST
   /bench/one_row.json, which commits one ORM row (an audit row) and answers the same: the least any
   write can do, a second anchor;
2. POST /open311/v2/requests.json: a new case each time (random category and a point inside a
   random grid, an Idempotency-Key), through case_submit: check, place, number, write, log, audit;
   the duplicate search is queued for the Huey workers (a queue of the bench's own, HUEY_NAME
   bench-open311: in Redis at city and province as deployed, REDIS_URL or redis://127.0.0.1:6379/13;
   a SQLite file at small; no consumer runs during the phase, the backlog is printed);
3. GET /open311/v2/requests.json with filters (a service_code, status, a 30-day window, 100 a page).

Prints requests/s, p50 and p95 per phase and the ratio Open311 POST / bare view with its anchor
(goal ≥ 0.5, issue 13). Asserts nothing.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import os
import random
import subprocess
import sys
import threading
import time
import urllib.parse
import uuid

from _setup import REPO, add_size_argument, line, median, percentile, sized

DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/dj_bench311"
DEFAULT_REDIS = "redis://127.0.0.1:6379/13"


def ensure_database(url: str) -> None:
    import psycopg

    parts = urllib.parse.urlparse(url)
    name = parts.path.lstrip("/")
    admin = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is None:
            conn.execute(f'CREATE DATABASE "{name}"')


def prepare(target_cases: int) -> dict:
    """Migrate, build the territory and the cases when missing; a fresh API key each run."""
    import django
    from django.core.management import call_command
    from django.db import connection

    django.setup()
    from dangjian.cases.models import Case, CaseCategory
    from dangjian.demo.bulk_cases import generate_cases
    from dangjian.open311 import services
    from dangjian.territory.models import Area, Level

    t0 = time.perf_counter()
    call_command("migrate", verbosity=0)
    district = Area.objects.filter(level=Level.DISTRICT).order_by("pk").first()
    if district is None:
        with open(os.devnull, "w") as quiet:
            call_command("demo_district", scale="city", no_progress=True, stdout=quiet)
        district = Area.objects.filter(level=Level.DISTRICT).order_by("pk").first()
    have = Case.objects.count()
    if have < target_cases:
        # A seed per starting count: a second top-up must not replay the first one's public ids.
        generate_cases(target_cases - have, root=district, seed=7 + have, progress=False)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
    line("set-up (migrate, territory, cases when missing)", f"{time.perf_counter() - t0:.0f}", "s")
    client, key = services.client_create(actor=None, name=f"bench-{uuid.uuid4().hex[:8]}", district=district)
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
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("show server_version")
            version = cursor.fetchone()[0]
        described = f"postgresql {version} {connection.settings_dict['NAME']}"
    else:
        import sqlite3

        described = f"sqlite {sqlite3.sqlite_version} {connection.settings_dict['NAME']}"
    info = {
        "key": key,
        "jurisdiction": district.code or str(district.public_id),
        "grids": grids,
        "codes": codes,
        "cases": Case.objects.count(),
        "grid_count": len(grids),
        "db": described,
    }
    connection.close()
    return info


def start_server(port: int, workers: int, env: dict) -> subprocess.Popen:
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "dangjian.wsgi:application",
        "--pythonpath",
        str(REPO / "bench"),
        "--chdir",
        str(REPO),
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--timeout",
        "120",
        "--log-level",
        "warning",
    ]
    server = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            status, _body = request("127.0.0.1", port, "GET", "/open311/v2/services.json")
            if status == 200:
                return server
        except OSError:
            pass
        if server.poll() is not None:
            raise SystemExit("gunicorn exited while starting")
        time.sleep(0.3)
    server.terminate()
    raise SystemExit("gunicorn did not answer within 60 s")


def request(host: str, port: int, method: str, path: str, body: bytes | None = None, headers: dict | None = None):
    conn = http.client.HTTPConnection(host, port, timeout=60)
    try:
        conn.request(method, path, body=body, headers={"Connection": "close", **(headers or {})})
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def server_cpu(server: subprocess.Popen, database: str) -> tuple[float, float]:
    """CPU seconds so far of the gunicorn master and workers, and of the PostgreSQL backends serving
    `database` (none on SQLite): what requests cost the machine whatever else runs on it."""
    import psutil

    def used(processes: list) -> float:
        total = 0.0
        for process in processes:
            with contextlib.suppress(psutil.NoSuchProcess):
                times = process.cpu_times()
                total += times.user + times.system
        return total

    app: list = []
    with contextlib.suppress(psutil.NoSuchProcess):
        master = psutil.Process(server.pid)
        app = [master, *master.children(recursive=True)]
    backends: list = []
    if database:
        import psycopg

        with psycopg.connect(os.environ["DATABASE_URL"], autocommit=True) as conn:
            rows = conn.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()", [database]
            ).fetchall()
        for (pid,) in rows:
            with contextlib.suppress(psutil.NoSuchProcess):
                backends.append(psutil.Process(pid))
    return used(app), used(backends)


def drive(port: int, make, *, concurrency: int, duration: float, warmup: float, seed: int, cpu=None) -> dict:
    """Run `make() -> (method, path, body, headers)` from `concurrency` threads; time what ends after warm-up.

    `cpu()`, when given, is read at the start and the end of the measured window (`cpu_seconds`)."""
    start = time.monotonic()
    measure_from, stop_at = start + warmup, start + warmup + duration
    latencies: list[float] = []
    failures: list[str] = []
    lock = threading.Lock()

    def worker(seed: int) -> None:
        rng = random.Random(seed)
        while True:
            now = time.monotonic()
            if now >= stop_at:
                return
            method, path, body, headers = make(rng)
            t0 = time.monotonic()
            try:
                status, content = request("127.0.0.1", port, method, path, body, headers)
            except OSError as exc:
                status, content = 0, str(exc).encode()
            t1 = time.monotonic()
            if t0 < measure_from or t1 > stop_at:
                continue
            with lock:
                if status == 200:
                    latencies.append(t1 - t0)
                else:
                    failures.append(f"{status} {content[:200]!r}")

    cpu_seconds: list[tuple[float, float]] = []

    def sample() -> None:
        for moment in (measure_from, stop_at):
            time.sleep(max(0.0, moment - time.monotonic()))
            cpu_seconds.append(cpu())

    threads = [threading.Thread(target=worker, args=(seed * 1000 + n,)) for n in range(concurrency)]
    if cpu is not None:
        threads.append(threading.Thread(target=sample))
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    used = (
        tuple(end - start for start, end in zip(cpu_seconds[0], cpu_seconds[1], strict=True))
        if len(cpu_seconds) == 2
        else None
    )
    return {"latencies": latencies, "failures": failures, "seconds": duration, "cpu_seconds": used}


def report(label: str, result: dict) -> tuple[float, float | None]:
    """Print a phase's figures; return its requests/s and the server CPU seconds per request."""
    ok = result["latencies"]
    rate = len(ok) / result["seconds"]
    line(f"{label}: requests/s", f"{rate:.1f}")
    if ok:
        line(f"{label}: p50", f"{median(ok) * 1000:.1f}", "ms")
        line(f"{label}: p95", f"{percentile(ok, 95) * 1000:.1f}", "ms")
    line(f"{label}: ok / failed", f"{len(ok)} / {len(result['failures'])}")
    cpu = None
    if result.get("cpu_seconds") is not None and ok:
        app, db = (seconds / len(ok) for seconds in result["cpu_seconds"])
        cpu = app + db
        split = f"gunicorn {app * 1000:.2f}, PostgreSQL {db * 1000:.2f}"
        line(f"{label}: server CPU per request", f"{cpu * 1000:.2f} ms ({split})")
    for failure in result["failures"][:3]:
        line(f"{label}: failure", failure)
    return rate, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_size_argument(parser)
    parser.add_argument(
        "--cases", type=int, default=0, help="cases in the database before the run (default: by --size)"
    )
    parser.add_argument("--workers", type=int, default=0, help="gunicorn sync workers (default: by --size)")
    parser.add_argument("--concurrency", type=int, default=0, help="client threads (default: by --size)")
    parser.add_argument("--duration", type=float, default=0, help="measured seconds per phase (default: by --size)")
    parser.add_argument(
        "--warmup", type=float, default=0, help="unmeasured seconds before each phase (workers load the grid index)"
    )
    parser.add_argument("--port", type=int, default=8311)
    parser.add_argument("--seed", type=int, default=311)
    args = parser.parse_args()
    args.cases = args.cases or sized(args.size, 2_000, 100_000, 1_000_000)
    args.workers = args.workers or sized(args.size, 2, 4, 4)
    args.concurrency = args.concurrency or sized(args.size, 4, 16, 16)
    args.duration = args.duration or sized(args.size, 5.0, 20.0, 20.0)
    args.warmup = args.warmup or sized(args.size, 2.0, 10.0, 10.0)

    if args.size == "small":
        var_dir = os.environ.get("DANGJIAN_VAR_DIR", str(REPO / "var"))
        os.environ.setdefault("DATABASE_URL", f"sqlite:///{var_dir}/bench_open311_small.sqlite3")
    else:
        os.environ.setdefault("DATABASE_URL", DEFAULT_DB)
        if not os.environ["DATABASE_URL"].startswith("postgres"):
            raise SystemExit("--size city and province run on PostgreSQL: set DATABASE_URL=postgres://…")
    os.environ.setdefault("SECRET_KEY", "bench-only-not-secret")
    os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1")
    # The bench server speaks plain http on loopback; production HTTPS redirects would answer 301.
    os.environ.setdefault("DANGJIAN_HTTPS", "0")
    # A queue of the bench's own: the queued duplicate searches never reach a real deployment's workers.
    os.environ["HUEY_FILE"] = "bench-open311-huey.sqlite3"
    os.environ["HUEY_NAME"] = "bench-open311"
    if args.size != "small":
        # As deployed from the first stage on (docs/scaling.md): the queue and the cache in Redis, a
        # database of the bench's own (REDIS_URL to change it).
        os.environ.setdefault("REDIS_URL", DEFAULT_REDIS)
    os.environ["DJANGO_SETTINGS_MODULE"] = "open311_settings"
    sys.path[:0] = [str(REPO), str(REPO / "bench")]
    if os.environ["DATABASE_URL"].startswith("postgres"):
        ensure_database(os.environ["DATABASE_URL"])
    info = prepare(args.cases)
    from huey.contrib.djhuey import HUEY

    HUEY.flush()
    line("command", " ".join([os.path.basename(sys.executable), *sys.argv]))
    line("size", args.size)
    line("database", info["db"])
    line("cases in the database", f"{info['cases']:,}")
    line("grids", info["grid_count"])
    line("server", f"gunicorn, {args.workers} sync workers, 127.0.0.1:{args.port}, DEBUG off")
    line("queue and cache", os.environ.get("REDIS_URL") or "SQLite queue file, per-process cache")
    line("client", f"{args.concurrency} threads, one connection per request, {args.duration:.0f} s per phase")
    line("cpus", os.cpu_count())

    env = {**os.environ, "DEBUG": "0", "LOG_LEVEL": "ERROR"}
    server = start_server(args.port, args.workers, env)
    try:
        form = {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"}
        words = [
            "垃圾桶满溢",
            "路灯不亮",
            "井盖松动",
            "占道经营",
            "夜间施工噪音",
            "楼道堆放杂物",
            "积水严重",
            "树枝倒伏",
        ]

        def open311_post(rng: random.Random):
            min_lat, min_lng, max_lat, max_lng = rng.choice(info["grids"])
            # The middle of the grid's box: inside the grid for the lattice's convex cells.
            lat = min_lat + (max_lat - min_lat) * rng.uniform(0.4, 0.6)
            lng = min_lng + (max_lng - min_lng) * rng.uniform(0.4, 0.6)
            fields = {
                "api_key": info["key"],
                "jurisdiction_id": info["jurisdiction"],
                "service_code": rng.choice(info["codes"]),
                "lat": f"{lat:.6f}",
                "long": f"{lng:.6f}",
                "description": f"{rng.choice(words)}，已持续{rng.randint(1, 9)}天，请尽快处理（{rng.random():.6f}）",
                "first_name": "三",
                "last_name": "张",
            }
            body = urllib.parse.urlencode(fields).encode()
            return "POST", "/open311/v2/requests.json", body, {**form, "Idempotency-Key": uuid.uuid4().hex}

        def ceiling_post(rng: random.Random):
            method, _path, body, headers = open311_post(rng)
            return method, "/bench/ceiling.json", body, headers

        def one_row_post(rng: random.Random):
            method, _path, body, headers = open311_post(rng)
            return method, "/bench/one_row.json", body, headers

        now = time.time()

        def filtered_get(rng: random.Random):
            days_back = rng.uniform(30, 360)
            end = now - days_back * 86400
            start = end - 30 * 86400
            w3 = "%Y-%m-%dT%H:%M:%S+08:00"
            query = urllib.parse.urlencode(
                {
                    "jurisdiction_id": info["jurisdiction"],
                    "service_code": rng.choice(info["codes"]),
                    "status": rng.choice(["open", "closed"]),
                    "start_date": time.strftime(w3, time.localtime(start)),
                    "end_date": time.strftime(w3, time.localtime(end)),
                    "page_size": 100,
                }
            )
            return "GET", f"/open311/v2/requests.json?{query}", None, {}

        database = os.environ["DATABASE_URL"].rsplit("/", 1)[-1] if args.size != "small" else ""
        kwargs = {
            "concurrency": args.concurrency,
            "duration": args.duration,
            "warmup": args.warmup,
            "seed": args.seed,
            "cpu": lambda: server_cpu(server, database),
        }
        ceiling, ceiling_cpu = report(
            "bare Django JSON view POST (the anchor)", drive(args.port, ceiling_post, **kwargs)
        )
        one_row, one_row_cpu = report(
            "one committed ORM row POST (second anchor)", drive(args.port, one_row_post, **kwargs)
        )
        posted, posted_cpu = report("Open311 POST requests.json", drive(args.port, open311_post, **kwargs))
        line(
            "Open311 POST / bare view",
            f"{posted / ceiling:.3f} (anchor: bare view {ceiling:.1f} requests/s; goal ≥ 0.5)" if ceiling else "n/a",
        )
        line(
            "one committed row / bare view",
            f"{one_row / ceiling:.3f} (what the goal would leave a write: the least any POST that commits can do)"
            if ceiling
            else "n/a",
        )
        line("Open311 POST / one committed row", f"{posted / one_row:.3f}" if one_row else "n/a")
        # Requests/s depend on what else the machine runs; the server's CPU per request does not, so
        # their ratio is what the throughput ratio would be on a machine of its own (CPU-bound server).
        if ceiling_cpu and posted_cpu and one_row_cpu:
            line("by server CPU per request: bare view ÷ Open311 POST", f"{ceiling_cpu / posted_cpu:.3f}")
            line("by server CPU per request: one committed row ÷ Open311 POST", f"{one_row_cpu / posted_cpu:.3f}")
        line("duplicate searches queued for the workers", HUEY.pending_count())
        report(
            "Open311 GET requests.json (code, status, 30-day window, 100 a page)",
            drive(args.port, filtered_get, **kwargs),
        )
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
