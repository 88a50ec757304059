"""Browser: an admin picks a leader's account on the liaison form from the suggestions; the leader
signs in and sees their assignment. The transfer list with its export link. Phone and desktop."""

import pytest

from dangjian.demo.accounts import DEMO_PASSWORD
from dangjian.people.models import Liaison
from dangjian.territory.models import Area

pytestmark = pytest.mark.browser


def test_an_admin_picks_the_leaders_account_and_the_leader_sees_the_assignment(browser, new_browser, people_demo):
    taken = Liaison.objects.filter(leader_name="陈静", is_active=True).values("area_id")
    grid = Area.objects.filter(level="grid", parent__name="婆石社区").exclude(pk__in=taken).order_by("path").first()
    page = browser.sign_in("qu_admin", DEMO_PASSWORD)
    browser.go(f"/people/liaisons/new/?area={grid.public_id}")
    page.fill("#id_leader_name", "陈静")
    page.fill("#id_post", "拱北街道党工委副书记")
    page.select_option("#id_level", value="subdistrict")
    page.locator("#id_account").press_sequentially("陈静", delay=50)
    suggestion = page.locator("[data-testid=account-suggestions] button", has_text="jd_admin")
    suggestion.wait_for()
    browser.assert_fits()
    browser.shot("people-liaison-account-suggestions")
    suggestion.click()
    assert page.input_value("#id_account") == "jd_admin"
    page.get_by_role("button", name="保存").click()
    page.wait_for_url(f"**/territory/{grid.public_id}/")
    liaison = Liaison.objects.get(leader_name="陈静", area=grid)
    assert liaison.user.username == "jd_admin"

    leader = new_browser(browser.width_name)
    mine = leader.sign_in("jd_admin", DEMO_PASSWORD)
    leader.go("/people/liaisons/")
    box = mine.locator("[data-testid=my-liaisons]")
    assert grid.name in box.inner_text()
    leader.assert_fits()
    leader.shot("people-liaison-mine")


def test_the_transfer_list_reads_at_both_widths(browser, people_demo):
    page = browser.sign_in("sq_worker", DEMO_PASSWORD)
    browser.go("/people/members/")
    page.get_by_role("link", name="转接记录").click()
    page.wait_for_url("**/people/members/transfers/")
    assert page.locator("[data-testid=transfer-table] tbody tr").count() >= 1
    assert page.locator("[data-testid=export]").get_attribute("href").startswith("/people/members/transfers/export/")
    browser.assert_fits()
    browser.shot("people-transfer-list")
