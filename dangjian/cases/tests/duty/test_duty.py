"""The street-chief duty list (街长制 权责清单): items edited by the subdistrict's and the district's
admins, read by the others in scope; Excel import with a checked preview and all-or-none writing;
the template, the export; the working-day calendar page."""

from __future__ import annotations

import io
import re

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from dangjian.audit.models import AuditEvent
from dangjian.cases.duty import services as duty_services
from dangjian.cases.duty.importers import DutyImporter
from dangjian.cases.models import Case, CaseCategory, DutyItem
from dangjian.imports.sheets import build_template
from dangjian.units.models import Department

HEADERS = ["事项", "领域", "牵头部门", "配合部门", "对应类别", "办理时限", "时限单位", "序号"]


def item(world, name="占道经营整治", *, subdistrict=None, actor=None, **kw) -> DutyItem:
    fields = {
        "duty_area": "enforcement",
        "lead_department": world.dept,
        "supporting_departments": [world.dept2],
        "categories": CaseCategory.objects.filter(code="street_vending"),
        "limit_amount": 3,
        "limit_unit": "workdays",
    } | kw
    return duty_services.duty_item_create(
        actor=actor or world.users.subdistrict_admin, subdistrict=subdistrict or world.s1, name=name, **fields
    )


def workbook(*rows, headers=HEADERS) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "权责清单"
    ws.append(headers)
    for row in rows:
        ws.append(list(row))
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


GOOD_ROWS = [
    ("【示例】占道经营整治", "综合执法", "香洲区城管局", "", "", 3, "工作日", 1),
    ("占道经营整治", "综合执法", "香洲区城管局", "香洲区环卫中心", "占道经营、street_light", 3, "工作日", 1),
    ("燃气泄漏应急处置", "应急处理", "香洲区环卫中心", "", "消防隐患", 2, "小时", None),
    ("违法停车劝导", "秩序维护", "香洲区城管局", "", "", 5, "工作日", None),
]


# -- the service ------------------------------------------------------------------------------------
def test_it_creates_edits_and_deletes_an_item_with_audit_rows(world):
    created = item(world)
    assert created.sort == 1 and list(created.supporting_departments.all()) == [world.dept2]
    assert created.categories.get().code == "street_vending"
    duty_services.duty_item_update(
        actor=world.users.district_admin,
        item=created,
        name="占道经营整治",
        duty_area="order",
        lead_department=world.dept2,
        supporting_departments=[],
        categories=[],
        limit_amount=12,
        limit_unit="hours",
    )
    created.refresh_from_db()
    assert (created.duty_area, created.lead_department, created.limit_amount) == ("order", world.dept2, 12)
    change = AuditEvent.objects.filter(object_id=str(created.public_id), action="update").get()
    assert change.changes["lead_department"] == [world.dept.name, world.dept2.name]
    duty_services.duty_item_delete(actor=world.users.subdistrict_admin, item=created)
    assert not DutyItem.objects.exists()
    assert AuditEvent.objects.filter(object_id=str(created.public_id), action="delete").exists()


@pytest.mark.parametrize("who", ["subdistrict_admin_outsider", "community_worker", "department_staff"])
def test_it_refuses_edits_from_anyone_but_the_subdistricts_and_districts_admins(world, who):
    with pytest.raises(ValidationError, match="不能修改「拱北街道」"):
        item(world, actor=getattr(world.users, who))
    assert not DutyItem.objects.exists()


def test_it_checks_the_departments_the_limit_and_the_name(world):
    elsewhere = Department.objects.create(name="吉大街道综合执法队", kind="city_management", area=world.s2)
    item(world)
    with pytest.raises(ValidationError) as caught:
        item(world, lead_department=elsewhere, supporting_departments=[world.dept2], limit_amount=0)
    errors = caught.value.message_dict
    assert "牵头部门须服务本街道" in errors["lead_department"][0]
    assert "已有事项「占道经营整治」" in errors["name"][0]
    assert "办理时限应在 1 到 250 工作日之间" in errors["limit_amount"][0]
    with pytest.raises(ValidationError, match="不必再列为配合部门"):
        item(world, "另一项", supporting_departments=[world.dept])
    # The same name in another subdistrict is another list's item.
    item(world, subdistrict=world.s2, actor=world.users.district_admin)
    assert DutyItem.objects.count() == 2


