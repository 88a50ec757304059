"""The entry importer through the imports engine: rows are appended to a list's draft; a bad workbook
reports each mistake at its row and column (no draft, unknown kind, a community named responsible for
enforcement) and writes nothing."""

from dangjian.duties.models import DutyListEntry, ListKind
from dangjian.duties.services import lists
from dangjian.imports import services
from dangjian.imports.models import ImportStatus
from dangjian.imports.testing import xlsx

HEADER = ["所属", "清单", "事项名称", "类别", "责任主体", "社区可作为责任主体", "设定依据"]


def check(user, rows):
    job = services.job_create(actor=user, kind="duty_entries", filename="清单.xlsx", content=xlsx(HEADER, rows))
    return services.job_check_run(job.pk)


def test_rows_are_appended_to_the_draft(world, kinds):
    user = world.users.subdistrict_admin
    street = lists.list_create(actor=user, owner=world.s1, kind=ListKind.SUBDISTRICT_DUTIES)
    job = check(user, [
        ["拱北街道", "街道权责清单", "党的建设和组织建设", "党建", "街道党工委", "", ""],
        ["拱北街道", "街道权责清单", "城市管理综合执法协调", "行政执法", "街道综合执法办", "否", "《行政处罚法》"],
    ])  # fmt: skip
    assert job.status == ImportStatus.CHECKED and job.errors == [], job.errors
    assert not DutyListEntry.objects.exists()
    job = services.job_confirm(actor=user, job=job)
    assert job.status == ImportStatus.DONE and job.summary["entries"] == 2
    draft = street.versions.get()
    draft.refresh_from_db()
    assert (draft.entry_count, draft.not_for_community) == (2, 1)
    assert list(draft.entries.values_list("sort", flat=True)) == [1, 2]


def test_mistakes_are_reported_at_their_row_and_column_and_nothing_is_written(world, kinds, community_list):
    user = world.users.district_admin
    lists.list_create(actor=user, owner=world.s1, kind=ListKind.SUBDISTRICT_DUTIES)
    job = check(user, [
        ["拱北街道", "街道权责清单", "违建拆除", "拆迁拆违", "", "是", ""],
        ["吉大街道", "街道权责清单", "党建", "党建", "", "", ""],
        ["香洲区", "社区工作事项清单", "居家养老", "服务", "", "", ""],
        ["拱北街道", "街道权责清单", "某事项", "招商", "", "", ""],
    ])  # fmt: skip
    found = {(e["row"], e["column_name"]) for e in job.errors}
    assert {(2, "社区可作为责任主体"), (3, "清单"), (4, "清单"), (5, "类别")} <= found, job.errors
    assert not DutyListEntry.objects.filter(list_version__status="draft").exists()
