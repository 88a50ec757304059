"""In a real browser, at phone and desktop widths: the district admin reads the workforce figures and
approves a step-up proposal; a community worker checks in to a training session by its QR code on the phone."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from dangjian.conftest import PASSWORD
from dangjian.demo.accounts import DEMO_PASSWORD
from dangjian.workforce.models import Attendance, Session, StepUpProposal, TrainingYear, Worker
from dangjian.workforce.services import workers

from .conftest import worker_data

pytestmark = pytest.mark.browser


def _path(url: str) -> str:
    return "/" + url.split("/", 3)[3]


def test_the_district_reads_its_figures_and_approves_a_step_up(browser, demo):
    page = browser.sign_in("qu_admin", DEMO_PASSWORD)
    browser.open_nav("workforce")
    page.click("[data-testid=tab-figures]")
    workers = Worker.objects.filter(active=True).count()
    expect(page.locator("[data-testid=total-workers]")).to_have_text(str(workers))
    expect(page.locator("[data-testid=totals]")).to_contain_text("80后占比")
    browser.assert_fits()
    browser.assert_no_script_from_data()
    browser.shot("workforce-figures")

    page.click("[data-testid=tab-runs]")
    proposal = StepUpProposal.objects.filter(status="proposed").order_by("pk").first()
    assert proposal is not None, "the demo leaves proposals to approve"
    page.click(f"a[href*='{proposal.run.public_id}']")
    expect(page.locator("[data-testid=proposals]")).to_contain_text(proposal.worker.name)
    browser.assert_fits()
    browser.shot("workforce-stepup-proposals")
    page.on("dialog", lambda dialog: dialog.accept())  # 批准晋升一级？
    item = page.locator("[data-testid=proposals] > li", has_text=proposal.worker.name).first
    item.locator("[data-testid=approve]").click()
    page.wait_for_load_state("networkidle")
    expect(page.locator(".messages")).to_be_visible()
    proposal.refresh_from_db()
    assert proposal.status == "approved"
    assert proposal.worker.grade_history.first().grade == proposal.to_grade
    browser.assert_fits()
    browser.shot("workforce-stepup-approved")


def test_a_worker_checks_in_to_a_training_by_qr_on_the_phone(browser, new_browser, demo):
    session = Session.objects.get(title="社区工作事项准入与减负")
    Session.objects.filter(pk=session.pk).update(starts_at=timezone.now())
    organizer = new_browser("desktop")
    opage = organizer.sign_in("jd_admin", DEMO_PASSWORD)
    organizer.go(f"/workforce/sessions/{session.public_id}/")
    qr = opage.locator("[data-testid=qr]")
    expect(qr.locator("svg")).to_have_count(1)
    scan_url = qr.get_attribute("data-scan-url")
    organizer.assert_fits()
    organizer.shot("workforce-session-qr")

    page = browser.sign_in("sq_worker", DEMO_PASSWORD)
    browser.go(_path(scan_url))
    expect(page.locator("[data-testid=scan]")).to_contain_text("社区工作事项准入与减负")
    browser.assert_fits()
    browser.shot("workforce-scan")
    page.click("[data-testid=scan-submit]")
    expect(page.locator(".messages")).to_contain_text("签到成功")
    expect(page.locator("[data-testid=scan-done]")).to_be_visible()
    worker = Worker.objects.get(user__username="sq_worker")
    assert Attendance.objects.get(session=session, worker=worker).method == "qr"
    year = TrainingYear.objects.get(worker=worker, year=timezone.localdate().year)
    assert year.sessions >= 1
    browser.assert_fits()
    browser.assert_no_script_from_data()
    browser.shot("workforce-scan-done")

    browser.go("/workforce/mine/")
    expect(page.locator("main")).to_contain_text(f"{year.year} 年：{year.sessions} 场，{year.hours} 学时")
    browser.assert_fits()
    browser.shot("workforce-mine")


def test_a_worker_narrows_the_roster_by_place_and_profile(browser, world):
    """The roster's filters (the cockpit's 80后占比 links here): a place and 80后 from the filter bar."""
    workers.worker_save(actor=None, area=world.c1, data=worker_data(name="李华"))
    workers.worker_save(actor=None, area=world.c1, data=worker_data(name="王芳", birth_date=datetime.date(1975, 2, 1)))
    workers.worker_save(actor=None, area=world.c2, data=worker_data(name="陈静"))
    page = browser.page
    browser.sign_in(world.users.subdistrict_admin.username, PASSWORD)
    browser.go("/workforce/")
    page.select_option("[data-testid=filter-area]", label=world.c1.name)
    page.check("input[name=born_1980]")
    page.click("text=查询")
    page.wait_for_load_state("networkidle")
    expect(page.locator("[data-testid=list-total]")).to_contain_text("符合条件的共 1 人")
    roster = page.inner_text("[data-testid=workers]")
    assert "李华" in roster and "王芳" not in roster and "陈静" not in roster
    browser.assert_fits()
    browser.shot("workforce-roster-filtered")
