"""A call-up world on top of the shared `world`: members with accounts living in 婆石 (one in 中珠新村 1栋),
one in 茂盛, one in 海虹 (outside 拱北), and a household register with vulnerable residents in 婆石第一网格."""

from types import SimpleNamespace

import pytest
from django.utils import timezone

from dangjian.conftest import make_user
from dangjian.mobilization import services
from dangjian.people.models import Household, Member, Resident


def member(username, *, community, org, estate=None, building=None, workplace=None):
    user = make_user(username, "party_member", home_community=community)
    user.full_name = username
    m = Member.objects.create(
        name=username,
        home_community=community,
        home_estate=estate,
        home_building=building,
        org=org,
        user=user,
        workplace=workplace,
        status="in_service",
    )
    return m


@pytest.fixture
def mob(world):
    w = world
    near = member("dy_near", community=w.c1, org=w.eb, estate=w.estate, building=w.building)
    c1b = member("dy_c1b", community=w.c1, org=w.eb)
    c2 = member("dy_c2", community=w.c2, org=w.cc1)
    far = member("dy_far", community=w.c3, org=w.eb3)
    retired = Member.objects.create(name="退休党员", home_community=w.c1, org=w.eb, status="retired")
    h1 = Household.objects.create(building=w.building, room="101")
    h2 = Household.objects.create(building=w.building, room="102")
    h3 = Household.objects.create(building=w.building, room="103")
    Resident.objects.create(household=h1, name="张阿婆", mobile="13800000001", tags=["elderly_alone"])
    Resident.objects.create(household=h2, name="李叔", tags=["disabled", "veteran"])
    Resident.objects.create(household=h3, name="王先生", tags=["veteran"])  # not a vulnerable tag
    return SimpleNamespace(near=near, c1b=c1b, c2=c2, far=far, retired=retired, h1=h1, h2=h2, h3=h3)


def issue(world, *, actor=None, quotas=None, **kw):
    now = timezone.now()
    callup = services.callup_issue(
        actor=actor or world.users.district_admin,
        title=kw.pop("title", "台风“海葵”防御"),
        kinds=kw.pop("kinds", ["patrol", "visiting"]),
        starts_at=kw.pop("starts_at", now - timezone.timedelta(hours=1)),
        ends_at=kw.pop("ends_at", now + timezone.timedelta(days=2)),
        quotas=quotas or [(world.g1a, 2), (world.g1b, 1), (world.c2, 1)],
        **kw,
    )
    services.fanout_run(callup.pk)
    callup.refresh_from_db()
    return callup


@pytest.fixture
def placed(world, mob):
    """A subdistrict call-up with dy_near placed in 婆石第一网格, its visit list and a task for them."""
    callup = issue(world, actor=world.users.subdistrict_admin, quotas=[(world.g1a, 2), (world.g1b, 1)])
    call = services.call_answer(actor=mob.near.user, callup=callup, available=True)
    placement = services.placement_confirm(actor=world.users.subdistrict_admin, call=call, grid=world.g1a)
    services.visit_list_build(actor=world.users.subdistrict_admin, callup=callup, grid=world.g1a)
    task = services.task_create(
        actor=world.users.subdistrict_admin, callup=callup, grid=world.g1a, title="卡口值守", assignee=mob.near.user
    )
    return callup, call, placement, task
