"""The demand desk's lists cost a page (core.keyset, tested generically in core/tests/test_keyset.py):
the desk links numbered pages then cursors, tab and 今日待办 counts are capped and say so, and
(PostgreSQL) every list query is an index walk."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from dangjian.core.keyset import capped_count, cursor_of, keyset_page, seek_q
from dangjian.core.todo import todos_for
from dangjian.demands import lists, selectors, todo, workflow
from dangjian.demands import models as demand_models
from dangjian.demands.models import Demand, DemandStatus
from dangjian.demo.bulk_demands import generate_demands

S = DemandStatus
ORDERING = selectors.DESK_ORDERING


def _bulk(world, n, *, root=None, seed=3):
    generate_demands(n, root=root or world.c1, seed=seed, progress=False)
    return Demand.objects.filter(community__in=[world.c1, world.c2, world.c3])


def test_the_indexes_name_the_workflow_s_status_sets():
    assert sorted(workflow.OPEN_DEMAND_STATUSES) == demand_models.OPEN_STATUSES
    assert sorted(workflow.SERVED_STATUSES) == demand_models.SERVED_STATUSES


def _ids(html: str) -> list[str]:
    return re.findall(r'data-demand="([0-9a-f-]+)"', html)


def _link(html: str, rel: str) -> str | None:
    found = re.search(rf'href="\?([^"]*)" rel="{rel}"', html)
    return found.group(1).replace("&amp;", "&") if found else None


@pytest.mark.django_db
def test_the_desk_numbers_its_first_pages_then_walks_by_cursor(world, client):
    _bulk(world, 130)  # 7 pages of 20: pages 1-5 by number, 6 and 7 by cursor
    client.force_login(world.users.community_worker)
    desk = reverse("demands:desk")
    expected = [str(p) for p in selectors.desk_list(world.users.community_worker).values_list("public_id", flat=True)]
    html = client.get(desk, {"tab": "all"}).content.decode()
    assert 'href="?tab=all&amp;page=5"' in html and "page=6" not in html and "共 130 条" in html
    seen, queries = _ids(html), []
    while (query := _link(html, "next")) is not None:
        queries.append(query.split("&")[-1].split("=")[0])
        html = client.get(f"{desk}?{query}").content.decode()
        seen += _ids(html)
    assert seen == expected and queries == ["page"] * 4 + ["after"] * 2
    back = _ids(html)
    while (query := _link(html, "prev")) is not None:
        html = client.get(f"{desk}?{query}").content.decode()
        back = _ids(html) + back
    assert back == expected
    # Old links to deep numbered pages still open; past the end, the last page.
    assert _ids(client.get(desk, {"tab": "all", "page": 6}).content.decode()) == expected[100:120]
    assert _ids(client.get(desk, {"tab": "all", "page": 99}).content.decode()) == expected[120:]


@pytest.mark.django_db
def test_tab_and_todo_counts_are_capped_and_say_so(world, client, monkeypatch):
    _bulk(world, 60, seed=11)
    worker = world.users.community_worker
    eight = list(Demand.objects.filter(community=world.c1).values_list("pk", flat=True)[:8])
    Demand.objects.filter(pk__in=eight).update(status=S.SUBMITTED)
    submitted = selectors.desk_list(worker, tab=S.SUBMITTED).count()
    assert submitted > 4
    client.force_login(worker)
    tabs = {key: count for key, _label, count in client.get(reverse("demands:desk")).context["tabs"]}
    assert tabs["submitted"] == submitted and tabs["submitted"].exact
    monkeypatch.setattr(selectors, "COUNT_CAP", 4)
    monkeypatch.setattr(todo, "COUNT_CAP", 4)
    page = client.get(reverse("demands:desk"), {"tab": "submitted"})
    tabs = {key: count for key, _label, count in page.context["tabs"]}
    assert str(tabs["submitted"]) == "4+" and 'data-tab="submitted">待受理<span class="count">4+</span>' in (
        page.content.decode()
    )
    item = next(i for i in todos_for(worker) if i.url.endswith(f"tab={S.SUBMITTED}"))
    assert str(item.count) == "4+" and item.count == page.context["page"].paginator.count


@pytest.mark.django_db
def test_a_demand_placed_in_another_community_s_grid_stays_its_community_s(world):
    from dangjian.demands.services import _place
    from dangjian.territory.models import Building

    building = Building.objects.get(pk=world.building.pk)
    building.grid = world.g3  # a grid of 海虹社区, not of the building's 婆石社区
    grid, path = _place(world.c1, None, building)
    assert grid is None and path == world.c1.path


postgres_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="query plans of PostgreSQL")


def _plan(qs) -> str:
    sql, params = qs.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN " + sql, params)
        return "\n".join(row[0] for row in cursor.fetchall())


def _count_plans(user) -> list[str]:
    """The plans of the desk's count queries (COUNT(*) FROM (… LIMIT cap + 1), the tabs in one) as they run."""
    with CaptureQueriesContext(connection) as ctx:
        selectors.tab_counts(user)
        capped_count(selectors.desk_list(user), selectors.COUNT_CAP, ORDERING)  # 全部
        capped_count(selectors.desk_list(user, tab="late"), selectors.COUNT_CAP, ORDERING)
    plans = []
    for query in ctx.captured_queries:
        if "COUNT(" in query["sql"]:
            with connection.cursor() as cursor:
                cursor.execute("EXPLAIN " + query["sql"])
                plans.append("\n".join(row[0] for row in cursor.fetchall()))
    assert len(plans) == 3  # the tabs in one query, 全部, the late queue
    return plans


@postgres_only
@pytest.mark.django_db
def test_every_demand_list_query_is_an_index_walk_at_100k_rows(world):
    generate_demands(100_000, root=world.district, seed=5, progress=False)  # COPY, then ANALYZE
    u = world.users
    plans = {}
    for user in (u.community_worker, u.grid_worker, u.subdistrict_admin, u.district_admin):
        every = selectors.desk_list(user)
        row = every.order_by(*ORDERING)[500]
        deep = keyset_page(every, ORDERING, after=cursor_of(row, ORDERING), per_page=20)
        assert deep.rows and deep.rows[0].pk != row.pk
        for tab in ("", "late", *selectors.TABS):
            keys = selectors.desk_list(user, tab=tab).values_list("pk", flat=True)[:21]
            plans[(user.username, "page", tab)] = _plan(keys)
        for i, plan in enumerate(_count_plans(user)):
            plans[(user.username, "count", str(i))] = plan
        values = [getattr(row, term.lstrip("-")) for term in ORDERING]
        deep_keys = every.filter(seek_q(ORDERING, values)).order_by(*ORDERING).values_list("pk", flat=True)
        plans[(user.username, "deep", "")] = _plan(deep_keys[:21])
    for name in ("community_demands", "community_services", "community_evaluations"):
        plans[("lists", name, "")] = _plan(getattr(lists, name)(world.c1).values_list("pk", flat=True)[:21])
    seq = {key: plan for key, plan in plans.items() if "Seq Scan on demands_demand" in plan}
    assert not seq, sorted(seq)
    assert all("demands_demand" in plan and "Index" in plan for plan in plans.values())
