"""我的诉求 costs a page (core.keyset): the reporter's cases newest first, every one reached once through
numbered then cursor pages with the search and state kept in every link, and a deep page in as many
queries as the first."""

from __future__ import annotations

import datetime
from html import unescape

from django.urls import reverse
from django.utils import timezone

from dangjian.cases.models import Case
from dangjian.cases.workflow import DONE_STATUSES
from dangjian.core.testing import NEXT_LINK, walk_pages
from dangjian.demo.bulk_cases import generate_cases


def scene(world, n: int = 150) -> list[int]:
    """`n` generated cases given to the resident, received two a minute (the id breaks the tie)."""
    generate_cases(n + 20, root=world.c1, seed=4, progress=False)
    ids = list(Case.objects.order_by("pk").values_list("pk", flat=True))[:n]
    start = timezone.now() - datetime.timedelta(days=3)
    for k, pk in enumerate(ids):
        Case.objects.filter(pk=pk).update(
            reporter=world.users.resident, received_at=start + datetime.timedelta(minutes=k // 2)
        )
    return ids


def test_every_own_case_is_reached_once_newest_first_with_the_filters_kept(world, login):
    scene(world)
    client = login(world.users.resident)
    rows, links = walk_pages(client, reverse("cases:mine"))
    mine = Case.objects.filter(reporter=world.users.resident)
    expected = [c.pk for c in sorted(mine, key=lambda c: (c.received_at, c.pk), reverse=True)]
    assert [c.pk for c in rows] == expected and len(expected) == 150
    assert any(link.startswith("after=") for link in links)
    rows, links = walk_pages(client, reverse("cases:mine"), "q=BJ&state=done")
    done = [pk for pk in expected if Case.objects.get(pk=pk).status in DONE_STATUSES]
    assert [c.pk for c in rows] == done and len(done) > 20
    assert links and all(link.startswith("q=BJ&state=done&") for link in links)


def test_a_deep_page_costs_what_the_first_does(world, login, count_queries):
    scene(world)
    client = login(world.users.resident)
    url = reverse("cases:mine")
    deep = f"{url}?{unescape(NEXT_LINK.search(client.get(url, {'page': 5}).content.decode()).group(1))}"
    assert "after=" in deep
    assert count_queries(world.users.resident, deep) == count_queries(world.users.resident, url)
