"""The project list's place, date and state filters (the cockpit's links carry them): a place in
scope narrows the list, a place out of scope or a bad date is dropped with its error and leaves the
other filters working, and a filtered page costs the same queries whatever the rows."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from dangjian.microprojects.models import Project, Status

pytestmark = pytest.mark.django_db


def _count(client, **params):
    response = client.get(reverse("microprojects:list"), params)
    assert response.status_code == 200
    return int(response.context["page"].count), response


def test_place_dates_and_withdrawn_narrow_the_list(world, propose, client):
    a = propose(title="婆石座椅")
    b = propose(title="婆石路灯")
    old = propose(title="婆石旧项目")
    other = propose(title="茂盛花坛", community=world.c2, actor=world.users.subdistrict_admin)
    last_year = timezone.now() - datetime.timedelta(days=400)
    Project.objects.filter(pk=old.pk).update(proposed_at=last_year)
    Project.objects.filter(pk=b.pk).update(status=Status.WITHDRAWN)
    client.force_login(world.users.subdistrict_admin)
    assert _count(client)[0] == 4
    assert _count(client, area=world.c1.public_id)[0] == 3
    assert _count(client, area=world.c2.public_id)[0] == 1
    today = timezone.localdate()
    year = {"date_from": today.replace(month=1, day=1).isoformat(), "date_to": today.isoformat()}
    if last_year.date() < today.replace(month=1, day=1):
        assert _count(client, area=world.c1.public_id, **year)[0] == 2
    assert _count(client, area=world.c1.public_id, unwithdrawn="on")[0] == 2
    count, response = _count(client, area=world.c1.public_id, unwithdrawn="on", date_from=today.isoformat())
    assert count == 1
    assert 'data-testid="list-total"' in response.content.decode()
    assert a.title in response.content.decode() and other.title not in response.content.decode()
    # A grid: projects lie at their community, so a grid holds none.
    assert _count(client, area=world.g1a.public_id)[0] == 0


def test_a_place_out_of_scope_or_a_bad_date_is_dropped_with_its_error(world, propose, client):
    propose(title="婆石座椅")
    client.force_login(world.users.community_worker)
    # Another subdistrict's community: not offered, not applied, said so; the list stays the worker's.
    count, response = _count(client, area=world.c3.public_id, date_from="2024-13-40", unwithdrawn="on")
    assert count == 1
    form = response.context["form"]
    assert set(form.errors) == {"area", "date_from"}
    html = response.content.decode()
    assert 'data-testid="filter-errors"' in html
    assert world.c3.name not in html
    assert _count(client, area="not-a-uuid")[0] == 1


def test_a_filtered_list_costs_the_same_queries_whatever_the_rows(world, propose, count_queries):
    url = reverse("microprojects:list") + f"?area={world.c1.public_id}&date_from=2020-01-01&unwithdrawn=on"
    propose(title="提议")
    few = count_queries(world.users.community_worker, url)
    for i in range(25):
        propose(title=f"提议{i}")
    assert count_queries(world.users.community_worker, url) == few
    assert few <= 14, few


def test_a_filtered_list_shows_what_its_rows_paid(world, propose, client):
    a = propose(title="婆石座椅")
    b = propose(title="婆石路灯")
    gone = propose(title="婆石撤回")
    other = propose(title="茂盛花坛", community=world.c2, actor=world.users.subdistrict_admin)
    paid = {a: "1234.56", b: "0.44", gone: "99.00", other: "5000.00"}
    for project, amount in paid.items():
        Project.objects.filter(pk=project.pk).update(budget_committed=Decimal(amount), amount_paid=Decimal(amount))
    Project.objects.filter(pk=gone.pk).update(status=Status.WITHDRAWN)
    client.force_login(world.users.subdistrict_admin)
    count, response = _count(client, area=world.c1.public_id, unwithdrawn="on")
    assert count == 2
    # 民生微实事资金 in the store's unit (fen), as microprojects/facts.py sums it.
    assert response.context["amount_total"] == 123500
    html = response.content.decode()
    assert 'data-testid="amount-total"' in html and "1,235.00" in html and "0.12 万元" in html
    assert _count(client, unwithdrawn="on")[1].context["amount_total"] == 623500
    # An unfiltered list sums nothing.
    assert _count(client)[1].context["amount_total"] is None
