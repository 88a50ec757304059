"""软弱涣散整顿 in a real browser: flag, plan, 今日待办, done, apply, delist — at phone and desktop width."""

import datetime
import random

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from dangjian.accounts.models import User
from dangjian.demo import orgs as demo_data
from dangjian.demo.accounts import DEMO_PASSWORD
from dangjian.demo.builder import Built
from dangjian.orgs import todo as _registers_the_todo_provider  # noqa: F401  (until dashboard.apps imports it)
from dangjian.orgs.models import PartyOrg, WeakCaseStatus, WeakOrgCase
from dangjian.territory.models import Estate

pytestmark = pytest.mark.browser

ORG = "珠海市拱北口岸中心党支部"
STEP = "召开支部党员大会补选支部委员"


def with_weak_demo_data() -> None:
    """The demo's weak-organization cases, unless the demo command already made them."""
    if WeakOrgCase.objects.exists():
        return
    built = Built()
    for estate in Estate.objects.select_related("community").order_by("pk"):
        built.estates.setdefault(estate.community.name, []).append(estate)
    built.orgs = {org.name: org for org in PartyOrg.objects.all()}
    demo_data.build(random.Random(0), built)


def test_an_org_is_flagged_rectified_by_the_worker_and_delisted_by_the_admin(browser, new_browser, demo):
    with_weak_demo_data()
    deadline = timezone.localdate() + datetime.timedelta(days=3)

    # The subdistrict admin flags an organization found by name.
    page = browser.sign_in("jd_admin", DEMO_PASSWORD)
    browser.go("/orgs/weak/")
    page.wait_for_selector("#weak-chart[data-ready]")
    assert "已摘帽" in page.locator("[data-testid=weak-cases]").inner_text()  # the demo's delisted case
    browser.assert_fits()
    browser.shot("weak-list")
    page.click("[data-testid=flag-button]")
    page.fill("#org-search", "口岸")
    page.locator("#org-results a", has_text=ORG).click()
    page.wait_for_selector("[data-testid=chosen-org]")
    page.check("input[name=reasons][value=org_life_irregular]")
    page.check("input[name=reasons][value=team_incomplete]")
    page.fill("textarea[name=situation]", "支部委员调离后未补选，近半年未开展组织生活。")
    browser.assert_fits()
    browser.shot("weak-flag")
    page.click("text=确认列入")
    page.wait_for_selector("[data-testid=case-status]")
    assert page.locator("[data-testid=case-status]").inner_text() == "已列入整顿"

    # A step for the community worker, then the plan is approved (after a confirmation page).
    page.click("text=添加整改措施")
    page.fill("input[name=title]", STEP)
    page.fill("input[name=deadline]", deadline.isoformat())
    worker = User.objects.get(username="sq_worker")
    page.select_option("select[name=responsible]", str(worker.public_id))
    browser.assert_fits()
    page.click("button.primary")
    page.wait_for_selector("[data-testid=steps]")
    page.click("text=批准整改方案，开始整改")
    expect(page.locator("body")).to_contain_text("确认批准整改方案？")
    page.click("button.primary")
    page.wait_for_selector("[data-testid=case-status]:has-text('整改中')")
    browser.assert_fits()
    browser.shot("weak-detail-plan")
    case_url = page.url

    # The worker finds the step in 今日待办 and marks it done, then applies for delisting.
    other = new_browser(browser.width_name)
    wpage = other.sign_in("sq_worker", DEMO_PASSWORD)
    todo = wpage.locator(".todo-list")
    assert f"整改措施3 天后到期：{STEP}（{ORG}）" in todo.inner_text()
    assert "整改措施已超期" in todo.inner_text()  # the demo's overdue step, marked urgent
    other.assert_fits()
    other.shot("weak-todo-worker")
    todo.get_by_text(STEP).click()
    wpage.wait_for_selector("[data-testid=steps]")
    wpage.locator(".weak-step", has_text=STEP).get_by_text("标记完成").click()
    wpage.fill("textarea[name=note]", "已召开支部党员大会，补选支部委员2名。")
    other.assert_fits()
    other.shot("weak-step-done")
    wpage.click("button.primary")
    wpage.wait_for_selector(".weak-step .badge-ok")
    wpage.click("text=申请摘帽")
    wpage.fill("textarea[name=note]", "整改措施全部完成。")
    wpage.click("button.primary")
    wpage.wait_for_selector("[data-testid=case-status]:has-text('已申请摘帽')")
    assert "批准摘帽" not in wpage.locator("main").inner_text()

    # The admin sees the application in 今日待办 and approves the delisting.
    browser.go("/")
    page.locator(".todo-list").get_by_text("软弱涣散组织摘帽申请待审批").click()
    page.locator("[data-testid=weak-cases] a", has_text=ORG).click()
    assert page.url == case_url
    page.click("text=批准摘帽")
    page.click("button.primary")  # without the note: refused, the form says what is missing
    assert "请填写审批意见。" in page.locator(".errorlist").inner_text()
    page.fill("textarea[name=note]", "经街道党工委验收，整改达标，同意摘帽。")
    page.click("button.primary")
    page.wait_for_selector("[data-testid=case-status]:has-text('已摘帽')")
    assert "陈静" in page.locator("[data-testid=delisting]").inner_text()
    assert "经街道党工委验收" in page.locator("main").inner_text()
    browser.assert_fits()
    browser.shot("weak-delisted")
    case = WeakOrgCase.objects.get(org__name=ORG)
    assert case.status == WeakCaseStatus.DELISTED and case.delisted_by.username == "jd_admin"


def test_the_district_admin_filters_the_cases_of_the_district(browser, demo):
    with_weak_demo_data()
    page = browser.sign_in("qu_admin", DEMO_PASSWORD)
    assert "软弱涣散组织摘帽申请待审批" in page.locator(".todo-list").inner_text()
    browser.go("/orgs/weak/")
    page.wait_for_selector("#weak-chart[data-ready]")
    assert page.locator("#chart-heading").inner_text() == "各街道整顿情况"
    assert page.locator("[data-testid=weak-cases] tbody tr").count() == 4
    browser.assert_fits()
    browser.shot("weak-list-district")
    page.check("input[name=overdue]")
    page.click("text=筛选")
    page.wait_for_url("**overdue=1**")
    rows = page.locator("[data-testid=weak-cases] tbody tr")
    expect(rows).to_have_count(1)  # waits for the filtered page, not the one leaving
    expect(rows).to_contain_text("超期 1")
    page.select_option("select[name=status]", "flagged")
    page.uncheck("input[name=overdue]")
    page.click("text=筛选")
    page.wait_for_url("**status=flagged**")
    expect(page.locator("[data-testid=weak-cases]")).to_contain_text("景山社区非公企业联合党支部")
