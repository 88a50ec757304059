"""The API keys page in a browser: issue a key and see it once, then deactivate it after confirming."""

import pytest

from dangjian.conftest import PASSWORD
from dangjian.open311.models import ApiClient

pytestmark = pytest.mark.browser


def test_it_issues_and_deactivates_a_key(browser, world):
    browser.sign_in(world.users.district_admin.username, PASSWORD)
    page = browser.open_nav("open311_clients")
    assert "还没有签发接口密钥" in page.content()
    browser.assert_fits()
    page.fill("#id_name", "12345 市民热线对接")
    page.click("button:has-text('签发密钥')")
    page.wait_for_load_state("networkidle")
    raw = page.locator("[data-testid=raw-key]").inner_text().strip()
    created = ApiClient.objects.get(name="12345 市民热线对接")
    assert raw.startswith(created.key_prefix) and len(raw) >= 40
    browser.assert_fits()
    browser.shot("open311-key-once")
    page.reload()
    assert page.locator("[data-testid=raw-key]").count() == 0
    assert page.locator("[data-testid=key-gone]").is_visible()
    page.click("text=返回接口密钥列表")
    page.wait_for_load_state("networkidle")
    assert page.locator("[data-testid=client-row]").count() == 1
    browser.shot("open311-clients")
    page.click("[data-testid=client-row] >> text=停用")
    page.wait_for_load_state("networkidle")
    assert "确定停用" in page.content()
    browser.assert_fits()
    page.click("button:has-text('确认停用')")
    page.wait_for_load_state("networkidle")
    assert "已停用" in page.content()
    created.refresh_from_db()
    assert not created.is_active
    browser.assert_fits()
    browser.shot("open311-deactivated")
