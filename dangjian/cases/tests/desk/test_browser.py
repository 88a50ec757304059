"""Journeys in a real browser: a dispatcher routes a submitted case to a department (desktop), the
department signs for it and closes it (phone), the dispatcher records the callback (phone)."""

import pytest

from dangjian.cases.models import Case, CaseStatus
from dangjian.cases.tests.test_workflow import submit
from dangjian.conftest import PASSWORD

pytestmark = pytest.mark.browser


def take_step(browser, step: str, fill=None):
    page = browser.page
    page.click(f"[data-step={step}]")
    dialog = page.locator(f"#dialog-{step}")
    dialog.wait_for(state="visible")
    if fill:
        fill(dialog)
    dialog.locator(f"[data-testid=submit-{step}]").click()
    page.wait_for_load_state("networkidle")


def test_it_routes_handles_and_calls_back_a_case_across_three_people(world, new_browser):
    u = world.users
    case = submit(world, reporter_phone="13812345678")

    desk = new_browser("desktop")
    desk.sign_in(u.community_worker.username, PASSWORD)
    desk.open_nav("cases_desk")
    desk.page.click(f"[data-case='{case.number}'] a")
    desk.page.wait_for_load_state("networkidle")
    assert "138****5678" in desk.page.content()
    take_step(desk, "accept")
    assert "首问负责人" in desk.page.inner_text(".messages")

    def to_department(dialog):
        dialog.locator("select[name=kind]").select_option("department")
        dialog.locator("select[name=department]").select_option(label=world.dept.name)
        dialog.locator("textarea[name=note]").fill("请城管局今日处置")

    desk.page.click("[data-step=dispatch]")
    assert desk.page.locator("#dialog-dispatch select[name=unit]").is_hidden()  # fields of other kinds hidden
    desk.page.click("#dialog-dispatch [data-close-dialog]")
    take_step(desk, "dispatch", to_department)
    assert Case.objects.get(pk=case.pk).status == CaseStatus.DISPATCHED
    desk.assert_fits()
    desk.shot("cases-desk-dispatched")

    dept = new_browser("phone")
    dept.sign_in(u.department_staff.username, PASSWORD)
    dept.open_nav("cases_desk")
    dept.page.click("[data-tab=dispatched]")
    dept.page.wait_for_load_state("networkidle")
    dept.assert_fits()
    dept.shot("cases-desk-department-inbox")
    dept.page.click(f"[data-case='{case.number}'] a")
    dept.page.wait_for_load_state("networkidle")
    take_step(dept, "take")
    take_step(dept, "close", lambda d: d.locator("textarea[name=result]").fill("已清运垃圾并增设分类垃圾桶"))
    assert Case.objects.get(pk=case.pk).status == CaseStatus.CLOSED
    dept.assert_fits()
    dept.shot("cases-desk-department-closed")

    phone = new_browser("phone")
    phone.sign_in(u.community_worker.username, PASSWORD)
    phone.go(f"/cases/{case.public_id}/")
    take_step(
        phone,
        "callback",
        lambda d: (d.locator("input[value=satisfied]").check(), d.locator("textarea[name=note]").fill("居民表示满意")),
    )
    case = Case.objects.get(pk=case.pk)
    assert case.status == CaseStatus.CALLED_BACK and case.rating == "satisfied" and case.owner == u.community_worker
    timeline = phone.page.inner_text("[data-testid=case-log]")
    for word in ("受理", "派单", "签收", "办结", "回访"):
        assert word in timeline
    phone.assert_fits()
    phone.shot("cases-desk-called-back")


def test_more_filters_fetch_the_places_when_opened_and_filter_by_one(world, new_browser):
    u = world.users
    near, far = submit(world), submit(world, place={"lat": 22.305, "lng": 113.605}, description="海虹花园噪音扰民")
    desk = new_browser("desktop")
    desk.sign_in(u.district_admin.username, PASSWORD)
    desk.open_nav("cases_desk")
    page = desk.page
    assert page.locator("select[name=area] option").count() == 1  # closed: only 全部属地
    page.click(".case-filters summary")
    page.wait_for_function("() => document.querySelectorAll('select[name=area] option').length > 1")
    page.wait_for_function("() => document.querySelectorAll('select[name=department] option').length > 1")
    page.locator("select[name=area]").select_option(label=world.c3.name)
    page.click(".case-filters button[type=submit]")
    page.wait_for_load_state("networkidle")
    rows = page.inner_text("[data-testid=case-table]")
    assert far.number in rows and near.number not in rows
    assert page.locator("details[open] select[name=area] option:checked").inner_text() == world.c3.name
    desk.shot("cases-desk-more-filters")
