"""In a real browser: the district admin opens the cockpit from the menu (phone and desktop), reads a
definition by tapping it, drills a figure down to a subdistrict and on to the case list it counts;
and the cockpit on the command centre's 1920×1080 wall, a group refreshed in place with its chart."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from dangjian.cases.models import Case, CaseStatus
from dangjian.cockpit import readings
from dangjian.cockpit.catalogue import BY_KEY, GROUPS
from dangjian.conftest import Browser
from dangjian.demo.accounts import DEMO_PASSWORD
from dangjian.territory.models import Area

pytestmark = pytest.mark.browser

WALL = {"width": 1920, "height": 1080}


def test_the_district_reads_its_cockpit_and_drills_a_figure_to_the_list(browser, demo):
    page = browser.sign_in("qu_admin", DEMO_PASSWORD)
    browser.open_nav("cockpit")
    for g in GROUPS:
        expect(page.locator(f"[data-testid=group-{g.key}]")).to_be_visible()
    district = Area.objects.get(level="district")
    value = readings.figure_children("cases_received", district, readings.today())[0].value
    expect(page.locator("[data-testid=value-cases_received]")).to_have_text(f"{value:,}")
    tile = page.locator("[data-testid=tile-cases_received]")
    assert tile.get_attribute("title") == str(BY_KEY["cases_received"].definition)
    tile.locator("summary").click()  # tap to read the definition (the phone has no hover)
    expect(tile.locator("details p")).to_be_visible()
    page.locator("#trend-governance[data-ready='1']").wait_for()
    browser.assert_fits()
    browser.assert_no_script_from_data()
    browser.shot("cockpit")

    tile.locator("[data-testid=open-cases_received]").click()
    page.wait_for_load_state("networkidle")
    rows = page.locator("[data-testid=child-row]")
    expect(rows.first).to_be_visible()
    values = [int(v.replace(",", "")) for v in page.locator("[data-testid=child-value]").all_text_contents()]
    assert sum(values) == value
    browser.assert_fits()
    browser.shot("cockpit-figure")

    page.locator("[data-testid=children] a", has_text="拱北街道").click()
    page.wait_for_load_state("networkidle")
    expect(page.locator("h1")).to_contain_text("拱北街道")
    sub = Area.objects.get(name="拱北街道")
    sub_value = readings.figure_children("cases_received", sub, readings.today())[0].value
    expect(page.locator("[data-testid=figure-value]")).to_have_text(f"{sub_value:,}")
    page.click("[data-testid=list-link-num]")
    page.wait_for_load_state("networkidle")
    assert "/cases/desk/" in page.url
    year_start = readings.year_to_date(readings.today()).date_from
    expected = (
        Case.objects.filter(area_path__startswith=sub.path, received_at__date__gte=year_start)
        .exclude(status=CaseStatus.MERGED)
        .count()
    )
    assert expected == sub_value
    expect(page.locator("#id_unmerged")).to_be_checked()
    browser.assert_fits()
    browser.shot("cockpit-list")

    # A rate links both its parts: the cases closed on time, and all the cases closed.
    browser.go(reverse("cockpit:figure", args=[sub.public_id, "cases_on_time_rate"]))
    expect(page.locator("[data-testid=list-link-num]")).to_contain_text("按时办结的诉求")
    expect(page.locator("[data-testid=list-link-den]")).to_contain_text("已办结的诉求")
    browser.assert_fits()
    browser.shot("cockpit-rate-links")
    page.click("[data-testid=list-link-den]")
    page.wait_for_load_state("networkidle")
    expect(page.locator("#id_closed")).to_be_checked()
    expect(page.locator("#id_on_time")).not_to_be_checked()


def test_the_wall_fills_the_screen_and_refreshes_a_group_in_place(chromium, live_server, demo):
    context = chromium.new_context(viewport=WALL, locale="zh-CN", timezone_id="Asia/Shanghai")
    try:
        wall = Browser(context, live_server.url, "wall")
        page = wall.sign_in("qu_admin", DEMO_PASSWORD)
        wall.go("/cockpit/?wall=1")
        expect(page.locator("body.wall")).to_be_visible()
        expect(page.locator(".sidebar")).to_have_count(0)
        page.locator("#trend-service[data-ready='1']").wait_for()
        wall.assert_fits()
        # The whole cockpit on one screen: nothing to scroll on the wall either.
        height = page.evaluate("document.documentElement.scrollHeight")
        assert height <= WALL["height"], f"the wall is {height}px tall on a {WALL['height']}px screen"
        wall.assert_no_script_from_data()
        wall.shot("cockpit-wall")
        # What the minute's trigger does, now: the group comes back alone and its chart is drawn again.
        with page.expect_response(lambda r: "/group/service/" in r.url) as answer:
            page.evaluate(
                "() => { const g = document.querySelector('[data-testid=group-service]');"
                " htmx.ajax('GET', g.getAttribute('hx-get'), {target: g, swap: 'outerHTML'}); }"
            )
        assert answer.value.status == 200
        page.locator("#trend-service[data-ready='1']").wait_for()
        expect(page.locator("[data-testid=group-service]")).to_have_count(1)
        expect(page.locator("[data-testid=group-service]")).to_have_attribute("hx-trigger", "every 60s")
        wall.assert_fits()
    finally:
        context.close()


def test_the_district_sets_a_target_and_the_tile_shows_it(browser, demo):
    page = browser.sign_in("qu_admin", DEMO_PASSWORD)
    browser.open_nav("cockpit")
    page.click("[data-testid=targets-link]")
    page.wait_for_load_state("networkidle")
    page.fill("#id_council_party_share", "40")
    page.fill("#id_blank_units", "0")
    browser.assert_fits()
    browser.shot("cockpit-targets")
    page.click("[data-testid=save-targets]")
    page.wait_for_load_state("networkidle")
    expect(page.locator(".messages")).to_be_visible()
    page.goto(browser.base_url + "/cockpit/")
    district = Area.objects.get(level="district")
    tiles = {
        t.figure.key: t
        for g in GROUPS
        for t in readings.read_group(g.key, district, readings.today(), readings.today(), {"blank_units": 0}).tiles
    }
    share = page.locator("[data-testid=target-council_party_share]")
    expect(share).to_contain_text("目标 40%")
    expect(share).to_contain_text("已达标" if tiles["council_party_share"].value >= 40 else "未达标")
    blank = page.locator("[data-testid=target-blank_units]")
    expect(blank).to_contain_text("已达标" if tiles["blank_units"].value == 0 else "未达标")
    browser.assert_fits()
    browser.shot("cockpit-with-targets")
