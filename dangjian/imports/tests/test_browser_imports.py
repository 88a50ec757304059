"""A community worker's import, at phone and desktop width: a mistake, the fix, the import."""

import pytest

from dangjian.conftest import PASSWORD
from dangjian.imports.testing import MEMBER_HEADER, member_row, xlsx
from dangjian.people.models import Member

pytestmark = pytest.mark.browser


def test_a_worker_fixes_a_mistake_and_imports(browser, world, transactional_db, tmp_path):
    wrong = tmp_path / "党员名单.xlsx"
    wrong.write_bytes(xlsx(MEMBER_HEADER, [member_row(2), member_row(3, 手机号="1391234"), member_row(4)]))
    fixed = tmp_path / "党员名单-已改.xlsx"
    fixed.write_bytes(xlsx(MEMBER_HEADER, [member_row(2), member_row(3), member_row(4)]))

    page = browser.sign_in("sq1", PASSWORD)
    browser.go("/imports/")
    page.get_by_role("heading", name="导入导出").wait_for()
    assert page.locator("[data-testid=template-members]").is_visible()
    browser.assert_fits()
    browser.shot("imports-home")

    page.select_option("#id_kind", "members")
    page.set_input_files("#id_file", str(wrong))
    page.get_by_role("button", name="上传并检查").click()
    page.wait_for_url("**/imports/*/")
    table = page.locator("[data-testid=error-table]")
    table.wait_for()
    row = table.locator("tbody tr").first
    assert "第 3 行" in row.inner_text() and "C" in row.inner_text() and "手机号" in row.inner_text()
    assert "手机号应为以 1 开头的 11 位数字" in row.inner_text()
    assert page.locator("[data-testid=error-count]").inner_text() == "1"
    assert page.locator("[data-testid=error-report]").is_visible()
    browser.assert_fits()
    browser.shot("imports-errors")
    assert Member.objects.count() == 0

    page.set_input_files("#reupload-file", str(fixed))
    page.get_by_role("button", name="重新上传并检查").click()
    page.get_by_role("heading", name="检查通过：将导入 3 条").wait_for()
    assert page.locator("[data-testid=preview-table] tbody tr").count() == 3
    browser.assert_fits()
    browser.shot("imports-preview")

    page.locator("[data-testid=confirm]").click()
    page.locator("[data-testid=import-done]").wait_for()
    assert "已导入 3 条" in page.locator("[data-testid=import-done]").inner_text()
    assert "已导入 3 条" in page.locator(".messages").inner_text()
    browser.assert_fits()
    browser.shot("imports-done")
    assert Member.objects.count() == 3
