"""In a real browser: the street chief adds an item to the duty list and imports the rest from Excel
after a preview (desktop); a community worker reads the list on the phone."""

import pytest

from dangjian.cases.models import DutyItem
from dangjian.conftest import PASSWORD

from .test_duty import GOOD_ROWS, workbook

pytestmark = pytest.mark.browser


def test_it_builds_the_duty_list_by_hand_and_from_excel(world, new_browser, tmp_path):
    u = world.users
    chief = new_browser("desktop")
    chief.sign_in(u.subdistrict_admin.username, PASSWORD)
    chief.open_nav("duty")
    assert "还没有权责清单" in chief.page.inner_text("main")
    chief.page.click("[data-testid=add-item]")
    chief.page.wait_for_load_state("networkidle")
    form = chief.page.locator("[data-testid=duty-form]")
    form.locator("input[name=name]").fill("夜间施工噪音查处")
    form.locator("select[name=lead_department]").select_option(label=world.dept.name)
    form.get_by_label("噪音扰民").check()
    form.locator("input[name=limit_amount]").fill("2")
    form.locator("[data-testid=save]").click()
    chief.page.wait_for_load_state("networkidle")
    assert "已添加事项「夜间施工噪音查处」" in chief.page.inner_text(".messages")

    chief.page.click("[data-testid=import]")
    chief.page.wait_for_load_state("networkidle")
    path = tmp_path / "权责清单.xlsx"
    path.write_bytes(workbook(*GOOD_ROWS))
    chief.page.set_input_files("input[name=file]", str(path))
    chief.page.click("[data-testid=check]")
    chief.page.wait_for_load_state("networkidle")
    assert chief.page.locator("[data-testid=preview] tbody tr").count() == 3
    assert DutyItem.objects.count() == 1  # nothing written before the confirmation
    chief.assert_fits()
    chief.shot("cases-duty-import-preview")
    chief.page.click("[data-testid=confirm-import]")
    chief.page.wait_for_load_state("networkidle")
    assert "已导入 3 项" in chief.page.inner_text(".messages")
    assert chief.page.locator("[data-testid=duty-table] tbody tr").count() == 4
    chief.shot("cases-duty-list")

    worker = new_browser("phone")
    worker.sign_in(u.community_worker.username, PASSWORD)
    worker.open_nav("duty")
    table = worker.page.locator("[data-testid=duty-table]")
    assert table.locator("tbody tr").count() == 4 and "燃气泄漏应急处置" in table.inner_text()
    assert worker.page.locator("[data-testid=add-item]").count() == 0
    worker.assert_fits()
    worker.shot("cases-duty-list")
