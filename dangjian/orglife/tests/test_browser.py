"""In a real browser: a branch secretary plans a 支委会 on the phone, members sign in by the QR code
(and one without an account is signed in by the recorder), the minutes are saved and the meeting is
recorded held; the community committee sees which branches are behind (phone and desktop)."""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from dangjian.accounts.models import User
from dangjian.conftest import make_user
from dangjian.core.scoping import scope_for
from dangjian.demo.accounts import DEMO_PASSWORD
from dangjian.orglife import selectors
from dangjian.orglife.models import MeetingRecord, Obligation, RecordStatus
from dangjian.orgs.models import OfficerPost, OrgOfficer
from dangjian.people.models import Member

pytestmark = pytest.mark.browser
PASSWORD = "Test-pass-2024"


@pytest.fixture
def district(demo):
    return demo


def _path(url: str) -> str:
    return "/" + url.split("/", 3)[3]


def test_a_secretary_plans_a_committee_meeting_and_members_sign_in_by_qr(new_browser, district):
    officer = OrgOfficer.objects.filter(user__username="dy_member").select_related("org").order_by("org__path").first()
    org = officer.org
    deputy = make_user("zw_deputy", "party_member", home_community=org.area)
    deputy.set_password(PASSWORD)
    deputy.save()
    Member.objects.create(name="组织委员小林", org=org, home_community=org.area, user=deputy)
    OrgOfficer.objects.create(org=org, user=deputy, name="组织委员小林", post=OfficerPost.MEMBER)

    secretary = new_browser("phone")
    page = secretary.sign_in("dy_member", DEMO_PASSWORD)
    page.on("dialog", lambda dialog: dialog.accept())
    secretary.go("/orglife/")
    page.get_by_role("link", name=org.name, exact=True).click()
    page.wait_for_url(f"**/orglife/branch/{org.public_id}/")
    expect(page.locator("[data-testid=calendar]")).to_be_visible()
    secretary.shot("orglife-branch-calendar")
    page.click("[data-testid=plan]")
    page.select_option("#id_kind", "committee")
    page.fill("#id_topic", "研究下季度主题党日安排")
    page.fill("#id_day", timezone.localdate().isoformat())
    page.fill("#id_time", "00:05")
    page.fill("#id_place", "社区党群服务中心二楼")
    secretary.assert_fits()
    secretary.shot("orglife-plan-form")
    page.click("[data-testid=plan-submit]")
    expect(page.locator("[data-testid=record-status]")).to_have_text("已计划")
    record = MeetingRecord.objects.get(topic="研究下季度主题党日安排")
    page.click("[data-testid=run-meeting]")
    page.click("[data-testid=step-open]")
    expect(page.locator("[data-testid=meeting-status]")).to_have_text("进行中")
    scan = page.locator("[data-testid=qr]").get_attribute("data-scan-url")

    for username, password in (("zw_deputy", PASSWORD), ("dy_member", DEMO_PASSWORD)):
        phone = new_browser("phone")
        mpage = phone.sign_in(username, password)
        phone.go(_path(scan))
        mpage.click("[data-testid=attend-sign-in]")
        expect(mpage.locator("[data-testid=signed-in]")).to_be_visible()
    phone.shot("orglife-member-signed-in")

    without = record.meeting.attendees.filter(user__isnull=True, due=True).first()
    page.reload()
    if without is not None:
        page.click(f"[data-testid=sign-in-{without.pk}]")
    page.click("[data-testid=step-close]")
    page.fill("[data-testid=minutes-text]", "一、传达上级精神。\n二、确定下季度主题党日到红色教育基地参观。")
    page.click("[data-testid=minutes-save]")
    # The engine's page keeps unfinalised minutes in their form; the record page below shows them as text.
    expect(page.locator("[data-testid=minutes-text]")).to_have_value(re.compile("红色教育基地"))
    secretary.go(f"/orglife/record/{record.public_id}/")
    page.click("[data-testid=step-hold]")
    expect(page.locator("[data-testid=record-status]")).to_have_text("已召开")
    expect(page.locator("[data-testid=minutes]")).to_contain_text("红色教育基地")
    secretary.assert_fits()
    secretary.assert_no_script_from_data()
    secretary.shot("orglife-record-held")
    record.refresh_from_db()
    assert record.status == RecordStatus.HELD and record.present_count >= 2


def test_the_community_committee_sees_which_branches_are_behind(browser, district):
    page = browser.sign_in("sq_worker", DEMO_PASSWORD)
    browser.go("/orglife/behind/?kind=committee")
    worker = User.objects.get(username="sq_worker")  # the page lists the worker's own community's branches
    late = selectors.behind(worker, today=timezone.localdate(), kind="committee").select_related("org")
    assert late.exists()
    area_path = scope_for(worker).area_path
    assert (
        area_path and not Obligation.objects.filter(pk__in=late).exclude(org__area__path__startswith=area_path).exists()
    )
    expect(page.locator("[data-testid=behind]")).to_contain_text(late.order_by("-period_start").first().org.name)
    browser.assert_fits()
    browser.shot("orglife-branches-behind")
    browser.go("/orglife/figures/?period=this_year")
    expect(page.locator("[data-testid=total-due]")).to_be_visible()
    browser.assert_fits()
    browser.shot("orglife-figures")


def test_the_community_committee_lists_the_periods_not_met_this_year(browser, district):
    """The obligation periods list (the cockpit's 组织生活达标率 links here), by days and met."""
    from dangjian.orglife.filters import filter_q

    worker = User.objects.get(username="sq_worker")
    today = timezone.localdate()
    start = today.replace(month=1, day=1)
    expected = selectors.obligations(worker).filter(filter_q(date_from=start, date_to=today, met="unmet")).count()
    page = browser.sign_in("sq_worker", DEMO_PASSWORD)
    browser.go("/orglife/behind/")
    page.click("[data-testid=to-obligations]")
    page.fill("#id_date_from", start.isoformat())
    page.fill("#id_date_to", today.isoformat())
    page.select_option("[data-testid=obligation-met]", value="unmet")
    page.click("form[role=search] button[type=submit]")
    expect(page.locator("[data-testid=list-total]")).to_contain_text(f"共 {expected} 个周期")
    if expected:
        expect(page.locator("[data-testid=obligations]")).to_contain_text("未开够")
    browser.assert_fits()
    browser.shot("orglife-obligation-periods")
