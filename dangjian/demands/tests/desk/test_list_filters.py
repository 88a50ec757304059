"""The demand desk's place, date and state filters (the cockpit's links carry them): a place in scope
narrows the list and its count, 不含撤回 and 已服务 keep what the cockpit counts, a place out of scope
or a bad date is dropped with its error, and a filtered page costs the same queries whatever the rows."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from dangjian.demands import selectors
from dangjian.demands.models import Demand, DemandKind, DemandStatus
from dangjian.demands.workflow import SERVED_STATUSES
from dangjian.demo.bulk_demands import generate_demands

pytestmark = pytest.mark.django_db


def _count(client, **params):
    response = client.get(reverse("demands:desk"), {"tab": "all", **params})
    assert response.status_code == 200
    return int(response.context["page"].count), response


def test_place_dates_and_states_narrow_the_desk(world, client):
    generate_demands(60, root=world.c1, seed=5, progress=False)
    mine = Demand.objects.filter(community=world.c1)
    in_g1a = mine.filter(area_path__startswith=world.g1a.path)
    assert in_g1a.exists() and in_g1a.count() < mine.count()
    client.force_login(world.users.community_worker)
    assert _count(client)[0] == mine.count()
    count, response = _count(client, area=world.g1a.public_id)
    assert count == in_g1a.count()
    assert 'data-testid="list-total"' in response.content.decode()
    assert _count(client, area=world.g1a.public_id, unwithdrawn="on")[0] == (
        in_g1a.exclude(status=DemandStatus.WITHDRAWN).count()
    )
    assert _count(client, served="on")[0] == mine.filter(status__in=SERVED_STATUSES).count()
    # Dates are local days of submission, both ends included.
    day = timezone.localdate(mine.order_by("submitted_at").values_list("submitted_at", flat=True)[0])
    start = timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))
    on_day = mine.filter(submitted_at__gte=start, submitted_at__lt=start + datetime.timedelta(days=1)).count()
    assert on_day
    assert _count(client, date_from=day.isoformat(), date_to=day.isoformat())[0] == on_day
    # The list's count is the selector's with the same filters (the cockpit's link reads this page).
    assert _count(client, area=world.c1.public_id, served="on")[0] == (
        selectors.desk_list(world.users.community_worker, area=world.c1, served=True).count()
    )


def test_a_place_out_of_scope_or_a_bad_date_is_dropped_with_its_error(world, client):
    generate_demands(5, root=world.c1, seed=6, progress=False)
    client.force_login(world.users.community_worker)
    everything = _count(client)[0]
    count, response = _count(client, area=world.c3.public_id, date_to="not-a-date")
    assert count == everything  # neither filter applied; the list stays the worker's own
    assert set(response.context["form"].errors) == {"area", "date_to"}
    html = response.content.decode()
    assert 'data-testid="filter-errors"' in html
    assert world.c3.name not in html
    # The outsider's own desk never shows c1's demands through c1's place.
    client.force_login(world.users.community_worker_outsider)
    assert _count(client, area=world.c1.public_id)[0] == 0


def test_a_filtered_desk_costs_the_same_queries_whatever_the_rows(world, count_queries):
    url = reverse("demands:desk") + f"?tab=all&area={world.c1.public_id}&date_from=2020-01-01&unwithdrawn=on"
    generate_demands(3, root=world.c1, seed=7, progress=False)
    few = count_queries(world.users.community_worker, url)
    generate_demands(40, root=world.c1, seed=8, progress=False)
    assert count_queries(world.users.community_worker, url) == few
    assert few <= 20, few


def test_the_kind_narrows_the_desk_and_the_served_rows_show_their_hours(world, client):
    generate_demands(60, root=world.c1, seed=9, progress=False)
    mine = Demand.objects.filter(community=world.c1).exclude(status=DemandStatus.WITHDRAWN)
    served = mine.filter(status__in=SERVED_STATUSES)
    Demand.objects.filter(pk__in=list(served.values_list("pk", flat=True)[:3])).update(hours=Decimal("2.5"))
    client.force_login(world.users.community_worker)
    for kind in (DemandKind.FAMILY_HELP, DemandKind.MICRO_WISH):
        count, response = _count(client, unwithdrawn="on", served="on", kind=kind)
        assert count == served.filter(kind=kind).count()
        # 党员服务时长 in the store's unit (tenths of an hour), as demands/facts.py adds them up.
        tenths = sum(int(h * 10) for h in served.filter(kind=kind).exclude(hours=None).values_list("hours", flat=True))
        assert response.context["amount_total"] == tenths
    count, response = _count(client, unwithdrawn="on", served="on")
    tenths = sum(int(h * 10) for h in served.exclude(hours=None).values_list("hours", flat=True))
    assert tenths and response.context["amount_total"] == tenths
    html = response.content.decode()
    assert 'data-testid="amount-total"' in html and f"服务时长合计 {Decimal(tenths) / 10} 小时" in html
    assert "需求类型" in html and "家庭帮扶" in html
    # Without 已服务 the desk sums nothing; a kind it does not know is dropped with its error.
    assert _count(client, unwithdrawn="on")[1].context["amount_total"] is None
    count, response = _count(client, unwithdrawn="on", kind="no-such-kind")
    assert count == mine.count() and set(response.context["form"].errors) == {"kind"}
