import json

import pytest
from playwright.sync_api import expect

from dangjian.demo.accounts import DEMO_PASSWORD

pytestmark = pytest.mark.browser


def test_the_tree_browser_finds_a_community_by_pinyin_initials(browser, demo):
    page = browser.sign_in("qu_admin", DEMO_PASSWORD)
    browser.open_nav("territory")
    page.wait_for_url("**/territory/")
    page.fill("#tree-search", "pssq")  # 婆石社区
    result = page.locator("#search-results").get_by_role("link", name="婆石社区", exact=True)
    result.wait_for()
    browser.assert_fits()
    browser.shot("territory-search")
    result.click()
    page.wait_for_url("**/territory/*/")
    assert page.locator("h1").inner_text().startswith("婆石社区")
    assert page.locator("text=婆石社区第一网格").first.is_visible()
    browser.assert_fits()
    browser.shot("territory-community")


def test_the_tree_expands_level_by_level(browser, demo):
    page = browser.sign_in("jd_admin", DEMO_PASSWORD)
    browser.go("/territory/")
    page.click("button[aria-label='展开 拱北街道']")
    page.locator(".tree-slot a", has_text="婆石社区").wait_for()
    page.click("button[aria-label='展开 婆石社区']")
    page.locator(".tree-slot a", has_text="婆石社区第一网格").wait_for()
    assert page.locator("text=吉大街道").count() == 0  # another subdistrict: not in jd_admin's scope
    browser.assert_fits()
    browser.shot("territory-tree")


def test_the_map_draws_the_grids_and_answers_where_a_point_lies(browser, demo):
    page = browser.sign_in("sq_worker", DEMO_PASSWORD)
    browser.open_nav("map")
    page.wait_for_selector("#map.map-ready")
    grids = int(page.get_attribute("#map", "data-grids"))
    assert grids == 3
    assert page.locator("path.leaflet-interactive").count() >= grids
    assert "网格 3 个" in page.locator("[data-testid=map-status]").inner_text()
    browser.assert_fits()
    browser.shot("map-community")
    # Click the middle of the first grid polygon: the page says which grid it is.
    box = page.locator("path.leaflet-interactive").first.bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.wait_for_function("() => document.getElementById('locate-result').textContent.length > 0")
    assert "婆石社区" in page.locator("#locate-result").inner_text()


def test_the_org_tree_shows_the_four_level_network(browser, demo):
    page = browser.sign_in("sq_worker", DEMO_PASSWORD)
    browser.open_nav("orgs")
    page.wait_for_url("**/orgs/")
    page.locator(".tree a", has_text="婆石社区大党委").first.click()
    page.wait_for_url("**/orgs/*/")
    counts = page.locator("[data-testid=org-counts]").inner_text()
    for label in ("小区党支部", "楼宇党小组", "党员中心户"):
        assert label in counts
    browser.assert_fits()
    browser.shot("org-detail")


def test_a_subdistrict_admin_draws_a_community_boundary_and_reads_why_it_is_refused(browser, demo):
    community = demo.areas["婆石社区"]
    page = browser.sign_in("jd_admin", DEMO_PASSWORD)
    browser.go(f"/territory/{community.public_id}/")
    page.get_by_role("link", name="导入社区边界").click()
    page.wait_for_url("**/boundary/import/")
    too_small = demo.areas["婆石社区第一网格"].boundary  # leaves the community's other grids out
    page.set_input_files(
        "#id_file",
        files=[{"name": "b.geojson", "mimeType": "application/json", "buffer": json.dumps(too_small).encode()}],
    )
    page.get_by_role("button", name="检查并导入").click()
    alert = page.get_by_role("alert")
    alert.wait_for()
    assert "在社区「婆石社区」的新边界之外" in alert.inner_text()
    assert "网格「婆石社区 · 婆石社区" in alert.inner_text()
    browser.assert_fits()
    browser.shot("territory-boundary-refused")
    page.set_input_files(
        "#id_file",
        files=[
            {"name": "b.geojson", "mimeType": "application/json", "buffer": json.dumps(community.boundary).encode()}
        ],
    )
    page.get_by_role("button", name="检查并导入").click()
    page.wait_for_url(f"**/territory/{community.public_id}/")
    assert "已更新婆石社区的边界" in page.content()
    browser.assert_fits()


def test_the_district_admin_lists_a_subdistricts_communities_and_its_estate_branches(browser, demo):
    page = browser.sign_in("qu_admin", DEMO_PASSWORD)
    browser.go("/territory/")
    page.get_by_test_id("community-list").click()
    page.wait_for_url("**/territory/list/?level=community")
    page.select_option("#id_area", label="拱北街道")
    page.get_by_role("button", name="筛选").click()
    page.wait_for_url("**area=**")
    rows = page.locator("[data-testid=areas] tbody tr")
    expect(rows.filter(has_text="婆石社区")).to_have_count(1)
    expect(rows.first).to_contain_text("拱北街道")  # the parent chain
    assert "符合条件的属地共" in page.get_by_test_id("list-total").inner_text()
    assert "吉大街道" not in page.locator("[data-testid=areas]").inner_text()
    browser.assert_fits()
    browser.shot("territory-list")
    browser.go("/orgs/")
    page.get_by_test_id("org-list").click()
    page.wait_for_url("**/orgs/list/?current=on")
    page.select_option("#id_kind", "estate_branch")
    page.select_option("#id_area", label="拱北街道")
    page.get_by_role("button", name="筛选").click()
    page.wait_for_url("**kind=estate_branch**")
    rows = page.locator("[data-testid=orgs] tbody tr")
    expect(rows.first).to_contain_text("小区党支部")
    assert "符合条件的党组织共" in page.get_by_test_id("list-total").inner_text()
    browser.assert_fits()
    browser.shot("org-list")
