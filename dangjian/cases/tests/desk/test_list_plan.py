"""On PostgreSQL with 100,000 cases: every page of the workbench list reads its keys from an index, in
order, for every role and tab (EXPLAIN, with the planner's settings untouched: no sequential scan of
cases_case, no sort of the scope)."""

from __future__ import annotations

import pytest
from django.db import connection

from dangjian.cases import selectors
from dangjian.cases.models import Case, due_key_expression
from dangjian.core import keyset
from dangjian.core.testing import query_plan as plan
from dangjian.demo.bulk_cases import make_case

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="query plans of PostgreSQL")

ROWS_PER_GRID = 25_000


def fill(world, template: Case) -> None:
    """100,000 cases copied from `template` in SQL, 25,000 in each of four grids, received every five
    minutes over the last year: one in twenty open with a deadline around now, a few waiting, the rest
    archived; then the stored order computed by the database (the migration's expression)."""
    copied = [
        f.column
        for f in Case._meta.concrete_fields
        if f.column
        not in {
            "id",
            "public_id",
            "number",
            "status",
            "received_at",
            "deadline",
            "grid_id",
            "community_id",
            "subdistrict_id",
            "area_path",
            "due_key",
            "supervised",
        }
    ]
    columns = ", ".join(copied)
    with connection.cursor() as cursor:
        for k, grid in enumerate((world.g1a, world.g1b, world.g2, world.g3)):
            community, subdistrict = grid.parent, grid.parent.parent
            cursor.execute(
                f"""
                INSERT INTO cases_case ({columns}, public_id, number, status, received_at, deadline, grid_id,
                    community_id, subdistrict_id, area_path, due_key, supervised)
                SELECT {columns}, gen_random_uuid(), 'PG-{k}-' || g,
                    CASE WHEN mod(g, 20) = 0 THEN 'handling' WHEN mod(g, 20) = 1 THEN 'submitted'
                         WHEN mod(g, 20) = 2 THEN 'dispatched' ELSE 'archived' END,
                    now() - g * interval '5 minutes',
                    CASE WHEN mod(g, 20) IN (0, 2) THEN now() + (mod(g, 97) - 48) * interval '1 hour' END,
                    %s, %s, %s, %s, 0, mod(g, 500) = 0
                FROM cases_case, generate_series(1, %s) AS g
                WHERE cases_case.id = %s
                """,
                [grid.pk, community.pk, subdistrict.pk, grid.path, ROWS_PER_GRID, template.pk],
            )
    Case.objects.update(due_key=due_key_expression())
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE cases_case")


def test_every_list_page_reads_its_keys_from_an_index(world):
    from django.utils import timezone

    fill(world, make_case(area=world.g1a, received_at=timezone.now()))
    assert Case.objects.count() > 100_000
    u = world.users
    users = (u.community_worker, u.district_admin, u.subdistrict_admin, u.grid_worker, u.department_staff)
    for user in users:
        for tab in ("", "todo", "dispatched", "handling", "overdue", "supervised"):
            for part in selectors.list_parts(user, tab=tab):
                keys = part.order_by(*selectors.LIST_ORDER).values_list("pk", flat=True)[:21]
                text = plan(keys)
                assert "Seq Scan on cases_case" not in text, (user.username, tab, text)
                assert "Index" in text, (user.username, tab, text)
        # A deep page by cursor: the index range starts at the cursor.
        part = selectors.list_parts(user)[0]
        middle = part.order_by(*selectors.LIST_ORDER).values_list("due_key", "pk")[20_000:20_001].first()
        if middle is not None:
            after = part.filter(keyset.seek_q(selectors.LIST_ORDER, middle))
            text = plan(after.order_by(*selectors.LIST_ORDER).values_list("pk", flat=True)[:21])
            assert "Seq Scan on cases_case" not in text and "Sort" not in text, (user.username, text)
    # The whole-scope page 1 walks the scope's index in order (no sort of 50,000 rows).
    part = selectors.list_parts(u.community_worker)[0]
    text = plan(part.order_by(*selectors.LIST_ORDER).values_list("pk", flat=True)[:21])
    assert "cases_case_community_key" in text and "Sort" not in text, text
