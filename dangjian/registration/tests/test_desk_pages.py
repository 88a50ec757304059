"""The registration desk costs a page: waiting registrations first, then newest first, by keyset pages
(numbered, then by cursor) that keep the filters, a count capped at core.keyset.COUNT_CAP, and the stored
desk order following each decision."""

from __future__ import annotations

import datetime
from html import unescape

from django.urls import reverse
from django.utils import timezone

from dangjian.core.keyset import COUNT_CAP
from dangjian.core.testing import NEXT_LINK, walk_pages
from dangjian.people.models import Member
from dangjian.registration.models import Registration


def bulk_registrations(world, n: int, *, confirmed_every: int = 3) -> list[Registration]:
    members = Member.objects.bulk_create(
        [Member(name=f"报到党员{k:05d}", status="in_service", org=world.eb, home_community=world.c1) for k in range(n)]
    )
    start = timezone.now() - datetime.timedelta(days=30)
    regs = Registration.objects.bulk_create(
        [
            Registration(
                kind="member",
                community=world.c1,
                member=member,
                status="confirmed" if confirmed_every and k % confirmed_every == 0 else "submitted",
            )
            for k, member in enumerate(members)
        ]
    )
    for k, reg in enumerate(regs):  # a few share a submission time: the id breaks the tie
        Registration.objects.filter(pk=reg.pk).update(submitted_at=start + datetime.timedelta(minutes=k // 2))
    return regs


def walk(client, params: str = "") -> tuple[list[Registration], list[str]]:
    return walk_pages(client, reverse("registration:desk"), params)


def expected_order(rows: list[Registration]) -> list[int]:
    return [r.pk for r in sorted(rows, key=lambda r: (r.status != "submitted", -r.submitted_at.timestamp(), -r.pk))]


def test_the_desk_pages_pending_first_then_newest_through_numbered_and_cursor_pages(reg_world, login):
    bulk_registrations(reg_world, 220)
    client = login(reg_world.users.community_worker)
    rows, links = walk(client)
    everything = list(Registration.objects.visible_to(reg_world.users.community_worker))
    assert [r.pk for r in rows] == expected_order(everything) and len(rows) == len(everything) == 220
    assert any(link.startswith("after=") for link in links)
    rows, links = walk(client, "status=confirmed&q=报到")
    assert len(rows) == 74 and all(r.status == "confirmed" for r in rows)
    assert all("status=confirmed" in link and "q=" in link for link in links)


def test_the_stored_order_follows_a_decision(reg_world, login):
    regs = bulk_registrations(reg_world, 5, confirmed_every=0)
    first = regs[0]
    assert Registration.objects.get(pk=first.pk).desk_rank == 0
    Registration.objects.filter(pk=first.pk).update(status="rejected")
    assert Registration.objects.get(pk=first.pk).desk_rank == 1
    client = login(reg_world.users.community_worker)
    rows = list(client.get(reverse("registration:desk")).context["page"].object_list)
    assert rows[-1].pk == first.pk  # no longer waiting, and the oldest: last
    assert [r.pk for r in rows] == expected_order(list(Registration.objects.filter(pk__in=[r.pk for r in rows])))


def test_the_desk_count_is_capped_and_a_deep_page_costs_what_the_first_does(reg_world, login, count_queries):
    bulk_registrations(reg_world, COUNT_CAP + 5)
    worker = reg_world.users.community_worker
    client = login(worker)
    page = client.get(reverse("registration:desk")).context["page"]
    assert page.count.capped and str(page.count) == f"{COUNT_CAP}+"
    assert client.get(reverse("registration:desk"), {"status": "rejected"}).context["page"].count.exact
    url = reverse("registration:desk")
    deep = f"{url}?{unescape(NEXT_LINK.search(client.get(url, {'page': 5}).content.decode()).group(1))}"
    assert "after=" in deep
    assert count_queries(worker, deep) == count_queries(worker, url)
