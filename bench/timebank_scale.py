"""The time bank at city scale: 10,000,000 ledger entries, then one member's balance and statement.

    DEBUG=1 DATABASE_URL=postgres://postgres@127.0.0.1:5432/dj_hbank_bench \\
        .venv/bin/python bench/timebank_scale.py [--size small|city|province] [--entries N] [--people N]
        [--communities N] [--calls N]

Sizes (entries / people / communities / calls): small 20,000 / 1,000 / 10 / 50 (make bench, SQLite);
city 10,000,000 / 200,000 / 130 / 300; province 50,000,000 / 1,000,000 / 10,000 / 300. Counts
given on the command line win. PostgreSQL loads with COPY (city and province are meant for it);
SQLite (var/bench_timebank_<size>.sqlite3 unless DATABASE_URL is set) with executemany.
Migrates the database, then builds, unless it already holds the entries:
a district of --communities communities, --people users with a person account each, the
communities' issuance, pool and escrow accounts, and journals written with COPY until the entries
reach --entries: service deposits (issuance -> person), transfers (person -> person, only when the
sender has the hours), pool donations and grants, holds and their releases or refunds. Activity is
skewed (a few people very active) as in life. Every journal sums to zero and no person goes below
zero, as the services would have it; the figures printed check that.

Then times, over --calls random members (median and p95):
- services.balance(user): the member's SUM over their entries (index (account, id, amount));
- selectors.statement(user): page 1 of their statement, with counterparties and running balances;
- the same statement's last page;
and the city's totals (all entries, the hours people hold, the hours issued). Prints the query plan
of the balance. Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import io
import random
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from _setup import add_size_argument, describe_db, line, median, percentile, quiet_debug, setup_django, sized

CHUNK = 200_000  # journals per COPY batch


def stamp(moment: datetime) -> str:
    """A timestamp as the database's loader takes it (SQLite: Django's naive UTC text)."""
    from django.db import connection

    if connection.vendor == "sqlite":
        return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    return moment.isoformat()


def load(cursor, table: str, columns: str, rows: str) -> None:
    """Tab-separated rows (\\N for NULL) into `table`: COPY on PostgreSQL, executemany on SQLite."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
            copy.write(rows)
        return
    booleans = {"t": 1, "f": 0}
    values = [[None if v == "\\N" else booleans.get(v, v) for v in row.split("\t")] for row in rows.splitlines() if row]
    marks = ", ".join("%s" for _ in columns.split(","))
    cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", values)


def reset_sequence(cursor, table: str) -> None:
    from django.db import connection

    if connection.vendor == "postgresql":
        cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))")


