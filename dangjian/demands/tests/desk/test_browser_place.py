"""我要点单 on the phone: choosing a 小区 narrows the 楼栋 list to that estate's buildings."""

import pytest
from playwright.sync_api import expect

from dangjian.conftest import PASSWORD
from dangjian.demands.models import Demand
from dangjian.territory import services as territory_services

pytestmark = pytest.mark.browser


def test_the_building_list_follows_the_estate_on_the_phone(world, browser):
    nanwan = territory_services.estate_save(actor=None, community=world.c1, name="南湾花园")
    territory_services.building_save(actor=None, community=world.c1, estate=nanwan, name="8栋")
    browser.sign_in(world.users.resident.username, PASSWORD)
    page = browser.go("/demands/new/")
    buildings = page.locator("select[name=building] option")
    expect(buildings).to_have_text(["请选择", "中珠新村 1栋", "南湾花园 8栋"])
    page.select_option("select[name=estate]", label="南湾花园")
    expect(buildings).to_have_text(["请选择", "南湾花园 8栋"])
    page.select_option("select[name=estate]", label=world.estate.name)
    expect(buildings).to_have_text(["请选择", "中珠新村 1栋"])
    page.select_option("select[name=building]", label="中珠新村 1栋")
    category = page.locator("select[name=category] option")
    expect(category.filter(has_text="助听器与康复辅具")).to_have_count(1)
    expect(category.filter(has_text="文艺演出")).to_have_count(0)
    page.check("input[name=kind][value=micro_wish]")
    page.fill("input[name=title]", "想要一台助听器")
    page.select_option("select[name=category]", label="助听器与康复辅具")
    browser.assert_fits()
    browser.shot("demands-new-place")
    page.click("[data-testid=submit-demand]")
    page.wait_for_load_state("networkidle")
    demand = Demand.objects.get(title="想要一台助听器")
    assert demand.building == world.building and demand.category.name == "助听器与康复辅具"