# -- the import ---------------------------------------------------------------------------------------
def test_it_checks_a_good_file_and_writes_nothing_until_confirmed(world):
    content = workbook(*GOOD_ROWS)
    result = DutyImporter(world.s1).check(content)
    assert result.problems == [] and result.skipped_examples == 1 and len(result.rows) == 3
    assert result.rows[0]["supporting_ids"] == [world.dept2.pk]
    assert len(result.rows[0]["category_ids"]) == 2  # by name and by code
    assert result.preview_rows[0][5] == "占道经营、路灯故障"
    assert not DutyItem.objects.exists()
    items = duty_services.duty_import(actor=world.users.subdistrict_admin, subdistrict=world.s1, content=content)
    assert [i.name for i in items] == ["占道经营整治", "燃气泄漏应急处置", "违法停车劝导"]
    gas = DutyItem.objects.get(name="燃气泄漏应急处置")
    assert (gas.limit_amount, gas.limit_unit, gas.duty_area, gas.sort) == (2, "hours", "emergency", 2)
    assert DutyItem.objects.get(name="违法停车劝导").sort == 3
    first = DutyItem.objects.get(name="占道经营整治")
    assert first.sort == 1 and set(first.categories.values_list("code", flat=True)) == {
        "street_vending",
        "street_light",
    }
    assert AuditEvent.objects.filter(action="import", object_id=str(world.s1.public_id)).exists()


def test_it_reports_every_problem_by_row_and_column_in_chinese(world):
    Department.objects.create(name="吉大街道综合执法队", kind="city_management", area=world.s2)
    item(world, "违法停车劝导")
    content = workbook(
        ("占道经营整治", "综合执法", "香洲区城管局", "", "", 3, "工作日", None),
        ("占道经营整治", "执法", "吉大街道综合执法队", "香洲区城管局", "没有的类别", 0, "天数", None),
        ("违法停车劝导", "秩序维护", "", "香洲区环卫中心", "", "三", "小时", None),
    )
    result = DutyImporter(world.s1).check(content)
    found = {(p.as_dict()["row"], p.as_dict()["column"]): p.message for p in result.problems}
    assert "与第 2 行的事项重名" in found[(3, "A")]
    assert "不是允许的值" in found[(3, "B")]
    assert "在您的管辖范围内未找到部门「吉大街道综合执法队」" in found[(3, "C")]
    assert "没有名称或编码为「没有的类别」的事件类别" in found[(3, "E")]
    assert "不是允许的值" in found[(3, "G")]
    assert "已有该事项" in found[(4, "A")]
    assert "「牵头部门」必填" in found[(4, "C")]
    assert "整数" in found[(4, "F")]
    assert result.error_rows == 2
    with pytest.raises(ValidationError, match="未导入任何事项"):
        duty_services.duty_import(actor=world.users.subdistrict_admin, subdistrict=world.s1, content=content)
    assert list(DutyItem.objects.values_list("name", flat=True)) == ["违法停车劝导"]


def test_it_names_a_limit_out_of_range_and_a_lead_department_repeated_as_supporting(world):
    content = workbook(("应急抢险", "应急处理", "香洲区城管局", "香洲区城管局", "", 300, "工作日", None))
    problems = {p.as_dict()["column"]: p.message for p in DutyImporter(world.s1).check(content).problems}
    assert "1 到 250 工作日" in problems["F"] and "已是牵头部门" in problems["D"]


def test_it_says_what_is_missing_from_the_header(world):
    content = workbook(("占道经营整治", "综合执法"), headers=["事项", "领域"])
    (problem,) = DutyImporter(world.s1).check(content).problems
    assert "缺少必填列：牵头部门、办理时限、时限单位" in problem.message


def test_it_builds_a_template_that_imports_as_it_is(world):
    content = build_template(DutyImporter(world.s1))
    wb = load_workbook(io.BytesIO(content))
    assert wb.sheetnames[0] == "权责清单" and "可选值" in wb.sheetnames
    assert [c.value for c in wb["权责清单"][1]] == [*HEADERS, "社区可牵头"]
    options = [c.value for c in wb["可选值"]["A"]]
    assert world.dept.name in options and world.dept2.name in options
    result = DutyImporter(world.s1).check(content)
    assert result.skipped_examples == 2 and result.total_rows == 0  # only the examples: nothing to import


