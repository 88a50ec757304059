"""In a real browser, at phone and desktop widths: a resident proposes a topic on the phone; the
secretary runs a meeting with sign-in (QR and on the roster) and a vote; a 四议两公开 run reaches
结果公开; a resident reads the board without signing in."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from dangjian.accounts.models import User
from dangjian.deliberation import rules
from dangjian.deliberation.models import Run, RunStatus, Topic
from dangjian.deliberation.services import runs
from dangjian.deliberation.workflow import RunStep
from dangjian.demo.accounts import DEMO_PASSWORD
from dangjian.meetings import services as meetings
from dangjian.territory.models import Area

from .conftest import hold
from .test_demo import with_deliberation

pytestmark = pytest.mark.browser


def _path(url: str) -> str:
    return "/" + url.split("/", 3)[3]


def _run(title: str) -> Run:
    home = Area.objects.get(name="婆石社区")
    kind = rules.matter_kinds(home)[0]
    return runs.run_start(
        actor=None, community=home, title=title, matters=[{"kind": kind, "title": title, "amount": "52000"}]
    )


def test_a_resident_proposes_a_topic_on_the_phone(browser, demo):
    with_deliberation()
    page = browser.sign_in("jm_resident", DEMO_PASSWORD)
    browser.go("/deliberation/topics/")
    page.click("[data-testid=topic-new]")
    page.fill("#title", "小区南门人行道破损")
    page.fill("#body", "南门外人行道砖块松动，老人容易绊倒。")
    page.click("[data-testid=topic-submit]")
    expect(page.locator("[data-testid=topic-status]")).to_have_text("待筛选")
    assert Topic.objects.get(title="小区南门人行道破损").submitted_by.username == "jm_resident"
    browser.assert_fits()
    browser.shot("deliberation-topic-proposed")


def test_the_secretary_runs_a_meeting_with_sign_in_and_a_vote(new_browser, demo):
    with_deliberation()
    member = User.objects.get(username="dy_member")
    run = _run("社区文化室改造")
    meeting = runs.stage_meeting_call(
        actor=None, run=run, starts_at=timezone.now() + datetime.timedelta(hours=1),
        roster=[{"user": member, "name": member.full_name}, {"name": "陈伯"}, {"name": "林姨"}],
    )  # fmt: skip
    meetings.meeting_step(actor=None, meeting=meeting, step="notify")
    worker = new_browser("phone")
    page = worker.sign_in("sq_worker", DEMO_PASSWORD)
    worker.go(f"/meetings/{meeting.public_id}/")
    page.click("[data-testid=step-open]")
    expect(page.locator("[data-testid=meeting-status]")).to_have_text("进行中")
    scan = page.locator("[data-testid=qr]").get_attribute("data-scan-url")
    chen = meeting.attendees.get(name="陈伯")
    page.click(f"[data-testid=sign-in-{chen.pk}]")
    expect(page.locator("[data-testid=quorum]")).to_contain_text("实到 1 人")
    worker.assert_fits()
    worker.shot("meetings-secretary-open")

    phone = new_browser("phone")
    mpage = phone.sign_in("dy_member", DEMO_PASSWORD)
    phone.go(_path(scan))
    mpage.click("[data-testid=attend-sign-in]")
    expect(mpage.locator("[data-testid=signed-in]")).to_be_visible()
    item = meeting.items.get()
    mpage.click(f"[data-testid=vote-for-{item.pk}]")
    expect(mpage.locator(f"[data-testid=my-vote-{item.pk}]")).to_be_visible()
    phone.assert_fits()
    phone.shot("meetings-attendee-voted")

    worker.go(f"/meetings/{meeting.public_id}/")
    expect(page.locator("[data-testid=quorum]")).to_contain_text("已达到法定人数")
    expect(page.locator(f"[data-testid=result-{item.pk}]")).to_contain_text("同意 1")
    page.click("[data-testid=step-close]")
    expect(page.locator("[data-testid=meeting-status]")).to_have_text("已散会")
    page.fill("[data-testid=minutes-text]", "会议同意社区文化室改造方案。")
    page.click("[data-testid=minutes-save]")
    worker.assert_fits()
    worker.shot("meetings-secretary-closed")
    # 2 of 3 due came (more than half) and 1 of 3 due voted for: not more than half of those due.
    with pytest.raises(Exception, match="表决未通过"):
        runs.run_step(actor=None, run=run, step=RunStep.PASS_PROPOSE)


def test_a_run_reaches_the_result_disclosure(browser, demo):
    with_deliberation()
    run = _run("社区健身路径更新")
    for step in (RunStep.PASS_PROPOSE, RunStep.PASS_CONSULT, RunStep.PASS_REVIEW, RunStep.PASS_RESOLVE):
        hold(run, present=3)
        run = runs.run_step(actor=None, run=run, step=step)
    page = browser.sign_in("sq_worker", DEMO_PASSWORD)
    browser.go(f"/deliberation/runs/{run.public_id}/")
    page.fill("[data-testid=text-publish_resolution]", "同意更新健身路径器材 12 件，预算 5.2 万元。")
    page.click("[data-testid=run-step-publish_resolution]")
    expect(page.locator("[data-testid=run-status]")).to_have_text("实施中")
    page.fill("[data-testid=text-publish_result]", "器材已安装完毕并通过验收。")
    page.click("[data-testid=run-step-publish_result]")
    expect(page.locator("[data-testid=run-status]")).to_have_text("实施结果已公开")
    page.click("[data-testid=run-step-close]")
    expect(page.locator("[data-testid=run-status]")).to_have_text("已办结")
    assert Run.objects.get(pk=run.pk).status == RunStatus.CLOSED
    pdf = page.request.get(browser.base_url + f"/deliberation/runs/{run.public_id}/record.pdf")
    assert pdf.ok and pdf.body().startswith(b"%PDF")
    browser.assert_fits()
    browser.shot("deliberation-run-closed")


def test_a_resident_reads_the_board_without_signing_in(browser, demo):
    with_deliberation()
    home = Area.objects.get(name="婆石社区")
    page = browser.go(f"/deliberation/board/{home.code}/")
    items = page.locator("[data-testid=board-item]")
    expect(items).to_have_count(2)  # the demo's closed run in 婆石社区: its resolution and its result
    assert "中珠新村老旧电梯加装与改造" in items.first.inner_text()
    assert "登录后可以提问" in page.content()
    browser.assert_fits()
    browser.shot("deliberation-board-public")


def test_the_worker_reads_the_councils_and_the_figures(browser, demo):
    with_deliberation()
    page = browser.sign_in("qu_admin", DEMO_PASSWORD)
    browser.open_nav("deliberation")
    expect(page.locator("[data-testid=below-target]")).to_have_count(1)
    browser.assert_fits()
    browser.shot("deliberation-councils")
    page.click("[data-testid=tab-figures]")
    expect(page.locator("[data-testid=totals]")).to_be_visible()
    today = timezone.localdate()
    browser.go(f"/deliberation/figures/?period=custom&from={today - datetime.timedelta(days=365)}&to={today}")
    expect(page.locator("[data-testid=total-runs]")).to_contain_text("3 次")
    subdistricts = Area.objects.filter(level="subdistrict").count()
    expect(page.locator("[data-testid=children] tbody tr")).to_have_count(subdistricts)
    browser.assert_fits()
    browser.shot("deliberation-figures")


def test_a_resolution_becomes_a_case_that_names_it(browser, demo):
    with_deliberation()
    run = _run("社区停车棚加装充电桩")
    for step in (RunStep.PASS_PROPOSE, RunStep.PASS_CONSULT, RunStep.PASS_REVIEW, RunStep.PASS_RESOLVE):
        hold(run, present=3)
        run = runs.run_step(actor=None, run=run, step=step)
    matter = run.matters.get()
    page = browser.sign_in("sq_worker", DEMO_PASSWORD)
    browser.go(f"/deliberation/runs/{run.public_id}/")
    page.click(f"[data-testid=link-case-{matter.pk}]")
    page.select_option("[data-testid=link-category]", index=1)
    browser.assert_fits()
    browser.shot("deliberation-link-confirm")
    page.click("[data-testid=link-confirm]")
    expect(page.locator("[data-testid=resolution-origin]")).to_contain_text("来自议事决议：社区停车棚加装充电桩")
    browser.assert_fits()
    browser.shot("deliberation-link-case")
    page.click("[data-testid=resolution-origin] a")
    expect(page.locator("[data-testid=run-links]")).to_contain_text("查看事件")


def test_the_district_filters_the_runs_their_matters_and_the_representatives(browser, demo):
    with_deliberation()
    home = Area.objects.get(name="婆石社区")
    page = browser.sign_in("qu_admin", DEMO_PASSWORD)
    browser.go("/deliberation/runs/")
    page.select_option("#id_view", "matters")
    page.click("[data-testid=more-filters] summary")
    page.select_option("#id_area", str(home.public_id))
    page.fill("#id_date_from", timezone.localdate().replace(month=1, day=1).isoformat())
    page.check("#id_unwithdrawn")
    page.click("[data-testid=run-filters] button[type=submit]")
    expect(page.locator("[data-testid=list-total]")).to_contain_text("万元")
    expect(page.locator("[data-testid=run-matters] li").first).to_be_visible()
    browser.assert_fits()
    browser.shot("deliberation-run-matters-filtered")
    browser.go("/deliberation/representatives/")
    page.select_option("#id_party", "yes")
    page.click("[data-testid=representative-filters] button[type=submit]")
    expect(page.locator("[data-testid=list-total]")).to_contain_text("在任议事代表")
    expect(page.locator("[data-testid=representatives] .badge-red").first).to_be_visible()
    browser.assert_fits()
    browser.shot("deliberation-representatives-party")
