"""Confirm and import: all rows or none, audited, once."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import override_settings

from dangjian.audit.models import AuditEvent
from dangjian.imports import services
from dangjian.imports.models import ImportJob, ImportStatus, ImportUpload
from dangjian.imports.testing import (
    MEMBER_HEADER,
    citizen_id,
    member_row,
    xlsx,
)
from dangjian.people.importers import MemberImporter
from dangjian.people.models import Member


def checked(user, kind, content):
    job = services.job_create(actor=user, kind=kind, filename="名单.xlsx", content=content)
    return services.job_check_run(job.pk)


@override_settings(IMPORT_BATCH_SIZE=2)
def test_a_failure_in_a_later_batch_leaves_nothing_written(world, monkeypatch):
    """Someone records row 4's person between the final re-check and the write: the second batch
    breaks the unique ID constraint, and the first batch is rolled back with it."""
    user = world.users.community_worker
    rows = [member_row(k) for k in range(2, 7)]
    job = checked(user, "members", xlsx(MEMBER_HEADER, rows))
    audit_before = AuditEvent.objects.count()
    real_check = MemberImporter.check

    def check_then_someone_else_writes(self, content, **kwargs):
        result = real_check(self, content, **kwargs)
        if result.rows:
            Member.objects.create(name="抢先录入", id_number=citizen_id(4), org=world.eb)
        return result

    monkeypatch.setattr(MemberImporter, "check", check_then_someone_else_writes)
    job = services.job_confirm(actor=user, job=job)
    assert job.status == ImportStatus.FAILED
    assert "全部撤销" in job.message and "未写入任何数据" in job.message
    assert list(Member.objects.values_list("name", flat=True)) == ["抢先录入"]
    assert AuditEvent.objects.count() == audit_before  # no member rows, no import row
    assert ImportUpload.objects.filter(job=job).exists()  # kept: it can be checked again
    monkeypatch.setattr(MemberImporter, "check", real_check)
    job = services.job_recheck(actor=user, job=job)
    assert job.status == ImportStatus.CHECKED and job.error_count == 1 and job.errors[0]["row"] == 4


def test_the_recheck_before_writing_catches_what_changed_since_the_preview(world):
    user = world.users.community_worker
    job = checked(user, "members", xlsx(MEMBER_HEADER, [member_row(2), member_row(3)]))
    assert job.can_confirm
    Member.objects.create(name="后来者", id_number=citizen_id(3), org=world.eb, home_community=world.c1)
    job = services.job_confirm(actor=user, job=job)
    assert job.status == ImportStatus.CHECKED and "数据在预览之后有变化" in job.message
    assert job.errors[0]["row"] == 3 and "后来者" in job.errors[0]["message"]
    assert Member.objects.count() == 1
    with pytest.raises(ValidationError, match="只有检查无误的导入才能确认"):
        services.job_confirm(actor=user, job=job)


def test_only_the_uploader_confirms_and_only_once(world):
    user = world.users.community_worker
    job = checked(user, "members", xlsx(MEMBER_HEADER, [member_row(2)]))
    with pytest.raises(ValidationError, match="只有上传人"):
        services.job_confirm(actor=world.users.community_worker_colleague, job=job)
    stale = ImportJob.objects.get(pk=job.pk)
    services.job_confirm(actor=user, job=job)
    with pytest.raises(ValidationError, match="不会重复导入"):
        services.job_confirm(actor=user, job=stale)  # a second click with the page's old state
    assert Member.objects.count() == 1 and AuditEvent.objects.filter(action="import").count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_confirms_at_the_same_moment_import_once(world):
    user = world.users.community_worker
    job = checked(user, "members", xlsx(MEMBER_HEADER, [member_row(k) for k in range(2, 12)]))
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def confirm():
        mine = ImportJob.objects.get(pk=job.pk)
        barrier.wait()
        try:
            services.job_confirm(actor=user, job=mine)
            outcomes.append("imported")
        except ValidationError as exc:
            outcomes.append("refused" if exc.code == "raced" else str(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=confirm) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["imported", "refused"]
    assert Member.objects.count() == 10
    assert AuditEvent.objects.filter(action="import").count() == 1
    assert ImportJob.objects.get(pk=job.pk).status == ImportStatus.DONE


def test_giving_up_drops_the_file_and_a_done_job_cannot_be_given_up(world):
    user = world.users.community_worker
    job = checked(user, "members", xlsx(MEMBER_HEADER, [member_row(2, 手机号="1")]))
    services.job_cancel(actor=user, job=job)
    assert job.status == ImportStatus.CANCELLED and not ImportUpload.objects.filter(job=job).exists()
    with pytest.raises(ValidationError, match="不能放弃"):
        services.job_cancel(actor=user, job=job)
    done = services.job_confirm(actor=user, job=checked(user, "members", xlsx(MEMBER_HEADER, [member_row(3)])))
    with pytest.raises(ValidationError, match="不能放弃"):
        services.job_cancel(actor=user, job=done)


def test_a_role_taken_away_after_upload_stops_the_job(world):
    user = world.users.community_worker
    job = services.job_create(
        actor=user, kind="members", filename="a.xlsx", content=xlsx(MEMBER_HEADER, [member_row(2)])
    )
    job.role_assignment.is_active = False
    job.role_assignment.save(update_fields=["is_active"])
    job = services.job_check_run(job.pk)
    assert job.status == ImportStatus.FAILED and "角色已停用" in job.message


def test_housekeeping_fails_lost_jobs_and_drops_old_files(world):
    import datetime

    from django.utils import timezone

    user = world.users.community_worker
    job = checked(user, "members", xlsx(MEMBER_HEADER, [member_row(2)]))
    services.transition(job, ImportStatus.IMPORTING)
    later = timezone.now() + datetime.timedelta(days=30)
    assert services.jobs_housekeeping(now=later) == {"stale_jobs": 1, "files_deleted": 1}
    job.refresh_from_db()
    assert job.status == ImportStatus.FAILED and "中断" in job.message
    job = services.job_recheck(actor=user, job=job)
    assert job.status == ImportStatus.FAILED and "已过保留期" in job.message
