"""GeoReport v2 conformance: unreadable bodies, control characters, the key's jurisdiction,
Idempotency-Key reuse, tokens — each answered with the spec's error list in JSON and in XML."""

import json
from unittest import mock
from urllib.parse import urlencode
from xml.etree import ElementTree as ET

import pytest
from django.test import Client
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart

from dangjian.cases.intake import services as intake_services
from dangjian.cases.intake.services import case_submit
from dangjian.cases.models import Case, Channel
from dangjian.conftest import square
from dangjian.open311 import posting, services
from dangjian.territory import services as territory_services

from .conftest import garbage_answers
from .spec import check

FORMATS = ["json", "xml"]
URL = "/open311/v2/requests.{fmt}"


def raw_post(fmt, body: bytes, content_type: str, **headers):
    return Client(raise_request_exception=False).generic(
        "POST", URL.format(fmt=fmt), body, content_type=content_type, headers=headers
    )


def only_error(response, fmt, status):
    assert response.status_code == status, response.content[:300]
    [error] = check("errors", response, fmt)
    assert error["code"] == status
    return error["description"]


# --- bodies (item 19) ---------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_it_refuses_a_form_in_another_charset_with_400(api, fmt):
    data = {"api_key": api.key, **garbage_answers(description="垃圾桶满溢")}
    body = urlencode(data, encoding="gbk").encode()
    description = only_error(raw_post(fmt, body, "application/x-www-form-urlencoded; charset=gbk"), fmt, 400)
    assert "UTF-8" in description and "gbk" in description
    multipart = encode_multipart(BOUNDARY, data)
    response = raw_post(fmt, multipart, f"{MULTIPART_CONTENT}; charset=gbk")
    assert "UTF-8" in only_error(response, fmt, 400)
    assert Case.objects.count() == 0


@pytest.mark.parametrize("fmt", FORMATS)
def test_it_refuses_gbk_bytes_sent_as_utf8_naming_the_field(api, fmt):
    body = urlencode({"api_key": api.key, **garbage_answers(description="垃圾桶满溢")}, encoding="gbk").encode()
    description = only_error(raw_post(fmt, body, "application/x-www-form-urlencoded"), fmt, 400)
    assert description.startswith("description：") and "UTF-8" in description
    assert Case.objects.count() == 0


@pytest.mark.parametrize("fmt", FORMATS)
def test_it_answers_a_too_large_body_with_413(api, settings, fmt):
    data = {"api_key": api.key, **garbage_answers(description="很" * 1000)}
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = len(urlencode(data)) - 1
    response = raw_post(fmt, urlencode(data).encode(), "application/x-www-form-urlencoded")
    assert str(settings.DATA_UPLOAD_MAX_MEMORY_SIZE) in only_error(response, fmt, 413)
    assert Case.objects.count() == 0


@pytest.mark.parametrize("fmt", FORMATS)
def test_it_answers_a_body_that_is_no_form_with_400(api, fmt):
    response = raw_post(fmt, b"--nope\r\n\r\n", "multipart/form-data")  # no boundary
    assert only_error(response, fmt, 400).startswith("请求体：")


# --- control characters (item 20) ------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("char", ["\x00", "\x0b", "\x1b"])
def test_it_refuses_characters_xml_cannot_carry_naming_the_field(post_request, fmt, char):
    response = post_request(garbage_answers(description=f"垃圾{char}满溢"), fmt=fmt)
    description = only_error(response, fmt, 400)
    assert description.startswith("description：") and "控制字符" in description
    response = post_request(garbage_answers(address_string=f"婆石路{char}"), fmt=fmt)
    assert only_error(response, fmt, 400).startswith("address_string：")
    assert Case.objects.count() == 0


@pytest.mark.parametrize("fmt", FORMATS)
def test_it_refuses_control_characters_in_a_query_too(client, world, fmt):
    response = client.get(URL.format(fmt=fmt), {"service_code": "garbage\x00"})
    assert only_error(response, fmt, 400).startswith("service_code：")
    response = client.get(URL.format(fmt=fmt), {"jurisdiction_id": "440402\x00"})
    assert only_error(response, fmt, 400).startswith("jurisdiction_id：")


def test_case_submit_strips_them_for_every_other_channel(world):
    case = case_submit(
        actor=None,
        channel=Channel.HOTLINE,
        category="garbage",
        description="垃圾\x0b满溢\x1b[31m\x00",
        area=world.c1,
        address="婆石路\x0c12 号",
        reporter_name="李\x07四",
    )
    case.refresh_from_db()
    assert (case.description, case.address, case.reporter_name) == ("垃圾满溢[31m", "婆石路12 号", "李四")


@pytest.mark.parametrize("fmt", FORMATS)
def test_it_keeps_the_list_well_formed_when_a_stored_case_has_one(client, world, fmt):
    """Cases kept before input was checked: the XML list must still parse."""
    case = case_submit(actor=None, channel=Channel.HOTLINE, category="garbage", description="x", area=world.c1)
    Case.objects.filter(pk=case.pk).update(description="垃圾\x0b满溢\x1b", address="婆石路\x0c")
    response = client.get(URL.format(fmt=fmt))
    if fmt == "xml":
        ET.fromstring(response.content)
    [row] = check("requests", response, fmt)
    assert (row["description"], row["address"]) == ("垃圾满溢", "婆石路")


# --- the key's jurisdiction (item 21) --------------------------------------------------------


