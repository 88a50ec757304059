"""The check phase: every problem at its row and column, in Chinese, and nothing written."""

import datetime

import pytest

from dangjian.audit.models import AuditEvent
from dangjian.core.validators import mask_citizen_id
from dangjian.imports import services
from dangjian.imports.models import ImportStatus
from dangjian.people.models import Household, Member, Resident
from dangjian.units.models import ResidentUnit

from .conftest import MEMBER_HEADER, RESIDENT_HEADER, UNIT_HEADER, citizen_id, credit_code, member_row, xlsx


def check(user, kind, content, filename="名单.xlsx"):
    job = services.job_create(actor=user, kind=kind, filename=filename, content=content)
    return services.job_check_run(job.pk)


def problems(job):
    return {(e["row"], e["column"]): e for e in job.errors}


def test_it_reports_each_mistake_at_its_row_and_column_and_writes_nothing(world, orgs_more):
    user = world.users.community_worker  # 婆石社区
    Member.objects.create(name="张三", id_number=citizen_id(900), org=world.eb, home_community=world.c1)
    members_before, audit_before = Member.objects.count(), AuditEvent.objects.filter(action="create").count()
    bad_check = citizen_id(3)[:17] + ("0" if citizen_id(3)[17] != "0" else "1")
    rows = [
        member_row(2),  # row 2: clean
        member_row(3, 身份证号=bad_check),  # row 3: checksum
        member_row(4, 身份证号="44040219800230004" + "1"),  # row 4: 30 February
        member_row(5, 手机号="1234567"),  # row 5: mobile
        member_row(6, 所在党组织="不存在党支部"),  # row 6: unknown org
        member_row(7, 所在党组织="第一党支部"),  # row 7: two of that name
        member_row(8, 居住社区="海虹社区", 居住小区=""),  # row 8: another community (out of scope)
        member_row(9, 身份证号=citizen_id(2)),  # row 9: same person as row 2
        member_row(10, 身份证号=citizen_id(900)),  # row 10: already on record
        member_row(11, 姓名=" "),  # row 11: required name missing
        member_row(12, 党员类别="党员"),  # row 12: not an allowed value
        member_row(13, 入党日期="2020-13-01"),  # row 13: no such date
        member_row(14, 所在党组织="婆石党总支/第一党支部"),  # row 14: qualified: clean
    ]
    job = check(user, "members", xlsx(MEMBER_HEADER, rows))
    assert job.status == ImportStatus.CHECKED
    found = problems(job)
    expected = {
        (3, "B"): "校验位错误",
        (4, "B"): "出生日期「19800230」不存在",
        (5, "C"): "手机号应为以 1 开头的 11 位数字",
        (6, "H"): "未找到党组织「不存在党支部」",
        (7, "H"): "有重名",
        (8, "I"): "未找到社区「海虹社区」",
        (9, "B"): "与第 2 行的身份证号重复",
        (10, "B"): "身份证号已存在于党员库（张三，婆石社区）",
        (11, "A"): "「姓名」必填",
        (12, "D"): "「党员」不是允许的值，应为：正式党员、预备党员",
        (13, "E"): "日期「2020-13-01」不存在",
    }
    assert set(found) == set(expected), found
    for where, fragment in expected.items():
        assert fragment in found[where]["message"], (where, found[where])
    assert found[(11, "A")]["column_name"] == "姓名"
    assert found[(10, "B")]["value"] == mask_citizen_id(citizen_id(900))  # personal data stays masked
    ambiguous = found[(7, "H")]["message"]
    assert "婆石社区大党委/第一党支部" in ambiguous and "婆石社区大党委/婆石党总支/第一党支部" in ambiguous
    assert job.total_rows == 13 and job.error_count == 11 and job.error_rows == 11 and job.valid_rows == 2
    assert Member.objects.count() == members_before
    assert AuditEvent.objects.filter(action="create").exclude(object_type="imports.importjob").count() == audit_before
    assert not job.can_confirm


