"""Fixtures of the people tests: members, households and liaisons placed in the small `world`."""

import datetime
import io
from types import SimpleNamespace

import pytest
from django.core.management import call_command

from dangjian.core.validators import citizen_id_check_char
from dangjian.orgs import services as org_services
from dangjian.people.services import liaisons as liaisons_services
from dangjian.people.services import members as members_services
from dangjian.people.services import residents as residents_services
from dangjian.territory import services as territory_services

DEMO_STEP = "dangjian.demo.people.build"


def make_id(birth: datetime.date, seq: int = 123, region: str = "440402") -> str:
    """A valid GB 11643 number (odd `seq`: male, even: female)."""
    first17 = f"{region}{birth:%Y%m%d}{seq:03d}"
    return first17 + citizen_id_check_char(first17)


@pytest.fixture
def people(world):
    w = world
    own = members_services.member_create(
        actor=None,
        name="王建国",
        id_number=make_id(datetime.date(1975, 3, 8), 131),
        mobile="13912345678",
        joined_on=datetime.date(2001, 7, 1),
        confirmed_on=datetime.date(2002, 7, 1),
        org=w.eb,
        home_community=w.c1,
        home_estate=w.estate,
        home_building=w.building,
        user=w.users.member,
    )
    other = members_services.member_create(
        actor=None,
        name="海虹党员",
        id_number=make_id(datetime.date(1980, 1, 2), 222),
        mobile="13812340000",
        org=w.eb3,
        home_community=w.c3,
    )
    # Lives in 婆石社区 (c1) but is organized in 海虹 (c3): seen by c1's workers, managed by c3's.
    lodger = members_services.member_create(
        actor=None, name="李住客", id_number=make_id(datetime.date(1985, 5, 5), 335), org=w.eb3, home_community=w.c1
    )
    floating = members_services.member_create(
        actor=None, name="赵流动", mobile="13600001111", org=w.eb, home_community=w.c1
    )
    members_services.member_set_status(actor=None, member=floating, status="floating", note="外出务工（深圳）")
    pocket = members_services.member_create(actor=None, name="钱口袋", status="pocket", org=None, home_community=w.c1)
    probationary = members_services.member_create(
        actor=None,
        name="孙预备",
        category="probationary",
        joined_on=datetime.date.today() - datetime.timedelta(days=100),
        org=w.ub,
    )
    household = residents_services.household_create(actor=None, building=w.building, room="301")
    resident = residents_services.resident_create(
        actor=None, household=household, name="张奶奶", mobile="13700001111", tags=["elderly_alone"]
    )
    residents_services.resident_create(actor=None, household=household, name="张小军", tags=["veteran"])
    building3 = territory_services.building_save(
        actor=None, community=w.c3, estate=w.estate3, name="2栋", lat=22.305, lng=113.605
    )
    household3 = residents_services.household_create(actor=None, building=building3, room="502")
    resident3 = residents_services.resident_create(
        actor=None, household=household3, name="海虹老人", mobile="13500002222", tags=["elderly_alone"]
    )
    liaison_c1 = liaisons_services.liaison_assign(
        actor=None, leader_name="林国栋", post="区委常委", level="district", area=w.c1
    )
    liaison_grid = liaisons_services.liaison_assign(
        actor=None, leader_name="陈副书记", post="街道党工委副书记", level="subdistrict", area=w.g1a
    )
    liaison_estate = liaisons_services.liaison_assign(
        actor=None, leader_name="李委员", post="社区党委委员", level="community", estate=w.estate
    )
    liaison_c3 = liaisons_services.liaison_assign(
        actor=None, leader_name="郑主任", post="区人大常委会副主任", level="district", area=w.c3
    )
    return SimpleNamespace(
        own=own, other=other, lodger=lodger, floating=floating, pocket=pocket, probationary=probationary,
        household=household, resident=resident, building3=building3, household3=household3, resident3=resident3,
        liaison_c1=liaison_c1, liaison_grid=liaison_grid, liaison_estate=liaison_estate, liaison_c3=liaison_c3,
    )  # fmt: skip


@pytest.fixture
def people_demo(transactional_db, monkeypatch, settings):
    """The demo district with this app's demo step only: the other apps' steps (which build on
    this one) are theirs to test, and a failure there should not read as one here."""
    from dangjian.demo import builder

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    monkeypatch.setattr(builder, "DEMO_EXTENSIONS", [DEMO_STEP])
    call_command("demo_district", stdout=io.StringIO())


@pytest.fixture
def orgs_more(world):
    """Two branches with the same name in 婆石社区 (one under a general branch): an ambiguous name."""
    o = org_services.org_create
    general = o(actor=None, org_type="general_branch", name="婆石党总支", parent=world.cc1, area=world.c1)
    first_a = o(actor=None, org_type="branch", name="第一党支部", parent=world.cc1, area=world.c1)
    first_b = o(actor=None, org_type="branch", name="第一党支部", parent=general, area=world.c1)
    return SimpleNamespace(general=general, first_a=first_a, first_b=first_b)
