"""The unit importer: credit codes, names and numbers checked, the writes through the units services,
and update mode."""

import io

from django.urls import reverse
from openpyxl import load_workbook

from dangjian.audit.models import AuditEvent
from dangjian.imports import services
from dangjian.imports.models import ImportMode, ImportStatus
from dangjian.imports.testing import UNIT_HEADER, body, credit_code, xlsx
from dangjian.units.models import ResidentUnit


def check(user, kind, content, filename="名单.xlsx"):
    job = services.job_create(actor=user, kind=kind, filename=filename, content=content)
    return services.job_check_run(job.pk)


def problems(job):
    return {(e["row"], e["column"]): e for e in job.errors}


def test_unit_rows_are_checked_for_credit_codes_names_and_numbers(world):
    ResidentUnit.objects.create(name="已有公司", kind="enterprise", community=world.c1, credit_code=credit_code(9))
    bad = credit_code(2)[:17] + ("0" if credit_code(2)[17] != "0" else "1")
    rows = [
        ["甲公司", "非公企业", credit_code(1), "婆石社区", "", 10, 3, "陈红"],  # 2: clean
        ["乙公司", "非公企业", bad, "婆石社区", "", 10, 3, ""],  # 3: checksum
        ["丙公司", "非公企业", "91440400MA4UJ8X1", "婆石社区", "", 10, 3, ""],  # 4: too short
        ["丁公司", "公司", "", "婆石社区", "", 10, 3, ""],  # 5: kind
        ["戊公司", "非公企业", credit_code(1), "婆石社区", "", 10, 3, ""],  # 6: same code as row 2
        ["己公司", "非公企业", credit_code(9), "婆石社区", "", 10, 3, ""],  # 7: code on record
        ["已有公司", "非公企业", "", "婆石社区", "", "十个", 3, ""],  # 8: name on record, bad number
        ["甲公司", "学校", "", "婆石社区", "", 10, 30, ""],  # 9: same name as row 2; more members than staff
        ["庚公司", "学校", "", "火星社区", "", 1, 0, ""],  # 10: unknown community
    ]
    job = check(world.users.community_worker, "units", xlsx(UNIT_HEADER, rows))
    found = problems(job)
    assert "校验位错误" in found[(3, "C")]["message"]
    assert "应为 18 位" in found[(4, "C")]["message"]
    assert "「公司」不是允许的值" in found[(5, "B")]["message"]
    assert "与第 2 行的统一社会信用代码重复" in found[(6, "C")]["message"]
    assert "已登记（已有公司）" in found[(7, "C")]["message"]
    assert "已有同名单位" in found[(8, "A")]["message"]
    assert "整数" in found[(8, "F")]["message"]
    assert "与第 2 行重复" in found[(9, "A")]["message"]
    assert "党员人数不能多于从业人员数" in found[(9, "G")]["message"]
    assert "未找到社区「火星社区」" in found[(10, "D")]["message"]
    assert (2, "A") not in found and (2, "C") not in found
    assert ResidentUnit.objects.count() == 2  # the world's unit and 已有公司


def checked(user, kind, content):
    job = services.job_create(actor=user, kind=kind, filename="名单.xlsx", content=content)
    return services.job_check_run(job.pk)


def test_units_import(world):
    user = world.users.subdistrict_admin
    rows = [["甲公司", "非公企业", credit_code(1), "婆石社区", "迎宾南路 1 号", 56, 4, "陈红"]]
    job = services.job_confirm(actor=user, job=checked(user, "units", xlsx(UNIT_HEADER, rows)))
    assert job.status == ImportStatus.DONE
    unit = ResidentUnit.objects.get(name="甲公司")
    assert (unit.kind, unit.credit_code, unit.community, unit.staff_count, unit.member_count) == (
        "enterprise",
        credit_code(1),
        world.c1,
        56,
        4,
    )


def checked_kind(user, kind, content, mode):
    job = services.job_create(actor=user, kind=kind, filename="导出.xlsx", content=content, mode=mode)
    return services.job_check_run(job.pk)


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
