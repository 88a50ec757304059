"""Open311 reads publish no personal data: masked text, rounded points, private reports left out;
a key with a staff grant reads its own district in full, and every such read is audited."""

import json
from xml.etree import ElementTree as ET

import pytest
from django.urls import reverse

from dangjian.audit.models import AuditEvent
from dangjian.cases.models import Case, CaseLog
from dangjian.conftest import make_user
from dangjian.open311 import services
from dangjian.open311.models import ApiClient
from dangjian.territory import services as territory_services

from .spec import check
from .test_get_requests import make_case

FORMATS = ["json", "xml"]
MOBILE = "13912345678"
CITIZEN_ID = "11010519491231002X"
PRIVATE_WORDS = "家暴求助"
DESCRIPTION = f"楼上漏水，请联系我 {MOBILE}，身份证 {CITIZEN_ID}，邮箱 wang.fang@example.com"
POINT = (22.205678, 113.505432)


@pytest.fixture
def cases(world):
    public = make_case(world, description=DESCRIPTION, lat=POINT[0], lng=POINT[1])
    CaseLog.objects.create(
        case=public, step="dispatch", from_status="accepted", to_status="dispatched", note=f"已电话联系 {MOBILE}"
    )
    private = make_case(world, description=f"{PRIVATE_WORDS}，请勿公开", is_public=False)
    return public, private


@pytest.fixture
def staff_key(world):
    client, key = services.client_create(actor=None, name="区网格化中心", district=world.district, staff_grant=True)
    return client, key


def get(client, path, fmt, key=None):
    response = client.get(f"/open311/v2/{path}.{fmt}", {"api_key": key} if key else {})
    body = response.content.decode()
    if fmt == "xml" and response.status_code == 200:
        ET.fromstring(response.content)  # well-formed
    return response, body


@pytest.mark.parametrize("fmt", FORMATS)
def test_an_anonymous_read_masks_text_rounds_points_and_leaves_out_private_reports(client, cases, fmt):
    public, private = cases
    response, body = get(client, "requests", fmt)
    assert response.status_code == 200
    [row] = check("requests", response, fmt)
    assert row["service_request_id"] == public.number
    for secret in (MOBILE, CITIZEN_ID, "wang.fang@", PRIVATE_WORDS, private.number):
        assert secret not in body
    assert "139****5678" in row["description"] and "110105********002X" in row["description"]
    assert row["status_notes"] == "已电话联系 139****5678"
    assert float(row["lat"]) == round(POINT[0], 3) and float(row["long"]) == round(POINT[1], 3)
    assert str(POINT[0]) not in body and str(POINT[1]) not in body


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_private_report_answers_like_a_missing_one(client, cases, fmt):
    _public, private = cases
    missing, _ = get(client, "requests/XZ-20990101-0001", fmt)
    hidden, body = get(client, f"requests/{private.number}", fmt)
    assert hidden.status_code == missing.status_code == 404
    [error] = check("errors", hidden, fmt)
    assert error["description"] == f"service_request_id：没有编号为「{private.number}」的事件。"
    assert PRIVATE_WORDS not in body
    response = client.get(f"/open311/v2/requests.{fmt}", {"service_request_id": private.number})
    assert response.status_code == 200 and check("requests", response, fmt) == []


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_key_without_a_staff_grant_reads_like_anyone(client, api, cases, fmt):
    response, body = get(client, "requests", fmt, key=api.key)
    assert response.status_code == 200
    assert MOBILE not in body and PRIVATE_WORDS not in body
    assert len(check("requests", response, fmt)) == 1
    assert not AuditEvent.objects.filter(action="reveal").exists()


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_staff_grant_key_reads_its_district_in_full_and_is_audited(client, cases, staff_key, fmt):
    public, private = cases
    api_client, key = staff_key
    response, body = get(client, "requests", fmt, key=key)
    assert response.status_code == 200
    rows = {r["service_request_id"]: r for r in check("requests", response, fmt)}
    assert set(rows) == {public.number, private.number}
    assert rows[public.number]["description"] == DESCRIPTION
    assert rows[public.number]["status_notes"] == f"已电话联系 {MOBILE}"
    assert float(rows[public.number]["lat"]) == POINT[0] and float(rows[public.number]["long"]) == POINT[1]
    assert PRIVATE_WORDS in rows[private.number]["description"]
    one, _ = get(client, f"requests/{private.number}", fmt, key=key)
    assert one.status_code == 200 and PRIVATE_WORDS in one.content.decode()
    events = AuditEvent.objects.filter(action="reveal", object_id=str(api_client.public_id)).order_by("pk")
    assert [e.changes["count"][1] for e in events] == [2, 1]
    assert events[1].changes["service_requests"][1] == [private.number]


