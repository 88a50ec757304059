"""In the browser: a community worker issues a token (shown once, copied to the clipboard), uses it, and
revokes it after the confirmation; the interactive docs render offline under the CSP."""

from __future__ import annotations

from dangjian.api.models import ApiToken
from dangjian.conftest import PASSWORD


def test_a_worker_issues_copies_and_revokes_a_token(world, browser, api):
    browser.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page = browser.sign_in(world.users.community_worker.username, PASSWORD)
    browser.open_nav("api_tokens")
    page.fill("#id_name", "12345 热线对接")
    page.click("[data-testid=issue-token]")
    page.wait_for_load_state("networkidle")
    secret = page.input_value("[data-testid=token-secret]")
    assert secret.startswith("dj_") and "请立即复制并妥善保存" in page.content()
    page.click("[data-testid=copy-token]")
    page.wait_for_function("() => document.querySelector('[data-testid=copy-token]').textContent.includes('已复制')")
    assert page.evaluate("navigator.clipboard.readText()") == secret
    browser.shot("api-token-issued")
    browser.assert_fits()
    assert api(token=secret).get("/cases").status_code == 200
    # Shown once: the list names it by its prefix only.
    browser.go("/api/tokens/")
    assert secret not in page.content() and "12345 热线对接" in page.content()
    prefix = ApiToken.objects.get().prefix
    page.click(f"[data-testid=revoke-{prefix}]")
    page.wait_for_load_state("networkidle")
    assert "确定作废" in page.content()
    browser.shot("api-token-revoke")
    browser.assert_fits()
    page.click("[data-testid=confirm]")
    page.wait_for_load_state("networkidle")
    assert "已作废" in page.content()
    browser.shot("api-token-revoked")
    browser.assert_fits()
    assert api(token=secret).get("/cases").status_code == 401


def test_the_interactive_docs_render_under_the_csp(world, browser):
    page = browser.go("/api/v1/docs")
    page.wait_for_selector(".swagger-ui .opblock", timeout=20_000)
    assert page.locator(".swagger-ui .opblock").count() >= 20
    assert "数据接口" in page.content()
    browser.shot("api-docs")
    assert not browser.csp_refusals, browser.csp_refusals
