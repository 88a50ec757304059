"""In a real browser, at phone and desktop widths: the secretary submits the 述职 from the menu, a panel
member scores it, the district enters the manual score, confirms and publishes; the secretary reads the
result. A street chief scores a stationed department, the district confirms and publishes, the department
reads its result; the district reads 考核统计 and drills down."""

import pytest
from playwright.sync_api import expect

from dangjian.assessment.models import Sheet, SheetStatus, Source
from dangjian.assessment.services import schemes, sheets
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


def test_a_street_chief_scores_a_department_and_the_district_publishes(
    transactional_db, browser, world, cast, dept_scheme, dept_sheet
):
    schemes.scheme_recompute(actor=cast.district, scheme=dept_scheme)
    page = browser.sign_in("jd1", PASSWORD)
    browser.open_nav("assessment")
    page.click(f"a[href$='/assessment/scheme/{dept_scheme.public_id}/']")
    expect(page.locator("[data-testid=sheets]")).to_contain_text("拱北派出所")
    browser.assert_fits()
    browser.shot("assessment-departments")
    browser.go("/")
    page.locator("a[href$='/assessment/mine/?show=chief']").first.click()  # 今日待办: 待街长评分的驻街部门
    expect(page.locator("[data-testid=chief-waiting]")).to_contain_text("香洲区城管局")
    browser.assert_fits()
    browser.shot("assessment-chief-waiting")
    page.click(f"[data-testid=chief-waiting] a[href$='/assessment/sheet/{dept_sheet.public_id}/']")
    page.fill("#chief-points", "88")
    page.locator("[data-testid=chief-score-form] input[name=note]").fill("到场及时，配合联合执法" + XSS)
    page.click("[data-testid=chief-save]")
    expect(page.locator("[data-testid=chief-scores]")).to_contain_text("88.0")
    expect(page.locator("[data-testid=scores]")).to_contain_text("街长 1 人评分，平均 88.0 分")
    browser.assert_fits()
    browser.assert_no_script_from_data()
    browser.shot("assessment-chief-score")

    page.context.clear_cookies()
    page = browser.sign_in("qu", PASSWORD)
    browser.go(f"/assessment/sheet/{dept_sheet.public_id}/")
    page.once("dialog", lambda d: d.accept())
    page.click("[data-testid=step-confirm]")
    expect(page.locator("[data-testid=sheet-status]")).to_have_text("已评定")
    page.once("dialog", lambda d: d.accept())
    page.click("[data-testid=step-publish]")
    expect(page.locator("[data-testid=sheet-status]")).to_have_text("已公布")
    expect(page.locator("[data-testid=rank]")).to_have_text("1")
    assert Sheet.objects.get(pk=dept_sheet.pk).status == SheetStatus.PUBLISHED

    page.context.clear_cookies()
    page = browser.sign_in("bm", PASSWORD)
    browser.open_nav("assessment_department")
    page.click(f"a[href$='/assessment/scheme/{dept_scheme.public_id}/']")
    page.click(f"a[href$='/assessment/sheet/{dept_sheet.public_id}/']")
    expect(page.locator("h1")).to_have_text("香洲区城管局")
    expect(page.locator("[data-testid=chief-scores]")).to_contain_text("88.0")
    browser.assert_fits()
    browser.assert_no_script_from_data()
    browser.shot("assessment-department-result")


def test_the_district_reads_the_assessment_figures_and_drills_down(transactional_db, browser, world, year_of_work):
    scheme, _departments = year_of_work
    page = browser.sign_in("qu", PASSWORD)
    browser.open_nav("assessment_figures")
    expect(page.locator("h1")).to_contain_text("考核统计")
    sheets_total = Sheet.objects.count()
    expect(page.locator("[data-testid=total-sheets] .stat-value")).to_have_text(str(sheets_total))
    published = Sheet.objects.filter(status=SheetStatus.PUBLISHED).count()
    expect(page.locator("[data-testid=total-published] .stat-value")).to_have_text(str(published))
    page.wait_for_selector("#grades-chart[data-ready='1']")
    page.wait_for_selector("#children-chart[data-ready='1']")
    browser.assert_fits()
    browser.shot("assessment-figures-district")
    page.locator("[data-testid=kinds] a", has_text="街长评议驻街部门").click()
    page.wait_for_load_state("networkidle")
    departments = Sheet.objects.filter(department__isnull=False).count()
    expect(page.locator("[data-testid=total-sheets] .stat-value")).to_have_text(str(departments))
    page.locator("[data-testid=figures-children] a", has_text="拱北街道").click()
    page.wait_for_load_state("networkidle")
    expect(page.locator("h1")).to_contain_text("拱北街道")
    in_s1 = Sheet.objects.filter(department__isnull=False, area_path__startswith=world.s1.path)
    expect(page.locator("[data-testid=total-sheets] .stat-value")).to_have_text(str(in_s1.count()))
    if not in_s1.filter(status=SheetStatus.PUBLISHED).exists():  # nothing published here: no chart of zeros
        expect(page.locator("#grades-chart")).to_have_count(0)
    browser.assert_fits()
    browser.shot("assessment-figures-subdistrict")


def test_a_worker_lists_the_published_sheets_by_grade(browser, world, year_of_work):
    """The score-sheet list (the cockpit's 考评结果公布 and 考评优秀率 link here), from the assessment home."""
    scheme, _ = year_of_work
    cc1 = Sheet.objects.get(scheme=scheme, org=world.cc1)
    page = browser.page
    browser.sign_in(world.users.district_admin.username, PASSWORD)
    browser.go("/assessment/")
    page.click("[data-testid=sheet-list]")
    page.wait_for_load_state("networkidle")
    page.select_option("select[name=status]", "published")
    page.select_option("select[name=grade]", cc1.grade)
    page.select_option("select[name=area]", label=world.c1.name)
    page.click("text=筛选")
    page.wait_for_load_state("networkidle")
    expect(page.locator("[data-testid=list-total]")).to_contain_text("符合条件的评分表共 1 份")
    assert world.cc1.name in page.inner_text("[data-testid=sheets]")
    browser.assert_fits()
    browser.shot("assessment-sheets-filtered")
