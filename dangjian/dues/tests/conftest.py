"""A branch with members, an officer who records its dues, and a member who pays on the phone."""

from __future__ import annotations

import datetime
from decimal import Decimal
from types import SimpleNamespace

import pytest

from dangjian.conftest import make_user
from dangjian.dues import services
from dangjian.dues.models import PayCategory
from dangjian.orgs.models import OfficerPost, OrgOfficer
from dangjian.people.models import Member


@pytest.fixture
def dues_world(world):
    eb, eb3 = world.eb, world.eb3
    paying = Member.objects.create(name="王红", org=eb, user=world.users.member)
    other = Member.objects.create(name="李强", org=eb)
    retired = Member.objects.create(name="赵敏", org=eb, status="retired")
    far = Member.objects.create(name="陈刚", org=eb3)
    officer = make_user("zw1", "party_member", home_community=world.c1)
    Member.objects.create(name="支委甲", org=eb, user=officer)
    OrgOfficer.objects.create(org=eb, user=officer, name="支委甲", post=OfficerPost.SECRETARY)
    officer3 = make_user("zw3", "party_member", home_community=world.c3)
    OrgOfficer.objects.create(org=eb3, user=officer3, name="支委乙", post=OfficerPost.SECRETARY)
    return SimpleNamespace(
        world=world, eb=eb, eb3=eb3, paying=paying, other=other, retired=retired, far=far,
        officer=officer, officer3=officer3,
    )  # fmt: skip


def set_base(member, *, pay=None, category=PayCategory.SALARIED, month, actor=None, chosen=None):
    return services.paybase_set(
        actor=actor,
        member=member,
        category=category,
        monthly_pay=Decimal(pay) if pay is not None else None,
        chosen_amount=Decimal(chosen) if chosen is not None else None,
        effective_month=month,
    )


MONTH = datetime.date(2026, 3, 1)
