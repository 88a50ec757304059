"""The monthly report's pages: the district's admins only (every other role, and another district's
admin, 404 on every view), the list's query bound, asking for a month, the progress fragment that
polls while the report is generated, the downloads, and the template page with its upload check."""

from __future__ import annotations

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from huey.contrib.djhuey import HUEY

from dangjian.cockpit.models import MonthlyReport, ReportStatus, ReportTemplate
from dangjian.cockpit.report import context, render
from dangjian.conftest import make_user
from dangjian.territory import services as territory_services

from .report_helpers import docx_text, docx_upload

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def other(world):
    district = territory_services.area_create(actor=None, level="district", name="金湾区", parent=None, code="440404")
    return make_user("jw_admin", "district_admin", area=district)


@pytest.fixture
def generated(world, django_capture_on_commit_callbacks):
    """Last month's report of the world's district, generated (huey immediate mode)."""
    from dangjian.cockpit.report import services

    was = HUEY.immediate
    HUEY.immediate = True
    try:
        with django_capture_on_commit_callbacks(execute=True):
            report, _ = services.report_request(
                actor=world.users.district_admin, district=world.district, month=context.last_month()
            )
    finally:
        HUEY.immediate = was
    report.refresh_from_db()
    assert report.status == ReportStatus.DONE
    return report


def _urls(report):
    return {
        "list": ("get", reverse("cockpit:reports")),
        "progress": ("get", reverse("cockpit:report_progress", args=[report.public_id])),
        "pdf": ("get", reverse("cockpit:report_download", args=[report.public_id, "pdf"])),
        "docx": ("get", reverse("cockpit:report_download", args=[report.public_id, "docx"])),
        "template": ("get", reverse("cockpit:report_template")),
        "template_docx": ("get", reverse("cockpit:report_template_docx")),
    }


def test_only_the_districts_admins_reach_its_reports(world, generated, other, client):
    u = world.users
    urls = _urls(generated)
    client.force_login(u.district_admin)
    for name, (method, url) in urls.items():
        assert getattr(client, method)(url).status_code == 200, name
    # Every other role: 404 on every page, the writes included.
    posts = [
        reverse("cockpit:report_generate"),
        reverse("cockpit:report_template_upload"),
        reverse("cockpit:report_template_reset"),
    ]
    for user in (u.subdistrict_admin, u.community_worker, u.grid_worker, u.member, u.resident, u.department_staff):
        client.force_login(user)
        for name, (method, url) in urls.items():
            assert getattr(client, method)(url).status_code == 404, (user.username, name)
        for url in posts:
            assert client.post(url, {"month": "2026-01"}).status_code == 404, (user.username, url)
        assert client.post(reverse("cockpit:report_template"), {"title": "x"}).status_code == 404
    # Another district's admin: this district's report is not there; its own list does not show it.
    client.force_login(other)
    for name in ("progress", "pdf", "docx"):
        assert client.get(urls[name][1]).status_code == 404, name
    page = client.get(reverse("cockpit:reports")).content.decode()
    assert "金湾区" in page and str(generated.public_id) not in page
    client.force_login(u.district_admin)
    assert client.get(reverse("cockpit:report_download", args=[generated.public_id, "xlsx"])).status_code == 404


def test_the_list_costs_the_same_queries_whatever_the_months(world, generated, client, django_assert_max_num_queries):
    client.force_login(world.users.district_admin)
    url = reverse("cockpit:reports")
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as one:
        assert client.get(url).status_code == 200
    for months_back in range(2, 8):
        MonthlyReport.objects.create(
            district=world.district,
            month=context.add_months(context.last_month(), -months_back),
            status=ReportStatus.RUNNING,
            progress=40,
            step="已读取 服务",
        )
    with django_assert_max_num_queries(len(one.captured_queries)):
        page = client.get(url).content.decode()
    assert page.count('data-testid="report-row"') == 7
    assert len(one.captured_queries) <= 12


