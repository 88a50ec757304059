"""The monthly report's services: a month generated in the queue into a PDF and a Word file whose
figures are the cockpit's readings at the month's end, regenerating replaces the month's files, the
district's template (texts, groups, its own Word template checked before it is kept), the first of
the month's run and the sweep."""

from __future__ import annotations

import datetime
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from huey.contrib.djhuey import HUEY

from dangjian.audit.models import AuditEvent
from dangjian.cases.intake.services import case_submit
from dangjian.cases.models import CaseCategory, Channel
from dangjian.cockpit import readings
from dangjian.cockpit import services as cockpit_services
from dangjian.cockpit.catalogue import GROUPS, figures_of
from dangjian.cockpit.models import MonthlyReport, ReportStatus, ReportTemplate
from dangjian.cockpit.report import context, render, services, tasks
from dangjian.conftest import make_user
from dangjian.territory import services as territory_services

from .report_helpers import docx_bytes, docx_text, pdf_layout_text, pdf_page_count

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def queue_at_once(django_capture_on_commit_callbacks):
    """report_request, its commit's queued task run at once (huey immediate mode)."""
    was = HUEY.immediate
    HUEY.immediate = True

    def run(**kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            report, queued = services.report_request(**kwargs)
        report.refresh_from_db()
        return report, queued

    yield run
    HUEY.immediate = was


def _cases(world, n):
    for i in range(n):
        case_submit(
            actor=world.users.resident,
            channel=Channel.PHONE,
            category=CaseCategory.objects.get(code="garbage"),
            description=f"垃圾未清运 {i}",
            grid=world.g1a if i % 2 else world.g3,
        )


def test_a_month_is_generated_in_the_queue_with_the_cockpits_figures(world, queue_at_once, media):
    _cases(world, 3)
    cockpit_services.targets_set(
        actor=world.users.district_admin, district=world.district, values={"cases_received": Decimal("10")}
    )
    month = readings.today().replace(day=1)
    report, queued = queue_at_once(actor=world.users.district_admin, district=world.district, month=month)
    assert queued
    assert report.status == ReportStatus.DONE, report.error
    assert report.progress == 100 and report.generated_by == world.users.district_admin
    pdf_path, docx_path = Path(report.pdf.path), Path(report.docx.path)
    assert pdf_path.parent == media / "cockpit" / "reports" / "440402" / month.strftime("%Y-%m")
    assert pdf_path.read_bytes().startswith(b"%PDF") and docx_path.stat().st_size > 0

    # The figures in both files are the cockpit's readings of the district at the month's reading day.
    on = context.reading_day(month)
    compare_on = context.month_last(context.add_months(month, -1))
    targets = readings.target_values(world.district, on)
    expected = {}
    for g in GROUPS:
        for tile in readings.read_group(g.key, world.district, on, compare_on, targets).tiles:
            expected[tile.figure.key] = tile
    assert expected["cases_received"].value == 3 and expected["cases_received"].change == 3

    ctx = context.build(world.district, month, services.template_for(world.district))
    text, pages = pdf_layout_text(render.pdf_html(ctx, generated_at=report.generated_at))
    assert pdf_page_count(pdf_path.read_bytes()) == pages >= 2
    flat = text.replace("\n", "")
    for g in GROUPS:
        assert str(g.label) in flat
    for key, tile in expected.items():
        assert str(tile.figure.label) in flat, key
    rows = {r.key: r for g in ctx.groups for r in g.rows}
    assert rows["cases_received"].value == "3" and rows["cases_received"].change == "+3"
    assert rows["cases_received"].target == "10"
    assert "本月变化" in flat and "受理诉求" in flat

    paragraphs, cells, pictures = docx_text(docx_path.read_bytes())
    assert paragraphs[0] == "城市基层党建工作月度报告"
    assert any(f"香洲区 · {month.year} 年 {month.month} 月" == p for p in paragraphs)
    by_label = {row[0]: row for row in cells}
    for tile in expected.values():
        row = by_label[str(tile.figure.label)]
        unit = f" {tile.figure.unit}"
        assert row[1] == tile.display + unit and row[2] == tile.change_display, row
    assert by_label["受理诉求"][3] == "10"
    # The charts that have something to show (a figure per subdistrict, the trends): cases in both.
    assert pictures == len(ctx.charts()) >= 2
    governance = next(g for g in ctx.groups if g.key == "governance")
    assert governance.bar is not None and governance.trend is not None
    assert any(p.startswith("受理诉求：3") for p in paragraphs)  # 本月变化
    assert AuditEvent.objects.filter(object_type="cockpit.monthlyreport", object_id=str(report.public_id)).count() == 2


def test_regenerating_a_month_replaces_its_files_and_keeps_one_row(world, queue_at_once, media):
    month = context.last_month()
    first, _ = queue_at_once(actor=world.users.district_admin, district=world.district, month=month)
    old_pdf, old_docx = Path(first.pdf.path), Path(first.docx.path)
    _cases(world, 2)
    again, queued = queue_at_once(actor=world.users.district_admin, district=world.district, month=month)
    assert queued and again.pk == first.pk and again.status == ReportStatus.DONE
    assert MonthlyReport.objects.count() == 1
    folder = Path(again.pdf.path).parent
    assert sorted(p.suffix for p in folder.iterdir()) == [".docx", ".pdf"]
    assert not (old_pdf.exists() and old_pdf != Path(again.pdf.path))
    assert not (old_docx.exists() and old_docx != Path(again.docx.path))


def test_a_report_being_generated_is_not_queued_twice_and_the_future_is_refused(world):
    month = context.last_month()
    report, queued = services.report_request(actor=None, district=world.district, month=month)
    assert queued and report.status == ReportStatus.QUEUED and report.step == "排队等待生成"
    again, queued = services.report_request(
        actor=None, district=world.district, month=month + datetime.timedelta(days=3)
    )
    assert not queued and again.pk == report.pk
    with pytest.raises(ValidationError):
        services.report_request(actor=None, district=world.district, month=context.add_months(readings.today(), 1))


def test_the_districts_template_frames_the_report(world, queue_at_once):
    services.template_save(
        actor=world.users.district_admin,
        district=world.district,
        title="香洲区党建引领基层治理月报",
        opening="本月全区深化党建引领。",
        closing="下月重点：接诉即办。",
        groups=["governance", "organization"],
    )
    with pytest.raises(ValidationError):
        services.template_save(
            actor=None, district=world.district, title="x", opening="", closing="", groups=["nothing"]
        )
    ctx = context.build(world.district, context.last_month(), services.template_for(world.district), draw=False)
    assert [g.key for g in ctx.groups] == ["governance", "organization"]
    assert [r.key for r in ctx.groups[0].rows] == [f.key for f in figures_of("governance")]
    report, _ = queue_at_once(actor=None, district=world.district, month=context.last_month())
    paragraphs, _cells, _pictures = docx_text(Path(report.docx.path).read_bytes())
    assert paragraphs[0] == "香洲区党建引领基层治理月报"
    assert "本月全区深化党建引领。" in paragraphs and "下月重点：接诉即办。" in paragraphs
    assert "1. 治理" in paragraphs and "2. 组织体系" in paragraphs and "3. 党员作用" not in paragraphs
    text, _pages = pdf_layout_text(render.pdf_html(ctx))
    assert "香洲区党建引领基层治理月报" in text and "党员作用" not in text


def test_an_uploaded_word_template_is_checked_and_its_error_told_in_chinese(world, queue_at_once):
    admin = world.users.district_admin
    cases = {
        "标签没写完": (docx_bytes("{{ title }}", "本月 {{ month", "结尾"), "模板标签写法有误"),
        "循环没结束": (docx_bytes("{% for g in groups %}", "{{ g.label }}"), "模板标签写法有误"),
        "越权": (docx_bytes("{{ title.__class__.__mro__ }}"), "不允许"),
        "不是 Word": (b"just some text", "不是 Word"),
    }
    for name, (data, told) in cases.items():
        with pytest.raises(ValidationError) as caught:
            services.template_upload(actor=admin, district=world.district, name=f"{name}.docx", data=data)
        message = " ".join(caught.value.messages)
        assert told in message, (name, message)
        assert not ReportTemplate.objects.filter(district=world.district).exists()
    # Where: the words around the error.
    with pytest.raises(ValidationError) as caught:
        services.template_upload(
            actor=admin, district=world.district, name="x.docx", data=docx_bytes("标题 {{ title", "正文")
        )
    assert "出错位置附近的文字" in caught.value.messages[0] and "标题" in caught.value.messages[0]

    good = docx_bytes("{{ district }}{{ month }}工作简报", "{%p for g in groups %}", "{{ g.label }}", "{%p endfor %}")
    services.template_upload(actor=admin, district=world.district, name="简报.docx", data=good)
    assert ReportTemplate.objects.get(district=world.district).docx_name == "简报.docx"
    report, _ = queue_at_once(actor=admin, district=world.district, month=context.last_month())
    paragraphs, _cells, _pictures = docx_text(Path(report.docx.path).read_bytes())
    month = context.last_month()
    assert paragraphs[0] == f"香洲区{month.year} 年 {month.month} 月工作简报"
    assert paragraphs[1:] == [str(g.label) for g in GROUPS]
    services.template_docx_clear(actor=admin, district=world.district)
    assert not ReportTemplate.objects.get(district=world.district).docx


def test_the_shipped_default_template_renders_the_sample():
    render.validate_template(render.DEFAULT_DOCX.read_bytes())
    data = render.docx_bytes(render.sample_context())
    paragraphs, cells, pictures = docx_text(data)
    assert paragraphs[0] == "月度报告" and ["驻区单位", "12 个", "+2", "10"] in cells and pictures == 1


def test_a_template_that_fails_at_generation_fails_the_report_with_its_reason(world, queue_at_once):
    # An older upload kept before the check existed: the report fails, the reason is kept in Chinese.
    ReportTemplate.objects.create(district=world.district, docx=docx_bytes("{{ title"), docx_name="旧.docx")
    report, _ = queue_at_once(actor=None, district=world.district, month=context.last_month())
    assert report.status == ReportStatus.FAILED and "模板标签写法有误" in report.error
    assert not report.pdf and not report.docx


@pytest.mark.django_db(transaction=True)  # the consumer closes its connection after each task
def test_the_first_of_the_month_queues_last_months_report_of_each_district_once(world, media):
    HUEY.flush()
    assert not HUEY.immediate
    other = territory_services.area_create(actor=None, level="district", name="金湾区", parent=None, code="440404")
    make_user("jw_admin", "district_admin", area=other)
    first = readings.today().replace(day=1)
    assert services.monthly_queue(first) == 2 and HUEY.pending_count() == 2
    assert services.monthly_queue(first) == 0
    month = context.last_month(first)
    assert set(MonthlyReport.objects.values_list("district__name", "month", "status")) == {
        ("香洲区", month, ReportStatus.QUEUED),
        ("金湾区", month, ReportStatus.QUEUED),
    }
    while (task := HUEY.dequeue()) is not None:
        HUEY.execute(task)
    assert set(MonthlyReport.objects.values_list("status", "progress")) == {(ReportStatus.DONE, 100)}
    # The sweep queues again a report a killed worker left behind an hour ago.
    stale = MonthlyReport.objects.get(district=other)
    MonthlyReport.objects.filter(pk=stale.pk).update(
        status=ReportStatus.RUNNING, requested_at=stale.requested_at - datetime.timedelta(hours=2)
    )
    assert tasks.reports_sweep.call_local() == 1
    HUEY.execute(HUEY.dequeue())
    stale.refresh_from_db()
    assert stale.status == ReportStatus.DONE
