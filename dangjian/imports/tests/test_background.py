"""Large files go through the real queue (SQLite file, or Redis in CI): enqueue, dequeue, execute."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse
from huey.contrib.djhuey import HUEY

from dangjian.imports import services
from dangjian.imports.models import ImportJob, ImportStatus
from dangjian.imports.testing import MEMBER_HEADER, member_row, xlsx
from dangjian.people.models import Member


def run_next_task():
    task = HUEY.dequeue()
    assert task is not None, "nothing was queued"
    HUEY.execute(task)


@pytest.mark.django_db(transaction=True)  # the consumer closes its connection after each task
@override_settings(IMPORT_BACKGROUND_ROWS=5, IMPORT_BATCH_SIZE=3)
def test_a_large_file_is_checked_and_imported_in_the_background_with_progress(world, client, monkeypatch):
    HUEY.flush()
    assert not HUEY.immediate
    reported: list[int] = []
    real_put = services.set_live_progress

    def record(job, percent):
        reported.append(int(percent))
        real_put(job, percent)

    monkeypatch.setattr(services, "set_live_progress", record)
    user = world.users.community_worker
    client.force_login(user)
    content = xlsx(MEMBER_HEADER, [member_row(k) for k in range(2, 14)])  # 12 rows: more than 5
    response = client.post(
        reverse("imports:upload"), {"kind": "members", "file": SimpleUploadedFile("大名单.xlsx", content)}
    )
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response.url == reverse("imports:job", args=[job.public_id])
    assert job.background and job.status == ImportStatus.UPLOADED and HUEY.pending_count() == 1
    page = client.get(response.url).content.decode()
    assert 'hx-trigger="every 1s"' in page and "排队中" in page
    fragment = client.get(reverse("imports:progress", args=[job.public_id]))
    assert "<progress" in fragment.content.decode() and "HX-Refresh" not in fragment

    run_next_task()  # the check
    job.refresh_from_db()
    assert job.status == ImportStatus.CHECKED and job.error_count == 0 and job.total_rows == 12
    assert job.progress == 100 and reported[-1] == 100
    assert client.get(reverse("imports:progress", args=[job.public_id]))["HX-Refresh"] == "true"
    assert Member.objects.count() == 0

    reported.clear()
    response = client.post(reverse("imports:confirm", args=[job.public_id]))
    job.refresh_from_db()
    assert job.status == ImportStatus.IMPORTING and HUEY.pending_count() == 1
    assert "正在导入" in client.get(reverse("imports:job", args=[job.public_id])).content.decode()

    run_next_task()  # the import
    job.refresh_from_db()
    assert job.status == ImportStatus.DONE and job.imported_count == 12 and job.progress == 100
    assert Member.objects.count() == 12
    assert reported == sorted(reported) and reported[-1] == 100 and len(set(reported)) > 3
    page = client.get(reverse("imports:job", args=[job.public_id])).content.decode()
    assert "已导入 12 条" in page
    assert services.live_progress(job) == 100


@pytest.mark.django_db(transaction=True)
@override_settings(IMPORT_BACKGROUND_ROWS=2)
def test_a_background_check_that_finds_mistakes_reports_them(world, client):
    HUEY.flush()
    user = world.users.community_worker
    content = xlsx(MEMBER_HEADER, [member_row(2), member_row(3, 手机号="1"), member_row(4)])
    job = services.job_create(actor=user, kind="members", filename="a.xlsx", content=content)
    services.job_check_start(job)
    run_next_task()
    job.refresh_from_db()
    assert job.status == ImportStatus.CHECKED and [(e["row"], e["column"]) for e in job.errors] == [(3, "C")]
    assert HUEY.pending_count() == 0
