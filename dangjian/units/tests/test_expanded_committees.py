"""Expanded committees are wider than resident units (seeds 000, 002: a subdistrict 大工委; 004: 区直部门 and
subdistrict officials on a community 大党委): adjunct members come from units, departments or the subdistrict
office, on community and subdistrict committees."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from dangjian.units import services
from dangjian.units.models import AdjunctMember, Department


def _errors(exc) -> dict:
    return exc.value.message_dict


def test_a_community_committee_seats_a_district_department_and_a_subdistrict_official(world):
    dept_seat = services.adjunct_add(
        actor=None, committee=world.cc1, department=world.dept, name="刘局长", post="副局长"
    )
    office_seat = services.adjunct_add(
        actor=None, committee=world.cc1, office="拱北街道办事处", name="黄主任", post="党建办主任"
    )
    assert (dept_seat.source_name, office_seat.source_name) == ("香洲区城管局", "拱北街道办事处")
    assert str(office_seat) == "黄主任（拱北街道办事处）"


def test_a_subdistrict_working_committee_is_a_da_gong_wei_with_adjunct_members(world):
    seat = services.adjunct_add(actor=None, committee=world.wc1, unit=world.unit, name="陈主任")
    assert seat.committee == world.wc1
    # A 大工委 draws on its own subdistrict: a unit in 吉大 is refused with where it must come from.
    from dangjian.units.models import ResidentUnit

    far = ResidentUnit.objects.create(name="海虹小店", kind="enterprise", community=world.c3)
    with pytest.raises(ValidationError) as exc:
        services.adjunct_add(actor=None, committee=world.wc1, unit=far, name="赵经理")
    assert "不在拱北街道" in _errors(exc)["unit"][0]


def test_a_department_serving_elsewhere_is_refused(world):
    elsewhere = Department.objects.create(name="吉大派出所", kind="police", area=world.s2)
    with pytest.raises(ValidationError) as exc:
        services.adjunct_add(actor=None, committee=world.cc1, department=elsewhere, name="孙所长")
    assert "「吉大派出所」不服务拱北街道" in _errors(exc)["department"][0]


def test_exactly_one_source_is_given(world):
    with pytest.raises(ValidationError) as exc:
        services.adjunct_add(actor=None, committee=world.cc1, name="无来源")
    assert "选填一项" in _errors(exc)["unit"][0]
    with pytest.raises(ValidationError) as exc:
        services.adjunct_add(actor=None, committee=world.cc1, unit=world.unit, department=world.dept, name="两处")
    assert "选填一项" in _errors(exc)["unit"][0]
    with pytest.raises(IntegrityError), transaction.atomic():  # the database holds the rule too
        AdjunctMember.objects.create(committee=world.cc1, name="无来源")
    services.adjunct_add(actor=None, committee=world.cc1, office="拱北街道办事处", name="黄主任")
    with pytest.raises(ValidationError) as exc:
        services.adjunct_add(actor=None, committee=world.cc1, office="拱北街道办事处", name="黄主任")
    assert "已是「婆石社区大党委」的在任兼职委员" in _errors(exc)["name"][0]


def test_the_pages_list_da_gong_wei_and_take_department_and_office_seats(world, login):
    client = login(world.users.subdistrict_admin)
    listing = client.get(reverse("units:committee_list")).content.decode()
    assert "拱北街道党工委" in listing and "婆石社区大党委" in listing
    url = reverse("units:committee_adjuncts", args=[world.wc1.public_id])
    page = client.get(url).content.decode()
    assert "香洲区城管局（香洲区）" in page  # a 区直部门 is offered
    assert client.post(url, {"department": world.dept.pk, "name": "刘局长"}).status_code == 302
    assert client.post(url, {"office": "拱北街道办事处", "name": "黄主任"}).status_code == 302
    body = client.post(url, {"name": "无来源"}).content.decode()
    assert "选填一项" in body
    body = client.get(url).content.decode()
    assert "香洲区城管局" in body and "拱北街道办事处" in body and "职能部门" in body
    assert AdjunctMember.objects.filter(committee=world.wc1).count() == 2
    # Scoped: another subdistrict's admin cannot open the 大工委's page.
    assert login(world.users.subdistrict_admin_outsider).get(url).status_code == 404