def build(entries_target: int, people: int, communities: int, seed: int) -> None:
    from django.contrib.auth.hashers import make_password
    from django.db import connection, transaction

    from dangjian.territory import services as territory_services
    from dangjian.territory.models import Area, Level
    from dangjian.timebank.models import AccountKind, Entry

    rng = random.Random(seed)
    if Entry.objects.count() >= entries_target:
        return
    if Entry.objects.exists():
        sys.exit("the database holds a partial ledger: drop it and run again")
    started = time.perf_counter()
    district = Area.objects.filter(level=Level.DISTRICT, name="时间银行测试区").first()
    if district is None:
        district = territory_services.area_create(actor=None, level="district", name="时间银行测试区", parent=None)
        sub = territory_services.area_create(actor=None, level="subdistrict", name="测试街道", parent=district)
        for n in range(communities):
            territory_services.area_create(actor=None, level="community", name=f"测试社区{n:03d}", parent=sub)
    community_ids = list(
        Area.objects.filter(level=Level.COMMUNITY, path__startswith=district.path).values_list("pk", flat=True)
    )
    password = make_password(None)  # unusable: these accounts never sign in
    now = datetime.now(UTC)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT COALESCE(MAX(id), 0) FROM accounts_user")
        first_user = cursor.fetchone()[0] + 1
        buf = io.StringIO()
        for n in range(people):
            uid = first_user + n
            buf.write(
                f"{uid}\t{password}\tf\tbench_tb_{n}\t\t\t\tf\tt\t{stamp(now)}\t{uuid.uuid4()}\t成员{n}\t\\N\tf\n"
            )
        buf.seek(0)
        columns = (
            "id, password, is_superuser, username, first_name, last_name, email, is_staff, is_active, "
            "date_joined, public_id, full_name, mobile, must_change_password"
        )
        load(cursor, "accounts_user", columns, buf.getvalue())
        reset_sequence(cursor, "accounts_user")
        # Accounts: people first (ids 1..people after the current max), then three per community.
        cursor.execute("SELECT COALESCE(MAX(id), 0) FROM timebank_account")
        first_account = cursor.fetchone()[0] + 1
        buf = io.StringIO()
        person_account = [first_account + n for n in range(people)]
        for n in range(people):
            buf.write(f"{person_account[n]}\t{uuid.uuid4()}\tperson\t{first_user + n}\t\\N\t{stamp(now)}\t0\t0\n")
        next_id = first_account + people
        community_account = {}
        for c in community_ids:
            for kind in (AccountKind.ISSUANCE, AccountKind.POOL, AccountKind.ESCROW):
                community_account[(c, kind.value)] = next_id
                # The stored balance is set from the entries once they are written; issuance has no floor.
                floor = "\\N" if kind == AccountKind.ISSUANCE else "0"
                buf.write(f"{next_id}\t{uuid.uuid4()}\t{kind.value}\t\\N\t{c}\t{stamp(now)}\t0\t{floor}\n")
                next_id += 1
        buf.seek(0)
        columns = "id, public_id, kind, owner_id, community_id, created_at, balance, floor"
        load(cursor, "timebank_account", columns, buf.getvalue())
        reset_sequence(cursor, "timebank_account")
    line("build: users and accounts", f"{time.perf_counter() - started:.1f}", "s")

    # Each person lives in one community; activity is skewed towards low person numbers.
    home = [rng.choice(community_ids) for _ in range(people)]
    balance = [0] * people  # tenths of an hour
    pool = dict.fromkeys(community_ids, 0)
    open_holds: list[tuple[int, int, int, int]] = []  # journal id, person, community, tenths
    start_at = now - timedelta(days=3 * 365)
    span = (now - start_at).total_seconds()
    journal_id = entry_id = 0
    written = 0
    estimated_journals = entries_target // 2

    def person() -> int:
        return min(people - 1, int(rng.random() ** 3 * people))

    while written < entries_target:
        journals, entries = io.StringIO(), io.StringIO()
        for _ in range(CHUNK):
            if written >= entries_target:
                break
            journal_id += 1
            at = stamp(start_at + timedelta(seconds=span * min(1.0, journal_id / estimated_journals)))
            roll = rng.random()
            p = person()
            c = home[p]
            settles = "\\N"
            if roll < 0.08 and open_holds:
                hold_id, holder, hc, amount = open_holds.pop(rng.randrange(len(open_holds)))
                if rng.random() < 0.85:
                    kind, to = "release", person()
                else:
                    kind, to = "refund", holder
                lines = [(community_account[(hc, "escrow")], -amount), (person_account[to], amount)]
                balance[to] += amount
                c, settles = hc, str(hold_id)
            elif roll < 0.16 and balance[p] >= 10:
                amount = rng.randint(5, min(50, balance[p]))
                kind = "hold"
                lines = [(person_account[p], -amount), (community_account[(c, "escrow")], amount)]
                balance[p] -= amount
                open_holds.append((journal_id, p, c, amount))
            elif roll < 0.36 and balance[p] >= 5:
                q = person()
                if q == p:
                    q = (p + 1) % people
                amount = rng.randint(1, min(30, balance[p]))
                kind = "transfer"
                lines = [(person_account[p], -amount), (person_account[q], amount)]
                balance[p] -= amount
                balance[q] += amount
                c = None
            elif roll < 0.40 and balance[p] >= 5:
                amount = rng.randint(1, min(20, balance[p]))
                kind = "pool"
                lines = [(person_account[p], -amount), (community_account[(c, "pool")], amount)]
                balance[p] -= amount
                pool[c] += amount
            elif roll < 0.43 and pool[c] >= 5:
                amount = rng.randint(1, min(20, pool[c]))
                kind = "pool"
                lines = [(community_account[(c, "pool")], -amount), (person_account[p], amount)]
                pool[c] -= amount
                balance[p] += amount
            else:
                amount = rng.randint(5, 40)
                kind = "deposit"
                lines = [(community_account[(c, "issuance")], -amount), (person_account[p], amount)]
                balance[p] += amount
            community = "\\N" if c is None else str(c)
            journals.write(
                f"{journal_id}\t{uuid.uuid4()}\tbench:{journal_id}\t{kind}\t{community}\t{kind}\t\\N\t{at}\t"
                f"\\N\t{settles}\n"
            )
            for account, tenths in lines:
                entry_id += 1
                entries.write(f"{entry_id}\t{journal_id}\t{account}\t{tenths / 10:.1f}\n")
            written += len(lines)
        with transaction.atomic(), connection.cursor() as cursor:
            # The rows are consistent by construction (and checked below): skip the per-row foreign-key
            # triggers, which would otherwise dominate the load.
            if connection.vendor == "postgresql":
                cursor.execute("SET LOCAL session_replication_role = replica")
            load(
                cursor,
                "timebank_journal",
                "id, public_id, key, kind, community_id, memo, created_by_id, created_at, reverses_id, settles_id",
                journals.getvalue(),
            )
            load(cursor, "timebank_entry", "id, journal_id, account_id, amount", entries.getvalue())
        line("build: entries so far", written)
    with connection.cursor() as cursor:
        for table in ("timebank_journal", "timebank_entry"):
            reset_sequence(cursor, table)
        # The ledger keeps each account's balance in its row (core.ledger): the sum of its entries.
        cursor.execute(
            "UPDATE timebank_account SET balance = COALESCE((SELECT SUM(e.amount) FROM timebank_entry e"
            " WHERE e.account_id = timebank_account.id), 0)"
        )
    connection.close()
    with connection.cursor() as cursor:  # outside a transaction: VACUUM sets the visibility map
        if connection.vendor == "postgresql":
            cursor.execute("VACUUM ANALYZE timebank_account, timebank_journal, timebank_entry")
        else:
            cursor.execute("ANALYZE")
    line("build: total", f"{time.perf_counter() - started:.1f}", "s")


