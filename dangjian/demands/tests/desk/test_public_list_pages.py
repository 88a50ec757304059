"""The phone lists of the loop cost a page (core.keyset): 我的需求, the claim board and my done tasks walk
every row once in their order through numbered then cursor pages, a deep page takes as many queries as
the first, and on PostgreSQL each list's keys come from an index at 100,000 demands."""

from __future__ import annotations

import datetime
from html import unescape

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from dangjian.core.keyset import COUNT_CAP
from dangjian.core.testing import NEXT_LINK, walk_pages
from dangjian.core.testing import query_plan as plan
from dangjian.demands import selectors
from dangjian.demands.models import Demand, DemandStatus
from dangjian.demo.bulk_demands import generate_demands

S = DemandStatus


def scene(world, *, mine: int = 110, board: int = 115, done: int = 120, root=None) -> None:
    """Bulk demands in c1, then three disjoint slices: the resident's own, published (due two at a time:
    the id breaks the tie) and done by the member."""
    generate_demands(mine + board + done + 10, root=root or world.c1, seed=9, progress=False)
    ids = list(Demand.objects.filter(community=world.c1).order_by("pk").values_list("pk", flat=True))
    assert len(ids) >= mine + board + done
    u = world.users
    Demand.objects.filter(pk__in=ids[:mine]).update(requester=u.resident)
    start = timezone.now() + datetime.timedelta(hours=1)
    for k, pk in enumerate(ids[mine : mine + board]):
        Demand.objects.filter(pk=pk).update(status=S.PUBLISHED, step_due_at=start + datetime.timedelta(minutes=k // 2))
    Demand.objects.filter(pk__in=ids[mine + board : mine + board + done]).update(
        status=S.DONE, assigned_user=u.member, assigned_team=None, assigned_unit=None, step_due_at=None
    )


LISTS = (
    # (url name, user, the rows in the order the list had before keyset pages)
    (
        "demands:mine",
        "resident",
        lambda w: Demand.objects.filter(requester=w.users.resident).order_by("-submitted_at", "-pk"),
    ),
    ("demands:board", "member", lambda w: selectors.claimable_demands(w.users.member).order_by("step_due_at", "pk")),
    ("demands:tasks", "member", lambda w: selectors.my_tasks(w.users.member, done=True).order_by("step_due_at", "-pk")),
)


@pytest.mark.parametrize(("name", "who", "before"), LISTS, ids=[n for n, _w, _b in LISTS])
def test_every_row_is_reached_once_in_the_order_it_had(world, login, name, who, before):
    scene(world)
    client = login(getattr(world.users, who))
    rows, links = walk_pages(client, reverse(name))
    expected = list(before(world).values_list("pk", flat=True))
    assert [d.pk for d in rows] == expected and len(expected) >= 110
    assert [link.split("=")[0] for link in links[:4]] == ["page"] * 4 and links[-1].startswith("after=")
    last = client.get(f"{reverse(name)}?{links[-1]}")
    assert 'rel="prev"' in last.content.decode() and last.context["page"].count == len(expected)


@pytest.mark.parametrize(("name", "who", "before"), LISTS, ids=[n for n, _w, _b in LISTS])
def test_a_deep_page_costs_what_the_first_does(world, login, count_queries, name, who, before):
    scene(world)
    user = getattr(world.users, who)
    client = login(user)
    url = reverse(name)
    page5 = client.get(url, {"page": 5}).content.decode()
    deep = f"{url}?{unescape(NEXT_LINK.search(page5).group(1))}"
    assert "after=" in deep
    first = count_queries(user, url)
    assert count_queries(user, deep) == first


# -- PostgreSQL: the plans at 100,000 demands ------------------------------------------------------


@pytest.mark.skipif(connection.vendor != "postgresql", reason="query plans of PostgreSQL")
def test_the_phone_lists_read_their_keys_from_an_index_at_100k(world):
    generate_demands(100_000, root=world.district, seed=5, progress=False)  # COPY, then ANALYZE
    scene(world, mine=300, board=300, done=300, root=world.c1)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE demands_demand")
    u = world.users
    lists = [
        (selectors.my_demands(u.resident), selectors.MY_DEMANDS_ORDER),
        (selectors.claimable_demands(u.member), selectors.CLAIMABLE_ORDER),
        (selectors.my_tasks(u.member, done=True), selectors.DONE_TASK_ORDER),
    ]
    for qs, ordering in lists:
        assert qs.exists()
        for keys in (qs.order_by(*ordering).values("pk")[:21], qs.order_by(*ordering).values("pk")[: COUNT_CAP + 1]):
            text = plan(keys)
            assert "Seq Scan on demands_demand" not in text and "Index" in text, text
