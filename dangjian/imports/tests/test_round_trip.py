"""Excel round trip: a worker exports the demo's members, corrects one cell in Excel and imports the
file back in 更新 mode: nothing refused, one member changed, masked cells left as they were."""

import io

from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from dangjian.audit.models import AuditEvent
from dangjian.core.validators import mask_citizen_id
from dangjian.imports import services
from dangjian.imports.models import ImportJob, ImportMode, ImportStatus
from dangjian.people.models import Household, Member, MemberStatus, Resident

from .conftest import MEMBER_HEADER, citizen_id, member_row, xlsx
from .test_exports import body


def checked_kind(user, kind, content, mode):
    job = services.job_create(actor=user, kind=kind, filename="导出.xlsx", content=content, mode=mode)
    return services.job_check_run(job.pk)


def checked(user, content, mode):
    return checked_kind(user, "members", content, mode)


def test_our_own_member_export_imports_back_in_update_mode(demo, client):
    worker = get_user_model().objects.get(username="sq_worker")
    client.force_login(worker)
    exported = body(client.get(reverse("imports:export_members")))
    book = load_workbook(io.BytesIO(exported))
    sheet = book.worksheets[0]
    header = [c.value for c in sheet[1]]
    status_col, code_col, id_col = header.index("状态") + 1, header.index("记录编号") + 1, header.index("身份证号") + 1
    rows = list(range(2, sheet.max_row + 1))
    assert len(rows) > 10 and all("*" in sheet.cell(r, id_col).value for r in rows)  # masked in the export
    row = next(r for r in rows if sheet.cell(r, status_col).value == "在职")
    code = sheet.cell(row, code_col).value
    sheet.cell(row, status_col).value = "退休"
    out = io.BytesIO()
    book.save(out)
    edited = out.getvalue()
    before = {m.pk: (m.id_number, m.mobile, m.status) for m in Member.objects.all()}

    # As before the fix, 新增 refuses the file: every row is a member already on record.
    assert checked(worker, edited, ImportMode.CREATE).error_count >= len(rows)

    job = checked(worker, edited, ImportMode.UPDATE)
    assert job.error_count == 0 and job.can_confirm, job.errors
    job = services.job_confirm(actor=worker, job=job)
    assert job.status == ImportStatus.DONE and job.imported_count == len(rows)
    assert (job.summary["members_updated"], job.summary["members_unchanged"]) == (1, len(rows) - 1)
    changed = Member.objects.get(public_id=code)
    assert changed.status == MemberStatus.RETIRED
    after = {m.pk: (m.id_number, m.mobile, m.status) for m in Member.objects.all()}
    assert {pk for pk in after if after[pk] != before[pk]} == {changed.pk}
    assert after[changed.pk][:2] == before[changed.pk][:2]  # the masked ID number and mobile were kept
    events = [
        e
        for e in AuditEvent.objects.filter(object_type="people.member", action="update")
        if e.changes.get("import_job") == [None, str(job.public_id)]
    ]
    assert len(events) == 1 and events[0].object_id == code and events[0].actor == worker
    assert events[0].changes["status"] == [MemberStatus.IN_SERVICE, MemberStatus.RETIRED]
    assert AuditEvent.objects.filter(action="import", object_id=str(job.public_id)).exists()


def test_update_mode_matches_by_code_or_id_number_and_refuses_what_it_cannot_match(world):
    worker = world.users.community_worker
    create = checked(worker, xlsx(MEMBER_HEADER, [member_row(2), member_row(3)]), ImportMode.CREATE)
    services.job_confirm(actor=worker, job=create)
    two, three = Member.objects.get(id_number=citizen_id(2)), Member.objects.get(id_number=citizen_id(3))
    outsider = Member.objects.create(name="海虹党员", id_number=citizen_id(4), org=world.eb3)
    header = [*MEMBER_HEADER, "记录编号"]
    rows = [
        # By its full ID number, no code: the mobile masked as our export writes it is kept.
        [*member_row(2, 状态="退休", 手机号="139****0002"), ""],
        # A masked ID number and no code: nothing to match on.
        [*member_row(3, 身份证号=mask_citizen_id(citizen_id(3))), ""],
        # A code outside the worker's scope, and an ID number nobody has.
        [*member_row(4), str(outsider.public_id)],
        [*member_row(5), ""],
    ]
    job = checked(worker, xlsx(header, rows), ImportMode.UPDATE)
    messages = {(e["row"], e["column_name"]): e["message"] for e in job.errors}
    assert set(messages) == {(3, "记录编号"), (4, "记录编号"), (5, "身份证号")}
    assert "请保留导出表中的“记录编号”列" in messages[(3, "记录编号")]
    assert "不存在或不在您的管辖范围内" in messages[(4, "记录编号")]
    assert "新党员请用“新增”方式导入" in messages[(5, "身份证号")]
    # Only the matched row: it updates, the masked mobile stays.
    rows[1][-1] = str(three.public_id)
    job = services.job_confirm(actor=worker, job=checked(worker, xlsx(header, rows[:2]), ImportMode.UPDATE))
    assert job.status == ImportStatus.DONE and job.summary["members_updated"] == 1
    two.refresh_from_db()
    assert (two.status, two.mobile) == (MemberStatus.RETIRED, "13900000002")
    three_after = Member.objects.get(pk=three.pk)
    assert (three_after.id_number, three_after.status) == (three.id_number, three.status)


