"""The demo step, on the demo district plus members and unit organizations made here (the people and
units steps that normally come first are other modules)."""

import datetime
import random

import pytest
from django.db import transaction
from django.utils import timezone

from dangjian.accounts.models import User
from dangjian.demo import registration as demo_data
from dangjian.demo.builder import build_demo_district
from dangjian.orgs.models import OrgType, PartyOrg
from dangjian.people.models import Member
from dangjian.registration import selectors
from dangjian.registration.models import CommunityDocument, Registration, RegistrationLink
from dangjian.territory.models import Area
from dangjian.units.models import ResidentUnit

from .conftest import credit_code, make_member


@pytest.fixture(autouse=True)
def fast_hasher(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def base_district_only(monkeypatch):
    """The district without the other demo steps: this test brings its own members and units."""
    from dangjian.demo import builder

    monkeypatch.setattr(builder, "DEMO_EXTENSIONS", [])


def populate(built) -> None:
    """In-service members in every community (six in 婆石社区, one of them the demo member's account),
    a retired one, and the units' own branches as their organizations."""
    seq = 0
    for community in Area.objects.filter(level="community").order_by("path"):
        branch = PartyOrg.objects.filter(area=community, org_type=OrgType.ESTATE_BRANCH).order_by("path").first()
        count = 6 if community.name == "婆石社区" else 3
        for k in range(count):
            seq += 1
            make_member(f"{community.name[:2]}党员{k}", seq, org=branch, home=community)
        seq += 1
        make_member(f"{community.name[:2]}退休{seq}", seq, org=branch, home=community, status="retired")
    seq += 1
    home = built.areas["婆石社区"]
    account = User.objects.get(username="dy_member")
    make_member("王建国", seq, org=PartyOrg.objects.filter(area=home).last(), home=home, user=account)
    for n, unit in enumerate(ResidentUnit.objects.order_by("pk"), start=1):
        org = PartyOrg.objects.filter(unit=unit).first()
        if org is not None:
            unit.party_org, unit.credit_code = org, credit_code(n)
            unit.save(update_fields=["party_org", "credit_code"])


def build_all():
    built = build_demo_district()
    populate(built)
    demo_data.build(random.Random(7), built)
    return built


def signature():
    rows = Registration.objects.values_list("member__name", "org__name", "community__name", "status", "skills")
    return sorted(tuple(str(v) for v in row) for row in rows)


def test_the_demo_step_registers_most_and_leaves_some_to_do(db):
    built = build_all()
    communities = list(Area.objects.filter(level="community"))
    assert RegistrationLink.objects.count() == len(communities)
    assert all(CommunityDocument.objects.filter(community=c).count() == 2 for c in communities)
    home = built.areas["婆石社区"]
    at_home = Registration.objects.filter(community=home)
    assert at_home.filter(kind="member", status="confirmed").count() >= 3
    assert at_home.filter(status="submitted").count() >= 2
    assert at_home.filter(status="rejected").count() == 1
    away = at_home.filter(status="submitted", kind="member").exclude(member__home_community=home)
    assert away.count() == 1  # flagged on the desk
    wang = Member.objects.get(user__username="dy_member")
    assert not selectors.registration_status_for_member(wang).is_open  # left for the demo journey
    assert Registration.objects.filter(kind="unit", status="confirmed").exists()
    assert not Registration.objects.filter(member__status="retired").exists()
    for reg in Registration.objects.filter(status="confirmed"):  # "since when" lies in the past
        assert reg.submitted_at < reg.decided_at < timezone.now() - datetime.timedelta(hours=12)
        assert reg.log.order_by("pk").last().at == reg.decided_at
    # Some remain to do in 婆石社区, and the summary reads believable shares.
    assert selectors.unregistered_members(home).exists()
    row = selectors.registration_summary(home).rows[0]
    assert 0 < row.members_done < row.members_due


def test_the_demo_step_is_deterministic(db):
    with transaction.atomic():
        build_all()
        first = signature()
        transaction.set_rollback(True)
    build_all()
    assert signature() == first and len(first) > 10