# -- the pages ----------------------------------------------------------------------------------------
def test_it_shows_each_subdistrict_its_own_list(world, login, assert_scoped):
    mine = item(world)
    theirs = item(world, "夜市秩序维护", subdistrict=world.s2, actor=world.users.district_admin, duty_area="order")
    url = reverse("cases:duty_list")
    assert_scoped(url, owner=world.users.subdistrict_admin, outsider=world.users.resident, expect_text=mine.name)
    for user in (world.users.subdistrict_admin, world.users.community_worker, world.users.grid_worker):
        body = login(user).get(url).content.decode()
        assert mine.name in body and theirs.name not in body, user.username
    body = login(world.users.subdistrict_admin_outsider).get(url).content.decode()
    assert theirs.name in body and mine.name not in body
    # Someone else's subdistrict in the query string changes nothing for a subdistrict admin.
    body = login(world.users.subdistrict_admin_outsider).get(f"{url}?subdistrict={world.s1.public_id}").content.decode()
    assert mine.name not in body
    # The district admin switches between the subdistricts.
    client = login(world.users.district_admin)
    assert theirs.name in client.get(f"{url}?subdistrict={world.s2.public_id}").content.decode()
    assert mine.name in client.get(f"{url}?subdistrict={world.s1.public_id}").content.decode()


def test_it_shows_a_department_the_items_it_leads_or_supports(world, login):
    led = item(world, lead_department=world.dept, supporting_departments=[])
    supported = item(world, "垃圾清运督办", lead_department=world.dept2, supporting_departments=[world.dept])
    other = item(world, "环卫作业", lead_department=world.dept2, supporting_departments=[])
    body = login(world.users.department_staff).get(reverse("cases:duty_list")).content.decode()
    assert led.name in body and supported.name in body and other.name not in body
    assert body.count(f'data-item="{supported.name}"') == 1


def test_it_lets_only_editors_reach_the_edit_pages(world, login, assert_scoped):
    target = item(world)
    for url in (
        reverse("cases:duty_edit", args=[target.public_id]),
        reverse("cases:duty_delete", args=[target.public_id]),
    ):
        assert_scoped(
            url,
            owner=world.users.subdistrict_admin,
            colleague=world.users.district_admin,
            outsider=world.users.subdistrict_admin_outsider,
            expect_text=target.name,
        )
        assert login(world.users.community_worker).get(url).status_code == 404
    new = reverse("cases:duty_create")
    assert login(world.users.subdistrict_admin).get(new).status_code == 200
    assert login(world.users.community_worker).get(new).status_code == 404
    listing = login(world.users.community_worker).get(reverse("cases:duty_list")).content.decode()
    assert 'data-testid="add-item"' not in listing and "编辑" not in listing


def test_it_adds_edits_and_deletes_an_item_from_the_pages(world, login):
    client = login(world.users.subdistrict_admin)
    category = CaseCategory.objects.get(code="noise")
    response = client.post(
        reverse("cases:duty_create"),
        {
            "name": "夜间施工噪音查处",
            "duty_area": "enforcement",
            "lead_department": world.dept.pk,
            "supporting_departments": [world.dept2.pk],
            "categories": [category.pk],
            "limit_amount": 2,
            "limit_unit": "workdays",
        },
    )
    assert response.status_code == 302
    created = DutyItem.objects.get(name="夜间施工噪音查处")
    edit = reverse("cases:duty_edit", args=[created.public_id])
    page = client.get(edit).content.decode()
    assert 'value="夜间施工噪音查处"' in page
    response = client.post(
        edit,
        {
            "name": "夜间施工噪音查处",
            "duty_area": "order",
            "lead_department": world.dept2.pk,
            "limit_amount": 0,
            "limit_unit": "hours",
        },
    )
    assert response.status_code == 200 and 'class="errorlist"' in response.content.decode()
    created.refresh_from_db()
    assert created.duty_area == "enforcement"  # refused: nothing saved
    delete = reverse("cases:duty_delete", args=[created.public_id])
    assert "此操作不可恢复" in client.get(delete).content.decode() and DutyItem.objects.exists()
    client.post(delete)
    assert not DutyItem.objects.exists()


def test_it_imports_from_the_page_after_a_preview(world, login):
    client = login(world.users.subdistrict_admin)
    url = reverse("cases:duty_import")
    upload = SimpleUploadedFile("清单.xlsx", workbook(*GOOD_ROWS))
    page = client.post(url, {"file": upload}).content.decode()
    assert 'data-testid="preview"' in page and "燃气泄漏应急处置" in page and not DutyItem.objects.exists()
    token = re.search(r'name="token" value="([^"]+)"', page).group(1)
    response = client.post(url, {"token": token, "subdistrict": str(world.s1.public_id)})
    assert response.status_code == 302 and DutyItem.objects.filter(subdistrict=world.s1).count() == 3
    # Confirming the same file again writes nothing more: the names are taken now.
    again = client.post(url, {"token": token})
    assert again.status_code == 400 and "未导入任何事项" in again.content.decode()
    assert DutyItem.objects.count() == 3
    # Another subdistrict's admin cannot replay the confirmation on their own list.
    other = login(world.users.subdistrict_admin_outsider).post(url, {"token": token}, follow=True)
    assert "确认已过期" in other.content.decode() and not DutyItem.objects.filter(subdistrict=world.s2).exists()


