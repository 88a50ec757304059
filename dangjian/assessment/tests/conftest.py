"""Assessment's test world: the shared `world`, a second district admin for the panel, 婆石社区大党委 (cc1)
with its secretary (an account, role 党员) and 中珠新村小区党支部 (eb) with its own, and this year's
抓基层党建工作责任清单 scheme with its panel (the two district admins) and its sheets opened."""

import datetime
from types import SimpleNamespace

import pytest
from django.utils import timezone

from dangjian.assessment.models import SchemeKind, Sheet
from dangjian.assessment.services import schemes
from dangjian.conftest import make_user
from dangjian.orgs.models import OfficerPost, OrgOfficer


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def cast(world):
    u = world.users
    panelist = make_user("qu2", "district_admin", area=world.district)
    secretary = make_user("sj", "party_member", home_community=world.c1)
    branch_secretary = make_user("sj_eb", "party_member", home_community=world.c1)
    outsider_secretary = make_user("sj3", "party_member", home_community=world.c3)
    start = datetime.date(2025, 1, 1)
    for org, user in ((world.cc1, secretary), (world.eb, branch_secretary), (world.cc3, outsider_secretary)):
        OrgOfficer.objects.create(org=org, user=user, name=user.username, post=OfficerPost.SECRETARY, started_on=start)
    return SimpleNamespace(
        district=u.district_admin, panelist=panelist, secretary=secretary, branch_secretary=branch_secretary,
        outsider_secretary=outsider_secretary,
    )  # fmt: skip


@pytest.fixture
def scheme(world, cast):
    s = schemes.scheme_create(
        actor=cast.district, district=world.district, year=timezone.localdate().year, kind=SchemeKind.RESPONSIBILITY
    )
    schemes.panel_set(actor=cast.district, scheme=s, users=[cast.district, cast.panelist])
    schemes.sheets_open(actor=cast.district, scheme=s)
    return s


@pytest.fixture
def sheet(world, scheme):
    """婆石社区大党委's sheet."""
    return Sheet.objects.select_related("scheme", "org__area").get(scheme=scheme, org=world.cc1)
