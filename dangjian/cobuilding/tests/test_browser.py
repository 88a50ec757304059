"""In a real browser, at phone and desktop widths: a community secretary runs a joint meeting and hands
a raised matter to a unit; a liaison checks in at a grid and files a problem; the district reads the
covenant fulfilment table."""

import datetime

import pytest
from playwright.sync_api import expect

from dangjian.cases.models import Case, Channel
from dangjian.cobuilding.models import LiaisonVisit, Matter, Outcome, UnitTask
from dangjian.conftest import PASSWORD

pytestmark = pytest.mark.browser


def test_a_secretary_runs_a_joint_meeting_and_hands_a_matter_to_a_unit(transactional_db, browser, world, board, joint):
    page = browser.sign_in("sq1", PASSWORD)
    browser.go(f"/cobuilding/meetings/{joint.public_id}/")
    page.fill("#matter-title", "口岸周边停车难<img src=x onerror=window.__xss=1>")
    page.click("[data-testid=raise-form] button[type=submit]")
    matter = Matter.objects.get()
    page.click("details.mt-route summary")
    page.select_option(f"#unit-{matter.pk}", str(world.unit.public_id))
    page.fill(f"#due-{matter.pk}", (datetime.date.today() + datetime.timedelta(days=14)).isoformat())
    page.click("[data-testid=route-task] button[type=submit]")
    expect(page.locator("[data-testid=outcome]")).to_have_text("交办成员单位")
    assert Matter.objects.get().outcome == Outcome.TASK and UnitTask.objects.get().unit == world.unit
    browser.assert_no_script_from_data()
    browser.assert_fits()
    browser.shot("cobuilding-matter-to-task")


def test_a_liaison_checks_in_at_a_grid_and_files_a_problem(transactional_db, browser, world, liaison):
    browser.context.grant_permissions(["geolocation"])
    browser.context.set_geolocation({"latitude": 22.205, "longitude": 113.505})
    page = browser.sign_in("jd1", PASSWORD)
    browser.go(f"/cobuilding/liaisons/{liaison.public_id}/")
    expect(page.locator("[data-locate-status]")).to_have_text("已获取位置。")
    page.fill("#notes", "走访婆石第一网格")
    page.click("[data-testid=checkin]")
    visit = LiaisonVisit.objects.get()
    assert visit.lat == pytest.approx(22.205) and visit.lng == pytest.approx(113.505)
    page.click("[data-testid=visits] details summary")
    page.fill(f"#description-{visit.pk}", "楼道堆放杂物堵塞消防通道")
    page.click("[data-testid=file-problem]")
    expect(page.locator("[data-testid=problem]")).to_contain_text("楼道堆放杂物")
    case = Case.objects.get()
    assert case.channel == Channel.LIAISON and case.reporter_name.startswith("王副区长")
    browser.assert_fits()
    browser.shot("cobuilding-liaison-checkin")


def test_the_district_reads_the_covenant_fulfilment_table(transactional_db, browser, world, covenant):
    page = browser.sign_in("qu", PASSWORD)
    browser.go("/cobuilding/covenants/?year=2025")
    table = page.locator("[data-testid=fulfilment]")
    expect(table).to_contain_text("拱北口岸中心")
    expect(table).to_contain_text("0 / 12")
    expect(table).to_contain_text("滞后")
    browser.assert_fits()
    browser.shot("cobuilding-fulfilment")


def test_the_district_filters_the_matters_and_the_estates(transactional_db, browser, world, joint, liaison):
    from django.utils import timezone

    from dangjian.cases.models import CaseCategory
    from dangjian.cobuilding.services import estates, liaisons
    from dangjian.cobuilding.services import matters as matter_services

    cw = world.users.community_worker
    matter_services.matter_close(
        actor=cw,
        matter=matter_services.matter_raise(actor=cw, comeeting=joint, title="口岸周边停车难"),
        reason="已答复",
    )
    matter_services.matter_raise(actor=cw, comeeting=joint, title="海关围墙绿化")
    visit = liaisons.liaison_checkin(actor=None, liaison=liaison, lat=None, lng=None)
    category = CaseCategory.objects.filter(is_active=True).first()
    liaisons.liaison_problem_file(actor=None, visit=visit, category=category, description="楼道堆放杂物堵塞消防通道")
    estates.governance_save(actor=cw, estate=world.estate, mode="residents", branch=world.eb)
    estates.governance_save(actor=world.users.district_admin, estate=world.estate3, mode="community")
    page = browser.sign_in("qu", PASSWORD)
    browser.go("/cobuilding/matters/")
    expect(page.locator("[data-testid=matters] li")).to_have_count(3)
    page.select_option("#id_source", "meeting")
    page.select_option("#id_solved", "yes")
    page.click("[data-testid=more-filters] summary")
    page.select_option("#id_area", str(world.c1.public_id))
    page.fill("#id_date_from", timezone.localdate().replace(month=1, day=1).isoformat())
    page.click("[data-testid=matter-filters] button[type=submit]")
    expect(page.locator("[data-testid=list-total]")).to_contain_text("共 1 件")
    expect(page.locator("[data-testid=matters]")).to_contain_text("口岸周边停车难")
    expect(page.locator("[data-testid=solved]")).to_have_count(1)
    browser.assert_fits()
    browser.shot("cobuilding-matters-filtered")
    browser.go("/cobuilding/estates/")
    page.select_option("#id_branch", "yes")
    page.click("[data-testid=estate-filters] button[type=submit]")
    expect(page.locator("[data-testid=list-total]")).to_contain_text("共 1 个")
    expect(page.locator("[data-testid=estates]")).to_contain_text("中珠新村")
    browser.assert_fits()
    browser.shot("cobuilding-estates-with-branch")
