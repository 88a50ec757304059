"""Assessment's test world: the shared `world`, a second district admin for the panel, 婆石社区大党委 (cc1)
with its secretary (an account, role 党员) and 中珠新村小区党支部 (eb) with its own, and this year's
抓基层党建工作责任清单 scheme with its panel (the two district admins) and its sheets opened."""

import datetime
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.utils import timezone

from dangjian.assessment.models import SchemeKind, Sheet
from dangjian.assessment.services import schemes, sheets
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


@pytest.fixture
def stationed(world):
    """拱北街道's own stationed police station: it serves 拱北 only (the world's two departments serve the
    whole district)."""
    from dangjian.units.models import Department

    return Department.objects.create(name="拱北派出所", kind="police", area=world.s1)


@pytest.fixture
def dept_scheme(world, cast, stationed):
    """The 街长评议驻街部门 of 2026 (the year of the cases' figures fixture) with its sheets opened."""
    s = schemes.scheme_create(actor=cast.district, district=world.district, year=2026, kind=SchemeKind.DEPARTMENT)
    schemes.sheets_open(actor=cast.district, scheme=s)
    return s


@pytest.fixture
def dept_sheet(world, dept_scheme):
    """香洲区城管局's sheet."""
    return Sheet.objects.select_related("scheme", "department__area").get(scheme=dept_scheme, department=world.dept)


@pytest.fixture
def year_of_work(world, cast, scheme, dept_scheme):
    """The committees' scheme with 婆石社区大党委 reported, scored and published, and the departments'
    with two of three published."""
    u = world.users
    cc1 = scheme.sheets.get(org=world.cc1)
    schemes.scheme_recompute(actor=cast.district, scheme=scheme)
    for item in scheme.items.filter(source="manual"):
        sheets.score_enter(actor=cast.district, sheet=cc1, item=item, points=Decimal("7"), note="台账齐全")
    sheets.report_submit(
        actor=cast.secretary, sheet=cc1, text="本年度抓基层党建工作的主要做法、成效、存在问题和下一步打算如下。" * 2
    )
    sheets.panel_score(actor=cast.panelist, sheet=cc1, points=Decimal("91"))
    sheets.sheet_confirm(actor=cast.district, sheet=Sheet.objects.get(pk=cc1.pk))
    schemes.scheme_publish(actor=cast.district, scheme=scheme)
    schemes.scheme_recompute(actor=cast.district, scheme=dept_scheme)
    for n, row in enumerate(dept_scheme.sheets.select_related("department").order_by("pk")[:2]):
        sheets.chief_score(actor=u.subdistrict_admin, sheet=row, points=Decimal(60 + 30 * n))
        sheets.sheet_confirm(actor=cast.district, sheet=Sheet.objects.get(pk=row.pk))
    schemes.scheme_publish(actor=cast.district, scheme=dept_scheme)
    return scheme, dept_scheme
