"""The soak bench's database side, run as its own process (the load process runs gevent, this one never does).

    python bench/soak_db.py setup --users N --accounts FILE   # migrate, demo district, N signed-in users
    python bench/soak_db.py check --log FILE                   # the reconciliation, printed as figures

`setup`: migrates, builds the demo district (`demo_district`) when the database has none, and gives it
`--users` accounts of every role in the demo's proportions (SOAK_MIX), spread over the busiest
subdistrict's communities, its grids and the district's departments; writes them to `--accounts` (JSON).

`check`: every write the clients were told succeeded exists exactly once (case reports and wishes by the
unique token their text carries; claims and steps by their log rows), then `manage.py integrity --json`
(valid states with their log, ledgers that balance, the figures store against a recomputation).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _setup import REPO, line, setup_django  # noqa: E402

PASSWORD = "Dangjian@2026"  # the demo's password (dangjian/demo/accounts.py)
# Share of each role among the soak's users: a district's morning is mostly residents on phones, then
# members, then the people who work the desks; a few admins read figures.
SOAK_MIX = [
    ("resident", 0.55),
    ("party_member", 0.25),
    ("grid_worker", 0.06),
    ("community_worker", 0.05),
    ("department_staff", 0.05),
    ("subdistrict_admin", 0.02),
    ("district_admin", 0.02),
]


# A step the client takes that the log records under another name (cases.services.case_callback).
LOGGED_AS = {"callback": ("callback", "reopen")}


def role_counts(users: int) -> dict[str, int]:
    """Users per role, at least one of each, summing to `users` (residents take the remainder)."""
    counts = {role: max(1, round(users * share)) for role, share in SOAK_MIX}
    counts["resident"] += users - sum(counts.values())
    return counts


def setup(users: int, accounts_file: Path) -> None:
    setup_django("bench_soak.sqlite3")
    from django.contrib.auth.hashers import make_password
    from django.core.management import call_command
    from django.db.models import Count

    call_command("migrate", verbosity=0)
    from dangjian.accounts.models import RoleAssignment, User
    from dangjian.accounts.services import role_assign
    from dangjian.orgs.models import OrgType, PartyOrg
    from dangjian.territory.models import Area, Level
    from dangjian.units.models import Department

    if not Area.objects.filter(level=Level.DISTRICT).exists():
        with open(os.devnull, "w") as quiet:
            call_command("demo_district", stdout=quiet)
        line("demo district", "built")
    district = Area.objects.filter(level=Level.DISTRICT).order_by("pk").first()
    subdistrict = (
        Area.objects.filter(level=Level.SUBDISTRICT, path__startswith=district.path)
        .annotate(n=Count("children"))
        .order_by("-n", "pk")
        .first()
    )
    communities = list(Area.objects.filter(level=Level.COMMUNITY, path__startswith=subdistrict.path).order_by("path"))
    communities = communities[: max(1, min(len(communities), users // 40 or 1))]
    grids = list(Area.objects.filter(level=Level.GRID, parent__in=communities).order_by("path"))
    departments = list(Department.objects.filter(area__path__startswith=district.path).order_by("pk"))
    boxes = {c.pk: [] for c in communities}  # where a resident's phone drops its pin: inside a grid of home
    for grid in grids:
        if grid.min_lat is not None:
            boxes[grid.parent_id].append([grid.min_lat, grid.min_lng, grid.max_lat, grid.max_lng])
    from dangjian.centers.models import Room

    # The rooms a resident may book: the active rooms of the centres in and above the soak's communities.
    rooms = [
        str(r)
        for r in Room.objects.filter(
            is_active=True, center__is_active=True, center__area__path__startswith=district.path
        )
        .order_by("pk")
        .values_list("public_id", flat=True)[:20]
    ]
    password = make_password(PASSWORD)  # one hash for all: creating 200 users stays quick
    accounts = []
    for role, count in role_counts(users).items():
        for n in range(count):
            username = f"soak_{role}_{n:03d}"
            user = User.objects.filter(username=username).first()
            if user is None:
                user = User.objects.create(username=username, full_name=f"压测{n}", password=password)
            if not RoleAssignment.objects.filter(user=user, is_active=True).exists():
                community = communities[n % len(communities)]
                if role in ("resident", "party_member"):
                    org = None
                    if role == "party_member":
                        org = PartyOrg.objects.filter(area=community, org_type=OrgType.ESTATE_BRANCH).first()
                    role_assign(actor=None, user=user, role=role, org=org, home_community=community)
                elif role == "community_worker":
                    role_assign(actor=None, user=user, role=role, area=community)
                elif role == "grid_worker":
                    role_assign(actor=None, user=user, role=role, area=grids[n % len(grids)])
                elif role == "department_staff":
                    role_assign(actor=None, user=user, role=role, department=departments[n % len(departments)])
                elif role == "subdistrict_admin":
                    role_assign(actor=None, user=user, role=role, area=subdistrict)
                else:
                    role_assign(actor=None, user=user, role=role, area=district)
            community = communities[n % len(communities)]
            account = {"username": username, "password": PASSWORD, "role": role, "community": community.pk}
            if role == "resident":
                account["grids"] = boxes[communities[n % len(communities)].pk]
                account["rooms"] = rooms
            accounts.append(account)
    activities = volunteer_activities(communities, accounts)
    for account in accounts:
        if account["role"] in ("party_member", "community_worker"):
            account["activity"] = activities.get(account["community"], "")
    accounts_file.write_text(json.dumps(accounts, ensure_ascii=False))
    line("soak accounts", ", ".join(f"{r} {c}" for r, c in role_counts(users).items()))
    line("communities the soak works in", ", ".join(c.name for c in communities))


def volunteer_activities(communities, accounts) -> dict[int, str]:
    """A volunteer activity of each community running through the soak (from 10 minutes ago, for 8 hours),
    its members signed up beforehand: they check in and out by scanning its code, which the community's
    workers show (GET its QR page). Returns the activity's public id by community."""
    import datetime

    from django.utils import timezone

    from dangjian.accounts.models import User
    from dangjian.centers.models import Activity
    from dangjian.centers.services import activities as center_activities
    from dangjian.volunteering import services as volunteering

    now = timezone.now().replace(second=0, microsecond=0)
    out = {}
    for community in communities:
        worker = next((a for a in accounts if a["role"] == "community_worker" and a["community"] == community.pk), None)
        teams = volunteering.fixed_teams_ensure(community)
        if worker is None or not teams:
            continue
        link = volunteering.team_activity_create(
            actor=User.objects.get(username=worker["username"]), team=teams[0], title="压测志愿服务",
            start=now + datetime.timedelta(days=1), end=now + datetime.timedelta(days=1, hours=8), place="社区服务中心",
        )  # fmt: skip
        for account in accounts:
            if account["role"] == "party_member" and account["community"] == community.pk:
                user = User.objects.get(username=account["username"])
                center_activities.signup_create(actor=user, activity=link.activity)
        start = now - datetime.timedelta(minutes=10)
        Activity.objects.filter(pk=link.activity.pk).update(start=start, end=start + datetime.timedelta(hours=8))
        out[community.pk] = str(link.activity.public_id)
    return out


