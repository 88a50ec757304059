"""The floors against their allocations: the store's "fund_floors" stock (the cockpit's 经费保底达标率)
follows every write that changes a floor or what reaches it (an approved allocation, a kind's rule, a
kind switched off, the bases reckoned again), keeps its history by day and agrees with a recomputation
from the raw rows; the floors list shows the same pairs, filtered by place, year, kind and met, keeps
outsiders out and costs the same queries whatever the rows; on the first of January the queue reckons
the new year's bases and moves the stock to the new year's floors."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from dangjian.core.figures import facts as store
from dangjian.demo.clock import clock
from dangjian.funds import pages
from dangjian.funds.facts import FLOORS
from dangjian.funds.models import FloorBasis, FundKind
from dangjian.funds.services import book
from dangjian.funds.services.allocations import allocate_now
from dangjian.funds.services.kinds import bases_refresh, kind_update
from dangjian.funds.tasks import new_year_floors

from .conftest import YEAR

pytestmark = pytest.mark.django_db


def floors_at(node, on=None):
    m = store.stock_total(FLOORS, node.path, on=on or timezone.localdate())
    return m["met"], m["floors"]


def listed(district, node, **filters):
    return len(pages.floor_items(district, node, YEAR, **filters))


def give(world, approver, area, kind, amount):
    allocate_now(actor=world.users.district_admin, approver=approver, area=area, kind=kind, year=YEAR,
                 amount=Decimal(amount), memo="")  # fmt: skip


@pytest.fixture
def reckoned(world):
    """The district's kinds; bases reckoned for the year (no estates, no members: the fixed floors
    of 服务群众专项经费 and 社区工作经费 per community and 街长制工作经费's minimum per subdistrict)."""
    book.ensure_kinds(world.district)
    bases_refresh(actor=None, district=world.district, year=YEAR)
    return world


def test_the_stock_follows_allocations_rules_and_bases(reckoned, second_admin):
    world = reckoned
    communities, subdistricts = 3, 2  # 婆石, 茂盛, 海虹; 拱北, 吉大
    floors = communities * 2 + subdistricts  # service and office per community; street per subdistrict
    assert floors_at(world.district) == (0, floors)
    assert listed(world.district, world.district) == floors
    give(world, second_admin, world.c1, "service", 60000)  # short of 100,000
    assert floors_at(world.district) == (0, floors)
    give(world, second_admin, world.c1, "service", 40000)
    give(world, second_admin, world.c1, "office", 50000)
    give(world, second_admin, world.c3, "micro", 99999)  # no floor: nothing changes
    assert floors_at(world.c1) == (2, 2)
    assert floors_at(world.s1) == (2, 5)  # 婆石 and 茂盛, and 拱北 itself
    assert floors_at(world.district) == (2, floors)
    assert listed(world.district, world.district, met=True) == 2
    assert listed(world.district, world.s1, met=False) == 3
    assert listed(world.district, world.district, kind="office") == communities

    office = FundKind.objects.get(district=world.district, code="office")
    kind_update(actor=world.users.district_admin, kind=office, data={"fixed_amount": Decimal(60000)})
    assert floors_at(world.c1) == (1, 2)  # 50,000 no longer reaches the office floor
    kind_update(actor=world.users.district_admin, kind=office, data={"active": False})
    assert floors_at(world.district) == (1, floors - communities)
    assert listed(world.district, world.district) == floors - communities

    # The history: yesterday there were no kinds, so no floors. And the stock agrees with a
    # recomputation from the raw rows.
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    assert floors_at(world.district, on=yesterday) == (0, 0)
    assert store.reconcile_stock(FLOORS, repair=False) == []


def test_the_member_floor_counts_once_members_are_reckoned(reckoned, second_admin):
    world = reckoned
    before = floors_at(world.district)
    FloorBasis.objects.filter(area=world.c2, year=YEAR).update(members=10)  # no signal: reckon through the service
    assert floors_at(world.district) == before
    bases_refresh(actor=None, district=world.district, year=YEAR, members={world.c2.pk: 10})
    assert floors_at(world.district) == (before[0], before[1] + 1)  # 党员活动经费: 200 元 × 10
    give(world, second_admin, world.c2, "member", 2000)
    assert floors_at(world.c2) == (1, 3)


def test_the_floors_list_filters_and_keeps_outsiders_out(reckoned, second_admin, client):
    world = reckoned
    give(world, second_admin, world.c1, "service", 100000)
    client.force_login(world.users.district_admin)
    url = reverse("funds:floors")
    response = client.get(url)
    assert response.status_code == 200 and response.context["page"].paginator.count == 8
    response = client.get(url, {"met": "yes"})
    assert response.context["page"].paginator.count == 1
    html = response.content.decode()
    assert "婆石社区" in html and "服务群众专项经费" in html and "达标" in html
    response = client.get(url, {"met": "no", "area": world.s2.public_id, "kind": "street"})
    assert response.context["page"].paginator.count == 1
    # A bad value is dropped with its message; the other filters still apply.
    response = client.get(url, {"met": "maybe", "kind": "office"})
    assert set(response.context["form"].errors) == {"met"} and response.context["page"].paginator.count == 3
    # A subdistrict admin sees its own; another subdistrict's place is refused and dropped.
    client.force_login(world.users.subdistrict_admin_outsider)
    response = client.get(url, {"area": world.c1.public_id})
    assert set(response.context["form"].errors) == {"area"}
    assert response.context["page"].paginator.count == 3  # 海虹's service and office, 吉大's street
    assert "婆石社区" not in response.content.decode()
    client.force_login(world.users.community_worker)
    response = client.get(url)
    assert response.context["page"].paginator.count == 2 and "海虹社区" not in response.content.decode()
    client.force_login(world.users.resident)
    assert client.get(url).status_code == 404
    # Another year: its bases are not reckoned, and the page says so; its fixed floors still count.
    client.force_login(world.users.district_admin)
    response = client.get(url, {"year": YEAR + 1})
    assert response.context["page"].paginator.count == 8
    assert 'data-testid="not-reckoned"' in response.content.decode()
    assert 'data-testid="not-reckoned"' not in client.get(url).content.decode()


def test_the_floors_list_costs_the_same_queries_whatever_the_rows(reckoned, second_admin, count_queries):
    world = reckoned
    url = reverse("funds:floors") + f"?area={world.s1.public_id}&met=no"
    few = count_queries(world.users.district_admin, url)
    for area in (world.c1, world.c2):
        for n in range(5):
            give(world, second_admin, area, "service", 20000 + n)
    assert count_queries(world.users.district_admin, url) == few <= 14


def test_the_new_year_moves_the_stock_to_its_floors(reckoned, second_admin):
    world = reckoned
    give(world, second_admin, world.c1, "service", 100000)
    give(world, second_admin, world.c1, "office", 50000)
    this_year = floors_at(world.district)
    assert this_year == (2, 8)
    new_year = timezone.make_aware(datetime.datetime(YEAR + 1, 1, 1, 0, 7))
    with clock(new_year):
        assert new_year_floors.call_local() == 1  # the new year's bases; a second call reckons none
        assert new_year_floors.call_local() == 0
    assert FloorBasis.objects.filter(year=YEAR + 1).count() == 5  # 2 subdistricts, 3 communities
    assert floors_at(world.district, on=new_year.date()) == (0, 8)  # nothing allocated for it yet
    assert floors_at(world.district) == this_year  # today's reading keeps this year's
    with clock(new_year):
        assert store.reconcile_stock(FLOORS, repair=False) == []
