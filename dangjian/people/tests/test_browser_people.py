"""Browser journeys on the demo district, at phone and desktop width."""

import datetime
import re

import pytest

from dangjian.audit.models import Action, AuditEvent
from dangjian.demo.accounts import DEMO_PASSWORD
from dangjian.orgs.models import OrgType, PartyOrg
from dangjian.people.models import Member, MemberTransfer, Resident
from dangjian.territory.models import Area

from .conftest import make_id

pytestmark = pytest.mark.browser


def test_a_community_worker_finds_a_member_by_pinyin_and_transfers_them(browser, people_demo):
    member = (
        Member.objects.filter(
            org__org_type=OrgType.ESTATE_BRANCH, org__area__name="婆石社区", status="in_service", user__isnull=True
        )
        .select_related("org")
        .order_by("pk")
        .first()
    )
    destination = (
        PartyOrg.objects.filter(org_type=OrgType.ESTATE_BRANCH, area__name="婆石社区")
        .exclude(pk=member.org_id)
        .order_by("path")
        .first()
    )
    page = browser.sign_in("sq_worker", DEMO_PASSWORD)
    browser.go("/people/members/")
    page.fill("#member-search", member.pinyin)
    page.press("#member-search", "Enter")
    page.wait_for_url(re.compile(r".*\?q=.*"))
    row = page.locator("[data-testid=member-table] tr", has=page.get_by_role("link", name=member.name, exact=True))
    # The mobile is masked in the list; 显示 reveals it in place and leaves an audit row.
    assert member.masked_mobile in row.inner_text() and member.mobile not in row.inner_text()
    row.get_by_role("button", name="显示完整手机号").click()
    row.get_by_text(member.mobile).wait_for()
    row.get_by_role("button", name="显示完整手机号").wait_for(state="detached")  # gone once revealed
    assert AuditEvent.objects.filter(action=Action.REVEAL, object_id=str(member.public_id)).count() == 1
    browser.assert_fits()
    browser.shot("people-member-search")
    row.get_by_role("link", name=member.name, exact=True).click()
    page.wait_for_url(f"**/people/members/{member.public_id}/")
    page.select_option("#id_to_org", value=str(destination.public_id))
    page.fill("#id_reason", "搬迁至新小区居住")
    browser.assert_fits()
    browser.shot("people-member-detail")
    page.click("#transfer-form button[type=submit]")
    confirm = page.locator("[data-testid=transfer-confirm]")
    confirm.wait_for()
    assert f"从「{member.org.name}」转至「{destination.name}」" in confirm.inner_text()
    assert not MemberTransfer.objects.filter(member=member, to_org=destination).exists()
    browser.assert_fits()
    browser.shot("people-transfer-confirm")
    page.get_by_role("button", name="确认转接").click()
    page.wait_for_url(f"**/people/members/{member.public_id}/")
    assert "已将" in page.locator(".messages").inner_text()
    history = page.locator("[data-testid=transfer-history]").inner_text()
    assert f"{member.org.name} → {destination.name}" in history and "搬迁至新小区居住" in history
    member.refresh_from_db()
    assert member.org == destination
    browser.assert_fits()
    browser.shot("people-member-transferred")


def test_a_grid_worker_adds_a_resident_with_a_tag_to_a_household(browser, people_demo):
    page = browser.sign_in("wg_worker", DEMO_PASSWORD)
    browser.go("/people/residents/")
    buildings = page.locator("[data-testid=building-list] .item")
    assert buildings.count() >= 1
    browser.assert_fits()
    browser.shot("people-register-buildings")
    buildings.first.locator("a.item-title").click()
    page.wait_for_url("**/people/residents/buildings/*/")
    household = page.locator("[data-testid=households] > li").first
    room = household.locator(".item-title").inner_text()
    browser.assert_fits()
    browser.shot("people-register-building")
    household.get_by_role("link", name="添加居民").click()
    page.wait_for_url("**/add/")
    page.fill("#id_name", "黄秀兰")
    page.fill("#id_mobile", "0756-2123456")
    page.get_by_text("独居老人", exact=True).click()
    assert page.locator("input[value=elderly_alone]").is_checked()
    browser.assert_fits()
    browser.shot("people-resident-form")
    page.get_by_role("button", name="保存").click()
    page.wait_for_url(re.compile(r".*/people/residents/buildings/.*#hh-.*"))
    added = page.locator("[data-testid=households] > li", has_text=room).locator(".residents li", has_text="黄秀兰")
    assert "独居老人" in added.inner_text() and "075****3456" in added.inner_text()
    resident = Resident.objects.get(name="黄秀兰")
    assert resident.tags == ["elderly_alone"] and resident.household.room == room
    browser.assert_fits()
    browser.shot("people-resident-added")
    # Everyone living alone in the grid, the new neighbour among them.
    browser.go("/people/residents/?tag=elderly_alone")
    page.locator("[data-testid=tagged-residents]").get_by_text("黄秀兰").wait_for()
    browser.assert_fits()
    browser.shot("people-register-tag")


