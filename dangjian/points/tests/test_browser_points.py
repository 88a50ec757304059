import pytest

from dangjian.conftest import PASSWORD
from dangjian.points.models import PointEntry

pytestmark = pytest.mark.browser


def test_a_member_sees_their_points_and_their_communitys_ranking(browser, awarded):
    page = browser.sign_in("dy", PASSWORD)
    browser.open_nav("points_mine")
    assert "我的积分" in page.locator("h1").inner_text()
    assert "在婆石社区排名第 1 位" in page.locator("[data-testid=points-total]").inner_text()
    entries = page.locator("[data-testid=points-entries]").inner_text()
    assert "完成群众点单" in entries and "服务获群众好评" in entries
    assert "先锋" in page.locator("[data-testid=points-categories]").inner_text()
    browser.assert_fits()
    browser.shot("points-mine")
    page.click("text=查看社区排行")
    page.wait_for_load_state("networkidle")
    table = page.locator("[data-testid=ranking-table]")
    assert "张三" in table.inner_text() and "海员" not in table.inner_text()
    assert "王建国" in page.locator("[data-testid=own-row]").inner_text()
    browser.assert_fits()
    browser.shot("points-ranking-member")


def test_a_worker_ranks_awards_by_hand_and_corrects(new_browser, awarded):
    desk = new_browser("desktop")
    page = desk.sign_in("sq1", PASSWORD)
    desk.open_nav("points_manage")
    assert "积分排行" in page.locator("h1").inner_text()
    page.select_option("select[name=category]", label="学习")
    page.click("button:has-text('查看')")
    page.wait_for_load_state("networkidle")
    assert page.locator("[data-testid=ranking-table] tbody tr").count() == 1
    desk.assert_fits()
    desk.shot("points-ranking-worker")
    page.click("a:has-text('记分')")
    page.fill("input[name=q]", "王")
    page.click("button:has-text('搜索')")
    page.click("text=为其记分")
    page.select_option("select[name=rule]", value="study_session")
    page.fill("textarea[name=reason]", "参加十一月主题党日")
    desk.shot("points-award-form")
    page.click("[data-testid=award-form] button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert "参加十一月主题党日" in page.locator("[data-testid=member-entries]").inner_text()
    first = page.locator("[data-testid=member-entries] li", has_text="参加十一月主题党日")
    first.locator("summary").click()
    first.locator("textarea[name=reason]").fill("记错了人")
    page.once("dialog", lambda dialog: dialog.accept())
    first.locator("button:has-text('确认更正')").click()
    page.wait_for_load_state("networkidle")
    assert "已更正" in page.locator(".messages").inner_text()
    assert PointEntry.objects.filter(note="更正：记错了人").count() == 1
    desk.assert_fits()
    desk.shot("points-member-corrected")

    phone = new_browser("phone")
    phone.sign_in("sq1", PASSWORD)
    phone.go(f"/points/members/{awarded.people.wang.public_id}/")
    phone.assert_fits()
    phone.shot("points-member-worker")


def test_a_district_admin_changes_a_rule_after_confirming(new_browser, world):
    desk = new_browser("desktop")
    page = desk.sign_in("qu", PASSWORD)
    desk.open_nav("points_manage")
    page.click("a:has-text('积分规则')")
    page.wait_for_load_state("networkidle")
    row = page.locator("[data-testid=rules-table] tr[data-rule=service_hour]")
    assert "默认" in row.inner_text()
    desk.assert_fits()
    desk.shot("points-rules")
    row.locator("a:has-text('修改')").click()
    page.fill("input[name=points]", "4")
    page.click("button:has-text('下一步')")
    assert "→ 4" in page.locator("[data-testid=rule-confirm]").inner_text()
    desk.shot("points-rule-confirm")
    page.click("[data-testid=rule-confirm-submit]")
    page.wait_for_load_state("networkidle")
    row = page.locator("[data-testid=rules-table] tr[data-rule=service_hour]")
    assert "本区设置" in row.inner_text() and "4 分/每小时" in row.inner_text()
    desk.assert_fits()
