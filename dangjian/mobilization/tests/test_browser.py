"""In a real browser, at phone and desktop widths, on the demo district: the district admin issues a
call-up; an in-service member answers on the phone; the subdistrict commander places them in a grid
from the ranked proposals; the situation page shows the grid on the map and in the figures; the
commander moves them to another grid, builds the grid's visit list and assigns a visit; the member
visits on the phone, a ticked need becomes a demand dispatched to them, and they mark it done from
their task list; the situation figures change at each step."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from dangjian.demands.models import DemandStatus
from dangjian.demo.accounts import DEMO_PASSWORD
from dangjian.mobilization import services
from dangjian.mobilization.models import CallStatus, CallUp, Need, Placement, Visit
from dangjian.notifications.models import Message
from dangjian.territory.models import Area, Level

pytestmark = pytest.mark.browser

TITLE = "台风“摩羯”防御下沉"
# A page after a form post, on a loaded machine: the live server may take a while to answer.
SLOW = 30_000


def _path(url: str) -> str:
    return url if url.startswith("/") else "/" + url.split("/", 3)[3]


def _local(moment: datetime.datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def test_a_call_up_from_issue_to_a_need_raised_on_a_visit(browser, new_browser, demo):
    community = Area.objects.get(name="婆石社区")
    grids = list(Area.objects.filter(parent=community, level=Level.GRID).order_by("path"))
    # After the demo's drill (which holds 王建国 for two days): nobody is placed twice in overlapping time.
    starts = timezone.now() + datetime.timedelta(days=3)

    # The district admin issues the call-up.
    page = browser.sign_in("qu_admin", DEMO_PASSWORD)
    browser.open_nav("mobilization")
    page.click("[data-testid=callup-new]")
    page.fill("#id_title", TITLE)
    page.check("input[name=kinds][value=patrol]")
    page.check("input[name=kinds][value=visiting]")
    page.fill("#id_starts_at", _local(starts))
    page.fill("#id_ends_at", _local(starts + datetime.timedelta(days=2)))
    page.select_option("#id_area_1", str(grids[0].pk))
    page.fill("#id_count_1", "2")
    page.select_option("#id_area_2", str(grids[1].pk))
    page.fill("#id_count_2", "1")
    browser.assert_fits()
    browser.shot("mobilization-callup-new")
    page.click("[data-testid=callup-form] button[type=submit]")
    expect(page.locator("[data-testid=callup-status]")).to_have_text("动员中", timeout=SLOW)
    callup = CallUp.objects.get(title=TITLE)
    # The queue's worker calls everyone (the fan-out is queued after the issue commits).
    called = services.fanout_run(callup.pk)
    assert called >= 1
    page.reload()
    expect(page.locator("[data-testid=fig-called]")).to_have_text(str(called), timeout=SLOW)
    expect(page.locator("[data-testid=fig-unmet]")).to_have_text("3")

    # The member answers on the phone from the reply link of the message.
    message = Message.objects.get(
        recipient__username="dy_member", event="mobilization.callup.call", url__contains=str(callup.public_id)
    )
    phone = new_browser("phone")
    mpage = phone.sign_in("dy_member", DEMO_PASSWORD)
    phone.go(_path(message.url))
    expect(mpage.locator("[data-testid=reply-form]")).to_be_visible(timeout=SLOW)
    mpage.fill("#id_skills", "急救、驾驶")
    phone.assert_fits()
    phone.shot("mobilization-member-reply")
    mpage.click("[data-testid=reply-form] button[type=submit]")
    expect(mpage.locator("h1")).to_contain_text("我的下沉", timeout=SLOW)
    call = callup.calls.get(user__username="dy_member")
    assert call.status == CallStatus.AVAILABLE and call.skills == "急救、驾驶"

    # The subdistrict commander places them from the ranked proposals.
    commander = new_browser(browser.width_name)
    cpage = commander.sign_in("jd_admin", DEMO_PASSWORD)
    commander.go(f"/mobilization/{callup.public_id}/answers/")
    cpage.click("[data-testid=answer-list] a:has-text('王建国')")
    expect(cpage.locator("[data-testid=proposals] li").first).to_contain_text("公里", timeout=SLOW)
    cpage.click("[data-testid=confirm-1]")
    expect(cpage.locator("[data-testid=live-placement]")).to_be_visible(timeout=SLOW)
    first_grid = Placement.objects.get(call=call, status="active").grid
    assert first_grid in grids[:2]
    # The commander moves them to the other grid short of hands (one live placement, the first ended),
    # then back from the proposals: the first grid is where the register lists vulnerable households.
    other = grids[1] if first_grid == grids[0] else grids[0]
    cpage.select_option("[data-testid=place-form] select[name=grid]", str(other.pk))
    cpage.fill("[data-testid=place-form] input[name=reason]", "临时顶岗")
    cpage.click("[data-testid=place-form] button[type=submit]")
    expect(cpage.locator("[data-testid=live-placement]")).to_contain_text(other.name, timeout=SLOW)
    assert Placement.objects.get(call=call, status="active").grid == other
    cpage.locator("[data-testid=proposals] li", has_text=first_grid.name).locator("button").click()
    expect(cpage.locator("[data-testid=live-placement]")).to_contain_text(first_grid.name, timeout=SLOW)
    grid = Placement.objects.get(call=call, status="active").grid
    assert grid == first_grid and Placement.objects.filter(call=call).count() == 3
    commander.assert_fits()
    commander.shot("mobilization-placed")

    # The situation page: the figures and the map show the grid.
    commander.go(f"/mobilization/{callup.public_id}/?node={community.public_id}")
    expect(cpage.locator("[data-testid=fig-placed]")).to_have_text("1", timeout=SLOW)
    expect(cpage.locator("[data-testid=fig-unmet]")).to_have_text("2")
    row = cpage.locator("[data-testid=children-table] tbody tr", has_text=grid.name)
    expect(row.locator("td").nth(2)).to_have_text("1")
    expect(cpage.locator("#mb-map.map-ready")).to_have_count(1)
    tips = commander.map_tooltips("#mb-map")
    wanted = 2 if grid == grids[0] else 1
    assert any(grid.name in t and f"缺 {wanted - 1} 人" in t for t in tips), tips
    commander.assert_fits()
    commander.shot("mobilization-situation")

    # The grid's page: the visit list from the register's tags, one visit assigned to the member.
    row.locator("a").click()
    cpage.click("[data-testid=build-visits]")
    expect(cpage.locator(".message-success")).to_contain_text("走访名单已生成", timeout=SLOW)
    visits = Visit.objects.filter(callup=callup, grid=grid)
    assert visits.exists(), "the demo register has vulnerable households in the grid"
    first = visits.order_by("grid_path", "label", "pk").first()
    cpage.locator("[data-testid=visit-list] li").first.locator("[data-testid=assign-visit]").click()
    expect(cpage.locator(".message-success")).to_contain_text("已分派走访", timeout=SLOW)
    expect(cpage.locator("[data-testid=deployed]")).to_contain_text("王建国")
    assert Visit.objects.get(pk=first.pk).assignee.username == "dy_member"
    commander.assert_fits()
    commander.shot("mobilization-grid")

    # The member visits on the phone; the ticked need becomes a demand dispatched to them.
    phone.go(f"/mobilization/{callup.public_id}/mine/")
    mpage.click(f"[data-testid=my-visits] a:has-text('{first.label}')")
    mpage.check("input[name=needs][value=meals]")
    mpage.fill("#id_note", "独居，行动不便，需要送餐")
    phone.assert_fits()
    phone.shot("mobilization-visit")
    mpage.click("[data-testid=visit-form] button[type=submit]")
    expect(mpage.locator("h1")).to_contain_text("我的下沉", timeout=SLOW)
    need = Need.objects.select_related("demand__assigned_user").get(visit=first)
    assert need.kind == "meals" and need.demand.status == DemandStatus.DISPATCHED
    assert need.demand.assigned_user.username == "dy_member"

    # The situation page changes: one household visited, one need raised and not yet met.
    commander.go(f"/mobilization/{callup.public_id}/?node={community.public_id}")
    listed = Visit.objects.filter(callup=callup).count()
    expect(cpage.locator("[data-testid=fig-visited]")).to_have_text(f"1 / {listed}", timeout=SLOW)
    expect(cpage.locator("[data-testid=fig-needs]")).to_have_text("0 / 1")

    # From 我的接单 the member takes the demand, delivers, and marks it done: the need is met.
    phone.go("/demands/tasks/")
    task = f"[data-demand='{need.demand.public_id}']"
    mpage.click(f"{task} [data-step=take]")
    mpage.locator("dialog[open] [data-testid=submit-take]").click()
    mpage.click(f"{task} [data-step=done]", timeout=SLOW)
    dialog = mpage.locator("dialog[open]")
    dialog.locator("textarea[name=note]").fill("已送餐上门")
    dialog.locator("input[name=hours]").fill("1")
    dialog.locator("[data-testid=submit-done]").click()
    expect(mpage.locator(".messages")).to_be_visible(timeout=SLOW)
    assert Need.objects.get(pk=need.pk).met_at is not None
    commander.go(f"/mobilization/{callup.public_id}/?node={community.public_id}")
    expect(cpage.locator("[data-testid=fig-needs]")).to_have_text("1 / 1", timeout=SLOW)
    commander.assert_fits()
    browser.assert_no_script_from_data()