def timed(fn) -> float:
    t0 = time.perf_counter()
    fn()
    return (time.perf_counter() - t0) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_size_argument(parser)
    parser.add_argument("--entries", type=int, default=None)
    parser.add_argument("--people", type=int, default=None)
    parser.add_argument("--communities", type=int, default=None)
    parser.add_argument("--calls", type=int, default=None)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    args.entries = args.entries or sized(args.size, 20_000, 10_000_000, 50_000_000)
    args.people = args.people or sized(args.size, 1_000, 200_000, 1_000_000)
    args.communities = args.communities or sized(args.size, 10, 130, 10_000)
    args.calls = args.calls or sized(args.size, 50, 300, 300)
    setup_django(f"bench_timebank_{args.size}.sqlite3")
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    quiet_debug()
    line("database", describe_db())
    build(args.entries, args.people, args.communities, args.seed)

    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.db.models import Count, Sum

    from dangjian.timebank import selectors, services
    from dangjian.timebank.models import Account, AccountKind, Entry

    line("entries", Entry.objects.count())
    line("person accounts", Account.objects.filter(kind=AccountKind.PERSON).count())
    busiest = (
        Entry.objects.filter(account__kind=AccountKind.PERSON)
        .values("account_id")
        .annotate(n=Count("id"))
        .order_by("-n")
        .first()
    )
    line("entries of the busiest person", busiest["n"] if busiest else 0)

    rng = random.Random(args.seed + 1)
    User = get_user_model()
    ids = list(User.objects.filter(username__startswith="bench_tb_").values_list("pk", flat=True))
    users = [User(pk=pk) for pk in rng.sample(ids, min(args.calls, len(ids)))]
    # Include the busiest person: their statement is the heaviest.
    if busiest:
        users.append(Account.objects.get(pk=busiest["account_id"]).owner)

    def select_one():
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()

    baseline = [timed(select_one) for _ in range(200)]
    line("baseline: one SELECT 1 round trip median", f"{median(baseline):.2f}", "ms")
    balance_ms, first_ms, last_ms, sizes = [], [], [], []
    for user in users:
        balance_ms.append(timed(lambda user=user: services.balance(user)))
        page = None

        def first(user=user):
            nonlocal page
            page = selectors.statement(user, page=1)
            list(page.object_list)

        first_ms.append(timed(first))
        sizes.append(page.paginator.count)
        last_ms.append(
            timed(lambda user=user, n=page.paginator.num_pages: list(selectors.statement(user, page=n).object_list))
        )
    for label, values in (("balance", balance_ms), ("statement page 1", first_ms), ("statement last page", last_ms)):
        line(f"{label} median", f"{median(values):.2f}", "ms")
        line(f"{label} p95", f"{percentile(values, 95):.2f}", "ms")
    line("members timed", len(users))
    line("entries per timed member (median)", median(sizes))

    t0 = time.perf_counter()
    grand = Entry.objects.aggregate(t=Sum("amount"))["t"]
    line("city: sum of all entries (must be 0)", grand)
    line("city: sum of all entries time", f"{(time.perf_counter() - t0) * 1000:.0f}", "ms")
    t0 = time.perf_counter()
    totals = dict(
        Entry.objects.values_list("account__kind")
        .annotate(t=Sum("amount"))
        .order_by()
        .values_list("account__kind", "t")
    )
    line("city: hours people hold", f"{totals.get(AccountKind.PERSON) or 0:.1f}")
    line("city: hours issued", f"{-(totals.get(AccountKind.ISSUANCE) or 0):.1f}")
    line("city: hours in pools", f"{totals.get(AccountKind.POOL) or 0:.1f}")
    line("city: hours in escrow", f"{totals.get(AccountKind.ESCROW) or 0:.1f}")
    line("city: totals by account kind time", f"{(time.perf_counter() - t0) * 1000:.0f}", "ms")
    negative = (
        Entry.objects.filter(account__kind=AccountKind.PERSON)
        .values("account_id")
        .annotate(t=Sum("amount"))
        .filter(t__lt=Decimal("-0.05"))  # below zero by a tenth or more (SQLite sums in floating point)
        .count()
    )
    line("people below zero (must be 0)", negative)

    sample = users[0]
    sql, params = (
        Entry.objects.filter(account__kind=AccountKind.PERSON, account__owner=sample)
        .values("account")
        .annotate(t=Sum("amount"))
        .query.sql_with_params()
    )
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
            plan = " | ".join(row[0].strip() for row in cursor.fetchall())
        else:
            cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
            plan = " | ".join(str(row[-1]) for row in cursor.fetchall())
    line("balance plan", plan)


if __name__ == "__main__":
    main()
