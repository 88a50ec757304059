"""The ten-minute circle over the world's estates, its figures per community and subdistrict, and the plan."""

import pytest

from dangjian.centers import selectors
from dangjian.centers.services import centres
from dangjian.territory import services as territory_services
from dangjian.territory.models import Estate


@pytest.fixture
def estates(world, net):
    Estate.objects.filter(pk=world.estate.pk).update(households=100)  # 中珠新村: 400 m from 婆石's centre
    Estate.objects.filter(pk=world.estate3.pk).update(households=200)  # 海虹花园: 14 km from any centre
    territory_services.estate_save(  # 茂盛 estate, about 3.1 km east of 婆石's centre
        actor=None, community=world.c2, name="茂盛花园", lat=22.2054, lng=113.535, households=50
    )
    # An estate not yet placed on the map is left out of the figures.
    territory_services.estate_save(actor=None, community=world.c2, name="未定位小区", households=999)


def test_the_circle_figures_match_the_hand_computed_ones(world, estates):
    circle = selectors.circle_for(world.district)
    by_name = {e.name: i for i, e in enumerate(circle.estates)}
    assert set(by_name) == {"中珠新村", "海虹花园", "茂盛花园"}
    i = by_name["中珠新村"]
    assert circle.coverage.covered[i]
    assert circle.coverage.meters[i] == pytest.approx(400.3, abs=0.5)  # 0.0036° of latitude
    assert circle.coverage.minutes[i] == pytest.approx(400.3 * 1.3 / 75, abs=0.01)  # 6.94 min
    assert not circle.coverage.covered[by_name["海虹花园"]]
    # Residents = households × 2.6: 260 + 520 + 130 = 910, of which 260 inside.
    assert circle.total.residents == pytest.approx(910)
    assert circle.total.covered_residents == pytest.approx(260)
    assert circle.total.resident_share == pytest.approx(260 / 910)
    assert circle.total.estate_share == pytest.approx(1 / 3)
    subs = {f.area.name: f for f in circle.subdistricts}
    assert (subs["拱北街道"].estates, subs["拱北街道"].covered_estates) == (2, 1)
    assert subs["拱北街道"].resident_share == pytest.approx(260 / 390)
    assert subs["吉大街道"].resident_share == 0
    comms = {f.area.name: f for f in circle.communities}
    assert comms["婆石社区"].estate_share == 1 and comms["茂盛社区"].estate_share == 0
    uncovered = circle.uncovered()
    assert [r["estate"].name for r in uncovered] == ["海虹花园", "茂盛花园"]  # most residents first
    assert uncovered[1]["nearest"].name == "婆石社区党群服务中心"


def test_the_parameters_are_data_per_district(world, estates):
    centres.circle_settings_save(
        actor=world.users.district_admin, district=world.district, minutes=5, persons_per_household=3.0
    )
    circle = selectors.circle_for(world.c1)
    assert circle.params.radius_m == pytest.approx(5 * 75 / 1.3)  # 288 m: 中珠新村 (400 m) falls out
    assert not circle.coverage.covered.any()
    assert circle.total.residents == pytest.approx(300)
    with pytest.raises(centres.ValidationError):
        centres.circle_settings_save(actor=world.users.subdistrict_admin, district=world.district, minutes=15)


def test_the_plan_puts_new_sites_where_most_residents_are_uncovered(world, estates):
    circle = selectors.circle_for(world.district)
    plan = selectors.plan_for(circle, 3, [])
    assert plan["covered_before"] == 260 and plan["residents_total"] == 910
    assert [p["label"] for p in plan["picks"]] == ["「海虹花园」小区旁", "「茂盛花园」小区旁"]  # then nothing is left
    assert [p["covered_total"] for p in plan["picks"]] == [780, 910]
    assert plan["picks"][-1]["share"] == 1.0


def test_a_point_dropped_on_the_map_is_a_candidate(world, estates):
    circle = selectors.circle_for(world.district)
    # A point dropped beside 茂盛花园 competes with the estates' own sites: 海虹花园 still comes first.
    plan = selectors.plan_for(circle, 1, [(22.2054, 113.5352)])
    assert plan["picks"][0]["label"] == "「海虹花园」小区旁"
    two = selectors.plan_for(circle, 2, [(22.2054, 113.5352)])
    assert two["picks"][1]["estates"] == ["茂盛花园"] and two["picks"][1]["covered_total"] == 910
