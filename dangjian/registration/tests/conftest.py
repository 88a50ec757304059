"""Fixtures for dual registration: members with valid ID numbers, a unit with a credit code and its
Party organization, and a community link, on top of the shared `world`."""

from types import SimpleNamespace

import pytest

from dangjian.core.validators import citizen_id_check_char, credit_code_check_char
from dangjian.people.models import Member
from dangjian.registration import services


def citizen_id(seq: int, birth: str = "19850101") -> str:
    first = f"440402{birth}{seq % 1000:03d}"
    return first + citizen_id_check_char(first)


def credit_code(seq: int) -> str:
    first = f"91440402{seq:09d}"
    return first + credit_code_check_char(first)


def make_member(name: str, seq: int, *, org, home, status: str = "in_service", user=None, mobile: str = "") -> Member:
    return Member.objects.create(
        name=name,
        id_number=citizen_id(seq),
        mobile=mobile or f"139{seq:08d}",
        status=status,
        org=org,
        home_community=home,
        user=user,
    )


@pytest.fixture
def reg_world(world):
    """`world` plus members of 婆石社区 (c1) and 海虹社区 (c3), the unit's organization, and links."""
    world.unit.credit_code = credit_code(1)
    world.unit.party_org = world.ub
    world.unit.save(update_fields=["credit_code", "party_org"])
    people = SimpleNamespace(
        zhang=make_member("张三", 1, org=world.eb, home=world.c1),
        li=make_member("李四", 2, org=world.eb, home=world.c1),
        wang=make_member("王建国", 3, org=world.eb, home=world.c1, user=world.users.member),
        retired=make_member("赵退休", 4, org=world.eb, home=world.c1, status="retired"),
        hai=make_member("海员", 5, org=world.eb3, home=world.c3),
    )
    world.people = people
    world.link1 = services.link_generate(actor=None, community=world.c1)
    world.link3 = services.link_generate(actor=None, community=world.c3)
    return world


@pytest.fixture
def submit(reg_world):
    """Submit a member's registration at a community (default: their home)."""

    def _submit(member, community=None):
        return services.registration_submit_member(
            actor=None, member=member, community=community or member.home_community, contact_mobile="13912345678"
        )

    return _submit
