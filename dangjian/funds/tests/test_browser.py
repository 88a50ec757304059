"""In a real browser, at phone and desktop width: a district administrator enters an allocation, a
second administrator approves it, and the overview flags the communities still below their floor;
the community's fund page shows the balance and the journal."""

import pytest

from dangjian.conftest import PASSWORD, make_user
from dangjian.funds.services import book
from dangjian.funds.services.allocations import allocate_now

from .conftest import YEAR

pytestmark = pytest.mark.browser


def test_two_admins_allocate_and_the_overview_flags_the_floor(world, browser):
    book.ensure_kinds(world.district)
    second = make_user("qu2", "district_admin", area=world.district)
    # 婆石社区 already has its 社区工作经费; its 服务群众专项经费 is what is missing.
    allocate_now(actor=world.users.district_admin, approver=second, area=world.c1, kind="office", year=YEAR,
                 amount=50000)  # fmt: skip
    page = browser.page
    browser.sign_in(world.users.district_admin.username, PASSWORD)
    browser.go(f"/funds/?year={YEAR}")
    assert page.locator("[data-testid=floor-flag]").is_visible()
    assert "5 个社区或街道" in page.inner_text("[data-testid=floor-flag]")
    browser.assert_fits()
    browser.shot("funds-overview-flag")
    browser.open_nav("funds_allocations")
    page.click("text=录入拨付")
    page.wait_for_load_state("networkidle")
    page.select_option("select[name=area]", label="社区 · 婆石社区")
    page.select_option("select[name=kind]", "service")
    page.fill("input[name=year]", str(YEAR))
    page.fill("input[name=amount]", "100000")
    page.fill("input[name=memo]", "年度服务群众专项经费")
    browser.assert_fits()
    browser.shot("funds-allocation-new")
    page.click("[data-testid=allocation-submit]")
    page.wait_for_load_state("networkidle")
    assert "等待另一名区级管理员审批" in page.inner_text(".messages")
    assert page.locator("[data-testid=await-other]").is_visible()
    assert page.locator("[data-testid=step-approve]").count() == 0
    url = page.url

    page.context.clear_cookies()
    browser.sign_in("qu2", PASSWORD)
    page.goto(url)
    browser.assert_fits()
    browser.shot("funds-allocation-approve")
    page.click("[data-testid=step-approve]")
    page.wait_for_load_state("networkidle")
    assert "已批准" in page.inner_text("[data-testid=status]")

    browser.go(f"/funds/?year={YEAR}")
    assert "4 个社区或街道" in page.inner_text("[data-testid=floor-flag]")
    table = page.inner_text("[data-testid=floor-table]")
    assert "婆石社区" in table and "达标" in table
    browser.assert_fits()
    browser.shot("funds-overview-after")
    page.click("text=婆石社区")
    page.wait_for_load_state("networkidle")
    assert "100,000.00" in page.inner_text("[data-testid=balances]")
    assert "拨付" in page.inner_text("[data-testid=journals]")
    browser.assert_fits()
    browser.shot("funds-community")
    statement = page.get_attribute("text=打印年度经费台账", "href")
    pdf = page.request.get(browser.base_url + statement)
    assert pdf.ok and pdf.body().startswith(b"%PDF")


def test_the_district_sets_a_floor_and_reckons_the_bases(world, browser):
    """经费类别与保底规则: raise a floor, then reckon the year's households and members again."""
    world.estate.households = 860
    world.estate.save()
    page = browser.page
    browser.sign_in(world.users.district_admin.username, PASSWORD)
    browser.open_nav("funds_settings")
    assert page.title().startswith("经费类别与保底规则")  # text, not markup
    row = page.locator("[data-testid=kinds] tr", has_text="服务群众专项经费")
    assert "100000 元" in row.inner_text()
    browser.assert_fits()
    browser.shot("funds-settings")
    row.locator("text=修改").click()
    page.fill("input[name=fixed_amount]", "120000")
    page.click("button:has-text('保存')")
    page.wait_for_load_state("networkidle")
    assert "已保存" in page.inner_text("body")
    assert "120000 元" in page.locator("[data-testid=kinds] tr", has_text="服务群众专项经费").inner_text()
    page.click("[data-testid=bases-refresh]")
    page.wait_for_load_state("networkidle")
    assert f"{YEAR} 年的户数和党员数" in page.inner_text("body")
    assert "已核定" in page.inner_text("form:has([data-testid=bases-refresh])")
    browser.assert_fits()
    browser.shot("funds-settings-bases")


def test_a_worker_reads_the_journals_of_a_kind_with_their_total(world, browser):
    """The journal list (the cockpit's 经费拨付 and 经费支出 link here), from the community's fund page."""
    second = make_user("qu2", "district_admin", area=world.district)
    allocate_now(actor=world.users.district_admin, approver=second, area=world.c1, kind="micro", year=YEAR,
                 amount=100000)  # fmt: skip
    allocate_now(actor=world.users.district_admin, approver=second, area=world.c3, kind="micro", year=YEAR,
                 amount=5000)  # fmt: skip
    page = browser.page
    browser.sign_in(world.users.community_worker.username, PASSWORD)
    browser.go(f"/funds/area/{world.c1.public_id}/")
    page.click("[data-testid=journal-list]")
    page.wait_for_load_state("networkidle")
    page.select_option("select[name=kind]", "allocation")
    page.click("text=筛选")
    page.wait_for_load_state("networkidle")
    total = page.inner_text("[data-testid=list-total]")
    assert "拨付记录共 1 笔" in total and "100,000.00" in total
    assert "海虹社区" not in page.inner_text("[data-testid=journals]")
    browser.assert_fits()
    browser.shot("funds-journals-allocation")


def test_the_district_lists_the_floors_not_yet_met(world, browser):
    """保底明细 (the cockpit's 经费保底达标率 links here), from the overview: the floors still short."""
    book.ensure_kinds(world.district)
    second = make_user("qu2", "district_admin", area=world.district)
    allocate_now(actor=world.users.district_admin, approver=second, area=world.c1, kind="service", year=YEAR,
                 amount=100000)  # fmt: skip
    page = browser.page
    browser.sign_in(world.users.district_admin.username, PASSWORD)
    browser.go(f"/funds/?year={YEAR}")
    page.click("[data-testid=floor-list]")
    page.wait_for_load_state("networkidle")
    assert "共 8 项保底经费" in page.inner_text("[data-testid=list-total]")
    assert page.locator("[data-testid=not-reckoned]").is_visible()  # the world's bases are not reckoned
    page.select_option("select[name=met]", "no")
    page.select_option("select[name=kind]", label="服务群众专项经费")
    page.click("text=筛选")
    page.wait_for_load_state("networkidle")
    assert "共 2 项保底经费" in page.inner_text("[data-testid=list-total]")
    table = page.inner_text("[data-testid=floors]")
    assert "茂盛社区" in table and "海虹社区" in table and "婆石社区" not in table
    assert "差 100,000.00 元" in table
    browser.assert_fits()
    browser.shot("funds-floors-short")
