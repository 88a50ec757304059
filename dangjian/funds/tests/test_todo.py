"""今日待办 of district administrators: allocations entered by someone else wait for them, and the areas
below a floor this year are an urgent item; nobody else gets either."""

import pytest

from dangjian.core.todo import todos_for
from dangjian.funds.pages import current_year
from dangjian.funds.services.allocations import allocation_enter

pytestmark = pytest.mark.django_db


def titles(user):
    return {item.title: item for item in todos_for(user)}


def test_district_admins_see_waiting_allocations_and_shortfalls(funded, second_admin):
    allocation_enter(actor=funded.users.district_admin, area=funded.c1, kind="service", year=current_year(),
                     amount=100000)  # fmt: skip
    mine = titles(funded.users.district_admin)
    other = titles(second_admin)
    assert "待审批的经费拨付" not in mine  # entered it: the other administrator approves
    assert other["待审批的经费拨付"].count == 1
    short = other["保障经费未达保底的社区或街道"]
    assert short.urgent and short.count == 5  # three communities and two subdistricts (街长制)
    for who in ("subdistrict_admin", "community_worker", "member"):
        found = titles(getattr(funded.users, who))
        assert "待审批的经费拨付" not in found and "保障经费未达保底的社区或街道" not in found
