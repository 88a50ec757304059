"""In a real browser: the community blows the whistle on a case (desktop), a summoned department
reports from its phone, and the street chief's board shows who has not reported (phone and desktop)."""

import datetime

import pytest
from django.utils import timezone

from dangjian.cases.models import Summons, Whistle
from dangjian.conftest import PASSWORD

from .test_whistle import dispatched_case

pytestmark = pytest.mark.browser


def test_it_blows_the_whistle_and_the_street_chief_sees_who_has_not_reported(world, new_browser):
    u = world.users
    case = dispatched_case(world)

    community = new_browser("desktop")
    community.sign_in(u.community_worker.username, PASSWORD)
    community.go(f"/cases/{case.public_id}/")
    community.page.click(f"a[href='/cases/{case.public_id}/whistle/']")
    community.page.wait_for_load_state("networkidle")
    form = community.page.locator("[data-testid=whistle-form]")
    form.get_by_label(world.dept.name).check()
    form.get_by_label(world.dept2.name).check()
    form.locator("textarea[name=reason]").fill("垃圾堆放涉及城管和环卫两部门，社区多次协调未果，请到场联合处置")
    community.assert_fits()
    community.shot("cases-whistle-form")
    form.locator("[data-testid=blow]").click()
    community.page.wait_for_load_state("networkidle")
    whistle = Whistle.objects.get(case=case)
    assert "已吹哨，召集 2 个部门报到" in community.page.inner_text(".messages")
    assert community.page.locator("[data-state=waiting]").count() == 2

    department = new_browser("phone")
    department.sign_in(u.department_staff_outsider.username, PASSWORD)  # 环卫中心: summoned, not the assignee
    department.open_nav("whistles")
    card = department.page.locator(f"[data-summons='{Summons.objects.get(department=world.dept2).public_id}']")
    card.locator("input[name=note]").fill("收到，环卫车20分钟到")
    card.locator("[data-testid=report-acknowledge]").click()
    department.page.wait_for_load_state("networkidle")
    assert "已响应" in department.page.inner_text(".messages")
    department.page.locator("[data-testid=report-attend]").click()
    department.page.wait_for_load_state("networkidle")
    department.assert_fits()
    department.shot("cases-whistle-department-report")
    summons = Summons.objects.get(department=world.dept2)
    assert summons.acknowledged_at and summons.attended_at and not summons.acted_at

    # An hour passes and the report time with it: 环卫中心 acknowledged and came in time but has not
    # acted; 城管局 never reported.
    hour = datetime.timedelta(hours=1)
    Whistle.objects.filter(pk=whistle.pk).update(
        blown_at=whistle.blown_at - hour, report_by=timezone.now() - datetime.timedelta(minutes=10)
    )
    Summons.objects.filter(pk=summons.pk).update(
        acknowledged_at=summons.acknowledged_at - hour, attended_at=summons.attended_at - hour
    )
    for width in ("phone", "desktop"):
        chief = new_browser(width)
        chief.sign_in(u.subdistrict_admin.username, PASSWORD)
        chief.open_nav("whistles")
        board = chief.page.locator(f"[data-whistle='{whistle.public_id}']")
        missing = board.locator(f"[data-department='{world.dept.name}'] .state-missing")
        assert missing.inner_text() == "超时未报到"
        assert missing.evaluate("e => getComputedStyle(e).backgroundColor") == "rgb(200, 22, 29)"  # red
        assert board.locator(f"[data-department='{world.dept2.name}'] .state-behind").inner_text() == "超时未处置"
        assert "1 个部门超时未报到" in board.inner_text() and "迟报" not in board.inner_text()
        chief.assert_fits()
        chief.shot("cases-whistle-board")