@pytest.fixture
def jinwan(world):
    a = territory_services.area_create
    district = a(actor=None, level="district", name="金湾区", parent=None, code="440404")
    community = a(
        actor=None,
        level="community",
        name="三灶社区",
        parent=a(actor=None, level="subdistrict", name="三灶镇", parent=district, code="440404100"),
    )
    # One grid far away, one sharing g1a's western edge (lng 113.50).
    far = a(actor=None, level="grid", name="三灶第一网格", parent=community, boundary=square(113.30, 22.00))
    edge = a(actor=None, level="grid", name="三灶边界网格", parent=community, boundary=square(113.49, 22.20))
    return district, far, edge


@pytest.mark.parametrize("fmt", FORMATS)
def test_it_refuses_a_point_in_another_districts_grid(post_request, world, jinwan, fmt):
    response = post_request(garbage_answers(lat="22.005", long="113.305"), fmt=fmt)
    description = only_error(response, fmt, 400)
    assert description.startswith("lat/long：")
    assert "金湾区" in description and "三灶第一网格" in description and "香洲区" in description
    assert Case.objects.count() == 0


def test_it_files_a_border_point_in_the_keys_own_district(client, world, jinwan):
    district, _far, edge = jinwan
    _c, key = services.client_create(actor=None, name="金湾热线", district=district)
    # On the edge g1a (香洲区, the smaller path) shares with 三灶边界网格.
    response = client.post(URL.format(fmt="json"), {"api_key": key, **garbage_answers(lat="22.205", long="113.50")})
    assert response.status_code == 200, response.content.decode()
    case = Case.objects.get()
    assert (case.district, case.grid) == (district, edge)


# --- Idempotency-Key (item 22) ---------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_it_answers_422_when_a_key_is_reused_for_another_report(post_request, fmt):
    headers = {"Idempotency-Key": "fms-4712"}
    first = post_request(garbage_answers(), fmt=fmt, headers=headers)
    assert first.status_code == 200
    other = post_request(garbage_answers(description="另一处垃圾桶也满了"), fmt=fmt, headers=headers)
    description = only_error(other, fmt, 422)
    assert description.startswith("Idempotency-Key：") and Case.objects.get().number in description
    assert "Idempotent-Replayed" not in other
    # The same fields in another order are the same request.
    reordered = dict(reversed(list(garbage_answers().items())))
    again = post_request(reordered, fmt=fmt, headers=headers)
    assert again.status_code == 200 and again["Idempotent-Replayed"] == "true"
    assert again.content == first.content
    assert Case.objects.count() == 1


def _lose_the_race(post_request, data):
    """The first post commits between the second one's check (posting asks before it validates;
    case_submit does not ask again) and its insert."""
    real = intake_services.idempotent_replay
    calls = []

    def after_insert(*args, **kwargs):
        calls.append(args)
        return real(*args, **kwargs)

    with (
        mock.patch.object(posting, "idempotent_replay", return_value=None),  # the check before the insert misses
        mock.patch.object(intake_services, "idempotent_replay", side_effect=after_insert),
    ):
        response = post_request(data, headers={"Idempotency-Key": "race-2"})
    assert len(calls) == 1  # the insert failed on the unique key and looked again
    return response


def test_a_replay_that_loses_the_race_inside_the_service_is_marked(post_request):
    first = post_request(garbage_answers(), headers={"Idempotency-Key": "race-2"})
    response = _lose_the_race(post_request, garbage_answers())
    assert response.status_code == 200
    assert response["Idempotent-Replayed"] == "true" and response.content == first.content
    assert Case.objects.count() == 1


def test_a_different_report_that_loses_the_race_gets_422(post_request):
    post_request(garbage_answers(), headers={"Idempotency-Key": "race-2"})
    response = _lose_the_race(post_request, garbage_answers(description="别的事"))
    assert only_error(response, "json", 422).startswith("Idempotency-Key：")
    assert Case.objects.count() == 1


# --- tokens (item 23) ------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("token", ["fms-4713", "fms.4713.json"])
def test_it_answers_a_token_with_the_service_request_id(client, post_request, api, fmt, token):
    """The token is the Idempotency-Key the client posted with (a dot in it is no extension)."""
    posted = json.loads(post_request(garbage_answers(), headers={"Idempotency-Key": token}).content)
    response = client.get(f"/open311/v2/tokens/{token}.{fmt}", {"api_key": api.key})
    assert response.status_code == 200, response.content.decode()
    [row] = check("token", response, fmt)
    assert row == {"service_request_id": posted[0]["service_request_id"], "token": token}


@pytest.mark.parametrize("fmt", FORMATS)
def test_it_answers_an_unknown_token_or_another_clients_with_404(client, post_request, api, world, fmt):
    post_request(garbage_answers(), headers={"Idempotency-Key": "fms-4714"})
    _other, other_key = services.client_create(actor=None, name="随手拍", district=world.district)
    for key, token in ((api.key, "fms-9999"), (other_key, "fms-4714"), (api.key, "fms%00")):
        response = client.get(f"/open311/v2/tokens/{token}.{fmt}", {"api_key": key})
        assert only_error(response, fmt, 404).startswith("token_id：")


@pytest.mark.parametrize("fmt", FORMATS)
def test_it_needs_the_posting_key_for_a_token(client, post_request, fmt):
    post_request(garbage_answers(), headers={"Idempotency-Key": "fms-4715"})
    response = client.get(f"/open311/v2/tokens/fms-4715.{fmt}")
    assert only_error(response, fmt, 403).startswith("api_key：")
    response = client.post(f"/open311/v2/tokens/fms-4715.{fmt}")
    assert response.status_code == 405 and response["Allow"] == "GET"