def test_it_shows_problems_on_the_page_and_offers_no_confirmation(world, login):
    client = login(world.users.subdistrict_admin)
    bad = workbook(("占道经营整治", "执法", "香洲区城管局", "", "", 3, "工作日", None))
    page = client.post(reverse("cases:duty_import"), {"file": SimpleUploadedFile("a.xlsx", bad)}).content.decode()
    assert 'data-testid="problems"' in page and "B 领域" in page and 'name="token"' not in page
    junk = client.post(reverse("cases:duty_import"), {"file": SimpleUploadedFile("a.xlsx", b"not a workbook")})
    assert junk.status_code == 400 and "无法读取该文件" in junk.content.decode()


def test_it_downloads_the_template_and_exports_the_list_with_an_audit_row(world, login):
    item(world)
    client = login(world.users.subdistrict_admin)
    template = client.get(reverse("cases:duty_template"))
    assert template.status_code == 200 and load_workbook(io.BytesIO(template.content)).sheetnames[0] == "权责清单"
    assert login(world.users.community_worker).get(reverse("cases:duty_template")).status_code == 404
    export = client.get(reverse("cases:duty_export"))
    rows = list(load_workbook(io.BytesIO(b"".join(export.streaming_content))).active.values)
    assert rows[0][:3] == ("街道", "序号", "事项") and rows[1][2] == "占道经营整治" and rows[1][5] == world.dept2.name
    assert AuditEvent.objects.filter(action="export", object_type="cases.dutyitem").exists()
    outsider = login(world.users.subdistrict_admin_outsider).get(reverse("cases:duty_export"))
    assert len(list(load_workbook(io.BytesIO(b"".join(outsider.streaming_content))).active.values)) == 1


def test_it_reads_the_list_in_a_bounded_number_of_queries(world, count_queries):
    url = reverse("cases:duty_list")
    item(world)
    few = count_queries(world.users.subdistrict_admin, url)
    for n in range(6):
        item(world, f"事项{n}", supporting_departments=[world.dept2])
    assert count_queries(world.users.subdistrict_admin, url) == few
    staff = count_queries(world.users.department_staff, url)
    item(world, "再一项")
    assert count_queries(world.users.department_staff, url) == staff


def test_it_shows_the_calendar_to_admins(world, login, assert_scoped):
    url = reverse("cases:calendar") + "?year=2026"
    assert_scoped(
        url,
        owner=world.users.district_admin,
        colleague=world.users.subdistrict_admin,
        outsider=world.users.community_worker,
        expect_text="2026-02-14",
    )
    body = login(world.users.district_admin).get(url).content.decode()
    assert "春节调休" in body and "国庆节" in body
    empty = login(world.users.district_admin).get(reverse("cases:calendar") + "?year=2031").content.decode()
    assert "没有 2031 年的节假日数据" in empty


def test_it_puts_the_menu_item_where_the_roles_need_it(world, login):
    for user, expected in (
        (world.users.subdistrict_admin, True),
        (world.users.district_admin, True),
        (world.users.community_worker, True),
        (world.users.department_staff, False),
        (world.users.resident, False),
    ):
        body = login(user).get(reverse("dashboard:home")).content.decode()
        assert ('data-nav="duty"' in body) is expected, user.username


