"""The check phase: every problem at its row and column, in Chinese, and nothing written."""

import pytest

from dangjian.imports import services
from dangjian.imports.testing import MEMBER_HEADER, citizen_id, member_row, xlsx


def check(user, kind, content, filename="名单.xlsx"):
    job = services.job_create(actor=user, kind=kind, filename=filename, content=content)
    return services.job_check_run(job.pk)


def problems(job):
    return {(e["row"], e["column"]): e for e in job.errors}


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
