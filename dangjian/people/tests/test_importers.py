"""The member importer: each mistake at its row and column, the rules between columns (one copy, in
people), the writes through the people services, and update mode."""

import datetime
import io

from django.contrib.auth import get_user_model
from django.urls import reverse
from openpyxl import load_workbook

from dangjian.audit.models import AuditEvent
from dangjian.core.validators import mask_citizen_id
from dangjian.imports import services
from dangjian.imports.inserts import ranges_text
from dangjian.imports.models import ImportMode, ImportStatus, ImportUpload
from dangjian.imports.selectors import import_of
from dangjian.imports.testing import (
    MEMBER_HEADER,
    body,
    citizen_id,
    member_row,
    xlsx,
)
from dangjian.people.models import Member, MemberStatus


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


def test_an_outsiders_record_is_named_only_vaguely(world):
    Member.objects.create(name="海虹党员", id_number=citizen_id(901), org=world.eb3, home_community=world.c3)
    job = check(world.users.community_worker, "members", xlsx(MEMBER_HEADER, [member_row(2, 身份证号=citizen_id(901))]))
    message = problems(job)[(2, "B")]["message"]
    assert "不在您的管辖范围内" in message and "海虹党员" not in message and "海虹社区" not in message


def checked(user, kind, content):
    job = services.job_create(actor=user, kind=kind, filename="名单.xlsx", content=content)
    return services.job_check_run(job.pk)


def test_a_clean_member_file_imports_every_row_with_one_audit_row_naming_them(world):
    user = world.users.community_worker
    rows = [member_row(k) for k in range(2, 9)] + [member_row(9, 状态="口袋", 所在党组织="", 工作单位="拱北口岸中心")]
    job = checked(user, "members", xlsx(MEMBER_HEADER, rows))
    assert job.can_confirm, job.errors
    job = services.job_confirm(actor=user, job=job)
    assert job.status == ImportStatus.DONE and job.imported_count == 8 and job.progress == 100
    members = Member.objects.filter(id_number__in=[citizen_id(k) for k in range(2, 10)])
    assert members.count() == 8
    first = members.get(id_number=citizen_id(2))
    assert (first.org, first.home_community, first.home_estate) == (world.eb, world.c1, world.estate)
    assert (first.sex, str(first.birth_date), first.pinyin) == ("female", "1980-01-01", "dy2")
    pocket = members.get(id_number=citizen_id(9))
    assert pocket.org is None and pocket.status == "pocket" and pocket.workplace == world.unit
    # One audit row for the whole import, naming every member it wrote; none per member.
    assert not AuditEvent.objects.filter(object_type="people.member").exists()
    summary = AuditEvent.objects.get(action="import")
    assert summary.changes["rows"] == 8 and summary.object_id == str(job.public_id)
    assert summary.actor == user and summary.role == "community_worker"
    assert set(job.written) == {"people.member"}
    assert sorted(m.pk for m in members) == [
        pk for first_pk, last_pk in job.written["people.member"] for pk in range(first_pk, last_pk + 1)
    ]
    assert summary.changes["written"] == {"people.member": ranges_text(job.written["people.member"])}
    assert citizen_id(2) not in str(summary.changes)
    # "Who imported this member?": the job, whose audit row says who, in which role, when.
    for member in members:
        assert import_of(member) == job
    assert import_of(Member.objects.create(name="手工录入", id_number=citizen_id(30), org=world.eb)) is None
    assert not ImportUpload.objects.filter(job=job).exists()  # the file is dropped once imported
    assert [t.to_status for t in job.transitions.all()] == ["checking", "checked", "importing", "done"]


def checked_in_mode(user, content, mode):
    job = services.job_create(actor=user, kind="members", filename="导出.xlsx", content=content, mode=mode)
    return services.job_check_run(job.pk)


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
    assert checked_in_mode(worker, edited, ImportMode.CREATE).error_count >= len(rows)

    job = checked_in_mode(worker, edited, ImportMode.UPDATE)
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
    create = checked_in_mode(worker, xlsx(MEMBER_HEADER, [member_row(2), member_row(3)]), ImportMode.CREATE)
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
    job = checked_in_mode(worker, xlsx(header, rows), ImportMode.UPDATE)
    messages = {(e["row"], e["column_name"]): e["message"] for e in job.errors}
    assert set(messages) == {(3, "记录编号"), (4, "记录编号"), (5, "身份证号")}
    assert "请保留导出表中的“记录编号”列" in messages[(3, "记录编号")]
    assert "不存在或不在您的管辖范围内" in messages[(4, "记录编号")]
    assert "新党员请用“新增”方式导入" in messages[(5, "身份证号")]
    # Only the matched row: it updates, the masked mobile stays.
    rows[1][-1] = str(three.public_id)
    job = services.job_confirm(actor=worker, job=checked_in_mode(worker, xlsx(header, rows[:2]), ImportMode.UPDATE))
    assert job.status == ImportStatus.DONE and job.summary["members_updated"] == 1
    two.refresh_from_db()
    assert (two.status, two.mobile) == (MemberStatus.RETIRED, "13900000002")
    three_after = Member.objects.get(pk=three.pk)
    assert (three_after.id_number, three_after.status) == (three.id_number, three.status)
