"""Residents pick their own need categories (not the members' skill list); each need names the skills that
meet it, and the ranked suggestions use that; the 楼栋 list follows the 小区 chosen."""

from __future__ import annotations

import datetime

from django.urls import reverse
from django.utils import timezone

from dangjian.registration.models import ServiceIntention
from dangjian.territory import services as territory_services

from ..desk.forms import SubmitForm
from ..models import Demand, NeedCategory
from ..suggest import suggest_for
from . import insight_fixtures as f


def _choices(form, name):
    return [label for value, label in form.fields[name].choices if value]


def test_it_offers_residents_need_categories_not_the_members_skills(world):
    form = SubmitForm(communities=[world.c1], for_someone=False)
    needs = _choices(form, "category")
    assert "助听器与康复辅具" in needs and "看病陪护" in needs
    skills = set(ServiceIntention.objects.values_list("name", flat=True))
    assert "政策宣讲" in skills and not skills & set(needs)


def test_each_default_need_but_other_is_met_by_some_skill(db):
    unmet = NeedCategory.objects.filter(district=None, skills__isnull=True).values_list("name", flat=True)
    assert list(unmet) == ["其他"]


def test_a_district_offers_its_own_needs_instead_of_the_defaults(world):
    own = NeedCategory.objects.create(district=world.district, name="电梯加装协调")
    assert _choices(SubmitForm(communities=[world.c1], for_someone=False), "category") == [own.name]


def test_it_suggests_the_members_whose_skill_meets_the_need(world):
    hearing_aid = NeedCategory.objects.get(district=None, name="助听器与康复辅具")
    target = f.demand(community=world.c1, category_obj=hearing_aid, title="想要一台助听器")
    f.member("张医生", community=world.c1, skills=["医疗健康"])
    f.member("王演员", community=world.c1, skills=["文艺演出", "政策宣讲"])
    by_name = {s.name: s for s in suggest_for(target)}
    assert "特长：医疗健康" in by_name["张医生"].reasons
    assert not any(r.startswith("特长") for r in by_name["王演员"].reasons)
    assert by_name["张医生"].score > by_name["王演员"].score


def test_the_building_list_follows_the_estate_chosen(world, login):
    other_estate = territory_services.estate_save(actor=None, community=world.c1, name="南湾花园")
    other = territory_services.building_save(actor=None, community=world.c1, estate=other_estate, name="8栋")
    client = login(world.users.resident)
    url = reverse("demands:place_fields")
    narrowed = client.get(url, {"estate": str(world.estate.public_id)}).content.decode()
    assert str(world.building.public_id) in narrowed and str(other.public_id) not in narrowed
    assert f'value="{world.estate.public_id}" selected' in narrowed
    everything = client.get(url).content.decode()
    assert str(world.building.public_id) in everything and str(other.public_id) in everything
    # Another community's estate is not offered and narrows nothing.
    foreign = client.get(url, {"estate": str(world.estate3.public_id)}).content.decode()
    assert str(world.estate3.public_id) not in foreign and str(other.public_id) in foreign
    page = client.get(reverse("demands:new")).content.decode()
    assert 'data-testid="place-fields"' in page and url in page


def test_it_refuses_a_building_outside_the_estate_chosen(world, login):
    other_estate = territory_services.estate_save(actor=None, community=world.c1, name="南湾花园")
    other = territory_services.building_save(actor=None, community=world.c1, estate=other_estate, name="8栋")
    client = login(world.users.resident)
    data = {"kind": "micro_wish", "title": "想要一台助听器", "estate": world.estate.public_id}
    response = client.post(reverse("demands:new"), {**data, "building": other.public_id})
    assert response.status_code == 200 and not Demand.objects.exists()
    assert "building" in response.context["form"].errors


def test_the_needed_by_date_has_a_window(world, login):
    client = login(world.users.resident)
    data = {"kind": "micro_wish", "title": "想要一台助听器"}
    response = client.post(reverse("demands:new"), {**data, "needed_by": "9999-12-31"})
    assert response.status_code == 200 and not Demand.objects.exists()
    today = timezone.localdate()
    latest = today + datetime.timedelta(days=366)
    message = response.context["form"].errors["needed_by"][0]
    assert "9999-12-31" in message and today.isoformat() in message and latest.isoformat() in message
    ok = client.post(reverse("demands:new"), {**data, "needed_by": (today + datetime.timedelta(days=30)).isoformat()})
    assert ok.status_code == 302 and Demand.objects.get().needed_by == today + datetime.timedelta(days=30)


def test_the_desk_form_narrows_estates_to_the_community_chosen(world, login):
    other = territory_services.estate_save(actor=None, community=world.c2, name="茂盛花园")
    client = login(world.users.subdistrict_admin)
    url = reverse("demands:place_fields")
    body = client.get(url, {"community": str(world.c2.public_id)}).content.decode()
    assert str(other.public_id) in body and str(world.estate.public_id) not in body
    page = client.get(reverse("demands:new")).content.decode()
    # 社区 comes first among the place fields, so choosing it narrows 小区 and 楼栋.
    assert page.index('name="community"') < page.index('name="estate"') < page.index('name="building"')
