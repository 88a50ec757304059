import pytest
from playwright.sync_api import expect

from dangjian.accounts import services as account_services
from dangjian.demo.accounts import DEMO_PASSWORD
from dangjian.orgs.models import PartyOrg
from dangjian.registration import services
from dangjian.territory.models import Area

from .conftest import make_member

pytestmark = pytest.mark.browser


@pytest.fixture
def phone_member(demo):
    """An in-service member of 婆石社区 with an account, and the community's (fresh) link."""
    home = Area.objects.get(name="婆石社区")
    user = account_services.user_create(
        actor=None, username="lin_member", password=DEMO_PASSWORD, full_name="林小梅", validate=False
    )
    account_services.role_assign(actor=None, user=user, role="party_member", home_community=home)
    org = PartyOrg.objects.filter(area=home, org_type="estate_branch").order_by("path").first()
    member = make_member("林小梅", 777, org=org, home=home, user=user)
    link = services.link_generate(actor=None, community=home)
    return member, link


def test_a_member_registers_by_phone_and_a_worker_confirms_on_the_desktop(new_browser, phone_member):
    member, link = phone_member
    phone = new_browser("phone")
    page = phone.go(f"/registration/r/{link.token}/")
    assert "婆石社区" in page.locator("h1").inner_text()
    phone.assert_fits()
    phone.shot("registration-public-start")
    page.click("[data-testid=start-member]")
    page.fill("#id_name", "林小梅")
    page.fill("#id_id_number", member.id_number)
    page.fill("#id_mobile", "13966667777")
    page.check("text=政策宣讲")
    page.check("text=助老助残")
    phone.assert_fits()
    phone.shot("registration-public-form")
    page.click("button[type=submit]")
    page.wait_for_url("**/registration/receipt/**")
    assert "已提交，等待社区确认" in page.locator("[data-testid=receipt-status]").inner_text()
    receipt_url = page.url
    phone.assert_fits()
    phone.shot("registration-receipt-pending")

    desk = new_browser("desktop")
    worker = desk.sign_in("sq_worker", DEMO_PASSWORD)
    desk.go("/registration/desk/?status=submitted")
    row = worker.locator("tr", has_text="林小梅")
    assert "待确认" in row.inner_text()
    desk.assert_fits()
    row.get_by_role("button", name="确认").click()
    dialog = worker.locator("#confirm-dialog")
    dialog.wait_for(state="visible")
    assert "确认「林小梅」到「婆石社区」报到？" in dialog.inner_text()
    desk.shot("registration-desk-confirm-dialog")
    dialog.locator("[data-testid=confirm-submit]").click()
    worker.wait_for_load_state("networkidle")
    assert "已确认「林小梅」的报到" in worker.locator(".messages").inner_text()
    desk.shot("registration-desk-confirmed")

    page.goto(receipt_url)
    assert "已报到" in page.locator("[data-testid=receipt-status]").inner_text()
    phone.sign_in("lin_member", DEMO_PASSWORD)
    page = phone.go("/registration/mine/")
    status = page.locator("[data-testid=my-status]").inner_text()
    assert "已报到" in status and "婆石社区" in status
    phone.assert_fits()
    phone.shot("registration-mine-registered")


def test_the_worker_pages_fit_phone_and_desktop(browser, phone_member):
    member, _link = phone_member
    services.registration_submit_member(actor=None, member=member, community=member.home_community)
    page = browser.sign_in("sq_worker", DEMO_PASSWORD)
    browser.go("/registration/")
    page.wait_for_url("**/registration/desk/")
    assert page.locator("tr", has_text="林小梅").count() == 1
    browser.assert_fits()
    browser.shot("registration-desk")
    page.click("text=报到码")
    expect(page.locator("[data-testid=qr] svg")).to_have_count(1)
    browser.assert_fits()
    browser.shot("registration-community-qr")
    page.click("nav.tabs >> text=应报未报")
    page.wait_for_url("**/unregistered/")
    browser.assert_fits()
    browser.shot("registration-unregistered")
    page.click("nav.tabs >> text=五个清单")
    page.wait_for_url("**/lists/")
    page.click("[data-testid=five-lists] >> text=需求清单")
    page.wait_for_url("**/lists/?list=demands")
    assert page.locator("[data-testid=list-table] tbody tr").count() > 0  # the demo's demands
    browser.assert_fits()
    browser.shot("registration-five-lists")
    page.click("text=退出")
    page = browser.sign_in("qu_admin", DEMO_PASSWORD)
    browser.go("/registration/summary/")
    page.wait_for_selector("#summary-chart.chart-ready")
    assert "婆石社区" in page.locator("[data-testid=summary-table]").inner_text()
    browser.assert_fits()
    browser.shot("registration-summary")
    # The home members behind the summary (and the cockpit's 在职党员双报到): those registered.
    page.click("[data-testid=members-list]")
    page.wait_for_url("**/registration/members/**")
    page.select_option("#id_registered", value="yes")
    page.click("form[role=search] button[type=submit]")
    expect(page.locator("[data-testid=list-total]")).to_contain_text("符合条件的党员共")
    assert page.locator("[data-testid=members-table] tbody tr").count() > 0
    expect(page.locator("[data-testid=members-table] tbody")).not_to_contain_text("未报到")
    browser.assert_fits()
    browser.shot("registration-home-members-registered")
