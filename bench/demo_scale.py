"""Time and memory of `demo_district --scale city|province` on a fresh database.

    DEBUG=1 .venv/bin/python bench/demo_scale.py [--size small|city|province] [--scale city|province]
        [--no-tracemalloc] [--no-demo]

Sizes: small = the city bulk build once (no traced run, no services-built district: make bench);
city = the city bulk build, its traced run and the services-built district; province = the same
with the province bulk build. --scale, when given, picks the bulk build whatever the size.

SQLite: var/bench_demo.sqlite3, deleted first (and copied from $BENCH_SQLITE_TEMPLATE, a migrated
empty database, when `make bench` gives one). PostgreSQL (DATABASE_URL=postgres://.../NAME):
a fresh database NAME_demo_scale, dropped and created each run. Runs the bulk build once for
wall time and peak RSS, once more on a fresh database under tracemalloc for the Python heap
peak, and (unless --no-demo) the services-built demo district for comparison.
Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import io
import os
import resource
import shutil
import sys
import time
import tracemalloc
from pathlib import Path

from _setup import REPO, add_size_argument, describe_db, line, sized

SQLITE_FILE = "bench_demo.sqlite3"


def _pick_database() -> str:
    """Set DATABASE_URL to this benchmark's own fresh-able database; return 'sqlite' or 'postgres'."""
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith(("postgres://", "postgresql://")):
        base, _slash, name = url.rpartition("/")
        name = name.split("?")[0] or "dangjian"
        os.environ["DATABASE_URL"] = f"{base}/{name}_demo_scale"
        os.environ["BENCH_PG_ADMIN_URL"] = f"{base}/postgres"
        return "postgres"
    if url and not url.startswith("sqlite"):
        sys.exit(f"unsupported DATABASE_URL for this benchmark: {url}")
    var_dir = Path(os.environ.get("DANGJIAN_VAR_DIR", REPO / "var"))
    var_dir.mkdir(parents=True, exist_ok=True)
    os.environ["DATABASE_URL"] = f"sqlite:///{var_dir / SQLITE_FILE}"
    return "sqlite"


def _fresh_database(kind: str) -> None:
    """Drop and recreate the benchmark database, then migrate it."""
    from django.core.management import call_command
    from django.db import connection

    connection.close()
    if kind == "sqlite":
        name = Path(connection.settings_dict["NAME"])
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(str(name) + suffix).unlink(missing_ok=True)
        template = os.environ.get("BENCH_SQLITE_TEMPLATE", "")
        if template and Path(template).exists():  # `make bench`: a migrated empty database
            shutil.copyfile(template, name)
    else:
        import psycopg

        name = connection.settings_dict["NAME"]
        with psycopg.connect(os.environ["BENCH_PG_ADMIN_URL"], autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
            admin.execute(f'CREATE DATABASE "{name}"')
    call_command("migrate", verbosity=0)


def _maxrss_mib() -> float:
    # Linux reports KiB.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _counts() -> str:
    from dangjian.accounts.models import User
    from dangjian.audit.models import AuditEvent
    from dangjian.orgs.models import PartyOrg
    from dangjian.territory.models import Area, Building, Estate, Level

    parts = [f"{level} {Area.objects.filter(level=level).count()}" for level in Level.values]
    parts += [
        f"estate {Estate.objects.count()}",
        f"estate-grid links {Estate.grids.through.objects.count()}",
        f"building {Building.objects.count()}",
        f"party_org {PartyOrg.objects.count()}",
        f"user {User.objects.count()}",
        f"audit_event {AuditEvent.objects.count()}",
    ]
    return ", ".join(parts)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_size_argument(parser)
    parser.add_argument("--scale", default=None, choices=["city", "province"], help="bulk build (default: by size)")
    parser.add_argument("--no-tracemalloc", action="store_true", help="skip the second, traced run")
    parser.add_argument("--no-demo", action="store_true", help="skip the services-built demo district")
    args = parser.parse_args()
    args.scale = args.scale or sized(args.size, "city", "city", "province")
    if args.size == "small":
        args.no_tracemalloc = args.no_demo = True

    kind = _pick_database()
    if str(REPO) not in sys.path:
        sys.path.insert(0, str(REPO))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dangjian.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    t0 = time.perf_counter()
    _fresh_database(kind)
    line("database", describe_db())
    line("fresh database + migrate", f"{time.perf_counter() - t0:.1f}", "s")
    settings.DEBUG = False  # no query log while timing (the bulk builder resets it anyway)
    rss_before = _maxrss_mib()

    t0 = time.perf_counter()
    call_command("demo_district", scale=args.scale, no_progress=True, stdout=io.StringIO())
    elapsed = time.perf_counter() - t0
    line(f"demo_district --scale {args.scale}: wall time", f"{elapsed:.2f}", "s")
    line("peak RSS (ru_maxrss) before / after the build", f"{rss_before:.0f} / {_maxrss_mib():.0f} MiB")
    line("rows", _counts())

    if not args.no_tracemalloc:
        _fresh_database(kind)
        tracemalloc.start()
        t0 = time.perf_counter()
        call_command("demo_district", scale=args.scale, no_progress=True, stdout=io.StringIO())
        elapsed = time.perf_counter() - t0
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        line(
            f"demo_district --scale {args.scale} under tracemalloc: wall time", f"{elapsed:.2f}", "s (slower: tracing)"
        )
        line("tracemalloc peak (Python heap)", f"{peak / 2**20:.1f}", "MiB")

    if not args.no_demo:
        _fresh_database(kind)
        t0 = time.perf_counter()
        call_command("demo_district", stdout=io.StringIO())
        line(
            "demo_district (香洲区 through the services, with accounts and audit): wall time",
            f"{time.perf_counter() - t0:.2f}",
            "s",
        )
        line("rows", _counts())


if __name__ == "__main__":
    main()
