"""Case intake in a real browser: a resident reports from a phone with a pin and a photo, a grid
worker reports on patrol, a hotline call is logged at the desk and tracked by number."""

import pytest
from playwright.sync_api import expect

from dangjian.cases.models import Case, CaseStatus, Channel
from dangjian.conftest import PASSWORD, make_user

from .test_services import IN_G1A, PNG

pytestmark = pytest.mark.browser


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def at(browser, lat, lng):
    """The device reports this position when the page asks."""
    browser.context.grant_permissions(["geolocation"])
    browser.context.set_geolocation({"latitude": lat, "longitude": lng})


def test_a_resident_reports_from_the_phone_with_a_pin_and_a_photo(world, browser):
    world.users.resident.mobile = "13800135678"
    world.users.resident.save()
    at(browser, *IN_G1A)
    page = browser.sign_in("jm", PASSWORD)
    browser.open_nav("case_report")
    page.locator("#case-map.map-ready").wait_for()
    page.select_option("#id_category", "garbage")
    page.fill("#id_description", "中珠新村门口垃圾堆了好几天没人清理，臭味很大")
    page.click("[data-testid=use-location]")
    page.wait_for_function("() => document.getElementById('pin-status').textContent.includes('婆石第一网格')")
    assert page.locator("input[name=lat]").input_value() == "22.205000"
    page.set_input_files("#id_photos", files=[{"name": "垃圾.png", "mimeType": "image/png", "buffer": PNG}])
    page.locator("#photo-previews img").wait_for()
    assert page.locator("#id_reporter_phone").input_value() == "13800135678"
    browser.assert_fits()
    browser.shot("cases-report-form")
    page.click("[data-testid=submit-report]")
    page.wait_for_url("**/receipt/")
    case = Case.objects.get()
    assert page.locator("[data-testid=case-number]").inner_text() == case.number
    assert case.photos.count() == 1 and case.grid == world.g1a and case.channel == Channel.PHONE
    browser.assert_fits()
    browser.shot("cases-report-receipt")
    page.click("text=查看进度")
    page.wait_for_url("**/mine/**")
    assert "登记" in page.locator("[data-testid=case-steps]").inner_text()
    photo = page.locator(".photo-grid img")
    photo.wait_for()  # loading="lazy": the page's load event does not wait for it
    page.wait_for_function("img => img.complete", arg=photo.element_handle())
    assert photo.evaluate("img => img.naturalWidth") == 1  # the 1×1 PNG came back through the photo view
    browser.assert_fits()
    browser.shot("cases-mine-detail")
    browser.open_nav("case_mine")
    assert case.number in page.locator("[data-testid=my-cases]").inner_text()
    browser.assert_fits()
    browser.shot("cases-mine-list")


def test_a_refused_report_shows_every_problem_and_scrolls_to_the_first(world, new_browser):
    """On a phone, no pin (and no home community to fall back on) and a fake photo: both errors show,
    and the page opens at the first one rather than at the top of a long form."""
    make_user("jm9", "resident")
    phone = new_browser("phone")
    page = phone.sign_in("jm9", PASSWORD)
    phone.open_nav("case_report")
    page.select_option("#id_category", "garbage")
    page.fill("#id_description", "小区门口路灯坏了一个星期")
    fake = {"name": "a.jpg", "mimeType": "image/jpeg", "buffer": b"MZ not an image"}
    page.set_input_files("#id_photos", files=[fake])
    page.click("[data-testid=submit-report]")
    page.wait_for_load_state("networkidle")
    place_error, photo_error = page.locator("#id_address_error"), page.locator("#id_photos_error")
    expect(place_error).to_contain_text("请在地图上标出问题所在位置")
    expect(photo_error).to_contain_text("「a.jpg」不是 JPEG、PNG 或 WebP 格式的图片")
    expect(place_error).to_be_in_viewport()
    expect(page.locator("#id_address")).to_be_focused()
    assert page.evaluate("window.scrollY") > 0  # the form was scrolled down to the error
    assert not Case.objects.exists()
    phone.assert_fits()
    phone.shot("cases-report-errors")


def test_a_grid_worker_reports_on_patrol_from_the_phone(world, new_browser):
    phone = new_browser("phone")
    at(phone, 22.2062, 113.5061)
    page = phone.sign_in("wg1", PASSWORD)
    phone.open_nav("case_patrol")
    # The device's position is taken as the page opens.
    page.wait_for_function("() => document.getElementById('pin-status').textContent.includes('婆石第一网格')")
    page.select_option("#id_category", "fire_lane")
    page.fill("#id_description", "3 栋楼道有电动车充电飞线")
    page.set_input_files("#id_photos", files=[{"name": "飞线.png", "mimeType": "image/png", "buffer": PNG}])
    phone.assert_fits()
    phone.shot("cases-patrol-form")
    page.click("[data-testid=submit-patrol]")
    page.wait_for_url("**/receipt/")
    case = Case.objects.get()
    assert (case.status, case.owner, case.channel) == (CaseStatus.ACCEPTED, world.users.grid_worker, Channel.PATROL)
    assert case.lat == pytest.approx(22.2062)
    assert case.number in page.locator("[data-testid=case-number]").inner_text()
    phone.assert_fits()
    phone.shot("cases-patrol-receipt")


def test_a_hotline_call_is_logged_at_the_desk_and_tracked_by_number(world, new_browser):
    desk = new_browser("desktop")
    page = desk.sign_in("sq1", PASSWORD)
    desk.go("/cases/desk/new/")
    page.locator("#case-map.map-ready").wait_for()
    page.check("input[name=channel][value=hotline]")
    page.fill("#id_reporter_name", "李先生")
    page.fill("#id_reporter_phone", "13912344321")
    page.select_option("#id_category", "noise")
    page.fill("#id_description", "楼上装修噪音很大，晚上十点还在施工")
    page.fill("#id_address", "中珠新村 5 栋")
    # A click on the map pins the place and picks the community and grid under it.
    box = page.locator("#case-map").bounding_box()
    page.mouse.click(box["x"] + box["width"] * 0.3, box["y"] + box["height"] * 0.5)
    page.wait_for_function("() => document.getElementById('pin-status').textContent.includes('婆石')")
    assert page.locator("#id_community").input_value() == str(world.c1.public_id)
    desk.assert_fits()
    desk.shot("cases-desk-new")
    page.click("[data-testid=submit-desk]")
    page.wait_for_load_state("networkidle")
    case = Case.objects.get()
    assert (case.channel, case.status, case.owner) == (
        Channel.HOTLINE,
        CaseStatus.ACCEPTED,
        world.users.community_worker,
    )

    phone = new_browser("phone")
    track = phone.go("/cases/track/")
    track.fill("#id_number", case.number)
    track.fill("#id_phone_tail", "0000")
    track.click("button[type=submit]")
    assert "未找到" in track.locator("[data-testid=form-errors]").inner_text()
    track.fill("#id_phone_tail", "4321")
    track.click("button[type=submit]")
    result = track.locator("[data-testid=track-result]").inner_text()
    assert "待派单" in result and "受理" in result and "李先生" not in result
    phone.assert_fits()
    phone.shot("cases-track-result")
