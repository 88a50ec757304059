"""In a real browser: a community worker dispatches a case to a department; the department's staff
sees the bell's count, opens the inbox and follows the message to the case (phone and desktop)."""

import pytest

from dangjian.cases.tests.desk.test_browser import take_step
from dangjian.cases.tests.test_workflow import accepted
from dangjian.conftest import PASSWORD
from dangjian.notifications.models import Message

pytestmark = pytest.mark.browser


def test_a_dispatched_case_rings_the_departments_bell(world, browser, new_browser):
    u = world.users
    case = accepted(world)

    staff = browser
    staff.sign_in(u.department_staff.username, PASSWORD)
    staff.page.locator("[data-testid=bell]").wait_for()
    assert staff.page.locator("[data-testid=bell-count]").count() == 0

    desk = new_browser("desktop")
    desk.sign_in(u.community_worker.username, PASSWORD)
    desk.go(f"/cases/{case.public_id}/")

    def to_department(dialog):
        dialog.locator("select[name=kind]").select_option("department")
        dialog.locator("select[name=department]").select_option(label=world.dept.name)
        dialog.locator("textarea[name=note]").fill("请城管局今日处置")

    take_step(desk, "dispatch", to_department)
    assert Message.objects.filter(recipient=u.department_staff, event="cases.case.dispatch").count() == 1

    staff.go("/")
    staff.page.locator("[data-testid=bell-count]").wait_for()
    assert staff.page.inner_text("[data-testid=bell-count]") == "1"
    staff.assert_fits()
    staff.shot("notifications-bell")
    staff.page.click("[data-testid=bell]")
    staff.page.wait_for_load_state("networkidle")
    item = staff.page.locator("[data-testid=messages] li").first
    assert f"事件 {case.number}：派单" in item.inner_text() and "请城管局今日处置" in item.inner_text()
    staff.assert_fits()
    staff.shot("notifications-inbox")
    item.locator("a").click()
    staff.page.wait_for_load_state("networkidle")
    assert staff.page.url.endswith(f"/cases/{case.public_id}/")
    assert case.number in staff.page.content()
    # Read now: the bell is quiet again.
    staff.page.locator("#bell-count").wait_for(state="attached")
    staff.page.wait_for_function(
        "document.querySelector('#bell-count') && !document.querySelector('[data-testid=bell-count]')"
    )
    assert Message.objects.get(recipient=u.department_staff).read_at is not None

    staff.go("/messages/settings/")
    staff.assert_fits()
    staff.shot("notifications-settings")
