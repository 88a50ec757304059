"""The worker importer through the imports engine: a good workbook is checked, confirmed and written row
by row; a bad one reports each mistake at its row and column and writes nothing."""

from dangjian.core.validators import mask_citizen_id
from dangjian.imports import services
from dangjian.imports.models import ImportStatus
from dangjian.imports.testing import citizen_id, xlsx
from dangjian.workforce.models import Worker

HEADER = [
    "姓名", "所在社区或街道", "性别", "出生日期", "身份证号", "手机号", "学历", "类别", "现任职务",
    "两委成员", "一肩挑", "下沉社区", "派出单位", "批次", "入职日期",
]  # fmt: skip


def row(seq: int, **overrides) -> list:
    values = {
        "姓名": f"社工{seq}", "所在社区或街道": "婆石社区", "性别": "女", "出生日期": "1988-04-01",
        "身份证号": citizen_id(seq, birth="19880401"), "手机号": f"139{seq:08d}", "学历": "本科",
        "类别": "专职社区工作者", "现任职务": "", "两委成员": "否", "一肩挑": "否", "下沉社区": "是",
        "派出单位": "", "批次": "", "入职日期": "2016-03-01",
    }  # fmt: skip
    values.update(overrides)
    return [values[h] for h in HEADER]


def check(user, content):
    job = services.job_create(actor=user, kind="workforce", filename="社工名册.xlsx", content=content)
    return services.job_check_run(job.pk)


def test_a_good_workbook_imports_every_row(world):
    user = world.users.subdistrict_admin  # 拱北街道: 婆石社区, 茂盛社区
    rows = [
        row(2, 姓名="李华", 类别="社区党组织书记", 现任职务="社区党委书记、居委会主任", 一肩挑="是"),
        row(3, 姓名="王芳", 所在社区或街道="茂盛社区", 学历="大专", 类别="专职网格员", 身份证号=""),
        row(4, 姓名="赵强", 类别="第一书记", 派出单位="香洲区委组织部", 批次=7, 下沉社区=""),
        row(5, 姓名="陈静", 所在社区或街道="拱北街道", 学历="研究生", 类别="全科社工", 下沉社区="否", 手机号=""),
    ]
    job = check(user, xlsx(HEADER, rows))
    assert job.status == ImportStatus.CHECKED and job.errors == [], job.errors
    assert job.total_rows == 4 and job.valid_rows == 4
    assert not Worker.objects.exists()  # checking writes nothing

    job = services.job_confirm(actor=user, job=job)
    assert job.status == ImportStatus.DONE and job.imported_count == 4
    assert job.summary["workers"] == 4
    by_name = {w.name: w for w in Worker.objects.select_related("area")}
    assert set(by_name) == {"李华", "王芳", "赵强", "陈静"}
    li = by_name["李华"]
    assert (li.area, li.kind, li.dual_role, li.is_committee) == (world.c1, "secretary", True, True)
    assert li.id_number == citizen_id(2, birth="19880401") and li.mobile == "13900000002"
    assert (by_name["王芳"].area, by_name["王芳"].education, by_name["王芳"].id_number) == (world.c2, "college", "")
    zhao = by_name["赵强"]
    assert (zhao.kind, zhao.sending_unit, zhao.batch, zhao.placed) == ("first_secretary", "香洲区委组织部", 7, True)
    chen = by_name["陈静"]
    assert (chen.area, chen.placed, chen.education) == (world.s1, False, "master")


def test_a_bad_workbook_reports_row_and_column_and_writes_nothing(world):
    user = world.users.subdistrict_admin
    Worker.objects.create(
        name="张三", area=world.c1, area_path=world.c1.path, birth_date="1980-01-01", education="bachelor",
        kind="professional", id_number=citizen_id(900, birth="19880401"), joined_on="2010-01-01",
    )  # fmt: skip
    before = Worker.objects.count()
    bad_check = citizen_id(3, birth="19880401")[:17] + ("0" if citizen_id(3, birth="19880401")[17] != "0" else "1")
    rows = [
        row(2),  # row 2: clean
        row(3, 身份证号=bad_check),  # row 3: checksum
        row(4, 手机号="1234567"),  # row 4: mobile
        row(5, 所在社区或街道="海虹社区"),  # row 5: another subdistrict (out of scope)
        row(6, 学历="博士"),  # row 6: not an allowed value
        row(7, 一肩挑="是"),  # row 7: only a secretary may be 一肩挑
        row(8, 类别="第一书记"),  # row 8: a first secretary needs the sending unit
        row(9, 身份证号=citizen_id(2, birth="19880401")),  # row 9: same person as row 2
        row(10, 身份证号=citizen_id(900, birth="19880401")),  # row 10: already on record
        row(11, 姓名=" "),  # row 11: name missing
        row(12, 出生日期="1988-13-01"),  # row 12: no such date
    ]
    job = check(user, xlsx(HEADER, rows))
    assert job.status == ImportStatus.CHECKED
    found = {(e["row"], e["column"]): e for e in job.errors}
    expected = {
        (3, "E"): "校验位",
        (4, "F"): "手机号",
        (5, "B"): "海虹社区",
        (6, "G"): "博士",
        (7, "K"): "只有社区党组织书记可以“一肩挑”",
        (8, "M"): "第一书记须填写派出单位",
        (9, "E"): "与第 2 行的身份证号重复",
        (10, "E"): "该身份证号已登记",
        (11, "A"): "姓名",
        (12, "D"): "1988-13-01",
    }
    assert set(found) == set(expected), found
    for where, fragment in expected.items():
        assert fragment in found[where]["message"], (where, found[where])
    assert found[(10, "E")]["value"] == mask_citizen_id(citizen_id(900, birth="19880401"))
    assert job.total_rows == 11 and job.error_rows == 10 and job.valid_rows == 1
    assert Worker.objects.count() == before
