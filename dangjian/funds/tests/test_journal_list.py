"""The journal list (the cockpit's 经费拨付 and 经费支出 link here): place, day and kind filters counting
what funds/facts.py counts, their total in fen (`amount_total`), a place out of scope or a bad value
dropped with its error, outsiders kept out, and a page that costs the same queries whatever the rows."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from dangjian.funds.models import Journal
from dangjian.funds.services.allocations import allocate_now
from dangjian.funds.services.commitments import commit_funds, pay_commitment

from .conftest import YEAR

pytestmark = pytest.mark.django_db


@pytest.fixture
def book(funded, second_admin):
    """婆石: 100,000 元 allocated, 3,000 committed, 1,200 paid; 海虹: 5,000 元 allocated."""
    u = funded.users
    allocate_now(actor=u.district_admin, approver=second_admin, area=funded.c3, kind="micro", year=YEAR,
                 amount=Decimal("5000"))  # fmt: skip
    commit_funds(actor=None, holder="microprojects.project:lamp", community=funded.c1, kind="micro", year=YEAR,
                 amount=3000, memo="路灯维修", key="k1")  # fmt: skip
    pay_commitment(actor=u.community_worker, holder="microprojects.project:lamp", amount=1200, payee="施工队",
                   memo="首付款", key="p1")  # fmt: skip
    return funded


def _get(client, **params):
    response = client.get(reverse("funds:journals"), params)
    assert response.status_code == 200
    return int(response.context["page"].count), response


def test_journals_narrow_by_place_day_and_kind_and_total_their_amounts(book, client):
    world = book
    today = timezone.localdate()
    days = {"date_from": today.replace(month=1, day=1).isoformat(), "date_to": today.isoformat()}
    client.force_login(world.users.district_admin)
    count, response = _get(client, kind="allocation", **days)
    assert count == 2 and response.context["amount_total"] == 10_500_000  # fen
    count, response = _get(client, kind="payment", **days)
    assert count == 1 and response.context["amount_total"] == 120_000
    html = response.content.decode()
    assert 'data-testid="list-total"' in html and "120,000.00" not in html and "1,200.00" in html
    count, response = _get(client, kind="allocation", area=world.c1.public_id, **days)
    assert count == 1 and response.context["amount_total"] == 10_000_000
    assert _get(client, kind="allocation", area=world.s2.public_id)[0] == 1
    assert _get(client, area=world.g1a.public_id)[0] == 0  # journals lie at a community or a subdistrict
    yesterday = (today - datetime.timedelta(days=1)).isoformat()
    count, response = _get(client, kind="allocation", date_to=yesterday)
    assert count == 0 and response.context["amount_total"] == 0


def test_a_filter_out_of_scope_or_bad_is_dropped_and_outsiders_see_nothing(book, client):
    world = book
    own = Journal.objects.filter(area=world.c1).count()
    client.force_login(world.users.community_worker)
    count, response = _get(client, area=world.c3.public_id, kind="bogus", date_to="2026-02-30")
    assert count == own
    assert set(response.context["form"].errors) == {"area", "kind", "date_to"}
    assert 'data-testid="filter-errors"' in response.content.decode()
    client.force_login(world.users.community_worker_outsider)
    count, response = _get(client, area=world.c1.public_id, kind="allocation")
    assert count == 1 and response.context["amount_total"] == 500_000  # its own 5,000 元 only
    assert "施工队" not in response.content.decode()
    client.force_login(world.users.resident)
    assert client.get(reverse("funds:journals")).status_code == 404


def test_the_filtered_journals_cost_the_same_queries_whatever_the_rows(book, second_admin, count_queries):
    world = book
    url = reverse("funds:journals") + f"?area={world.s1.public_id}&kind=allocation&date_from={YEAR}-01-01"
    few = count_queries(world.users.subdistrict_admin, url)
    for n in range(25):
        allocate_now(actor=world.users.district_admin, approver=second_admin, area=world.c2, kind="micro", year=YEAR,
                     amount=n + 1)  # fmt: skip
    assert count_queries(world.users.subdistrict_admin, url) == few <= 12
