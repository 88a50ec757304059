"""In a real browser, at phone and desktop width: a resident books a room; the district admin plans."""

import random

import pytest
from playwright.sync_api import expect

from dangjian.centers.models import Booking, ServiceCenter, SignUp
from dangjian.demo import centers as demo_data
from dangjian.demo.accounts import DEMO_PASSWORD
from dangjian.demo.builder import Built
from dangjian.orgs.models import PartyOrg
from dangjian.territory.models import Area, Estate

from .conftest import next_weekday

pytestmark = pytest.mark.browser


def with_centres() -> None:
    """The demo's centres, unless the demo command already made them (once in DEMO_EXTENSIONS)."""
    if ServiceCenter.objects.exists():
        return
    built = Built()
    built.areas = {a.name: a for a in Area.objects.all()}
    for estate in Estate.objects.select_related("community").order_by("pk"):
        built.estates.setdefault(estate.community.name, []).append(estate)
    built.orgs = {org.name: org for org in PartyOrg.objects.all()}
    demo_data.build(random.Random(0), built)


def test_a_resident_finds_a_centre_and_books_a_room_on_a_phone(browser, demo):
    with_centres()
    day = next_weekday(3)  # a Thursday at least a week ahead
    page = browser.sign_in("jm_resident", DEMO_PASSWORD)
    browser.open_nav("bookings")
    assert "我的预约" in page.locator("h1").inner_text()
    assert "楼栋居民议事" in page.locator("[data-testid=my-bookings]").inner_text()  # the demo's booking
    browser.assert_fits()
    browser.shot("centers-my-bookings")
    page.click("[data-testid=find-center]")
    page.select_option("select[name=community]", label="婆石社区")
    page.click("text=查找")
    page.wait_for_selector("[data-testid=finder-center]")
    browser.assert_fits()
    browser.shot("centers-finder")
    page.locator("[data-testid=finder-center] a", has_text="婆石社区党群服务中心").click()
    expect(page.locator("body")).to_contain_text("开放时间")
    page.click("[data-testid=to-center]")
    page.click("[data-testid='book-会议室']")
    # Outside the opening hours first: refused with the hours named.
    page.fill("#id_date", day.isoformat())
    page.select_option("#id_start", "12:00")
    page.select_option("#id_end", "13:00")
    page.fill("#id_purpose", "书法兴趣小组")
    page.fill("#id_attendees", "8")
    page.click("text=提交预约")
    error = page.locator("[data-testid=form-errors]").inner_text()
    assert "不在开放时间内" in error and "周四的开放时间为 09:00–12:00、14:30–17:30" in error
    browser.assert_fits()
    browser.shot("centers-book-refused")
    page.select_option("#id_start", "09:00")
    page.select_option("#id_end", "10:30")
    page.click("text=提交预约")
    assert page.locator("[data-testid=booking-status]").inner_text() == "已预约"
    assert page.locator("[data-testid=booking-time]").inner_text() == f"{day.isoformat()} 09:00–10:30"
    browser.assert_fits()
    browser.shot("centers-booked")
    assert Booking.objects.filter(purpose="书法兴趣小组", booked_by__username="jm_resident", status="approved").exists()
    # The week calendar shows it as the resident's own.
    page.click("text=婆石社区党群服务中心")
    page.click("[data-testid=calendar-link]")
    page.goto(page.url.split("?")[0] + f"?week={day.isoformat()}")
    assert "书法兴趣小组" in page.locator("[data-testid=week]").inner_text()
    browser.assert_fits()
    browser.shot("centers-calendar")
    # And signs up for what is on: the Party lecture.
    browser.go("/centers/activities/")
    page.get_by_role("link", name="党课：学习党的二十大精神").first.click()
    page.click("[data-testid=signup]")
    assert page.locator("[data-testid=my-signup]").inner_text() == "已报名"
    browser.assert_fits()
    browser.shot("centers-activity-signed-up")
    assert SignUp.objects.filter(activity__title="党课：学习党的二十大精神", user__username="jm_resident").exists()


def test_the_district_admin_runs_the_planner_on_the_map(browser, demo):
    with_centres()
    page = browser.sign_in("qu_admin", DEMO_PASSWORD)
    browser.open_nav("centers")
    assert "香洲区党群服务中心" in page.locator("[data-testid=center-list]").inner_text()
    browser.assert_fits()
    browser.shot("centers-list")
    page.click("text=十分钟服务圈")
    page.wait_for_selector("#circle-map.map-ready")
    assert "圈外" in page.locator("[data-testid=circle-status]").inner_text()
    share_before = page.locator("[data-testid=resident-share]").inner_text()
    assert share_before != "100%"
    # A candidate site of one's own: clear of the zoom buttons (top left) and the district centre (middle).
    box = page.locator("#circle-map").bounding_box()
    page.locator("#circle-map").click(position={"x": box["width"] * 0.8, "y": box["height"] * 0.75})
    assert "1 个候选点" in page.locator("#plan-points").inner_text()
    page.fill("#plan-k", "3")
    page.click("[data-testid=plan-run]")
    page.wait_for_selector("[data-testid=plan-result][data-done]")
    result = page.locator("[data-testid=plan-result]").inner_text()
    assert result.count("新增覆盖") == 3 and "规划前圈内居民" in result
    browser.assert_fits()
    browser.shot("centers-planner")


def test_an_admin_filters_the_centres_meeting_their_floor_area_in_a_subdistrict(browser, demo):
    """The centre list's place, 面积达标 and 开放中 filters (the cockpit's centres figures link here)."""
    from dangjian.accounts.models import User
    from dangjian.centers import selectors
    from dangjian.centers.filters import filter_centers

    with_centres()
    admin = User.objects.get(username="qu_admin")
    subdistrict = Area.objects.get(name="拱北街道")
    expected = filter_centers(selectors.center_list(admin), area=subdistrict, open=True, meets="area").count()
    assert expected
    page = browser.sign_in("qu_admin", DEMO_PASSWORD)
    browser.open_nav("centers")
    page.select_option("[data-testid=center-area]", label="拱北街道")
    page.select_option("[data-testid=center-meets]", value="area")
    page.check("#id_open")
    page.click("form[role=search] button[type=submit]")
    expect(page.locator("[data-testid=list-total]")).to_contain_text(f"符合条件的服务中心共 {expected} 个")
    expect(page.locator("[data-testid=center-list]")).to_be_visible()
    browser.assert_fits()
    browser.shot("centers-list-area-met")