def test_a_unit_export_comes_back_in_update_mode(world, login):
    admin = world.users.subdistrict_admin
    unit = world.unit
    before = (unit.name, unit.credit_code, unit.kind)
    book = load_workbook(io.BytesIO(body(login(admin).get(reverse("imports:export_units")))))
    sheet = book.worksheets[0]
    header = [c.value for c in sheet[1]]
    assert sheet.cell(2, header.index("记录编号") + 1).value == str(unit.public_id)
    sheet.cell(2, header.index("从业人员数") + 1).value = 120
    out = io.BytesIO()
    book.save(out)
    job = checked_kind(admin, "units", out.getvalue(), ImportMode.UPDATE)
    assert job.error_count == 0, job.errors
    job = services.job_confirm(actor=admin, job=job)
    assert job.status == ImportStatus.DONE and job.summary["units_updated"] == 1
    unit.refresh_from_db()
    assert unit.staff_count == 120 and (unit.name, unit.credit_code, unit.kind) == before
    event = AuditEvent.objects.get(object_type="units.residentunit", action="update", object_id=str(unit.public_id))
    assert event.changes["staff_count"][1] == 120 and event.actor == admin


def test_a_resident_export_comes_back_in_update_mode_with_the_masked_phone_kept(world, login):
    home = Household.objects.create(building=world.building, room="101")
    resident = Resident.objects.create(household=home, name="赵六", mobile="13900000001", tags=["veteran"])
    worker = world.users.community_worker
    book = load_workbook(io.BytesIO(body(login(worker).get(reverse("imports:export_residents")))))
    sheet = book.worksheets[0]
    header = [c.value for c in sheet[1]]
    assert sheet.cell(2, header.index("电话") + 1).value == "139****0001"  # masked
    sheet.cell(2, header.index("标签") + 1).value = "退役军人、独居老人"
    sheet.cell(3, 1).value = "婆石社区"  # and a row that matches nothing: refused, not added
    sheet.cell(3, header.index("楼栋") + 1).value = "1栋"
    sheet.cell(3, header.index("门牌/房号") + 1).value = "102"
    sheet.cell(3, header.index("姓名") + 1).value = "钱七"
    out = io.BytesIO()
    book.save(out)
    job = checked_kind(worker, "residents", out.getvalue(), ImportMode.UPDATE)
    assert {(e["row"], e["column_name"]) for e in job.errors} == {(3, "门牌/房号"), (3, "记录编号")}
    sheet.delete_rows(3)
    out = io.BytesIO()
    book.save(out)
    job = services.job_confirm(actor=worker, job=checked_kind(worker, "residents", out.getvalue(), ImportMode.UPDATE))
    assert job.status == ImportStatus.DONE and job.summary["residents_updated"] == 1
    resident.refresh_from_db()
    assert (resident.mobile, resident.tags, resident.household) == ("13900000001", ["veteran", "elderly_alone"], home)
    assert not Household.objects.exclude(pk=home.pk).filter(building=world.building).exists()
    event = AuditEvent.objects.get(object_type="people.resident", action="update")
    assert event.changes["tags"] == [["veteran"], ["veteran", "elderly_alone"]] and "mobile" not in event.changes


def test_the_upload_form_offers_update_mode_and_the_job_keeps_it(world, login):
    client = login(world.users.community_worker)
    assert "更新已有记录" in client.get(reverse("imports:home")).content.decode()
    content = xlsx([*MEMBER_HEADER, "记录编号"], [[*member_row(2), ""]])
    response = client.post(
        reverse("imports:upload"),
        {"kind": "members", "mode": "update", "file": SimpleUploadedFile("党员.xlsx", content)},
    )
    job = ImportJob.objects.get()
    assert response.status_code == 302 and job.mode == ImportMode.UPDATE
    page = client.get(response["Location"]).content.decode()
    assert "更新已有记录" in page and "新党员请用“新增”方式导入" in page
