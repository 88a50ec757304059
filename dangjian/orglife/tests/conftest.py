"""Org life's test world: the shared `world`, plus 中珠新村小区党支部 (eb, 婆石社区) with three members
who have accounts (m0 its secretary, m1 its organization officer) and 海虹花园小区党支部 (eb3) with its own
secretary; both founded at the start of 2025."""

import datetime
from types import SimpleNamespace

import pytest
from django.utils import timezone

from dangjian.conftest import make_user
from dangjian.orglife.models import BranchStart
from dangjian.orglife.services import records
from dangjian.orgs.models import OfficerPost, OrgOfficer
from dangjian.people.models import Member

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def member_with_account(username, org, community):
    user = make_user(username, "party_member", home_community=community)
    Member.objects.create(name=username, org=org, home_community=community, user=user, mobile="13912345678")
    return user


def at(y, m, d, hh=9, mm=0):
    return timezone.make_aware(datetime.datetime(y, m, d, hh, mm))


@pytest.fixture
def branch(world):
    m = [member_with_account(f"m{i}", world.eb, world.c1) for i in range(3)]
    Member.objects.create(name="无账号党员", org=world.eb, home_community=world.c1)
    OrgOfficer.objects.create(
        org=world.eb, user=m[0], name="m0", post=OfficerPost.SECRETARY, started_on=datetime.date(2025, 1, 1)
    )
    OrgOfficer.objects.create(
        org=world.eb, user=m[1], name="m1", post=OfficerPost.ORGANIZATION, started_on=datetime.date(2025, 1, 1)
    )
    other = member_with_account("m_c3", world.eb3, world.c3)
    OrgOfficer.objects.create(
        org=world.eb3, user=other, name="m_c3", post=OfficerPost.SECRETARY, started_on=datetime.date(2025, 1, 1)
    )
    for org in (world.eb, world.eb3):
        BranchStart.objects.create(org=org, founded_on=datetime.date(2025, 1, 1))
    return SimpleNamespace(org=world.eb, secretary=m[0], officer=m[1], member=m[2], members=m, outsider=other)


@pytest.fixture
def plan(world, branch):
    def make(kind="committee", when=None, **extra):
        return records.record_plan(
            actor=branch.secretary,
            org=world.eb,
            kind=kind,
            topic=extra.pop("topic", "研究本月工作"),
            starts_at=when or timezone.now() - datetime.timedelta(hours=1),
            place="社区党群服务中心",
            **extra,
        )

    return make