# -- who may lead: communities are not responsible for enforcement (行政执法、拆迁拆违、环境整治) -------
def test_it_refuses_to_dispatch_an_enforcement_item_to_a_community_or_grid(world):
    from dangjian.cases import services
    from dangjian.cases.intake.services import case_submit

    u = world.users
    vending = item(world)  # 综合执法: a community may not lead it, by default
    assert vending.community_may_lead is False
    assert item(world, "路灯维护", duty_area="order", categories=[]).community_may_lead is True
    case = case_submit(
        actor=u.resident,
        channel="phone",
        category="street_vending",
        description="门口流动摊贩",
        lat=22.205,
        lng=113.505,
    )
    case = services.case_accept(actor=u.community_worker, case=case)
    assert case.duty_item == vending
    for kind, target in (("community", {"area": world.c1}), ("grid", {"area": world.g1a})):
        with pytest.raises(ValidationError) as caught:
            services.case_dispatch(actor=u.community_worker, case=case, kind=kind, **target)
        message = caught.value.message_dict["kind"][0]
        assert "「占道经营整治」" in message and "社区不得作为责任主体" in message and world.dept.name in message
    assert Case.objects.get(pk=case.pk).status == "accepted"
    # The lead department takes it; the community may assist.
    case = services.case_dispatch(actor=u.community_worker, case=case, kind="department", department=world.dept)
    assert case.status == "dispatched" and case.assigned_department == world.dept
    # An item marked as one a community may lead can go to the community.
    other = case_submit(
        actor=u.resident, channel="phone", category="street_vending", description="又来摆摊", lat=22.205, lng=113.505
    )
    other = services.case_accept(actor=u.community_worker, case=other)
    duty_services.duty_item_update(
        actor=u.subdistrict_admin,
        item=vending,
        name=vending.name,
        duty_area="enforcement",
        lead_department=world.dept,
        supporting_departments=[world.dept2],
        categories=vending.categories.all(),
        limit_amount=3,
        limit_unit="workdays",
        community_may_lead=True,
    )
    other = services.case_dispatch(actor=u.community_worker, case=Case.objects.get(pk=other.pk), kind="community")
    assert other.assignee_kind == "community"
    change = AuditEvent.objects.filter(object_id=str(vending.public_id), action="update").get()
    assert change.changes["community_may_lead"] == [False, True]


def test_it_imports_and_exports_whether_a_community_may_lead(world, login):
    headers = [*HEADERS, "社区可牵头"]
    rows = [
        ("占道经营整治", "综合执法", "香洲区城管局", "", "", 3, "工作日", None, None),
        ("拆除违建", "综合执法", "香洲区城管局", "", "", 3, "工作日", None, "否"),
        ("楼道清理", "秩序维护", "香洲区城管局", "", "", 3, "工作日", None, None),
        ("文明劝导", "综合执法", "香洲区城管局", "", "", 3, "工作日", None, "是"),
    ]
    bad = DutyImporter(world.s1).check(
        workbook(*rows, ("另一项", "秩序维护", "香洲区城管局", "", "", 3, "工作日", None, "也许"), headers=headers)
    )
    assert [(p.row, p.message) for p in bad.problems if "也许" in p.message] == [
        (6, "「也许」不是允许的值，应为：是、否。")
    ]
    duty_services.duty_import(
        actor=world.users.subdistrict_admin, subdistrict=world.s1, content=workbook(*rows, headers=headers)
    )
    lead = dict(DutyItem.objects.values_list("name", "community_may_lead"))
    assert lead == {"占道经营整治": False, "拆除违建": False, "楼道清理": True, "文明劝导": True}
    client = login(world.users.subdistrict_admin)
    export = client.get(reverse("cases:duty_export"))
    table = list(load_workbook(io.BytesIO(b"".join(export.streaming_content))).active.values)
    column = table[0].index("社区可牵头")
    assert {r[2]: r[column] for r in table[1:]} == {
        "占道经营整治": "否",
        "拆除违建": "否",
        "楼道清理": "是",
        "文明劝导": "是",
    }
    # The template explains the column; the list page shows it.
    template = load_workbook(io.BytesIO(client.get(reverse("cases:duty_template")).content))
    assert "社区可牵头" in [c.value for c in template.worksheets[0][1]]
    page = client.get(reverse("cases:duty_list")).content.decode()
    assert page.count('data-testid="no-community-lead"') == 2


def test_it_edits_whether_a_community_may_lead_on_the_page(world, login):
    created = item(world)
    client = login(world.users.subdistrict_admin)
    edit = reverse("cases:duty_edit", args=[created.public_id])
    page = client.get(edit).content.decode()
    assert "社区可否牵头办理" in page and '<option value="no" selected>' in page
    data = {
        "name": created.name,
        "duty_area": "enforcement",
        "lead_department": world.dept.pk,
        "limit_amount": 3,
        "limit_unit": "workdays",
        "community_may_lead": "yes",
    }
    assert client.post(edit, data).status_code == 302
    created.refresh_from_db()
    assert created.community_may_lead is True
    assert client.post(edit, {**data, "community_may_lead": ""}).status_code == 302  # kept when not chosen
    created.refresh_from_db()
    assert created.community_may_lead is True
