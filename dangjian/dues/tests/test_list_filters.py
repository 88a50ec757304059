"""The member-month dues list (the cockpit's 党费足额交纳率 and 党费收缴 link here): place, month and
settlement filters counting what dues/facts.py counts, the total paid toward the dues in fen
(`amount_total`, without the voluntary extra), a place out of scope or a bad value dropped with its
error, outsiders kept out, and a page that costs the same queries whatever the rows."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from dangjian.core.money import fen
from dangjian.dues import rules, services
from dangjian.dues.models import DuesMonth

from .conftest import MONTH, set_base

pytestmark = pytest.mark.django_db
APRIL = rules.add_months(MONTH, 1)


@pytest.fixture
def months(dues_world):
    """婆石's branch: 王红 and 李强 charged for March and April 2026; 王红 paid March in full with 5 元
    extra, 李强 paid 100 元 of March; 海虹's 陈刚 charged for March."""
    w = dues_world
    set_base(w.paying, pay="4000", month=MONTH)
    set_base(w.other, pay="12000", month=MONTH)
    set_base(w.far, pay="3000", month=MONTH)
    for month in (MONTH, APRIL):
        services.charge(member=w.paying, month=month)
        services.charge(member=w.other, month=month)
    services.charge(member=w.far, month=MONTH)
    paying = DuesMonth.objects.get(member=w.paying, month=MONTH)
    other = DuesMonth.objects.get(member=w.other, month=MONTH)
    services.payment_record(actor=w.officer, dues=paying, amount=paying.owed, extra="5", key=services.new_key())
    services.payment_record(actor=w.officer, dues=other, amount="100", key=services.new_key())
    assert other.owed > Decimal(100)
    return w, fen(paying.owed) + 10000


def _count(client, **params):
    response = client.get(reverse("dues:months"), params)
    assert response.status_code == 200
    return int(response.context["page"].count), response


def test_the_months_narrow_by_place_month_and_settlement_and_total_what_was_paid(months, client):
    w, paid_fen = months
    world = w.world
    client.force_login(world.users.district_admin)
    assert _count(client)[0] == 5
    assert _count(client, area=world.c1.public_id)[0] == 4
    assert _count(client, area=world.c3.public_id)[0] == 1
    assert _count(client, area=world.g1a.public_id)[0] == 0  # the branch lies at its community
    assert _count(client, date_from=APRIL.isoformat(), date_to="2026-04-30")[0] == 2
    assert _count(client, date_to="2026-03-31", area=world.s1.public_id)[0] == 2
    assert _count(client, settled="yes")[0] == 1
    assert _count(client, settled="no")[0] == 4
    count, response = _count(client, paid="on", area=world.c1.public_id, date_from="2026-01-01", date_to="2026-12-31")
    assert count == 2
    assert response.context["amount_total"] == paid_fen  # 王红's March in full, 李强's 100 元; not the 5 元 extra
    html = response.content.decode()
    assert 'data-testid="list-total"' in html and "王红" in html and "陈刚" not in html
    assert "已交纳合计" in html


def test_a_filter_out_of_scope_or_bad_is_dropped_and_outsiders_see_nothing(months, client):
    w, _ = months
    world = w.world
    client.force_login(world.users.community_worker)
    count, response = _count(client, area=world.c3.public_id, settled="maybe", date_from="2026-13-01")
    assert count == 4
    assert set(response.context["form"].errors) == {"area", "settled", "date_from"}
    html = response.content.decode()
    assert 'data-testid="filter-errors"' in html and "陈刚" not in html
    client.force_login(world.users.community_worker_outsider)
    count, response = _count(client, area=world.c1.public_id)
    assert count == 1 and "王红" not in response.content.decode()
    assert response.context["amount_total"] == 0
    for user in (world.users.resident, world.users.member, w.officer):
        client.force_login(user)
        assert client.get(reverse("dues:months")).status_code == 404


def test_the_filtered_months_cost_the_same_queries_whatever_the_rows(months, count_queries):
    w, _ = months
    url = reverse("dues:months") + f"?area={w.world.s1.public_id}&date_from=2026-01-01&settled=no&paid=on"
    small = count_queries(w.world.users.district_admin, url)
    for i in range(2, 6):
        month = rules.add_months(MONTH, i)
        services.charge(member=w.paying, month=month)
        services.charge(member=w.other, month=month)
    assert count_queries(w.world.users.district_admin, url) == small <= 12
