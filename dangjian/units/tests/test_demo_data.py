import pytest

from dangjian.core.validators import validate_credit_code
from dangjian.territory.models import Area
from dangjian.units import coverage as unit_coverage
from dangjian.units.models import AdjunctMember, Alliance, CoverageRule, ResidentUnit


@pytest.fixture
def built(demo):
    return demo


def test_the_demo_district_has_believable_coverage(built):
    units = list(ResidentUnit.objects.all())
    assert len(units) >= 20
    for unit in units:
        assert validate_credit_code(unit.credit_code) == unit.credit_code
        assert unit.pinyin
    district = Area.objects.get(name="香洲区")
    assert CoverageRule.objects.filter(district=district).exists()
    figures = unit_coverage.area_figures(district)
    for rate in (figures.single_rate, figures.formation_rate, figures.org_coverage, figures.social_coverage):
        assert 0 < rate.num < rate.den  # neither empty nor 100 %
    assert 0 < figures.blank <= 6
    names = {
        u.name for u in unit_coverage.blank_spots(ResidentUnit.objects.all(), rules=unit_coverage.area_rules(district))
    }
    assert {"珠海拱北跨境电商有限公司", "珠海香湾长者关爱服务中心"} <= names
    assert (figures.owners_committees, figures.red_owners_committees) == (2, 1)
    joint = built.orgs["景山社区非公企业联合党支部"]
    small = ResidentUnit.objects.filter(party_org=joint)
    assert small.count() == 2 and all(u.member_count < 3 for u in small)


def test_the_demo_has_adjunct_members_and_an_alliance(built):
    committee = built.orgs["婆石社区大党委"]
    assert AdjunctMember.objects.filter(committee=committee, is_active=True).count() == 4
    assert AdjunctMember.objects.filter(committee=committee, is_active=False).count() == 1
    alliance = Alliance.objects.get(area__name="拱北街道")
    assert alliance.memberships.exclude(covenant="").count() == 4