def test_a_member_sees_their_own_record_and_an_admin_the_liaisons_of_a_community(browser, people_demo, new_browser):
    page = browser.sign_in("dy_member", DEMO_PASSWORD)
    browser.go("/people/me/")
    facts = page.locator("[data-testid=member-facts]")
    assert "王建国" in facts.inner_text() and "13800000005" not in facts.inner_text()
    facts.get_by_role("button", name="显示完整手机号").click()
    facts.get_by_text("13800000005").wait_for()
    browser.assert_fits()
    browser.shot("people-my-member")
    admin = new_browser(browser.width_name)
    admin_page = admin.sign_in("jd_admin", DEMO_PASSWORD)
    community = Member.objects.get(name="王建国").home_community
    admin.go(f"/territory/{community.public_id}/")
    liaisons = admin_page.locator("[data-testid=liaisons]")
    for name in ("林国栋", "陈静", "李红"):
        assert name in liaisons.inner_text()
    assert liaisons.get_by_role("link", name="安排包联").is_visible()
    admin.assert_fits()
    admin.shot("people-territory-liaisons")


def test_a_community_worker_registers_a_member_choosing_the_home_step_by_step(browser, people_demo):

    community = Area.objects.get(name="婆石社区")
    estate = community.estates.order_by("name").first()
    building = estate.buildings.order_by("name").first()
    org = PartyOrg.objects.filter(org_type=OrgType.ESTATE_BRANCH, estate=estate).get()
    page = browser.sign_in("sq_worker", DEMO_PASSWORD)
    browser.go("/people/members/new/")
    page.fill("#id_name", "欧阳明")
    page.fill("#id_id_number", make_id(datetime.date(1988, 8, 8), 357))
    page.fill("#id_mobile", "13922223333")
    page.fill("#id_joined_on", "2012-07-01")
    page.select_option("#id_org", value=str(org.public_id))
    # Picking the community loads its estates, picking the estate its buildings (htmx).
    page.select_option("#id_home_community", value=str(community.public_id))
    page.locator(f"#id_home_estate option[value='{estate.public_id}']").wait_for(state="attached")
    page.select_option("#id_home_estate", value=str(estate.public_id))
    page.locator(f"#id_home_building option[value='{building.public_id}']").wait_for(state="attached")
    page.select_option("#id_home_building", value=str(building.public_id))
    browser.assert_fits()
    browser.shot("people-member-form")
    page.get_by_role("button", name="保存").click()
    page.wait_for_url("**/people/members/*/")
    facts = page.locator("[data-testid=member-facts]").inner_text()
    assert "欧阳明" in facts and "1988-08-08" in facts and building.name in facts and "男" in facts
    member = Member.objects.get(name="欧阳明")
    assert (member.org, member.home_building, member.pinyin) == (org, building, "oym")


def test_a_community_worker_brings_a_floating_member_under_management(browser, people_demo):
    member = Member.objects.filter(status="floating", home_community__name="婆石社区").order_by("name").first()
    page = browser.sign_in("sq_worker", DEMO_PASSWORD)
    browser.go("/people/members/floating/")
    card = page.locator("[data-testid=floating-list] > li", has_text=member.name)
    assert "流动" in card.inner_text() and member.org.secretary in card.inner_text()
    browser.assert_fits()
    browser.shot("people-floating")
    card.get_by_role("link", name="纳入管理").click()
    page.wait_for_url("**/restore/")
    page.select_option("#id_status", value="in_service")
    page.fill("#id_note", "已返回本社区居住，恢复参加支部组织生活")
    browser.assert_fits()
    browser.shot("people-restore")
    page.get_by_role("button", name="纳入管理").click()
    page.wait_for_url("**/people/members/floating/")
    assert "已纳入组织管理" in page.locator(".messages").inner_text()
    assert page.locator("[data-testid=floating-list] > li", has_text=member.name).count() == 0
    member.refresh_from_db()
    assert member.status == "in_service"


def test_an_admin_assigns_a_liaison_to_a_grid_from_its_page(browser, people_demo):
    grid = Area.objects.get(name="婆石社区第二网格")
    page = browser.sign_in("jd_admin", DEMO_PASSWORD)
    browser.go(f"/territory/{grid.public_id}/")
    page.locator("[data-testid=liaisons]").get_by_role("link", name="安排包联").click()
    page.wait_for_url("**/people/liaisons/new/?area=*")
    page.fill("#id_leader_name", "吴海燕")
    page.fill("#id_post", "拱北街道办事处副主任")
    page.select_option("#id_level", value="subdistrict")
    assert page.locator("#id_area").input_value() == str(grid.public_id)
    browser.assert_fits()
    browser.shot("people-liaison-form")
    page.get_by_role("button", name="保存").click()
    page.wait_for_url(f"**/territory/{grid.public_id}/")
    assert "吴海燕" in page.locator("[data-testid=liaisons]").inner_text()
    browser.go("/people/liaisons/")
    page.get_by_text("吴海燕").wait_for()
    browser.assert_fits()
    browser.shot("people-liaison-list")
