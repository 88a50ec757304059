import io

from django.urls import reverse
from openpyxl import load_workbook

from dangjian.audit.models import AuditEvent

from .conftest import make_member


def rows_of(response):
    sheet = load_workbook(
        io.BytesIO(b"".join(response.streaming_content) if response.streaming else response.content)
    ).active
    return [[c.value for c in row] for row in sheet.iter_rows()]


def test_the_desk_exports_its_rows_in_scope_masked_and_audited(world, login):
    from dangjian.registration import services

    member = make_member("李四", 1, org=world.eb, home=world.c1)
    services.registration_submit_member(actor=None, member=member, community=world.c1, contact_mobile="13912345678")
    url = reverse("registration:desk_export")
    rows = rows_of(login(world.users.community_worker).get(url))
    assert rows[0][:3] == ["类型", "报到人/单位党组织", "报到社区"]
    assert [r[2] for r in rows[1:]] == ["婆石社区"]
    assert "139****5678" in rows[1] and "13912345678" not in rows[1]
    assert AuditEvent.objects.filter(action="export", object_type="registration.registration").count() == 1
    assert rows_of(login(world.users.community_worker_outsider).get(url))[1:] == []
    assert login(world.users.resident).get(url).status_code == 404
