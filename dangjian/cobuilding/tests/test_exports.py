"""The Excel exports: the covenant fulfilment table, liaisons' visits and problems, estates by governance;
each scoped (an outsider gets the header only) and audited."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from dangjian.audit.models import AuditEvent
from dangjian.cobuilding.services import estates

pytestmark = pytest.mark.django_db


@pytest.fixture
def governance(world):
    return estates.governance_save(
        actor=None, estate=world.estate, mode="residents", branch=world.eb, owners_committee="中珠新村业委会",
        committee_has_org=True, haves={"has_cleaning"},
    )  # fmt: skip


def _rows(client, name: str, query: str = "") -> list[tuple]:
    response = client.get(reverse(f"imports:{name}") + query)
    assert response.status_code == 200
    body = b"".join(response.streaming_content if response.streaming else [response.content])
    return list(load_workbook(io.BytesIO(body)).active.values)


def test_the_exports_are_scoped_and_carry_the_figures(world, covenant, liaison, governance, client):
    client.force_login(world.users.community_worker_outsider)
    for name in ("export_cobuilding_fulfilment", "export_cobuilding_liaisons", "export_cobuilding_estates"):
        assert len(_rows(client, name, "?year=2025")) == 1  # the header only
    client.force_login(world.users.community_worker)
    header, *rows = _rows(client, "export_cobuilding_fulfilment", "?year=2025")
    assert len(rows) == 1 and rows[0][0] == 2025 and rows[0][2] == "拱北口岸中心"
    line = dict(zip(header, rows[0], strict=True))
    assert line["参加联席会议（完成/应完成）"] == "0 / 12" and line["是否滞后"] == "是"
    assert AuditEvent.objects.filter(action="export", object_type="cobuilding.covenant").exists()
    client.force_login(world.users.subdistrict_admin)
    header, *rows = _rows(client, "export_cobuilding_liaisons")
    line = dict(zip(header, rows[0], strict=True))
    assert len(rows) == 1 and line["领导姓名"] == "王副区长" and line["已走访（次）"] == 0
    header, *rows = _rows(client, "export_cobuilding_estates")
    line = dict(zip(header, rows[0], strict=True))
    assert len(rows) == 1 and line["小区"] == world.estate.name
    got = (line["管理方式"], line["红色业委会"], line["有卫生保洁"], line["有绿化养护"])
    assert got == ("居民自管", "是", "是", "否")


def test_a_unit_contact_may_not_export(world, client):
    client.force_login(world.users.unit_contact)
    response = client.get(reverse("imports:export_cobuilding_fulfilment"))
    assert response.status_code in (403, 404)
