"""In a real browser, on the demo district at phone and desktop: the district admin opens 月度报告
from the cockpit, asks for last month's report, watches its row go from queued to done while the
queue generates it (htmx polling), downloads the PDF and the Word file (their figures are the
cockpit's readings), and edits the report template (texts, groups, a faulty Word upload refused)."""

import shutil
from pathlib import Path

import pytest
from huey.contrib.djhuey import HUEY
from playwright.sync_api import expect

from dangjian.cockpit import readings
from dangjian.cockpit.models import MonthlyReport, ReportStatus, ReportTemplate
from dangjian.cockpit.report import context
from dangjian.conftest import SCREENSHOTS
from dangjian.demo.accounts import DEMO_PASSWORD
from dangjian.territory.models import Area

from .report_helpers import docx_bytes, docx_text

pytestmark = pytest.mark.browser


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def test_the_district_admin_generates_downloads_and_edits_the_monthly_report(browser, demo, tmp_path):
    HUEY.flush()
    assert not HUEY.immediate
    page = browser.sign_in("qu_admin", DEMO_PASSWORD)
    browser.open_nav("cockpit")
    page.click("[data-testid=reports-link]")
    page.wait_for_load_state("networkidle")
    expect(page.locator("h1")).to_contain_text("月度报告")
    month = context.last_month()
    expect(page.locator("#id_month")).to_have_value(f"{month:%Y-%m}")
    expect(page.locator("[data-testid=empty]")).to_be_visible()
    browser.assert_fits()
    browser.shot("cockpit-reports-empty")

    page.click("[data-testid=generate]")
    page.wait_for_load_state("networkidle")
    row = page.locator(f"[data-testid=report-row][data-month='{month:%Y-%m}']")
    expect(row.locator("[data-testid=report-status]")).to_have_text("排队中")
    expect(row.locator("[data-testid=report-progress]")).to_be_visible()
    expect(row.locator("[data-testid=download-pdf]")).to_have_count(0)
    browser.assert_fits()
    browser.shot("cockpit-reports-queued")

    # The queue's consumer takes the task (here, in the test); the row polls until it is done.
    task = HUEY.dequeue()
    assert task is not None
    HUEY.execute(task)
    expect(row.locator("[data-testid=report-status]")).to_have_text("已生成", timeout=15_000)
    expect(row.locator("[data-testid=download-pdf]")).to_be_visible()
    expect(row.locator("[data-testid=download-docx]")).to_be_visible()
    expect(row.locator("[data-testid=regenerate]")).to_be_visible()
    browser.assert_fits()
    browser.shot("cockpit-reports-done")

    report = MonthlyReport.objects.get(month=month)
    assert report.status == ReportStatus.DONE
    with page.expect_download() as pdf_download:
        row.locator("[data-testid=download-pdf]").click()
    pdf_path = tmp_path / "report.pdf"
    pdf_download.value.save_as(pdf_path)
    assert pdf_path.read_bytes().startswith(b"%PDF")
    with page.expect_download() as docx_download:
        row.locator("[data-testid=download-docx]").click()
    assert docx_download.value.suggested_filename.endswith(f"{month:%Y年%m月}月度报告.docx")
    docx_path = tmp_path / "report.docx"
    docx_download.value.save_as(docx_path)
    # Kept beside the screenshots for a person to open.
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    shutil.copy(pdf_path, SCREENSHOTS / f"cockpit-report-{browser.width_name}.pdf")
    shutil.copy(docx_path, SCREENSHOTS / f"cockpit-report-{browser.width_name}.docx")
    district = Area.objects.get(level="district")
    on, compare_on = context.reading_day(month), context.month_last(context.add_months(month, -1))
    tiles = readings.read_group("governance", district, on, compare_on, readings.target_values(district, on)).tiles
    _paragraphs, cells, pictures = docx_text(Path(docx_path).read_bytes())
    by_label = {r[0]: r for r in cells}
    for tile in tiles:
        assert by_label[str(tile.figure.label)][1:3] == [f"{tile.display} {tile.figure.unit}", tile.change_display]
    built = context.build(district, month, ReportTemplate(district=district))
    assert pictures == len(built.charts()) >= 1

    # The template: a title, two groups, a faulty Word file refused with its reason.
    page.click("[data-testid=template-link]")
    page.wait_for_load_state("networkidle")
    page.fill("#id_title", "香洲区党建引领基层治理月报")
    page.uncheck("#id_include_members")
    page.uncheck("#id_include_support")
    page.click("[data-testid=save-template]")
    page.wait_for_load_state("networkidle")
    expect(page.locator(".messages")).to_contain_text("报告模板已保存")
    template = ReportTemplate.objects.get(district=district)
    assert template.title == "香洲区党建引领基层治理月报"
    assert template.groups == ["organization", "service", "governance"]
    bad = tmp_path / "坏模板.docx"
    bad.write_bytes(docx_bytes("{{ title }}", "{% for g in groups %}{{ g.label }}"))
    page.set_input_files("#id_file", str(bad))
    page.click("[data-testid=upload]")
    page.wait_for_load_state("networkidle")
    expect(page.locator("[data-testid=upload-error]")).to_contain_text("模板标签写法有误")
    expect(page.locator("[data-testid=docx-current]")).to_contain_text("当前使用默认模板")
    browser.assert_fits()
    browser.shot("cockpit-report-template")