def read_log(path: Path) -> list[dict]:
    if not path.exists():
        return []
    return [json.loads(row) for row in path.read_text().splitlines() if row.strip()]


def check(log_file: Path, run: str) -> int:
    """The reconciliation; returns the number of problems found."""
    setup_django("bench_soak.sqlite3")
    from dangjian.cases.models import Case, CaseLog
    from dangjian.demands.models import Demand, DemandLog

    entries = read_log(log_file)
    told = Counter(e["kind"] for e in entries)
    line("writes the clients were told succeeded", ", ".join(f"{k} {v}" for k, v in sorted(told.items())) or "none")
    problems = 0

    def exactly_once(kind: str, counts: dict[str, int], label: str) -> None:
        nonlocal problems
        tokens = [e["token"] for e in entries if e["kind"] == kind]
        lost = [t for t in tokens if counts.get(t, 0) == 0]
        doubled = [t for t in tokens if counts.get(t, 0) > 1]
        # Rows carrying a token no client was told about: a write whose answer was lost (a retry that
        # gave up); not a defect by itself, but it must not have been made twice either.
        untold = {t: n for t, n in counts.items() if t not in set(tokens)}
        untold_doubled = sum(1 for n in untold.values() if n > 1)
        problems += len(lost) + len(doubled) + untold_doubled
        line(
            f"reconciliation · {label}",
            f"told {len(tokens)}, found exactly once {len(tokens) - len(lost) - len(doubled)}, lost {len(lost)}, "
            f"duplicated {len(doubled)}; written but not acknowledged {len(untold)} "
            f"(of them duplicated {untold_doubled})",
        )
        for t in (lost + doubled)[:5]:
            line(f"reconciliation · {label} · example", f"{t}: {counts.get(t, 0)} rows")

    prefix = f"soak-{run}-" if run else "soak-"

    def token_counts(rows) -> dict[str, int]:
        counts: Counter[str] = Counter()
        for text in rows:
            for word in text.split():
                if word.startswith(prefix):
                    counts[word.strip("（）()。，,")] += 1
        return counts

    exactly_once(
        "case_report",
        token_counts(Case.objects.filter(description__contains=prefix).values_list("description", flat=True)),
        "case reports",
    )
    exactly_once(
        "wish",
        token_counts(Demand.objects.filter(description__contains=prefix).values_list("description", flat=True)),
        "wishes (demands)",
    )
    # Queued work ran: every case filed has had its duplicate search (queued after commit; a search lost
    # with a killed consumer is queued again by the periodic sweep after 5 minutes).
    import datetime

    from django.utils import timezone

    ours = Case.objects.filter(description__contains=prefix)
    unstamped = ours.filter(duplicates_checked_at__isnull=True)
    overdue = unstamped.filter(received_at__lt=timezone.now() - datetime.timedelta(minutes=7)).count()
    problems += overdue
    line(
        "reconciliation · queued duplicate searches",
        f"cases filed {ours.count()}, searched {ours.count() - unstamped.count()}, not yet {unstamped.count()} "
        f"(of them older than 7 minutes, which the sweep should have queued again: {overdue})",
    )
    from dangjian.centers.models import Booking

    booked = [e for e in entries if e["kind"] == "booking"]
    found = Counter(
        str(p)
        for p in Booking.objects.filter(public_id__in=[e["public_id"] for e in booked]).values_list(
            "public_id", flat=True
        )
    )
    # A retried booking must not have made a second booking of the same room and time by the same person.
    twins = (
        Booking.objects.filter(booked_by__username__startswith="soak_")
        .values("room_id", "start", "end", "booked_by_id")
        .annotate(n=Count_("pk"))
        .filter(n__gt=1)
        .count()
    )
    lost = sum(1 for e in booked if found.get(e["public_id"], 0) != 1)
    problems += lost + twins
    line(
        "reconciliation · bookings",
        f"told {len(booked)}, found {len(booked) - lost}, lost {lost}; "
        f"the same room and time booked twice by one person {twins}",
    )
    from dangjian.volunteering.models import Attendance

    scans = [e for e in entries if e["kind"] == "scan"]
    attendance = {
        (row["user__username"], str(row["activity"])): row
        for row in Attendance.objects.filter(user__username__startswith="soak_").values(
            "user__username", "checked_in_at", "checked_out_at", activity=F_("signup__activity__public_id")
        )
    }
    missing = [
        e
        for e in scans
        if not (attendance.get((e["user"], e["activity"])) or {}).get(
            "checked_in_at" if e["action"] == "check_in" else "checked_out_at"
        )
    ]
    doubled = (
        Attendance.objects.filter(user__username__startswith="soak_")
        .values("user_id", "signup_id")
        .annotate(n=Count_("pk"))
        .filter(n__gt=1)
        .count()
    )
    problems += len(missing) + doubled
    actions = ", ".join(f"{a} {n}" for a, n in sorted(Counter(e["action"] for e in scans).items()))
    line(
        "reconciliation · check-in scans",
        f"told {len(scans)} ({actions or 'none'}), without their attendance time {len(missing)}; "
        f"one sign-up with two attendance rows {doubled}",
    )
    # Steps and claims: each one the client was told of has its log row (by that actor's step on that row;
    # a callback rated 不满意 is logged as the reopen it causes).
    # A retried step cannot be taken twice (the version it read is stale the second time), so the same
    # move logged twice on one row is printed for reading (a case may be reopened and dispatched again).
    for kind, log_model, fk in (("case_step", CaseLog, "case"), ("demand_step", DemandLog, "demand")):
        acked = [e for e in entries if e["kind"] == kind]
        ids = {e["public_id"] for e in acked}
        logged = Counter(
            log_model.objects.filter(**{f"{fk}__public_id__in": ids}, actor__username__startswith="soak_").values_list(
                f"{fk}__public_id", "step"
            )
        )
        logged = Counter({(str(pid), step): n for (pid, step), n in logged.items()})
        missing = [
            e
            for e in acked
            if not any(logged.get((e["public_id"], step), 0) for step in LOGGED_AS.get(e["step"], (e["step"],)))
        ]
        twice = sum(1 for n in logged.values() if n > 1)
        problems += len(missing)
        steps = ", ".join(f"{s} {n}" for s, n in sorted(Counter(e["step"] for e in acked).items()))
        line(
            f"reconciliation · {kind.replace('_', ' ')}s",
            f"told {len(acked)} ({steps or 'none'}), without their log row {len(missing)}; "
            f"rows where a soak user took one step more than once {twice} (after a reopen, recall or give-up; "
            "for reading: a retried step cannot be taken twice, its version is stale)",
        )
        for e in missing[:5]:
            line(f"reconciliation · {kind} · example", json.dumps(e, ensure_ascii=False))
    problems += integrity()
    return problems


