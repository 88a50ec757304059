"""In a real browser, at phone and desktop widths: a member sees their dues and pays on the phone; the
branch's secretary records a member's payment, collects the rest in one go (集中收缴) and remits what
the branch holds."""

import pytest
from playwright.sync_api import expect

from dangjian.conftest import PASSWORD
from dangjian.dues import rules, services
from dangjian.dues.models import DuesMonth, Remittance

from .conftest import MONTH, set_base

pytestmark = pytest.mark.browser


def test_a_member_sees_their_dues_and_pays_on_the_phone(browser, dues_world):
    w = dues_world
    set_base(w.paying, pay="4000", month=MONTH)
    for i in range(3):
        services.charge(member=w.paying, month=rules.add_months(MONTH, i))
    page = browser.sign_in("dy", PASSWORD)
    browser.go("/dues/")
    expect(page.locator("[data-testid=dues-outstanding]")).to_contain_text("120.00")
    assert "4000.00" not in page.content()  # the pay is masked
    browser.assert_fits()
    browser.shot("dues-mine")
    page.select_option("#id_channel", "wechat")
    page.fill("#id_extra", "10")
    page.click("[data-testid=dues-pay]")
    expect(page.locator("[data-testid=dues-all-paid]")).to_be_visible()
    assert all(d.settled for d in DuesMonth.objects.filter(member=w.paying))
    browser.assert_fits()
    browser.assert_no_script_from_data()
    browser.shot("dues-mine-paid")


def test_the_branch_records_a_payment_and_remits(browser, dues_world):
    w = dues_world
    set_base(w.other, pay="12000", month=MONTH)
    set_base(w.paying, pay="4000", month=MONTH)
    services.dues_run(month=MONTH)
    page = browser.sign_in("zw1", PASSWORD)
    browser.go(f"/dues/branches/{w.eb.public_id}/?month=2026-03")
    expect(page.locator("[data-testid=sheet-rows]")).to_contain_text("李强")
    browser.shot("dues-sheet")
    page.locator("tr", has_text="李强").locator("[data-testid=sheet-pay]").click()
    page.fill("#id_amount", "240")
    page.click("[data-testid=branch-pay]")
    expect(page.locator("[data-testid=sheet-held]")).to_have_text("240.00")
    # 集中收缴: tick everyone still owing (王红), the bar sums it, confirm and record.
    page.check("[data-testid=collect-all]")
    expect(page.locator("[data-collect-count]")).to_have_text("1")
    expect(page.locator("[data-collect-total]")).to_have_text("40.00")
    browser.assert_fits()
    browser.shot("dues-sheet-collect")
    page.check("#collect_confirmed")
    page.click("[data-testid=collect]")
    expect(page.locator("[data-testid=sheet-held]")).to_have_text("280.00")
    expect(page.locator("[data-testid=collect-tick]")).to_have_count(0)
    page.fill("#id_amount", "200")
    page.check("#id_confirmed")
    page.click("[data-testid=remit]")
    expect(page.locator("[data-testid=sheet-held]")).to_have_text("80.00")
    assert Remittance.objects.get().to_org == w.eb.parent
    browser.assert_fits()
    browser.assert_no_script_from_data()
    browser.shot("dues-sheet-remitted")


def test_a_worker_reads_the_months_by_settlement_with_what_was_paid(browser, dues_world):
    """The member-month list (the cockpit's 党费足额交纳率 and 党费收缴 link here), from the branches page."""
    w = dues_world
    set_base(w.paying, pay="4000", month=MONTH)
    set_base(w.other, pay="12000", month=MONTH)
    paying = services.charge(member=w.paying, month=MONTH)
    services.charge(member=w.other, month=MONTH)
    services.payment_record(actor=w.officer, dues=paying, amount=paying.owed, key=services.new_key())
    page = browser.page
    browser.sign_in(w.world.users.community_worker.username, PASSWORD)
    browser.go("/dues/branches/")
    page.click("[data-testid=dues-months-link]")
    page.wait_for_load_state("networkidle")
    expect(page.locator("[data-testid=list-total]")).to_contain_text("党员月次共 2 个")
    page.select_option("select[name=settled]", "yes")
    page.click("text=筛选")
    page.wait_for_load_state("networkidle")
    total = page.inner_text("[data-testid=list-total]")
    assert "共 1 个" in total and "已交纳合计 40.00 元" in total
    assert "王红" in page.inner_text("[data-testid=dues-months]")
    browser.assert_fits()
    browser.shot("dues-months-settled")
