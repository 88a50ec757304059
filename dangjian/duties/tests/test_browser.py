"""In a real browser: a department's task to communities is refused for lack of admission; the department
submits an admission request; the district admits it; the task cites it and is sent; a community worker
replies on the phone; the sender sees 1/N replied. Also the district reads a list's versions and diff."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from dangjian.demo.accounts import DEMO_PASSWORD
from dangjian.duties.models import AdmissionRequest, DownTask, DutyList, SendRefusal

pytestmark = pytest.mark.browser

TITLE = "背街小巷门店消防隐患排查"


def test_a_task_is_refused_then_admitted_sent_and_replied_on_the_phone(browser, new_browser, demo):
    dept = new_browser("desktop")
    page = dept.sign_in("bm_staff", DEMO_PASSWORD)
    page.on("dialog", lambda dialog: dialog.accept())
    dept.open_nav("duties")
    page.click("[data-testid=tab-tasks]")
    page.click("[data-testid=task-new]")
    page.fill("#id_title", TITLE)
    page.fill("#id_body", "请逐户排查背街小巷沿街门店的消防隐患并填报。")
    page.fill("#id_deadline", (timezone.localdate() + datetime.timedelta(days=5)).isoformat())
    communities = page.locator("[data-testid=communities] label")
    page.locator("[data-testid=communities] label", has_text="婆石社区").click()
    page.locator("[data-testid=communities] label", has_text="茂盛社区").click()
    page.fill("#id_label_1", "排查门店（家）")
    page.select_option("#id_kind_1", "number")
    page.fill("#id_label_2", "发现隐患")
    page.select_option("#id_kind_2", "choice")
    page.fill("#id_choices_2", "有、无")
    assert communities.count() >= 2
    dept.assert_fits()
    dept.shot("duties-task-new")
    page.click("[data-testid=task-save]")
    task = DownTask.objects.get(title=TITLE)
    expect(page.locator("[data-testid=step-send]")).to_have_text("下派")
    page.click("[data-testid=step-send]")
    expect(page.locator(".messages")).to_contain_text("该事项未列入社区工作事项清单，也未经准入审批，不得下派到社区。")
    expect(page.locator("[data-testid=refusal]")).to_contain_text("下派被拒绝")
    assert SendRefusal.objects.filter(task=task).count() == 1
    dept.assert_fits()
    dept.shot("duties-task-refused")

    page.click("[data-testid=go-admission]")
    page.fill("#id_title", TITLE)
    page.fill("#id_reason", "汛期前需摸清沿街门店消防隐患，请社区协助逐户排查。")
    page.fill("#id_money", "30000")
    page.fill("#id_people", "2")
    page.fill("#id_powers", "隐患转办：社区发现的隐患由城管执法中队限时处置")
    page.click("[data-testid=admission-submit]")
    expect(page.locator("[data-testid=status]")).to_contain_text("待审批")
    req = AdmissionRequest.objects.get(title=TITLE)

    district = new_browser("desktop")
    dpage = district.sign_in("qu_admin", DEMO_PASSWORD)
    district.go(f"/duties/admission/{req.public_id}/")
    form = dpage.locator("[data-testid=decide-admit]")
    form.locator("[name=admit-decision_basis]").fill("区街道社区减负联席会议第5次会议纪要")
    district.assert_fits()
    district.shot("duties-admission-decide")
    expect(form.locator("[data-testid=step-admit]")).to_have_text("准予准入")
    form.locator("[data-testid=step-admit]").click()
    expect(dpage.locator("[data-testid=status]")).to_contain_text("准予准入")
    expect(dpage.locator("[data-testid=decision]")).to_contain_text("联席会议")

    dept.go(f"/duties/tasks/{task.public_id}/")
    page.select_option("#id_admission", str(req.public_id))
    page.click("[data-testid=cite-save]")
    page.click("[data-testid=step-send]")
    expect(page.locator("[data-testid=status]")).to_contain_text("已下派")
    expect(page.locator("[data-testid=progress]")).to_have_text("0/2")

    phone = browser
    wpage = phone.sign_in("sq_worker", DEMO_PASSWORD)
    phone.open_nav("duties_inbox")
    wpage.locator("[data-testid=inbox] a", has_text=TITLE).click()
    wpage.fill("[data-testid=reply-form] input[inputmode=decimal]", "三十")
    wpage.select_option("[data-testid=reply-form] select", "有")
    wpage.click("[data-testid=reply-submit]")
    expect(wpage.locator(".errorlist")).to_contain_text("须填写数字")
    wpage.fill("[data-testid=reply-form] input[inputmode=decimal]", "36")
    phone.assert_fits()
    phone.assert_no_script_from_data()
    phone.shot("duties-reply")
    wpage.click("[data-testid=reply-submit]")
    expect(wpage.locator("[data-testid=status]")).to_contain_text("已填报")
    phone.assert_fits()
    phone.shot("duties-replied")

    page.reload()
    expect(page.locator("[data-testid=progress]")).to_have_text("1/2")
    expect(page.locator("[data-testid=replies]")).to_contain_text("36")
    dept.assert_fits()
    dept.shot("duties-task-progress")


def test_the_district_reads_the_versions_and_the_diff(browser, demo):
    page = browser.sign_in("qu_admin", DEMO_PASSWORD)
    browser.open_nav("duties")
    expect(page.locator("[data-testid=figures]")).to_contain_text("准入申请")
    browser.assert_fits()
    browser.shot("duties-home")
    community = DutyList.objects.get(kind="community_work")
    page.locator("[data-testid=lists] a", has_text=community.name).click()
    expect(page.locator("[data-testid=count-1]")).to_contain_text("96")
    expect(page.locator("[data-testid=count-2]")).to_contain_text("48")
    expect(page.locator("[data-testid=diff-summary]")).to_have_text("新增 2 项，取消 50 项，调整 0 项")
    browser.assert_fits()
    browser.shot("duties-list-diff")