def Count_(field: str):  # noqa: N802 - django's Count, imported after django.setup()
    from django.db.models import Count

    return Count(field)


def F_(field: str):  # noqa: N802 - django's F, imported after django.setup()
    from django.db.models import F

    return F(field)


def integrity() -> int:
    """`manage.py integrity --json`: prints each check's result; returns the findings' count."""
    env = dict(os.environ, DEBUG="0")
    done = subprocess.run(
        [sys.executable, "manage.py", "integrity", "--json"], cwd=REPO, env=env, capture_output=True, text=True
    )
    try:
        report = json.loads(done.stdout)
    except ValueError:
        line("integrity", f"not available (exit {done.returncode}): {(done.stderr or done.stdout).strip()[-300:]}")
        return 0
    checks = report.get("checks", report) if isinstance(report, dict) else report
    total = 0
    if isinstance(checks, dict):
        checks = [{"name": k, **(v if isinstance(v, dict) else {"count": v})} for k, v in checks.items()]
    for item in checks:
        count = item.get("count", item.get("findings_count", len(item.get("findings", []) or [])))
        total += int(count or 0)
        name = item.get("name") or item.get("check") or "?"
        line(f"integrity · {name}", f"{count} findings")
        for finding in (item.get("findings") or [])[:3]:
            line(f"integrity · {name} · example", json.dumps(finding, ensure_ascii=False)[:300])
    line("integrity · exit status", done.returncode)
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("setup")
    p.add_argument("--users", type=int, required=True)
    p.add_argument("--accounts", type=Path, required=True)
    c = sub.add_parser("check")
    c.add_argument("--log", type=Path, required=True)
    c.add_argument("--run", default="", help="the run's id (its tokens' prefix)")
    args = parser.parse_args()
    if args.command == "setup":
        setup(args.users, args.accounts)
    else:
        problems = check(args.log, args.run)
        line("reconciliation · problems", problems)
        sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
