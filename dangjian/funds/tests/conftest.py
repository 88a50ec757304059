from decimal import Decimal

import pytest
from django.utils import timezone

from dangjian.conftest import make_user
from dangjian.funds.services.allocations import allocate_now

YEAR = timezone.localdate().year


@pytest.fixture
def second_admin(world):
    return make_user("qu2", "district_admin", area=world.district)


@pytest.fixture
def funded(world, second_admin):
    """婆石社区 holds 100,000 元 of 民生微实事资金 for the year."""
    allocate_now(
        actor=world.users.district_admin,
        approver=second_admin,
        area=world.c1,
        kind="micro",
        year=YEAR,
        amount=Decimal("100000"),
        memo="年度民生微实事资金",
    )
    return world
