"""The resident importer: buildings, households and tags checked in bulk, a grid worker's reach,
households created once, and update mode with the masked phone kept."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from openpyxl import load_workbook

from dangjian.audit.models import AuditEvent
from dangjian.imports import services
from dangjian.imports.inserts import pk_ranges, ranges_text
from dangjian.imports.models import ImportMode, ImportStatus
from dangjian.imports.selectors import import_of
from dangjian.imports.testing import MEMBER_HEADER, RESIDENT_HEADER, body, xlsx
from dangjian.people.models import Household, Resident


def check(user, kind, content, filename="名单.xlsx"):
    job = services.job_create(actor=user, kind=kind, filename=filename, content=content)
    return services.job_check_run(job.pk)


def problems(job):
    return {(e["row"], e["column"]): e for e in job.errors}


def test_a_grid_worker_may_import_residents_only(world):

    with pytest.raises(ValidationError, match="不能导入党员"):
        services.job_create(
            actor=world.users.grid_worker, kind="members", filename="x.xlsx", content=xlsx(MEMBER_HEADER, [])
        )


def test_resident_rows_are_checked_against_buildings_households_and_tags(world):
    from dangjian.territory import services as territory_services

    b2 = territory_services.building_save(actor=None, community=world.c1, estate=world.estate, name="2栋")
    household = Household.objects.create(building=world.building, room="101")
    Resident.objects.create(household=household, name="王五")
    rows = [
        [
            "婆石社区",
            "中珠新村",
            "1栋",
            "101",
            "赵六",
            "13900000001",
            "独居老人、退役军人",
        ],  # 2: clean, existing household
        ["婆石社区", "中珠新村", "1栋", "101", "王五", "", ""],  # 3: already there
        ["婆石社区", "中珠新村", "1栋", "102", "钱七", "", "低保户"],  # 4: unknown tag
        ["婆石社区", "中珠新村", "9栋", "101", "孙八", "", ""],  # 5: no such building
        ["婆石社区", "不存在小区", "1栋", "101", "李九", "", ""],  # 6: no such estate
        ["海虹社区", "海虹花园", "1栋", "101", "周十", "", ""],  # 7: another community
        ["婆石社区", "中珠新村", "1栋", "101", "赵六", "", ""],  # 8: same as row 2
        ["婆石社区", "", "2栋", 201, "吴一", "", ""],  # 9: estate left out, one 2栋 in the community: fine
    ]
    job = check(world.users.community_worker, "residents", xlsx(RESIDENT_HEADER, rows))
    found = problems(job)
    assert "已有居民「王五」" in found[(3, "E")]["message"]
    assert "标签「低保户」不是允许的值" in found[(4, "G")]["message"]
    assert "未找到楼栋「9栋」" in found[(5, "C")]["message"]
    assert "没有小区「不存在小区」" in found[(6, "B")]["message"]
    assert "未找到社区「海虹社区」" in found[(7, "A")]["message"]
    assert "与第 2 行重复" in found[(8, "E")]["message"]
    assert set(found) == {(3, "E"), (4, "G"), (5, "C"), (6, "B"), (7, "A"), (8, "E")}
    assert b2.pk and Resident.objects.count() == 1


def test_a_grid_worker_sees_only_the_buildings_of_their_grid(world):
    from dangjian.territory import services as territory_services

    other = territory_services.building_save(actor=None, community=world.c1, estate=world.estate, name="3栋")
    other.grid = world.g1b
    other.save(update_fields=["grid"])
    world.building.grid = world.g1a
    world.building.save(update_fields=["grid"])
    rows = [
        ["婆石社区", "中珠新村", "1栋", "101", "赵六", "", ""],
        ["婆石社区", "中珠新村", "3栋", "101", "钱七", "", ""],
    ]
    job = check(world.users.grid_worker, "residents", xlsx(RESIDENT_HEADER, rows))
    found = problems(job)
    assert list(found) == [(3, "C")] and "不在您负责的网格内" in found[(3, "C")]["message"]


def checked(user, kind, content):
    job = services.job_create(actor=user, kind=kind, filename="名单.xlsx", content=content)
    return services.job_check_run(job.pk)


def test_residents_import_creates_missing_households_once(world):
    existing = Household.objects.create(building=world.building, room="101")
    rows = [
        ["婆石社区", "中珠新村", "1栋", "101", "赵六", "13900000001", "独居老人、退役军人"],
        ["婆石社区", "中珠新村", "1栋", "102", "钱七", "", ""],
        ["婆石社区", "中珠新村", "1栋", "102", "孙八", "", "残疾人"],
    ]
    user = world.users.grid_worker
    world.building.grid = world.g1a
    world.building.save(update_fields=["grid"])
    job = services.job_confirm(actor=user, job=checked(user, "residents", xlsx(RESIDENT_HEADER, rows)))
    assert job.status == ImportStatus.DONE and job.summary["households_created"] == 1
    assert Household.objects.filter(building=world.building).count() == 2
    zhao = Resident.objects.get(name="赵六")
    assert zhao.household == existing and zhao.tags == ["elderly_alone", "veteran"]
    assert Resident.objects.get(name="孙八").household == Resident.objects.get(name="钱七").household
    assert [row[-1] for row in job.preview["rows"]] == ["独居老人、退役军人", "", "残疾人"]
    # The one 导入 audit row names the new household and the three residents (no row each).
    new_home = Resident.objects.get(name="钱七").household
    residents = sorted(Resident.objects.filter(name__in=["赵六", "钱七", "孙八"]).values_list("pk", flat=True))
    assert job.written == {"people.household": [[new_home.pk, new_home.pk]], "people.resident": pk_ranges(residents)}
    assert not AuditEvent.objects.filter(object_type__in=["people.household", "people.resident"]).exists()
    event = AuditEvent.objects.get(action="import", object_id=str(job.public_id))
    assert event.changes["written"]["people.resident"] == ranges_text(pk_ranges(residents))
    assert import_of(new_home) == job and import_of(existing) is None


def checked_kind(user, kind, content, mode):
    job = services.job_create(actor=user, kind=kind, filename="导出.xlsx", content=content, mode=mode)
    return services.job_check_run(job.pk)


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
