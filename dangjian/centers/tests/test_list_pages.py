"""The centres' lists cost a page (core.keyset): my bookings, the approvals and the upcoming activities
reach every row once in their order (pk breaking ties of start) through numbered then cursor pages, the
kind filter kept, and a deep page in as many queries as the first."""

from __future__ import annotations

import datetime
from html import unescape

import pytest
from django.urls import reverse
from django.utils import timezone

from dangjian.centers.models import Activity, BookerKind, Booking
from dangjian.core.testing import NEXT_LINK, walk_pages

N = 130  # 7 pages of 20: numbered 1-5, then by cursor


def when(k: int) -> datetime.datetime:
    """Two rows share each start: the id breaks the tie."""
    return timezone.now() + datetime.timedelta(days=2, hours=k // 2)


@pytest.fixture
def rows(world, net):
    booker = world.users.resident
    Booking.objects.bulk_create(
        [
            Booking(
                room=net.hall,
                booked_by=booker if k % 2 else None,
                booker_kind=BookerKind.values[0],
                purpose=f"预约{k:03d}",
                start=when(k),
                end=when(k) + datetime.timedelta(minutes=30),
                status="pending" if k % 2 == 0 else "approved",
            )
            for k in range(2 * N)
        ]
    )
    Activity.objects.bulk_create(
        [
            Activity(
                title=f"活动{k:03d}",
                kind="culture" if k % 3 else "volunteer",
                center=net.c1,
                area=world.c1,
                start=when(k),
                end=when(k) + datetime.timedelta(hours=1),
            )
            for k in range(N)
        ]
    )
    return net


LISTS = (
    ("centers:my_bookings", "resident", "", lambda w: Booking.objects.filter(booked_by=w.users.resident), True),
    ("centers:approvals", "community_worker", "", lambda w: Booking.objects.filter(status="pending"), False),
    ("centers:activity_list", "community_worker", "", lambda w: Activity.objects.all(), False),
)


@pytest.mark.parametrize(("name", "who", "params", "rows_of", "newest_first"), LISTS, ids=[x[0] for x in LISTS])
def test_every_row_is_reached_once_in_order(world, rows, login, name, who, params, rows_of, newest_first):
    client = login(getattr(world.users, who))
    seen, links = walk_pages(client, reverse(name), params)
    expected = [r.pk for r in sorted(rows_of(world), key=lambda r: (r.start, r.pk), reverse=newest_first)]
    assert [r.pk for r in seen] == expected and len(expected) >= N
    assert [link.split("=")[0] for link in links[:4]] == ["page"] * 4 and links[-1].startswith("after=")


def test_the_kind_filter_stays_in_every_link(world, rows, login):
    client = login(world.users.community_worker)
    seen, links = walk_pages(client, reverse("centers:activity_list"), "kind=culture")
    expected = [a.pk for a in Activity.objects.filter(kind="culture").order_by("start", "pk")]
    assert [a.pk for a in seen] == expected and len(links) >= 4
    assert all(link.startswith("kind=culture&") for link in links)


@pytest.mark.parametrize(("name", "who", "params", "rows_of", "newest_first"), LISTS, ids=[x[0] for x in LISTS])
def test_a_deep_page_costs_what_the_first_does(
    world, rows, login, count_queries, name, who, params, rows_of, newest_first
):
    user = getattr(world.users, who)
    client = login(user)
    url = reverse(name)
    deep = f"{url}?{unescape(NEXT_LINK.search(client.get(url, {'page': 5}).content.decode()).group(1))}"
    assert "after=" in deep
    assert count_queries(user, deep) == count_queries(user, url)
