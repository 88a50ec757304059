"""In a real browser, at phone and desktop widths: the secretary submits the 述职 from the menu, a panel
member scores it, the district enters the manual score, confirms and publishes; the secretary reads the
result."""

import pytest
from playwright.sync_api import expect

from dangjian.assessment.models import Sheet, SheetStatus, Source
from dangjian.assessment.services import sheets
from dangjian.conftest import PASSWORD

pytestmark = pytest.mark.browser
XSS = "<img src=x onerror=window.__xss=1>"
REPORT = (
    "一、坚持每月召开支委会，按期开展“三会一课”和主题党日。\n"
    "二、组织党员认领群众需求，推动接诉即办按期办结。\n"
    "三、存在问题和下一步打算：台账规范化还需加强。"
)


def test_a_secretary_reports_the_panel_scores_and_the_district_publishes(transactional_db, browser, world, cast, sheet):
    sheets.sheet_recompute(actor=cast.district, sheet=sheet)
    page = browser.sign_in("sj", PASSWORD)
    browser.open_nav("assessment_mine")
    page.click(f"a[href$='/assessment/mine/{sheet.public_id}/']")
    page.fill("#report-text", REPORT + XSS)
    page.click("[data-testid=report-submit]")
    expect(page.locator("[data-testid=report-status]")).to_have_text("已述职")
    browser.assert_fits()
    browser.assert_no_script_from_data()
    browser.shot("assessment-report")

    page.context.clear_cookies()
    page = browser.sign_in("qu2", PASSWORD)
    browser.go(f"/assessment/sheet/{sheet.public_id}/")
    expect(page.locator("[data-testid=report-text]")).to_contain_text("坚持每月召开支委会")
    page.fill("#panel-points", "86")
    page.click("[data-testid=panel-save]")
    expect(page.locator("[data-testid=panel-scores]")).to_contain_text("86.0")
    browser.assert_fits()
    browser.shot("assessment-panel")

    page.context.clear_cookies()
    page = browser.sign_in("qu", PASSWORD)
    browser.go(f"/assessment/sheet/{sheet.public_id}/")
    manual = sheet.scores.get(item__source=Source.MANUAL)
    form = page.locator(f"form:has([data-testid=score-save-{manual.item_id}])")
    form.locator("input[name=points]").fill("8.5")
    form.locator("input[name=note]").fill("阵地建设规范，台账齐全")
    page.click(f"[data-testid=score-save-{manual.item_id}]")
    expect(page.locator("[data-testid=scores]")).to_contain_text("阵地建设规范，台账齐全")
    page.once("dialog", lambda d: d.accept())
    page.click("[data-testid=step-confirm]")
    expect(page.locator("[data-testid=sheet-status]")).to_have_text("已评定")
    page.once("dialog", lambda d: d.accept())
    page.click("[data-testid=step-publish]")
    expect(page.locator("[data-testid=sheet-status]")).to_have_text("已公布")
    expect(page.locator("[data-testid=rank]")).to_have_text("1")
    browser.assert_fits()
    browser.shot("assessment-sheet")
    done = Sheet.objects.get(pk=sheet.pk)
    assert done.status == SheetStatus.PUBLISHED and done.rank == 1

    browser.go(f"/assessment/scheme/{sheet.scheme.public_id}/")
    expect(page.locator("[data-testid=sheets]")).to_contain_text("婆石社区大党委")
    browser.assert_fits()
    browser.shot("assessment-scheme")


def test_an_inspector_records_a_finding_and_the_secretary_rectifies_it(transactional_db, browser, world, cast, scheme):
    import datetime

    from dangjian.assessment.models import Finding, FindingStatus, Pick
    from dangjian.assessment.services import inspection

    draw = inspection.draw_make(actor=cast.district, scheme=scheme, org_count=4, inspector_count=1, seed=11)
    pick = draw.picks.get(org=world.cc1)
    Pick.objects.filter(pk=pick.pk).update(inspector=cast.panelist)
    page = browser.sign_in("qu2", PASSWORD)
    browser.go(f"/assessment/pick/{pick.public_id}/")
    page.fill("#finding-text", "“三会一课”记录缺签到表" + XSS)
    page.fill("#finding-deadline", (datetime.date.today() + datetime.timedelta(days=10)).isoformat())
    page.click("[data-testid=finding-submit]")
    expect(page.locator("[data-testid=findings]")).to_contain_text("缺签到表")
    browser.assert_fits()
    browser.assert_no_script_from_data()
    browser.shot("assessment-finding")
    page.context.clear_cookies()
    page = browser.sign_in("sj", PASSWORD)
    browser.go("/assessment/mine/")
    finding = Finding.objects.get()
    page.locator("[data-testid=my-findings] input[name=note]").fill("已补齐签到表")
    page.click(f"[data-testid=rectify-{finding.pk}]")
    expect(page.locator("[data-testid=my-findings]")).to_contain_text("已整改")
    browser.assert_fits()
    browser.shot("assessment-rectify")
    assert Finding.objects.get().status == FindingStatus.RECTIFIED
