"""In a real browser: a community worker issues a notice to the members registered at the community
and sees who has signed, after a member signs on the phone; a resident reads a public notice on the
phone home. The worker's pages run at each width (phone and desktop)."""

import pytest
from huey.contrib.djhuey import HUEY

from dangjian.conftest import PASSWORD
from dangjian.notices import services

pytestmark = pytest.mark.browser


@pytest.fixture
def queue_at_once():
    was = HUEY.immediate
    HUEY.immediate = True  # the fan-out runs when the publish commits, as a consumer would
    yield
    HUEY.immediate = was


def test_a_community_issues_a_notice_and_sees_who_has_signed(world, members, browser, new_browser, queue_at_once):
    worker = browser
    worker.sign_in(world.users.community_worker.username, PASSWORD)
    worker.open_nav("notices")
    page = worker.page
    page.click("[data-testid=notice-new]")
    page.fill("input[name=title]", "关于开展垃圾分类入户宣传的通知")
    page.fill("textarea[name=body]", "请在职党员于本周六上午九点到社区党群服务中心集合。\n携带志愿者马甲。")
    page.select_option("select[name=audience]", "registered_members")
    worker.assert_fits()
    worker.shot("notices-new")
    page.click("[data-testid=notice-save]")
    page.wait_for_load_state("networkidle")
    assert "共 3 人" in page.inner_text("[data-testid=publish-audience]")
    worker.assert_fits()
    worker.shot("notices-confirm")
    page.click("[data-testid=publish-confirm]")
    page.wait_for_load_state("networkidle")
    assert "通知已发布" in page.inner_text(".messages")
    assert page.inner_text("[data-testid=count-all]") == "3"
    assert page.inner_text("[data-testid=count-signed]") == "0"

    member = new_browser("phone")
    member.sign_in(members.c1[0].username, PASSWORD)
    member.open_nav("notice_mine")
    assert "待签收" in member.page.inner_text("[data-testid=my-notices]")
    member.assert_fits()
    member.shot("notices-mine")
    member.page.click("[data-testid=my-notices] a")
    member.page.wait_for_load_state("networkidle")
    assert "携带志愿者马甲" in member.page.inner_text("[data-testid=notice-body]")
    member.page.click("[data-testid=sign]")
    member.page.wait_for_load_state("networkidle")
    assert "已签收" in member.page.inner_text(".messages")
    assert member.page.locator("[data-testid=signed]").is_visible()
    member.assert_fits()
    member.shot("notices-signed")

    page.reload()
    assert page.inner_text("[data-testid=count-signed]") == "1"
    page.click("[data-tab=signed]")
    page.wait_for_load_state("networkidle")
    signed = page.inner_text("[data-testid=receipt-list]")
    assert "m0" in signed and "m1" not in signed
    page.click("[data-tab=unsigned]")
    page.wait_for_load_state("networkidle")
    assert "m1" in page.inner_text("[data-testid=receipt-list]")
    page.click("[data-testid=notice-remind]")
    page.wait_for_load_state("networkidle")
    assert "已提醒 2 位" in page.inner_text(".messages")
    worker.assert_fits()
    worker.shot("notices-receipts")

    worker.open_nav("notice_figures")
    assert page.inner_text("[data-testid=total-issued] .stat-value") == "1"
    assert page.inner_text("[data-testid=total-signed] .stat-value") == "1"
    worker.assert_fits()
    worker.shot("notices-figures")


def test_a_resident_reads_public_notices_on_the_phone_home(world, new_browser):
    services.notice_create(
        actor=world.users.subdistrict_admin,
        title="拱北街道周五停水公告",
        body="因管网维修，周五 9:00–17:00 停水，请提前储水。",
        audience="none",
        audience_area=world.s1,
        is_public=True,
    )
    from dangjian.notices.models import Notice

    services.notice_publish(actor=world.users.subdistrict_admin, notice=Notice.objects.get())
    resident = new_browser("phone")
    resident.sign_in(world.users.resident.username, PASSWORD)
    assert "拱北街道周五停水公告" in resident.page.inner_text("[data-testid=public-notices]")
    resident.assert_fits()
    resident.shot("notices-resident-home")
    resident.page.click("[data-testid=public-notices] a")
    resident.page.wait_for_load_state("networkidle")
    assert "请提前储水" in resident.page.inner_text("[data-testid=notice-body]")
    resident.assert_fits()
    resident.shot("notices-public")
