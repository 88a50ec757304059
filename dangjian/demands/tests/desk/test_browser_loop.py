"""The loop in a real browser, three people: a resident files a demand on the phone, the community
worker accepts and publishes it at the desk (desktop), a member claims it, does it and records it on
the phone, the resident rates it on the phone, and the member sees the hours and points credited."""

from decimal import Decimal

import pytest

from dangjian.conftest import PASSWORD
from dangjian.demands.models import Demand, DemandStatus
from dangjian.people.models import Member
from dangjian.timebank import services as bank

pytestmark = pytest.mark.browser


def take_step(browser, step: str, fill=None):
    page = browser.page
    page.click(f"[data-step={step}]")
    dialog = page.locator("dialog[open]")
    dialog.wait_for(state="visible")
    if fill:
        fill(dialog)
    dialog.locator(f"[data-testid=submit-{step}]").click()
    page.wait_for_load_state("networkidle")


def test_it_runs_a_demand_from_the_residents_phone_to_the_members_hours(world, new_browser):
    u = world.users
    Member.objects.create(name="党员甲", home_community=world.c1, org=world.eb, user=u.member)

    resident = new_browser("phone")
    resident.sign_in(u.resident.username, PASSWORD)
    resident.open_nav("demand_new")
    page = resident.page
    assert "时间币余额" in page.inner_text("[data-testid=balance]")
    page.check("input[name=kind][value=family_help]")
    page.fill("input[name=title]", "帮独居老人换厨房灯泡")
    page.fill("textarea[name=description]", "灯泡坏了两天，老人不方便登高")
    page.select_option("select[name=estate]", label=world.estate.name)
    resident.assert_fits()
    resident.shot("demands-new")
    page.click("[data-testid=submit-demand]")
    page.wait_for_load_state("networkidle")
    assert "已提交" in page.inner_text(".messages")
    assert "帮独居老人换厨房灯泡" in page.inner_text("[data-testid=my-demands]")
    resident.assert_fits()
    resident.shot("demands-mine")
    demand = Demand.objects.get(title="帮独居老人换厨房灯泡")

    desk = new_browser("desktop")
    desk.sign_in(u.community_worker.username, PASSWORD)
    desk.open_nav("demands_desk")
    desk.page.click(f"[data-demand='{demand.public_id}'] a")
    desk.page.wait_for_load_state("networkidle")
    take_step(desk, "accept")
    assert "已受理" in desk.page.inner_text(".messages")
    desk.page.click("[data-step=dispatch]")  # the dispatch form shows the chosen kind's select only
    dialog = desk.page.locator("dialog[open]")
    assert dialog.locator("select[name=member]").is_visible() and dialog.locator("select[name=unit]").is_hidden()
    dialog.locator("[data-close-dialog]").click()
    desk.assert_fits()
    desk.shot("demands-detail-accepted")
    take_step(desk, "publish")
    assert Demand.objects.get(pk=demand.pk).status == DemandStatus.PUBLISHED

    member = new_browser("phone")
    member.sign_in(u.member.username, PASSWORD)
    member.open_nav("demand_board")
    board = member.page
    assert "帮独居老人换厨房灯泡" in board.inner_text("[data-testid=board]")
    member.assert_fits()
    member.shot("demands-board")
    board.click(f"[data-demand='{demand.public_id}'] [data-open-dialog]")
    board.locator("dialog[open] [data-testid=claim-submit]").click()
    board.wait_for_load_state("networkidle")
    assert "认领成功" in board.inner_text(".messages")

    def record(dialog):
        dialog.locator("textarea[name=note]").fill("已上门更换 LED 灯泡，并检查了线路")
        dialog.locator("input[name=hours]").fill("1.5")

    take_step(member, "done", record)
    assert "等待点单人评价" in board.inner_text(".messages")
    member.assert_fits()
    member.shot("demands-tasks")

    resident.go("/demands/mine/")
    page.click("[data-testid=rate-link]")
    page.wait_for_load_state("networkidle")

    def stars(dialog):
        dialog.locator("input[name=rating][value='5']").check()
        dialog.locator("textarea[name=note]").fill("很及时，谢谢！")

    take_step(resident, "rate", stars)
    assert "感谢评价" in page.inner_text(".messages")
    assert "★★★★★" in page.inner_text("[data-testid=rating]")
    resident.assert_fits()
    resident.shot("demands-rated")

    demand = Demand.objects.get(pk=demand.pk)
    assert demand.status == DemandStatus.RATED
    assert bank.balance(u.member) == Decimal("1.5")
    member.go("/demands/tasks/")
    assert "帮独居老人换厨房灯泡" in board.inner_text("[data-testid=done-tasks]")
    board.click("[data-testid=my-links] a >> nth=0")  # 我的时间银行
    board.wait_for_load_state("networkidle")
    assert "1.5" in board.content()
    member.assert_fits()
    member.shot("demands-member-timebank")
    member.go("/demands/tasks/")
    board.click("[data-testid=my-links] a >> nth=1")  # 我的积分
    board.wait_for_load_state("networkidle")
    member.assert_fits()
    member.shot("demands-member-points")
