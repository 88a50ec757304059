"""Excel round trip: a worker exports the demo's members, corrects one cell in Excel and imports the
file back in 更新 mode: nothing refused, one member changed, masked cells left as they were."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from dangjian.imports import services
from dangjian.imports.models import ImportJob, ImportMode
from dangjian.imports.testing import MEMBER_HEADER, member_row, xlsx


def checked_kind(user, kind, content, mode):
    job = services.job_create(actor=user, kind=kind, filename="导出.xlsx", content=content, mode=mode)
    return services.job_check_run(job.pk)


def checked(user, content, mode):
    return checked_kind(user, "members", content, mode)


def test_the_upload_form_offers_update_mode_and_the_job_keeps_it(world, login):
    client = login(world.users.community_worker)
    assert "更新已有记录" in client.get(reverse("imports:home")).content.decode()
    content = xlsx([*MEMBER_HEADER, "记录编号"], [[*member_row(2), ""]])
    response = client.post(
        reverse("imports:upload"),
        {"kind": "members", "mode": "update", "file": SimpleUploadedFile("党员.xlsx", content)},
    )
    job = ImportJob.objects.get()
    assert response.status_code == 302 and job.mode == ImportMode.UPDATE
    page = client.get(response["Location"]).content.decode()
    assert "更新已有记录" in page and "新党员请用“新增”方式导入" in page
