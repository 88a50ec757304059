"""A representative's household is masked on the council page and in its export; the full value is for
a role that needs it, by a deliberate step, and each reveal or full export leaves an audit row."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from dangjian.audit.models import AuditEvent
from dangjian.core.text import mask_address
from dangjian.deliberation.services import councils

pytestmark = pytest.mark.django_db
FULL = "中珠新村12栋2单元501"
MASKED = "中珠新村12栋*单元***"


def _rows(response):
    body = b"".join(response.streaming_content if response.streaming else [response.content])
    return list(load_workbook(io.BytesIO(body)).active.values)


def test_the_mask_keeps_the_building_and_hides_unit_and_room():
    assert mask_address(FULL) == MASKED
    assert mask_address("张家大院") == "张***"
    assert mask_address("") == ""


@pytest.fixture
def rep(world, council):
    return councils.representative_elect(actor=None, council=council, name="陈代表", household=FULL)


def test_the_council_page_masks_and_reveals_with_an_audit_row(world, council, rep, client):
    u = world.users
    client.force_login(u.community_worker)
    page = client.get(reverse("deliberation:council", args=[council.public_id])).content.decode()
    assert MASKED in page and FULL not in page
    url = reverse("deliberation:rep_household", args=[council.public_id, rep.public_id])
    assert client.get(url).status_code == 405
    response = client.post(url)
    assert response.content.decode() == FULL
    event = AuditEvent.objects.get(action="reveal")
    assert (event.object_id, event.changes) == (str(rep.public_id), {"field": "household"})
    client.force_login(u.community_worker_outsider)
    assert client.post(url).status_code == 404
    assert AuditEvent.objects.filter(action="reveal").count() == 1


def test_the_export_masks_unless_full_values_are_asked_for(world, council, rep, client):
    client.force_login(world.users.community_worker)
    url = reverse("imports:export_deliberation_representatives")
    rows = _rows(client.get(url))
    column = rows[0].index("户（门牌）")
    assert [r[column] for r in rows[1:] if r[3] == "陈代表"] == [MASKED]
    assert AuditEvent.objects.filter(action="export").latest("pk").changes["masked"] is True
    rows = _rows(client.post(url, {"full": "1"}))
    assert [r[column] for r in rows[1:] if r[3] == "陈代表"] == [FULL]
    assert AuditEvent.objects.filter(action="export").latest("pk").changes["masked"] is False
