"""(PostgreSQL) an area's journal list (the fund page's 记账明细) is an index walk at 100,000 journals:
the first page, each kind's tab, another year and a deep page by cursor, none reading the whole table."""

import pytest
from django.db import connection

from dangjian.core.keyset import seek_q
from dangjian.funds import pages
from dangjian.funds.models import Journal, JournalKind

postgres_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="query plans of PostgreSQL")
JOURNALS = 100_000
# Every kind a journal is written with that needs no other row (a refund names its payment).
KINDS = [k for k in JournalKind.values if k != JournalKind.REFUND]


def _plan(qs) -> str:
    sql, params = qs.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN " + sql, params)
        return "\n".join(row[0] for row in cursor.fetchall())


def _bulk(world, year: int) -> None:
    """100,000 journals over three years and every kind: one in fifty in 婆石社区, the rest in 茂盛社区 (a
    community's journals are a small part of a district's ledger)."""
    kinds = "ARRAY[" + ", ".join(f"'{k}'" for k in KINDS) + "]"
    with connection.cursor() as cursor:
        cursor.execute(
            f"""INSERT INTO funds_journal
                (public_id, key, kind, memo, created_at, area_id, area_path, fund, year, amount, holder, payee,
                 voucher)
                SELECT md5(n::text)::uuid, 'plan-' || n, ({kinds})[1 + (n / 50) %% {len(KINDS)}], '', now(),
                       CASE WHEN n %% 50 = 0 THEN %s ELSE %s END, CASE WHEN n %% 50 = 0 THEN %s ELSE %s END,
                       'micro', %s - ((n / 50) %% 3), 100, '', '', ''
                FROM generate_series(1, {JOURNALS}) AS n""",
            [world.c1.pk, world.c2.pk, world.c1.path, world.c2.path, year],
        )
        cursor.execute("ANALYZE funds_journal")


@postgres_only
@pytest.mark.django_db
def test_the_journal_list_is_an_index_walk_at_100k_journals(world):
    year = pages.current_year()
    _bulk(world, year)
    assert Journal.objects.count() == JOURNALS
    order = pages.JOURNAL_ORDER
    plans = {}
    for kind in ("", *KINDS):
        qs = pages.journals(world.c1, year=year, kind=kind).order_by(*order)
        plans[("page", kind)] = _plan(qs.values("pk")[:21])
        assert qs.exists(), kind  # the tab has rows: the plan is of a list a person would read
    plans[("last year", "")] = _plan(pages.journals(world.c1, year=year - 1).order_by(*order).values("pk")[:21])
    every = pages.journals(world.c1, year=year).order_by(*order)
    row = every[300]
    deep = every.filter(seek_q(order, [row.pk]))
    assert deep.first().pk < row.pk
    plans[("deep", "")] = _plan(deep.values("pk")[:21])
    seq = {key: plan for key, plan in plans.items() if "Seq Scan on funds_journal" in plan}
    assert not seq, seq
    sorted_ = {key: plan for key, plan in plans.items() if "Sort" in plan}
    assert not sorted_, sorted_
    assert all("funds_journal_area_id" in plan for plan in plans.values()), plans
