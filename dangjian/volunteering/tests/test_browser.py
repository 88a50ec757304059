"""In a real browser: the worker shows the rotating QR on a desktop, the member scans it on a phone,
checks in, later checks out, and sees the verified hours; and the pages fit both widths."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from dangjian.centers.models import Activity
from dangjian.centers.services import activities as center_services
from dangjian.demo.accounts import DEMO_PASSWORD
from dangjian.volunteering import services
from dangjian.volunteering.models import Attendance, FixedGroup, Team

from .test_demo import with_volunteering

pytestmark = pytest.mark.browser


def _path(url: str) -> str:
    return "/" + url.split("/", 3)[3]


def test_a_member_scans_the_workers_qr_to_check_in_and_out(new_browser, demo):
    from dangjian.accounts.models import User

    with_volunteering()
    member = User.objects.get(username="dy_member")
    team = Team.objects.get(area__name="婆石社区", fixed_group=FixedGroup.HEALTH)
    now = timezone.now().replace(second=0, microsecond=0)
    link = services.team_activity_create(
        actor=None, team=team, title="量血压志愿服务", start=now + datetime.timedelta(hours=1),
        end=now + datetime.timedelta(hours=3), place="中珠新村",
    )  # fmt: skip
    center_services.signup_create(actor=member, activity=link.activity)
    # The activity has just begun.
    Activity.objects.filter(pk=link.activity.pk).update(
        start=now - datetime.timedelta(minutes=5), end=now + datetime.timedelta(minutes=55)
    )
    worker = new_browser("desktop")
    page = worker.sign_in("sq_worker", DEMO_PASSWORD)
    worker.open_nav("volunteering")
    page.click("text=量血压志愿服务")
    qr = page.locator("[data-testid=qr]")
    expect(qr.locator("svg")).to_have_count(1)  # waits for the activity page
    scan_url = qr.get_attribute("data-scan-url")
    worker.assert_fits()
    worker.shot("volunteering-attendance-qr")

    phone = new_browser("phone")
    mpage = phone.sign_in("dy_member", DEMO_PASSWORD)
    phone.go(_path(scan_url))
    assert "量血压志愿服务" in mpage.locator("[data-testid=scan]").inner_text()
    mpage.click("[data-testid=scan-submit]")
    assert "签到成功" in mpage.locator(".messages").inner_text()
    phone.assert_fits()
    phone.shot("volunteering-scan-checked-in")

    # An hour later: the activity (and the check-in) move an hour back instead of waiting.
    att = Attendance.objects.get(signup__activity=link.activity)
    Attendance.objects.filter(pk=att.pk).update(checked_in_at=att.checked_in_at - datetime.timedelta(minutes=60))
    Activity.objects.filter(pk=link.activity.pk).update(
        start=now - datetime.timedelta(minutes=65), end=now - datetime.timedelta(minutes=5)
    )
    phone.go(_path(scan_url))
    assert "服务结束时请签退" in mpage.locator("[data-testid=scan-state]").inner_text()
    mpage.click("[data-testid=scan-submit]")
    assert "签退成功" in mpage.locator(".messages").inner_text()
    att.refresh_from_db()
    assert att.verified and att.hours > 0
    phone.shot("volunteering-scan-checked-out")
    phone.go("/volunteering/mine/")
    assert f"已核实 {att.hours} 小时" in mpage.locator("[data-testid=my-activities]").inner_text()
    phone.assert_fits()
    phone.shot("volunteering-mine")

    page.reload()
    row = page.locator("[data-testid=row-dy_member]")
    assert f"{att.hours} 小时" in row.inner_text()
    worker.shot("volunteering-attendance-verified")


def test_the_volunteering_pages_fit_and_work(browser, demo):
    with_volunteering()
    page = browser.sign_in("dy_member", DEMO_PASSWORD)
    browser.open_nav("volunteering")
    assert page.locator("[data-testid=teams] .card").count() >= 5
    browser.assert_fits()
    browser.shot("volunteering-home-member")
    page.locator("[data-testid=teams] .card", has_text="安全服务队").click()
    page.click("[data-testid=join]")
    assert "已加入" in page.locator(".messages").inner_text()
    browser.assert_fits()
    browser.shot("volunteering-team")
    browser.go("/volunteering/")
    page.locator("[data-testid=posts] a").first.click()
    page.locator("[data-testid=shift-signup]").first.click()
    assert "已报名" in page.locator(".messages").inner_text()
    browser.assert_fits()
    browser.shot("volunteering-post-member")
    browser.go("/volunteering/mine/")
    assert page.locator("[data-testid=my-hours]").inner_text() != "0.0"
    assert page.locator("[data-testid=my-shifts] li").count() >= 2
    browser.assert_fits()
    browser.shot("volunteering-mine-demo")


def test_a_worker_sets_up_a_free_team_and_a_service_post(browser, demo):
    with_volunteering()
    page = browser.sign_in("sq_worker", DEMO_PASSWORD)
    browser.open_nav("volunteering")
    page.get_by_role("link", name="新建服务队").click()
    page.get_by_label("服务队名称").fill("银发先锋队")
    browser.assert_fits()
    browser.shot("volunteering-team-new")
    page.get_by_role("button", name="建立").click()
    page.wait_for_url("**/volunteering/teams/*/")
    assert "服务队已建立" in page.locator(".messages").inner_text()
    assert "银发先锋队" in page.locator("h1").inner_text()
    browser.go("/volunteering/")
    page.get_by_role("link", name="设立服务岗").click()
    page.get_by_label("岗位名称").fill("平安巡逻岗")
    page.get_by_label("地点").fill("中珠新村东门")
    page.get_by_role("button", name="设立").click()
    page.wait_for_url("**/volunteering/posts/*/")
    assert "请添加值守班次" in page.locator(".messages").inner_text()
    browser.assert_fits()
    browser.shot("volunteering-post-new")
    assert Team.objects.filter(name="银发先锋队", fixed_group="").exists()


def test_an_admin_lists_the_teams_and_their_volunteers_of_a_community(browser, demo):
    """The team list and its 队员 tab (the cockpit's 志愿服务队 and 服务队队员 link here), filtered by place."""
    from dangjian.accounts.models import User
    from dangjian.territory.models import Area
    from dangjian.volunteering import selectors
    from dangjian.volunteering.filters import team_q

    with_volunteering()
    admin = User.objects.get(username="qu_admin")
    community = Area.objects.get(name="婆石社区")
    teams = selectors.team_list(admin).filter(team_q(area=community)).count()
    members = selectors.membership_list(admin).filter(team_q(area=community, prefix="team__")).count()
    assert teams and members
    page = browser.sign_in("qu_admin", DEMO_PASSWORD)
    browser.go("/volunteering/")
    page.click("[data-testid=to-team-list]")
    page.select_option("[data-testid=team-area]", label="婆石社区")
    page.click("form[role=search] button[type=submit]")
    expect(page.locator("[data-testid=list-total]")).to_contain_text(f"有效的服务队共 {teams} 个")
    expect(page.locator("[data-testid=team-list]")).to_contain_text("婆石社区")
    browser.assert_fits()
    browser.shot("volunteering-team-list")
    page.click("[data-testid=tab-members]")
    expect(page.locator("[data-testid=list-total]")).to_contain_text(f"在队队员共 {members} 人次")
    assert page.locator("[data-testid=team-area]").input_value() == str(community.public_id)  # the place kept
    browser.assert_fits()
    browser.shot("volunteering-member-list")
