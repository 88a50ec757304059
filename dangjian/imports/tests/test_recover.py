"""Checks and imports lost from the queue are found again from the jobs' rows (services.jobs_recover):
never started → queued again, and a job queued twice writes once; started but nobody runs it any more
(its worker died) → failed, nothing written. On the real queue (SQLite file, or Redis in CI)."""

from __future__ import annotations

import datetime
import threading

import pytest
from django.db import connections
from django.test import override_settings
from django.utils import timezone
from huey.contrib.djhuey import HUEY

from dangjian.core import locks
from dangjian.imports import services, tasks
from dangjian.imports.models import ImportJob, ImportStatus, ImportUpload
from dangjian.imports.testing import MEMBER_HEADER, member_row, xlsx
from dangjian.people.models import Member

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("small_background")]
S = ImportStatus
NOTHING = {"requeued_checks": 0, "requeued_imports": 0, "lost_runs": 0}


@pytest.fixture
def small_background():
    with override_settings(IMPORT_BACKGROUND_ROWS=2, IMPORT_BATCH_SIZE=3):
        yield


def run_queue() -> list[str]:
    """Execute what is queued, as a consumer would; returns the names of the tasks that ran."""
    ran = []
    while (task := HUEY.dequeue()) is not None:
        HUEY.execute(task)
        ran.append(task.name.rsplit(".", 1)[-1])
    return ran


def age(job, minutes=10):
    ImportJob.objects.filter(pk=job.pk).update(updated_at=timezone.now() - datetime.timedelta(minutes=minutes))


def upload(world, rows=6):
    content = xlsx(MEMBER_HEADER, [member_row(k) for k in range(2, 2 + rows)])
    job = services.job_create(actor=world.users.community_worker, kind="members", filename="a.xlsx", content=content)
    services.job_check_start(job)
    return job


def test_a_check_and_an_import_dropped_from_the_queue_are_queued_again_and_written_once(world):
    HUEY.flush()
    job = upload(world)
    assert HUEY.pending_count() == 1
    HUEY.flush()  # lost: Redis restarted without persistence, or the consumer died holding it
    assert services.jobs_recover() == NOTHING  # a few minutes are given to the queue first
    age(job)
    assert services.jobs_recover() == {**NOTHING, "requeued_checks": 1}
    assert run_queue() == ["check_job_task"]
    job.refresh_from_db()
    assert job.status == S.CHECKED and job.error_count == 0

    services.job_confirm(actor=world.users.community_worker, job=job)
    HUEY.flush()  # the import is lost too
    age(job)
    # Swept twice before a consumer comes back: the import is queued twice...
    assert tasks.imports_recover.call_local() == {**NOTHING, "requeued_imports": 1}
    assert tasks.imports_recover.call_local() == {**NOTHING, "requeued_imports": 1}
    assert HUEY.pending_count() == 2
    # (the import's own follow-up, the figures of the rows it wrote, is queued at its commit)
    assert [name for name in run_queue() if name != "facts_record_bulk"] == ["import_job_task"] * 2
    job.refresh_from_db()
    # ...and written once.
    assert job.status == S.DONE and job.imported_count == 6 and Member.objects.count() == 6
    assert services.jobs_recover() == NOTHING
    tasks.import_job_task.call_local(job.pk)  # the lost task turns up after all
    assert Member.objects.count() == 6


def test_an_import_whose_worker_died_is_failed_with_nothing_written_and_a_running_one_is_left_alone(world):
    HUEY.flush()
    job = upload(world)
    run_queue()
    job.refresh_from_db()
    services.job_confirm(actor=world.users.community_worker, job=job)
    HUEY.flush()
    # It had started (the run marks progress 1) when its worker was killed: nothing was committed.
    ImportJob.objects.filter(pk=job.pk).update(progress=1)
    age(job)

    # While a run holds the job's lock (another worker, another connection), it is not touched.
    holding, release = threading.Event(), threading.Event()

    def hold():
        try:
            with locks.held(services.job_lock_name(job.pk)) as acquired:
                holding.set()
                release.wait(30)
                return acquired
        finally:
            connections.close_all()

    thread = threading.Thread(target=hold)
    thread.start()
    assert holding.wait(30)
    assert services.jobs_recover() == NOTHING
    release.set()
    thread.join(30)

    # Its lock is free: nobody runs it any more.
    assert services.jobs_recover() == {**NOTHING, "lost_runs": 1}
    job.refresh_from_db()
    assert job.status == S.FAILED and "中断" in job.message and Member.objects.count() == 0
    assert HUEY.pending_count() == 0  # not re-run by itself; the uploader checks again


def test_an_import_commits_even_when_the_queue_cannot_take_its_figures_follow_up(world, monkeypatch):
    """Redis restarting at the import's commit: the rows are written and the job is done; the figures
    of the new rows wait for the nightly check (the follow-up is queued with on_commit(robust=True))."""
    from dangjian.people.services import members

    def queue_down(*args, **kwargs):
        raise ConnectionError("queue down")

    HUEY.flush()
    job = upload(world)
    run_queue()
    job.refresh_from_db()
    services.job_confirm(actor=world.users.community_worker, job=job)
    monkeypatch.setattr(members, "facts_record_bulk", queue_down)
    assert run_queue() == ["import_job_task"]
    job.refresh_from_db()
    assert job.status == S.DONE and job.imported_count == 6 and Member.objects.count() == 6
    # ...and the run went on as a success (not into its "write failed" branch): the file is dropped.
    assert not ImportUpload.objects.filter(job=job).exists()