def test_the_member_rules_between_columns(world):
    user = world.users.community_worker
    rows = [
        member_row(2, 入党日期="1995-01-01"),  # born 1980-01-01: only 15 then
        member_row(3, 党员类别="预备党员"),  # probationary with a confirmation date
        member_row(4, 入党日期="2010-01-01", 转正日期="2009-01-01"),
        member_row(5, 所在党组织=""),  # in service without an organization
        member_row(6, 状态="口袋", 所在党组织="", 居住社区="", 居住小区=""),  # pocket: needs somewhere
        member_row(7, 状态="口袋", 所在党组织=""),  # pocket living in 婆石社区: fine
        member_row(8, 居住社区="", 居住小区="中珠新村"),  # estate without community
        member_row(9, 居住小区="海虹花园"),  # estate of another community
        member_row(10, 入党日期=datetime.date(2030, 1, 1)),  # future
        member_row(11, 身份证号=440402198001010111),  # a number cell: digits lost
        member_row(12, 所在党组织="1栋楼宇党小组"),  # a group does not hold relationships
    ]
    job = check(world.users.community_worker, "members", xlsx(MEMBER_HEADER, rows))
    found = problems(job)
    assert "早于年满 18 周岁" in found[(2, "E")]["message"]
    assert "预备党员不应填写转正日期" in found[(3, "F")]["message"]
    assert "转正日期早于入党日期" in found[(4, "F")]["message"]
    assert "只有口袋党员可以不填" in found[(5, "H")]["message"]
    assert "请填写居住社区" in found[(6, "I")]["message"]
    assert (7, "H") not in found and (7, "I") not in found
    assert "请同时填写居住社区" in found[(8, "J")]["message"]
    assert "没有小区「海虹花园」" in found[(9, "J")]["message"]
    assert "晚于今天" in found[(10, "E")]["message"]
    assert "存成了数字" in found[(11, "B")]["message"]
    assert "是楼宇党小组；党员的组织关系应在党支部" in found[(12, "H")]["message"]
    assert user.pk == job.created_by_id


def test_dates_in_several_formats_and_excel_date_cells(world):
    rows = [
        member_row(2, 入党日期=datetime.datetime(2005, 7, 1), 转正日期=datetime.date(2006, 7, 1)),
        member_row(3, 入党日期="2005/7/1", 转正日期="2006.7.1"),
        member_row(4, 入党日期="2005年7月1日", 转正日期="20060701"),
    ]
    job = check(world.users.community_worker, "members", xlsx(MEMBER_HEADER, rows))
    assert job.error_count == 0, job.errors
    assert [r[5] for r in job.preview["rows"]] == ["2005-07-01"] * 3


def test_a_file_without_our_header_or_without_rows_is_refused_with_a_reason(world):
    user = world.users.community_worker
    job = check(user, "members", xlsx(["随便", "什么"], [["a", "b"]]))
    assert job.error_count == 1 and "没有找到表头" in job.errors[0]["message"]
    job = check(user, "members", xlsx(["姓名", "身份证号"], [["张三", citizen_id(1)]]))
    assert "缺少必填列" in job.errors[0]["message"] and "党员类别" in job.errors[0]["message"]
    job = check(user, "members", xlsx(MEMBER_HEADER, [["【示例】张三", citizen_id(1)]]))
    assert "没有数据行" in job.errors[0]["message"] and job.skipped_rows == 1


def test_a_title_row_above_the_header_keeps_the_row_numbers_true(world):
    content = xlsx(MEMBER_HEADER, [member_row(3, 手机号="12")], before=[["2026 年党员名册"]])
    job = check(world.users.community_worker, "members", content)
    assert list(problems(job)) == [(3, "C")]


def test_a_file_that_is_not_a_workbook_is_refused(world):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="无法读取该文件"):
        services.job_create(actor=world.users.community_worker, kind="members", filename="x.xlsx", content=b"hello")
    with pytest.raises(ValidationError, match="旧版 Excel"):
        services.job_create(
            actor=world.users.community_worker, kind="members", filename="x.xlsx", content=b"\xd0\xcf\x11\xe0rest"
        )


def test_a_grid_worker_may_import_residents_only(world):
    from django.core.exceptions import ValidationError

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


def test_an_outsiders_record_is_named_only_vaguely(world):
    Member.objects.create(name="海虹党员", id_number=citizen_id(901), org=world.eb3, home_community=world.c3)
    job = check(world.users.community_worker, "members", xlsx(MEMBER_HEADER, [member_row(2, 身份证号=citizen_id(901))]))
    message = problems(job)[(2, "B")]["message"]
    assert "不在您的管辖范围内" in message and "海虹党员" not in message and "海虹社区" not in message