@pytest.mark.django_db(transaction=True)  # the consumer closes its connection after each task
def test_asking_for_a_month_queues_it_and_the_row_polls_until_done(world, client):
    HUEY.flush()
    client.force_login(world.users.district_admin)
    page = client.get(reverse("cockpit:reports")).content.decode()
    assert f'value="{context.last_month():%Y-%m}"' in page and "还没有月度报告" in page
    response = client.post(reverse("cockpit:report_generate"), {"month": f"{context.last_month():%Y-%m}"})
    assert response.status_code == 302 and HUEY.pending_count() == 1
    report = MonthlyReport.objects.get()
    assert report.status == ReportStatus.QUEUED and report.requested_by == world.users.district_admin
    fragment = client.get(reverse("cockpit:report_progress", args=[report.public_id])).content.decode()
    assert 'hx-trigger="every 2s"' in fragment and "<progress" in fragment and "排队中" in fragment
    assert "download-pdf" not in fragment
    # The queue runs it (the consumer's step, here in the test).
    HUEY.execute(HUEY.dequeue())
    fragment = client.get(reverse("cockpit:report_progress", args=[report.public_id])).content.decode()
    assert "hx-trigger" not in fragment and "已生成" in fragment
    assert "download-pdf" in fragment and "download-docx" in fragment and "data-confirm" in fragment
    pdf = client.get(reverse("cockpit:report_download", args=[report.public_id, "pdf"]))
    assert pdf["Content-Type"] == "application/pdf" and b"".join(pdf.streaming_content).startswith(b"%PDF")
    docx = client.get(reverse("cockpit:report_download", args=[report.public_id, "docx"]))
    paragraphs, _cells, _pictures = docx_text(b"".join(docx.streaming_content))
    assert paragraphs[0] == "城市基层党建工作月度报告"
    # A month in the future is refused with a message, nothing queued.
    future = context.add_months(datetime.date.today(), 2)
    response = client.post(reverse("cockpit:report_generate"), {"month": f"{future:%Y-%m}"}, follow=True)
    assert "不能生成未来月份的报告" in response.content.decode() and MonthlyReport.objects.count() == 1


def test_the_cockpit_links_its_reports_for_the_district_admin_only(world, client):
    client.force_login(world.users.district_admin)
    assert 'data-testid="reports-link"' in client.get(reverse("cockpit:home")).content.decode()
    client.force_login(world.users.subdistrict_admin)
    assert 'data-testid="reports-link"' not in client.get(reverse("cockpit:home")).content.decode()


def test_the_template_page_saves_texts_groups_and_checks_an_upload(world, client):
    client.force_login(world.users.district_admin)
    url = reverse("cockpit:report_template")
    page = client.get(url).content.decode()
    assert "城市基层党建工作月度报告" in page and "当前使用默认模板" in page
    default = client.get(reverse("cockpit:report_template_docx"))
    assert default.content == render.DEFAULT_DOCX.read_bytes()
    data = {"title": "月报", "opening": "开头", "closing": "", "include_service": "on", "order_service": 1}
    data.update({f"order_{k}": 2 for k in ("organization", "members", "governance", "support")})
    data.update({"include_governance": "on", "order_governance": 1, "order_service": 2})
    response = client.post(url, data)
    assert response.status_code == 302
    template = ReportTemplate.objects.get()
    assert (template.title, template.opening, template.groups) == ("月报", "开头", ["governance", "service"])
    none = {k: v for k, v in data.items() if not k.startswith("include_")}
    page = client.post(url, none).content.decode()
    assert "请至少选择一个指标组" in page

    upload = reverse("cockpit:report_template_upload")
    response = client.post(upload, {"file": docx_upload("{{ title }}", "{% if month %}")})
    assert response.status_code == 400
    page = response.content.decode()
    assert "模板标签写法有误" in page and 'data-testid="upload-error"' in page
    assert not ReportTemplate.objects.get().docx
    response = client.post(upload, {"file": SimpleUploadedFile("a.xlsx", b"x")})
    assert "请上传 .docx" in response.content.decode()
    assert client.post(upload, {"file": docx_upload("{{ title }}", name="区模板.docx")}).status_code == 302
    assert ReportTemplate.objects.get().docx_name == "区模板.docx"
    assert "区模板.docx" in client.get(url).content.decode()
    mine = client.get(reverse("cockpit:report_template_docx"))
    assert docx_text(mine.content)[0] == ["{{ title }}"]
    assert client.post(reverse("cockpit:report_template_reset")).status_code == 302
    assert not ReportTemplate.objects.get().docx