def test_a_staff_grant_reads_another_district_like_anyone(client, world, cases):
    other = territory_services.area_create(actor=None, level="district", name="金湾区", parent=None, code="440404")
    _c, key = services.client_create(actor=None, name="金湾网格中心", district=other, staff_grant=True)
    body = client.get("/open311/v2/requests.json", {"api_key": key, "jurisdiction_id": "440402"}).content.decode()
    assert MOBILE not in body and PRIVATE_WORDS not in body and "139****5678" in body
    assert not AuditEvent.objects.filter(action="reveal").exists()


@pytest.mark.parametrize("fmt", FORMATS)
def test_an_unknown_or_deactivated_key_is_refused_on_reads(client, world, cases, staff_key, fmt):
    api_client, key = staff_key
    services.client_deactivate(actor=None, client=api_client)
    for bad in (key, "not-a-key"):
        response, body = get(client, "requests", fmt, key=bad)
        assert response.status_code == 403
        [error] = check("errors", response, fmt)
        assert error["description"].startswith("api_key：") and MOBILE not in body


def test_the_masking_covers_landlines_and_leaves_case_numbers(client, world):
    case = make_case(world, description="固话 0756-2212345，手机 138 0013 8000")
    [row] = json.loads(client.get(f"/open311/v2/requests/{case.number}.json").content)
    assert row["description"] == "固话 075****2345，手机 138****8000"
    assert case.number in row["status_notes"]  # "已登记，编号 XZ-…": not a phone number


def test_the_resident_keeps_a_report_out_of_public_reads(client, login, world):
    from dangjian.cases.tests.intake.test_views import report_data

    resident = login(world.users.resident)
    page = resident.get(reverse("cases:report")).content.decode()
    assert "不公开这条反映" in page and 'name="not_public"' in page
    assert resident.post(reverse("cases:report"), report_data(not_public="on")).status_code == 302
    assert resident.post(reverse("cases:report"), report_data(description="路灯坏了")).status_code == 302
    private, public = Case.objects.order_by("pk")
    assert (private.is_public, public.is_public) == (False, True)
    resident.logout()
    body = client.get("/open311/v2/requests.json").content.decode()
    assert public.number in body and private.number not in body


def test_the_keys_page_issues_a_staff_grant_and_audits_it(login, world):
    admin = login(world.users.district_admin)
    page = admin.get("/open311/v2/clients/").content.decode()
    assert 'name="staff_grant"' in page and "完整读取" in page
    response = admin.post("/open311/v2/clients/new/", {"name": "区网格化中心", "staff_grant": "on"})
    assert response.status_code == 302
    created = ApiClient.objects.get(name="区网格化中心")
    assert created.staff_grant
    assert "staff-grant-hint" in admin.get(response["Location"]).content.decode()
    assert AuditEvent.objects.get(action="create", object_type="open311.apiclient").changes["staff_grant"] == [
        None,
        True,
    ]
    admin.post("/open311/v2/clients/new/", {"name": "随手拍"})
    assert not ApiClient.objects.get(name="随手拍").staff_grant
    listing = admin.get("/open311/v2/clients/").content.decode()
    assert listing.count('data-testid="staff-grant"') == 1


def test_a_staff_grant_key_is_only_issued_by_the_district_admin(login, world):
    outsider = login(make_user("jd9", "subdistrict_admin", area=world.s1))
    assert outsider.post("/open311/v2/clients/new/", {"name": "x", "staff_grant": "on"}).status_code == 404
    assert not ApiClient.objects.exists()
