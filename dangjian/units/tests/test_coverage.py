"""Every figure, counted by hand from the table in conftest.py, at a community, a subdistrict,
the district, the whole deployment and organization nodes."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from dangjian.orgs import services as org_services
from dangjian.territory import services as territory_services
from dangjian.units import coverage as unit_coverage
from dangjian.units import services
from dangjian.units.models import ResidentUnit


def rates(f: unit_coverage.Figures) -> dict:
    return {
        "single": (f.single_rate.num, f.single_rate.den),
        "formation": (f.formation_rate.num, f.formation_rate.den),
        "org": (f.org_coverage.num, f.org_coverage.den),
        "social": (f.social_coverage.num, f.social_coverage.den),
        "work": (f.work_coverage.num, f.work_coverage.den),
        "red_oc": (f.red_owners_committee_share.num, f.red_owners_committee_share.den),
        "red_pc": (f.red_property_share.num, f.red_property_share.den),
        "work_oc": (f.owners_committee_work_share.num, f.owners_committee_work_share.den),
        "work_pc": (f.property_work_share.num, f.property_work_share.den),
        "blank": f.blank,
        "formed": (f.single, f.joint, f.unformed),
    }


def test_it_counts_a_community(cov):
    f = unit_coverage.area_figures(cov.world.c1)
    assert f.units == 7
    assert rates(f) == {
        "single": (1, 3),  # U1, U2, U4 have ≥ 3 members; only U1 its own organization
        "formation": (3, 5),  # U1 U2 U3 U4 U6 have members; U1 U3 U4 are organized
        "org": (2, 4),  # U2 U3 U4 U5 are new-sector; U3 U4 covered
        "social": (0, 1),  # U5: 35 staff, uncovered
        "work": (4, 7),  # U1 U3 U4 (organizations) U7 (instructor)
        "red_oc": (0, 2),  # U6 has only a member on record, U7 only an instructor: no organization in either
        "red_pc": (0, 0),
        "work_oc": (1, 2),  # U7: its Party-building instructor
        "work_pc": (0, 0),
        "blank": 3,  # U2 U5 U6
        "formed": (1, 2, 4),
    }
    assert f.due_single_joint == 1  # U4: three members on record, still in the joint branch
    assert str(f.single_rate) == "33.3%" and str(f.red_property_share) == "—"


def test_it_counts_another_community_and_shows_a_dash_without_units(cov):
    f = unit_coverage.area_figures(cov.world.c2)
    assert rates(f) == {
        "single": (0, 0),
        "formation": (1, 2),
        "org": (1, 2),
        "social": (1, 1),
        "work": (2, 3),
        "red_oc": (0, 0),
        "red_pc": (0, 1),  # U9 has members but no organization
        "work_oc": (0, 0),
        "work_pc": (0, 1),
        "blank": 1,
        "formed": (0, 1, 2),
    }
    assert str(f.single_rate) == "—" and f.single_rate.percent is None
    empty = territory_services.area_create(actor=None, level="community", name="空白社区", parent=cov.world.s2)
    nothing = unit_coverage.area_figures(empty)
    assert nothing.units == 0
    assert [str(r) for r in (nothing.single_rate, nothing.formation_rate, nothing.work_coverage)] == ["—"] * 3


def test_it_counts_a_subdistrict_and_the_district(cov):
    assert rates(unit_coverage.area_figures(cov.world.s1)) == {
        "single": (1, 3),
        "formation": (4, 7),
        "org": (3, 6),
        "social": (1, 2),
        "work": (6, 10),
        "red_oc": (0, 2),
        "red_pc": (0, 1),
        "work_oc": (1, 2),
        "work_pc": (0, 1),
        "blank": 4,
        "formed": (1, 3, 6),
    }
    district = unit_coverage.area_figures(cov.world.district)
    assert district.units == 14
    assert rates(district) == {
        "single": (2, 4),
        "formation": (5, 8),
        "org": (4, 8),
        "social": (1, 3),
        "work": (8, 14),
        "red_oc": (0, 2),
        "red_pc": (1, 2),  # U14 (an organization located at it); U9 has members only
        "work_oc": (1, 2),
        "work_pc": (1, 2),
        "blank": 5,
        "formed": (2, 3, 9),
    }


def test_it_breaks_the_district_down_by_child_in_one_query(cov):
    with CaptureQueriesContext(connection) as ctx:
        rows = unit_coverage.area_breakdown(cov.world.district)
    assert [r.label for r in rows] == ["拱北街道", "吉大街道"]
    assert [r.figures.units for r in rows] == [10, 4]
    assert rates(rows[1].figures)["single"] == (1, 1)
    assert rates(rows[1].figures)["blank"] == 1
    assert len(ctx.captured_queries) == 4  # children; from the store: the snapshot, the kinds, the children
    kinds = {
        r.node: r.figures
        for r in unit_coverage.kind_breakdown(
            ResidentUnit.objects.all(), rules=unit_coverage.area_rules(cov.world.district)
        )
    }
    assert kinds["enterprise"].units == 5 and rates(kinds["enterprise"])["formation"] == (3, 4)
    assert kinds["social_organization"].big_social == 3


def test_it_counts_an_organization_node(cov):
    f = unit_coverage.org_figures(cov.world.cc1)  # U1 (its branch), U3 U4 (J1)
    assert rates(f) == {
        "single": (1, 2),
        "formation": (3, 3),
        "org": (2, 2),
        "social": (0, 0),
        "work": (3, 3),
        "red_oc": (0, 0),
        "red_pc": (0, 0),
        "work_oc": (0, 0),
        "work_pc": (0, 0),
        "blank": 0,
        "formed": (1, 2, 0),
    }
    wc1 = unit_coverage.org_figures(cov.world.wc1)  # and U10 in the subdistrict's joint branch J2
    assert wc1.units == 4 and rates(wc1)["social"] == (1, 1)
    rows = unit_coverage.org_breakdown(cov.world.wc1)
    assert [(r.label, r.figures.units) for r in rows] == [("婆石社区大党委", 3), ("拱北街道社会组织联合党支部", 1)]
    below = unit_coverage.org_breakdown(cov.world.cc1)
    assert {r.label: r.figures.units for r in below} == {"口岸中心党支部": 1, "婆石非公企业联合党支部": 2}


def test_the_figures_are_two_queries_on_the_store(cov):
    with CaptureQueriesContext(connection) as ctx:
        unit_coverage.area_figures(cov.world.district)
    assert len(ctx.captured_queries) == 2  # the snapshot look-up, the aggregate; the rule is in the facts
    assert all("core_dailyfact" in q["sql"] for q in ctx.captured_queries)


def test_it_applies_the_districts_rule(cov):
    services.coverage_rule_save(
        actor=None, district=cov.world.district, min_members_for_single=4, min_staff_social_org=40
    )
    c1 = unit_coverage.area_figures(cov.world.c1)
    assert rates(c1)["single"] == (1, 2)  # U1 (5), U2 (4); U4's 3 no longer due
    assert rates(c1)["social"] == (0, 0)  # U5's 35 staff are below 40
    assert c1.blank == 2  # U2, U6
    district = unit_coverage.area_figures(cov.world.district)
    assert rates(district)["social"] == (1, 1)  # U10 only
    assert district.blank == 3  # U2 U6 U9
    reasons = {
        u.name: unit_coverage.blank_reasons(u)
        for u in unit_coverage.blank_spots(
            ResidentUnit.objects.all(), rules=unit_coverage.area_rules(cov.world.district)
        )
    }
    assert reasons["婆石甲科技有限公司"] == ["有党员 4 名（≥ 4 名），应单独组建党组织"]


def test_each_district_keeps_its_own_rule_across_the_deployment(cov):
    other = territory_services.area_create(actor=None, level="district", name="金湾区", parent=None)
    town = territory_services.area_create(actor=None, level="subdistrict", name="三灶镇", parent=other)
    village = territory_services.area_create(actor=None, level="community", name="海澄社区", parent=town)
    services.coverage_rule_save(actor=None, district=other, min_members_for_single=4, min_staff_social_org=40)
    ResidentUnit.objects.create(name="三灶社工中心", kind="social_organization", community=village, staff_count=35)
    ResidentUnit.objects.create(name="三灶物流公司", kind="enterprise", community=village, member_count=3)
    everything = unit_coverage.area_figures(None)
    assert everything.units == 16
    # 香洲区 (defaults): 3 social organizations ≥ 30 staff, 4 units due single; 金湾区 (40, 4): none.
    assert rates(everything)["social"] == (1, 3)
    assert rates(everything)["single"] == (2, 4)
    assert everything.blank == 5 + 1  # the 金湾 enterprise has members and no organization
    services.coverage_rule_save(
        actor=None, district=cov.world.district, min_members_for_single=3, min_staff_social_org=31
    )
    assert rates(unit_coverage.area_figures(None))["social"] == (1, 2)  # U12's 30 staff no longer count
    rows = unit_coverage.area_breakdown(None)
    assert [(r.label, r.figures.units) for r in rows] == [("香洲区", 14), ("金湾区", 2)]


def test_the_blank_spot_list_says_why(cov):
    spots = list(
        unit_coverage.blank_spots(
            unit_coverage.units_under_area(cov.world.c1), rules=unit_coverage.area_rules(cov.world.c1)
        )
    )
    assert [u.name for u in spots] == ["婆石甲科技有限公司", "中珠新村业主委员会", "婆石长者服务中心"]
    assert [unit_coverage.blank_reasons(u) for u in spots] == [
        ["有党员 4 名（≥ 3 名），应单独组建党组织"],
        ["有党员 1 名，应单独或联合组建党组织"],
        ["从业人员 35 人的社会组织（≥ 30 人），应实现党组织覆盖"],
    ]


def test_the_figures_move_with_a_formation_change(cov):
    u2 = cov.units["U2"]
    services.unit_set_formation(actor=None, unit=u2, party_org=cov.j1)
    c1 = unit_coverage.area_figures(cov.world.c1)
    assert rates(c1)["formation"] == (4, 5) and c1.blank == 2 and c1.due_single_joint == 2
    branch = services.unit_form_own_branch(actor=None, unit=u2, parent=cov.world.cc1)
    c1 = unit_coverage.area_figures(cov.world.c1)
    assert rates(c1)["single"] == (2, 3) and branch.unit_id == u2.pk


@pytest.mark.parametrize("status", ["in_service", "retired", "floating", "pocket"])
def test_members_on_record_count_while_on_the_books(cov, status):
    from dangjian.people.models import Member

    Member.objects.create(name="新党员", workplace=cov.units["U5"], org=cov.world.eb, status=status)
    assert rates(unit_coverage.area_figures(cov.world.c1))["formation"] == (3, 6)


def test_the_blank_spot_list_and_the_blank_figure_agree(cov):
    services.coverage_rule_save(
        actor=None, district=cov.world.district, min_members_for_single=3, min_staff_social_org=35
    )
    for area in (cov.world.district, cov.world.s1, cov.world.c1, cov.world.c2, cov.world.c3, None):
        rules = unit_coverage.area_rules(area)
        units = unit_coverage.units_under_area(area)
        assert (
            unit_coverage.blank_spots(units, rules=rules).count() == unit_coverage.figures_of(units, rules=rules).blank
        )


def test_a_node_the_childrens_and_the_kinds_figures_add_up(cov):
    coverage = unit_coverage.area_coverage(cov.world.district)
    assert coverage.figures == unit_coverage.area_figures(cov.world.district)
    assert sum((row.figures for row in coverage.rows), unit_coverage.Figures()) == coverage.figures
    assert sum((row.figures for row in coverage.kinds), unit_coverage.Figures()) == coverage.figures
    assert [row.label for row in coverage.kinds] == ["机关", "非公企业", "社会组织", "医院", "物业服务企业", "业委会"]


def test_an_owners_committee_is_red_by_its_party_organization_not_by_members(cov, login):
    """红色业委会 is 业委会党组织覆盖 (seed 000: ≈70 %), reported apart from 工作覆盖 (100 %)."""
    w = cov.world
    typed = ResidentUnit.objects.get(name="婆石花园业主委员会")  # U7: an instructor, no organization
    ResidentUnit.objects.filter(pk=typed.pk).update(member_count=9)  # a typed count proves nothing
    assert rates(unit_coverage.area_figures(w.c1))["red_oc"] == (0, 2)
    assert unit_coverage.is_red(ResidentUnit.objects.get(pk=typed.pk)) is False
    body = login(w.users.community_worker).get(reverse("units:detail", args=[typed.public_id])).content.decode()
    assert "（尚无党组织，已由党建指导员实现工作覆盖）" in body
    zhongzhu = ResidentUnit.objects.get(name="中珠新村业主委员会")  # U6
    branch = org_services.org_create(
        actor=None, org_type="branch", name="中珠新村业委会党支部", parent=w.cc1, area=w.c1, unit=zhongzhu
    )
    ResidentUnit.objects.filter(pk=zhongzhu.pk).update(party_org=branch)
    f = unit_coverage.area_figures(w.c1)
    assert (rates(f)["red_oc"], rates(f)["work_oc"]) == ((1, 2), (2, 2))
    assert str(f.red_owners_committee_share) == "50.0%" and str(f.owners_committee_work_share) == "100.0%"
    assert unit_coverage.is_red(ResidentUnit.objects.get(pk=zhongzhu.pk)) is True
