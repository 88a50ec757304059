"""Members with accounts in the shared `world`, for the points tests."""

from types import SimpleNamespace

import pytest

from dangjian.conftest import make_user
from dangjian.core.validators import citizen_id_check_char
from dangjian.people.models import Member
from dangjian.points import services


def citizen_id(seq: int) -> str:
    first = f"440402198501{(seq % 28) + 1:02d}{seq % 1000:03d}"
    return first + citizen_id_check_char(first)


def make_member(name: str, seq: int, *, org, home, user=None) -> Member:
    return Member.objects.create(
        name=name, id_number=citizen_id(seq), mobile=f"139{seq:08d}", org=org, home_community=home, user=user
    )


@pytest.fixture
def pts(world):
    """Members of 婆石社区 (c1: two with accounts) and 海虹社区 (c3: one with an account)."""
    u = world.users
    people = SimpleNamespace(
        wang=make_member("王建国", 1, org=world.eb, home=world.c1, user=u.member),
        zhang=make_member(
            "张三", 2, org=world.eb, home=world.c1, user=make_user("zs", "party_member", home_community=world.c1)
        ),
        li=make_member("李四", 3, org=world.ub, home=world.c1),
        hai=make_member(
            "海员", 4, org=world.eb3, home=world.c3, user=make_user("hy", "party_member", home_community=world.c3)
        ),
    )
    world.people = people
    return world


@pytest.fixture
def awarded(pts):
    """wang: demand_done + good_rating; zhang: demand_done; li (no account): study by hand; hai (c3): demand_done x2."""
    u, p = pts.users, pts.people
    services.award(user=u.member, rule_code="demand_done", event_key="d1")
    services.award(user=u.member, rule_code="good_rating", event_key="d1")
    services.award(user=p.zhang.user, rule_code="demand_done", event_key="d2")
    services.award_manual(actor=u.community_worker, member=p.li, rule_code="study_session", reason="党课", token="x")
    services.award(user=p.hai.user, rule_code="demand_done", event_key="d3")
    services.award(user=p.hai.user, rule_code="demand_done", event_key="d4")
    return pts
