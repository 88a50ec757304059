"""Centre levels are data, editable per district: seed 001 counts five levels of centres starting at a
市级 centre, which the built-in list lacked."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from dangjian.centers.forms import CenterForm
from dangjian.centers.models import CenterLevelOption
from dangjian.centers.services import centres


def test_the_city_level_is_offered_and_kept(world):
    levels = dict(CenterForm(areas=[world.district]).fields["level"].choices)
    assert levels["city"] == "市级" and levels["community"] == "社区级"
    center = centres.center_create(
        actor=None, area=world.district, name="珠海市党群服务中心", level="city", lat=22.27, lng=113.57, floor_area=3600
    )
    assert center.get_level_display() == "市级"


def test_a_district_names_its_own_level_and_others_cannot_use_it(world):
    CenterLevelOption.objects.create(district=world.district, code="building", name="楼宇级", order=60)
    levels = dict(CenterForm(areas=[world.c1]).fields["level"].choices)
    assert levels["building"] == "楼宇级" and "estate" in levels
    center = centres.center_create(
        actor=None, area=world.c1, name="婆石商务楼宇党群服务站", level="building", lat=22.21, lng=113.51, floor_area=80
    )
    assert center.get_level_display() == "楼宇级"
    with pytest.raises(ValidationError) as exc:
        centres.center_create(
            actor=None, area=world.c1, name="无名中心", level="galaxy", lat=22.21, lng=113.51, floor_area=80
        )
    assert "「galaxy」不是本区可选的中心层级" in exc.value.message_dict["level"][0]
