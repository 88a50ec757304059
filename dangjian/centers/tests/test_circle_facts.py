"""The ten-minute circle in the store of facts (centers.circle): every write that can move an estate
in or out of the circle keeps the facts (an estate placed, a centre opened, closed or moved, the
district's parameters, a community moved), so the store always equals a recomputation and the
circle page's own answer; and its estate list, the rows the cockpit's figure links to."""

from __future__ import annotations

import pytest
from django.urls import reverse

from dangjian.centers import selectors
from dangjian.centers.facts import CIRCLE
from dangjian.centers.services import centres
from dangjian.cockpit import readings
from dangjian.cockpit.catalogue import BY_KEY
from dangjian.core.figures import facts
from dangjian.territory import services as territory_services

FIGURE = BY_KEY["circle_coverage"]


def stored(node) -> tuple[int, int]:
    m = readings.measures([FIGURE.reading], node.path, readings.today())[FIGURE.reading]
    return m["covered"], m["estates"]


def on_page(node) -> tuple[int, int]:
    total = selectors.circle_for(node).total
    return total.covered_estates, total.estates


def assert_kept(*nodes) -> None:
    assert facts.reconcile_stock(CIRCLE, repair=False) == []
    for node in nodes:
        assert stored(node) == on_page(node), node.name


def test_every_write_that_moves_an_estate_keeps_the_facts(world, net):
    # The world: 中珠新村 400 m from 婆石's centre (in), 海虹花园 far from any centre (out).
    assert stored(world.district) == (1, 2)
    assert stored(world.c1) == (1, 1) and stored(world.c3) == (0, 1)
    assert_kept(world.district, world.s1, world.s2, world.c1, world.c3)

    # An estate placed next to 海虹's centre is in; one without a point is not counted at all.
    territory_services.estate_save(actor=None, community=world.c3, name="海虹新苑", lat=22.401, lng=113.701)
    territory_services.estate_save(actor=None, community=world.c2, name="未定位小区", households=10)
    assert stored(world.c3) == (1, 2)
    assert_kept(world.district, world.c2, world.c3)

    # 婆石's centre closes: 中珠新村 falls out; it reopens 3 km away: still out; it comes back: in.
    centres.center_update(actor=None, center=net.c1, is_active=False)
    assert stored(world.c1) == (0, 1)
    assert_kept(world.district, world.c1)
    centres.center_update(actor=None, center=net.c1, is_active=True, lat=22.2086, lng=113.535)
    assert stored(world.c1) == (0, 1)
    centres.center_update(actor=None, center=net.c1, lat=22.2086, lng=113.505)
    assert stored(world.c1) == (1, 1)
    assert_kept(world.district, world.c1)

    # A new centre by 海虹花园 brings it in.
    centres.center_create(
        actor=None, area=world.c3, name="海虹花园服务站", level="estate", lat=22.3055, lng=113.6055, floor_area=320
    )
    assert stored(world.c3) == (2, 2)
    assert_kept(world.district, world.c3)

    # The district's circle shrinks to 3 minutes (180 m straight): 中珠新村 (400 m) falls out.
    centres.circle_settings_save(actor=None, district=world.district, minutes=3)
    assert stored(world.c1) == (0, 1)
    assert_kept(world.district, world.s1, world.s2, world.c1, world.c3)

    # A community moved to the other subdistrict takes its estates' facts along.
    territory_services.area_move(actor=None, area=world.c1, new_parent=world.s2)
    world.c1.refresh_from_db()
    world.s2.refresh_from_db()
    assert_kept(world.district, world.s1, world.s2, world.c1)


def test_the_estate_list_counts_what_the_figure_counts(world, net, client, django_assert_max_num_queries):
    territory_services.estate_save(actor=None, community=world.c3, name="海虹新苑", lat=22.401, lng=113.701)
    client.force_login(world.users.district_admin)
    url = reverse("centers:circle_estates")
    with django_assert_max_num_queries(20):
        everything = client.get(url, {"area": world.district.public_id})
    assert everything.status_code == 200
    assert everything.context["page"].paginator.count == stored(world.district)[1] == 3
    inside = client.get(url, {"area": world.district.public_id, "covered": "1"})
    assert [r["estate"].name for r in inside.context["page"].object_list] == ["中珠新村", "海虹新苑"]
    outside = client.get(url, {"area": world.c3.public_id, "covered": "0"})
    assert [r["estate"].name for r in outside.context["page"].object_list] == ["海虹花园"]
    assert "圈外" in outside.content.decode()
    # A value that means nothing lists every estate of the place.
    assert client.get(url, {"area": world.c3.public_id, "covered": "x"}).context["page"].paginator.count == 2


@pytest.mark.parametrize("who", ["subdistrict_admin", "community_worker", "resident"])
def test_an_estate_list_outside_the_scope_is_not_found(world, net, client, who):
    """吉大街道 is outside 拱北's admin and 婆石's worker; a resident has no such page at all."""
    client.force_login(getattr(world.users, who))
    response = client.get(reverse("centers:circle_estates"), {"area": world.s2.public_id})
    assert response.status_code == 404
    assert "海虹花园" not in response.content.decode()
