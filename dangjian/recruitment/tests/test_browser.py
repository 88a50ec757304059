"""In a real browser (phone and desktop): a branch secretary registers an application from the menu
and records the talk from the file; the subdistrict administrator, the higher committee, cancels a
probationary membership from its file with the branch meeting's vote, and the file shows it ended."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from dangjian.conftest import PASSWORD
from dangjian.people.models import MemberStatus
from dangjian.recruitment.models import Recruit, Stage

from .conftest import walk

pytestmark = pytest.mark.browser
SLOW = 30_000


def test_a_secretary_registers_and_the_committee_cancels_a_probation(browser, new_browser, world, cast, apply):
    page = browser.sign_in(cast.secretary.username, PASSWORD)
    browser.open_nav("recruitment")
    page.click("[data-testid=recruit-new]")
    page.select_option("#id_org", str(world.eb.pk))
    page.fill("#id_name", "周晓雨")
    page.fill("#id_birth_date", "1998-05-04")
    page.fill("#id_mobile", "13912345670")
    applied = timezone.localdate() - datetime.timedelta(days=20)
    page.fill("#id_applied_on", applied.isoformat())
    browser.assert_fits()
    browser.shot("recruitment-new")
    page.click("[data-testid=recruit-submit]")
    expect(page.locator("[data-testid=status]")).to_have_text("入党申请人", timeout=SLOW)
    page.fill("#id_talk-on", (applied + datetime.timedelta(days=7)).isoformat())
    page.click("[data-testid=do-talk]")
    expect(page.locator(".messages")).to_contain_text("记录谈话", timeout=SLOW)
    assert Recruit.objects.get(name="周晓雨").talked_on == applied + datetime.timedelta(days=7)
    browser.assert_fits()
    browser.shot("recruitment-file")

    probation = walk(apply(name="吴浩然"), Stage.PROBATIONARY, cast)
    committee = new_browser(browser.width_name)
    cpage = committee.sign_in(world.users.subdistrict_admin.username, PASSWORD)
    committee.go(f"/recruitment/{probation.public_id}/")
    step = cpage.locator("[data-testid=step-disqualify]")
    if not step.evaluate("d => d.open"):  # the first step the viewer may take is open already
        step.locator("summary").click()
    step.locator("input[name=disqualify-on]").fill((probation.approved_on + datetime.timedelta(days=40)).isoformat())
    for name, value in (("due", "9"), ("present", "8"), ("votes_for", "7"), ("against", "1"), ("abstain", "0")):
        step.locator(f"input[name=disqualify-{name}]").fill(value)
    step.locator("[name=disqualify-note]").fill("预备期内长期不参加组织生活，经教育仍不改正")
    committee.assert_fits()
    committee.shot("recruitment-disqualify")
    step.locator("[data-testid=do-disqualify]").click()
    expect(cpage.locator("[data-testid=status]")).to_have_text("已终止", timeout=SLOW)
    expect(cpage.locator("[data-testid=votes]")).to_contain_text("取消预备党员资格")
    probation.member.refresh_from_db()
    assert probation.member.status == MemberStatus.REMOVED
    committee.assert_fits()
    committee.assert_no_script_from_data()
    committee.shot("recruitment-ended")
