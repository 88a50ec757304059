"""The time bank in a browser: a member's phone page (balance, history, transfer with confirmation)
and a worker's community page (balances, journals, a correction behind a reason)."""

from decimal import Decimal

import pytest

from dangjian.conftest import PASSWORD
from dangjian.timebank import services

pytestmark = pytest.mark.browser


@pytest.fixture
def ledger(world):
    u = world.users
    u.resident.mobile, u.resident.full_name = "13800000001", "李秀兰"
    u.resident.save(update_fields=["mobile", "full_name"])
    services.service_deposit(user=u.member, hours="3.5", community=world.c1, key="d1", memo="陪同老人就医")
    services.service_deposit(user=u.member, hours=2, community=world.c1, key="d2", memo="楼道清扫")
    services.donate_to_pool(user=u.member, community=world.c1, hours=1, key="p1", memo="捐入互助池")
    services.escrow_hold(user=u.member, hours="0.5", community=world.c1, key="h1", memo="点单：修水管")
    return world


def test_a_member_sees_their_history_and_transfers_hours(browser, ledger):
    page = browser.sign_in("dy", PASSWORD)
    browser.open_nav("timebank_mine")
    assert "4.0" in page.locator("[data-testid=balance]").inner_text()
    statement = page.locator("[data-testid=statement]").inner_text()
    assert "陪同老人就医" in statement and "点单托管" in statement
    browser.assert_fits()
    browser.shot("timebank-mine")
    page.click("text=转赠时数")
    page.fill("#id_mobile", "13800000001")
    page.fill("#id_hours", "1.5")
    page.fill("#id_memo", "谢谢邻居帮忙")
    page.click("text=下一步")
    confirm = page.locator("[data-testid=confirm]").inner_text()
    assert "李**" in confirm and "1.5" in confirm
    browser.assert_fits()
    browser.shot("timebank-transfer-confirm")
    page.click("text=确认转出")
    page.wait_for_load_state("networkidle")
    assert "2.5" in page.locator("[data-testid=balance]").inner_text()
    assert "谢谢邻居帮忙" in page.locator("[data-testid=statement]").inner_text()
    browser.shot("timebank-mine-after-transfer")
    assert services.balance(ledger.users.resident) == Decimal("1.5")


def test_a_worker_reads_the_community_ledger_and_corrects_a_journal(browser, ledger):
    page = browser.sign_in("sq1", PASSWORD)
    assert page.locator("[data-nav=timebank_community]").get_attribute("href") == "/timebank/community/"
    if browser.width_name == "desktop":
        browser.open_nav("timebank_community")
    else:
        # A community worker's 更多 panel is taller than the phone screen (core CSS, reported): go by address.
        browser.go("/timebank/community/")
    balances = page.locator("[data-testid=balances]").inner_text()
    assert "5.5" in balances and "1.0" in balances and "0.5" in balances
    assert "楼道清扫" in page.locator("[data-testid=journals]").inner_text()
    browser.assert_fits()
    browser.shot("timebank-community")
    page.locator("[data-testid=journals] > li", has_text="楼道清扫").get_by_role("link", name="冲正").click()
    page.fill("#id_reason", "登记重复")
    browser.assert_fits()
    browser.shot("timebank-correct")
    page.click("text=确认冲正")
    page.wait_for_load_state("networkidle")
    journals = page.locator("[data-testid=journals]").inner_text()
    assert "冲正：登记重复" in journals and "已冲正" in journals
    assert "3.5" in page.locator("[data-testid=balances]").inner_text()
    browser.shot("timebank-community-after-correction")
    assert services.balance(ledger.users.member) == Decimal("2.0")
