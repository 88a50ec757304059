"""Time and memory of a large members import: generate the workbook, check it, import it.

    DEBUG=1 .venv/bin/python bench/import_members.py [--size small|city|province] [--rows N]
        [--profile DIR] [--tracemalloc]

Sizes: small 2,000 rows, city 100,000 rows (both into the city-scale tree), province 100,000 rows
into the province-scale tree (50,000 organizations to resolve names against; slow to build).

Builds the city scale (dangjian.demo.bulk.build_scale) on a fresh database, generates an .xlsx
of valid members (ID numbers with their check character, organizations and communities of the
built tree, each name unique so it resolves), then runs the import as a district admin the way
the queue worker would: the check (every row, names and duplicates in bulk), then the confirmed
import (a re-check, then every row and its audit row in one transaction). Prints figures;
asserts nothing. `--profile DIR` writes cProfile files of the check and the import
(check.prof, import.prof) for `python -m pstats` or snakeviz.

Beside each total it prints where the time went (wall seconds, summed over calls): reading the
sheet's XML, validating the cells (parse), resolving names and duplicates against the database,
storing and loading the parse, pinyin, the COPY (rows sent and indexed), the commit (deferred
foreign-key checks) and the audit row; also this process's CPU time, which other work on the
machine disturbs less than wall time, and the load average.

SQLite: var/bench_import_members.sqlite3 (under DANGJIAN_VAR_DIR), deleted first. PostgreSQL
(DATABASE_URL=postgres://.../NAME): a fresh database NAME_import_members, dropped and created.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import datetime
import io
import os
import random
import resource
import sys
import time
import tracemalloc
from pathlib import Path

from _setup import REPO, add_size_argument, describe_db, line, sized

SQLITE_FILE = "bench_import_members.sqlite3"


def _pick_database() -> str:
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith(("postgres://", "postgresql://")):
        base, _slash, name = url.rpartition("/")
        name = name.split("?")[0] or "dangjian"
        os.environ["DATABASE_URL"] = f"{base}/{name}_import_members"
        os.environ["BENCH_PG_ADMIN_URL"] = f"{base}/postgres"
        return "postgres"
    if url and not url.startswith("sqlite"):
        sys.exit(f"unsupported DATABASE_URL for this benchmark: {url}")
    var_dir = Path(os.environ.get("DANGJIAN_VAR_DIR", REPO / "var"))
    var_dir.mkdir(parents=True, exist_ok=True)
    os.environ["DATABASE_URL"] = f"sqlite:///{var_dir / SQLITE_FILE}"
    return "sqlite"


def _fresh_database(kind: str) -> None:
    from django.core.management import call_command
    from django.db import connection

    connection.close()
    if kind == "sqlite":
        name = Path(connection.settings_dict["NAME"])
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(str(name) + suffix).unlink(missing_ok=True)
    else:
        import psycopg

        name = connection.settings_dict["NAME"]
        with psycopg.connect(os.environ["BENCH_PG_ADMIN_URL"], autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
            admin.execute(f'CREATE DATABASE "{name}"')
    call_command("migrate", verbosity=0)


def _maxrss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def _unique_names(qs) -> list[tuple[str, ...]]:
    from django.db.models import Count

    unique = set(qs.order_by().values("name").annotate(n=Count("pk")).filter(n=1).values_list("name", flat=True))
    return [row for row in qs.order_by("path").values_list("name", "area__name", "area__pk") if row[0] in unique]


def generate_workbook(rows: int, seed: int) -> bytes:
    """A members workbook of `rows` valid rows, written with openpyxl's write-only mode."""
    from openpyxl import Workbook

    from dangjian.core.validators import citizen_id_check_char
    from dangjian.demo.names import person_name
    from dangjian.orgs.models import OrgType, PartyOrg
    from dangjian.territory.models import Area, Estate, Level

    rng = random.Random(seed)
    orgs = _unique_names(
        PartyOrg.objects.filter(
            org_type__in=[OrgType.ESTATE_BRANCH, OrgType.COMMUNITY_COMMITTEE, OrgType.EXPANDED_COMMITTEE]
        )
    )
    community_counts: dict[str, int] = {}
    for name in Area.objects.filter(level=Level.COMMUNITY).values_list("name", flat=True):
        community_counts[name] = community_counts.get(name, 0) + 1
    estates: dict[int, list[str]] = {}
    for community_id, name in Estate.objects.values_list("community_id", "name"):
        estates.setdefault(community_id, []).append(name)
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("党员")
    ws.append(
        ["姓名", "身份证号", "手机号", "党员类别", "入党日期", "转正日期", "状态", "所在党组织", "居住社区", "居住小区"]
    )
    base = datetime.date(1950, 1, 1)
    statuses = ["在职"] * 6 + ["退休"] * 3 + ["流动"]
    for k in range(rows):
        birth = base + datetime.timedelta(days=k // 900)  # 900 people per birth date: unique IDs
        first17 = f"440402{birth:%Y%m%d}{k % 900 + 100:03d}"
        joined = birth + datetime.timedelta(days=365 * rng.randint(19, 40))
        joined = min(joined, datetime.date(2024, 6, 30))
        full = rng.random() < 0.93
        org, community, community_pk = orgs[k % len(orgs)]
        lives_there = community_counts.get(community) == 1
        ws.append(
            [
                person_name(rng),
                first17 + citizen_id_check_char(first17),
                f"139{k:08d}",
                "正式党员" if full else "预备党员",
                joined,
                joined + datetime.timedelta(days=366) if full else None,
                rng.choice(statuses),
                org,
                community if lives_there else None,
                rng.choice(estates[community_pk]) if lives_there and estates.get(community_pk) else None,
            ]
        )
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


@contextlib.contextmanager
def _profiled(directory: str | None, name: str):
    if not directory:
        yield
        return
    profile = cProfile.Profile()
    profile.enable()
    try:
        yield
    finally:
        profile.disable()
        Path(directory).mkdir(parents=True, exist_ok=True)
        profile.dump_stats(str(Path(directory) / f"{name}.prof"))


class Phases:
    """Wall time summed per phase, by wrapping the functions that do each phase."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}

    def wrap(self, owner: object, attribute: str, label: str) -> None:
        original = getattr(owner, attribute)
        seconds = self.seconds

        def timed(*a, **kw):
            start = time.perf_counter()
            try:
                return original(*a, **kw)
            finally:
                seconds[label] = seconds.get(label, 0.0) + time.perf_counter() - start

        setattr(owner, attribute, timed)

    def report(self, prefix: str) -> None:
        seconds = self.seconds
        if READ in seconds:  # reading the XML is what _read spends outside parse
            seconds = {"read the sheet (XML)": seconds.pop(READ) - seconds.get(PARSE, 0.0), **seconds}
        for label, value in seconds.items():
            line(f"{prefix} phase: {label}", f"{value:.2f}", "s")
        self.seconds.clear()  # the wrappers hold this dict


READ, PARSE = "read the sheet and validate the cells", "validate the cells (parse)"


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_size_argument(parser)
    parser.add_argument("--rows", type=int, default=None, help="rows in the workbook (default: by --size)")
    parser.add_argument("--seed", type=int, default=440402)
    parser.add_argument("--profile", metavar="DIR", help="write cProfile files of the check and the import to DIR")
    parser.add_argument(
        "--tracemalloc", action="store_true", help="also run the check under tracemalloc (about 4x slower)"
    )
    args = parser.parse_args()
    rows = args.rows or sized(args.size, 2_000, 100_000, 100_000)
    scale = sized(args.size, "city", "city", "province")

    kind = _pick_database()
    if str(REPO) not in sys.path:
        sys.path.insert(0, str(REPO))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dangjian.settings")
    import django

    django.setup()
    from django.conf import settings

    from dangjian.accounts import services as account_services
    from dangjian.audit.models import AuditEvent
    from dangjian.demo.bulk import build_scale
    from dangjian.imports import registry, services
    from dangjian.imports.engine import Importer
    from dangjian.people.models import Member
    from dangjian.territory.models import Area, Level

    t0 = time.perf_counter()
    _fresh_database(kind)
    line("database", describe_db())
    line("fresh database + migrate", f"{time.perf_counter() - t0:.1f}", "s")
    settings.DEBUG = False  # no query log while timing
    # Run in this process, as the queue worker would.
    settings.IMPORT_BACKGROUND_ROWS = settings.IMPORT_BACKGROUND_BYTES = 10**12
    t0 = time.perf_counter()
    built = build_scale(scale, seed=args.seed, progress=False)
    line(f"{scale} scale built (bulk)", f"{time.perf_counter() - t0:.1f}", "s")
    line("tree", ", ".join(f"{k} {v}" for k, v in built.items()))
    district = Area.objects.filter(level=Level.DISTRICT).order_by("path").first()
    admin = account_services.user_create(
        actor=None, username="bench_admin", password="Bench-pass-2026", full_name="区管理员", validate=False
    )
    account_services.role_assign(actor=None, user=admin, role="district_admin", area=district)

    t0 = time.perf_counter()
    content = generate_workbook(rows, args.seed)
    line(f"workbook generated ({rows} rows)", f"{time.perf_counter() - t0:.1f} s, {len(content) / 2**20:.1f} MiB")
    line("peak RSS before the import (build + workbook)", f"{_maxrss_mib():.0f}", "MiB")

    # Time every check the engine runs (the import re-checks the file before writing).
    check_times: list[float] = []
    original_check = Importer.check

    def timed_check(self, *a, **kw):
        start = time.perf_counter()
        try:
            return original_check(self, *a, **kw)
        finally:
            check_times.append(time.perf_counter() - start)

    Importer.check = timed_check  # type: ignore[method-assign]

    from django.db import connections

    from dangjian.imports import inserts
    from dangjian.imports import services as import_services
    from dangjian.people.importers import MemberImporter
    from dangjian.people.services import members as member_services

    phases = Phases()
    phases.wrap(Importer, "_read", READ)
    phases.wrap(MemberImporter, "parse", PARSE)
    phases.wrap(MemberImporter, "resolve", "resolve names and duplicates (database)")
    phases.wrap(Importer, "_dump_parsed", "store the parse (pickle, zlib)")
    phases.wrap(Importer, "_load_parsed", "load the stored parse")
    phases.wrap(member_services, "pinyin_initials_many", "pinyin")
    phases.wrap(inserts, "_copy", "COPY (rows sent, indexes updated)")
    phases.wrap(connections["default"], "commit", "commits (the import's: deferred foreign-key checks)")
    phases.wrap(import_services, "audit_record", "audit row")

    line("load average before the check (1, 5, 15 min)", _load())
    job = services.job_create(actor=admin, kind="members", filename="bench.xlsx", content=content)
    t0, c0 = time.perf_counter(), time.process_time()
    with _profiled(args.profile, "check"):
        job = services.job_check_run(job.pk)
    check_s, check_cpu = time.perf_counter() - t0, time.process_time() - c0
    line("check: status / rows / errors", f"{job.status} / {job.total_rows} / {job.error_count}")
    if job.errors:
        line("first errors", "; ".join(f"{e['row']}{e['column']} {e['message']}" for e in job.errors[:3]))
    line("check time", f"{check_s:.1f}", "s")
    line("check CPU time (this process)", f"{check_cpu:.1f}", "s")
    line("check rate", f"{job.total_rows / check_s:,.0f}", "rows/s")
    line("peak RSS after the check", f"{_maxrss_mib():.0f}", "MiB")
    phases.report("check")
    line("load average after the check (1, 5, 15 min)", _load())

    if args.tracemalloc:
        importer = registry.importer_for("members", services.job_scope(job))
        tracemalloc.start()
        t0 = time.perf_counter()
        result = importer.check(content)
        traced_s = time.perf_counter() - t0
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        del result
        line("check under tracemalloc: wall time", f"{traced_s:.1f}", "s (slower: tracing)")
        line("check: tracemalloc peak (Python heap)", f"{peak / 2**20:.0f}", "MiB")

    if job.error_count:
        line("import", "skipped: the file has errors")
        return
    members_before = Member.objects.count()
    audit_before = AuditEvent.objects.count()
    check_times.clear()
    t0, c0 = time.perf_counter(), time.process_time()
    with _profiled(args.profile, "import"):
        job = services.job_confirm(actor=admin, job=job)
    import_s, import_cpu = time.perf_counter() - t0, time.process_time() - c0
    recheck_s = sum(check_times)
    write_s = import_s - recheck_s
    line("import: status", job.status + (f" — {job.message}" if job.message else ""))
    line("import: re-check time", f"{recheck_s:.1f}", "s")
    line("write time", f"{write_s:.1f}", "s")
    line("write rate", f"{job.imported_count / write_s:,.0f}", "rows/s")
    line("import time (re-check + write, one transaction)", f"{import_s:.1f}", "s")
    line("import CPU time (this process)", f"{import_cpu:.1f}", "s")
    line("total (check + import: what the uploader waits)", f"{check_s + import_s:.1f}", "s")
    line("members written", Member.objects.count() - members_before)
    line("audit rows written", AuditEvent.objects.count() - audit_before)
    line("peak RSS", f"{_maxrss_mib():.0f}", "MiB")
    phases.report("import")
    line("total CPU time (check + import, this process)", f"{check_cpu + import_cpu:.1f}", "s")
    line("load average after the import (1, 5, 15 min)", _load())


if __name__ == "__main__":
    main()
