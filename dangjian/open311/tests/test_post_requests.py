"""POST requests.{json,xml}: a case is made through case_submit; every refusal is the spec's error list."""

import json

import pytest

from dangjian.audit.models import AuditEvent
from dangjian.cases.models import Case, CaseCategory, CasePhoto, Channel
from dangjian.open311 import services
from dangjian.territory import services as territory_services

from .conftest import garbage_answers
from .spec import check


def descriptions(response) -> str:
    return " | ".join(e["description"] for e in json.loads(response.content))


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_it_creates_a_case_from_a_form_encoded_post(post_request, api, world, fmt):
    response = post_request(garbage_answers(**{"attribute[smells][]": ["odor", "rats"]}), fmt=fmt)
    assert response.status_code == 200, response.content.decode()
    [created] = check("created", response, fmt)
    case = Case.objects.get(number=created["service_request_id"])
    assert case.channel == Channel.API
    assert case.client == api.client
    assert case.category.code == "garbage"
    assert case.grid == world.g1a and case.community == world.c1 and case.subdistrict == world.s1
    assert case.attributes == {"bin_kind": "kitchen", "smells": ["odor", "rats"]}
    assert case.number in created["service_notice"]
    assert created["account_id"] is None


def test_it_keeps_only_name_and_phone_of_the_person(post_request):
    response = post_request(
        garbage_answers(
            first_name="三",
            last_name="张",
            phone="138 0013 8000",
            email="zhang@example.com",
            device_id="dev-1",
            account_id="acc-9",
        )
    )
    assert response.status_code == 200, response.content.decode()
    case = Case.objects.get(number=json.loads(response.content)[0]["service_request_id"])
    assert case.reporter_name == "张三"
    assert case.reporter_phone == "13800138000"
    stored = json.dumps([case.description, case.attributes, case.address], ensure_ascii=False)
    for dropped in ("zhang@example.com", "dev-1", "acc-9"):
        assert dropped not in stored


def test_it_keeps_a_latin_name_in_given_order(post_request):
    response = post_request(garbage_answers(first_name="John", last_name="Smith"))
    case = Case.objects.get(number=json.loads(response.content)[0]["service_request_id"])
    assert case.reporter_name == "John Smith"


def test_it_keeps_the_media_url_as_a_report_photo(post_request):
    response = post_request(garbage_answers(media_url="https://img.example.cn/a.jpg"))
    case = Case.objects.get(number=json.loads(response.content)[0]["service_request_id"])
    assert list(CasePhoto.objects.filter(case=case).values_list("media_url", flat=True)) == [
        "https://img.example.cn/a.jpg"
    ]


def test_it_fills_an_empty_description_with_the_service_name(post_request):
    response = post_request(garbage_answers(description=""))
    case = Case.objects.get(number=json.loads(response.content)[0]["service_request_id"])
    assert "垃圾清运" in case.description


def test_it_accepts_multipart_posts(client, api):
    data = {"api_key": api.key, **garbage_answers()}
    response = client.post("/open311/v2/requests.json", data)  # the test client sends multipart by default
    assert response.status_code == 200
    assert Case.objects.count() == 1


def test_it_needs_no_csrf_token(api):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    response = strict.post("/open311/v2/requests.json", {"api_key": api.key, **garbage_answers()})
    assert response.status_code == 200


def test_it_marks_the_client_key_as_used(post_request, api):
    assert api.client.last_used_at is None
    post_request(garbage_answers())
    api.client.refresh_from_db()
    assert api.client.last_used_at is not None


def test_it_takes_jurisdiction_id_as_optional(post_request):
    response = post_request(garbage_answers(jurisdiction_id=""))
    assert response.status_code == 200


# --- locations -------------------------------------------------------------------------------


def test_it_places_an_address_id_of_a_building(post_request, world):
    data = garbage_answers(address_id=str(world.building.public_id))
    data.pop("lat"), data.pop("long")
    response = post_request(data)
    assert response.status_code == 200, response.content.decode()
    case = Case.objects.get(number=json.loads(response.content)[0]["service_request_id"])
    assert case.community == world.c1
    assert "中珠新村" in case.address and "1栋" in case.address
    assert case.lat == pytest.approx(22.206)


def test_it_places_an_address_string_by_the_estate_it_names(post_request, world):
    data = garbage_answers(address_string="中珠新村东门垃圾站")
    data.pop("lat"), data.pop("long")
    response = post_request(data)
    assert response.status_code == 200, response.content.decode()
    case = Case.objects.get(number=json.loads(response.content)[0]["service_request_id"])
    assert case.community == world.c1
    assert case.address == "中珠新村东门垃圾站"


def test_it_parks_an_address_it_cannot_place_in_the_clients_district(post_request, world):
    data = garbage_answers(address_string="香洲区某处路口")
    data.pop("lat"), data.pop("long")
    response = post_request(data)
    assert response.status_code == 200, response.content.decode()
    case = Case.objects.get(number=json.loads(response.content)[0]["service_request_id"])
    assert (case.district, case.grid, case.community, case.placement) == (world.district, None, None, "none")
    assert case.area_path == world.district.path
    assert case.log.filter(public=False, note__contains="请人工定位").exists()


def test_it_refuses_an_address_id_of_another_district(post_request, world):
    other = territory_services.area_create(actor=None, level="district", name="金湾区", parent=None, code="440404")
    c = territory_services.area_create(
        actor=None,
        level="community",
        name="三灶社区",
        parent=territory_services.area_create(
            actor=None, level="subdistrict", name="三灶镇", parent=other, code="440404100"
        ),
    )
    estate = territory_services.estate_save(actor=None, community=c, name="海澄花园", lat=22.0, lng=113.3)
    data = garbage_answers(address_id=str(estate.public_id))
    data.pop("lat"), data.pop("long")
    response = post_request(data)
    assert response.status_code == 400
    assert "address_id" in descriptions(response)


# --- refusals --------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_it_refuses_a_missing_key_with_403(post_request, fmt):
    response = post_request(garbage_answers(), fmt=fmt, with_key=False)
    assert response.status_code == 403
    [error] = check("errors", response, fmt)
    assert error["code"] == 403 and "api_key" in error["description"]
    assert Case.objects.count() == 0


def test_it_refuses_an_unknown_key_with_403(post_request):
    response = post_request(garbage_answers(), key="not-a-key")
    assert response.status_code == 403
    assert "密钥" in descriptions(response)


def test_it_refuses_a_deactivated_key_with_403(post_request, api, world):
    services.client_deactivate(actor=world.users.district_admin, client=api.client)
    response = post_request(garbage_answers())
    assert response.status_code == 403
    assert Case.objects.count() == 0


def test_it_refuses_an_unknown_jurisdiction_with_404(post_request):
    response = post_request(garbage_answers(jurisdiction_id="999999"))
    assert response.status_code == 404
    text = descriptions(response)
    assert "jurisdiction_id" in text and "440402" in text


def test_it_refuses_another_districts_jurisdiction_with_403(post_request):
    territory_services.area_create(actor=None, level="district", name="金湾区", parent=None, code="440404")
    response = post_request(garbage_answers(jurisdiction_id="440404"))
    assert response.status_code == 403
    assert "香洲区" in descriptions(response)


def test_it_refuses_a_missing_service_code_with_400(post_request):
    data = garbage_answers()
    data.pop("service_code")
    response = post_request(data)
    assert response.status_code == 400
    assert descriptions(response).startswith("service_code")


def test_it_refuses_an_unknown_or_inactive_service_code_with_404(post_request):
    response = post_request(garbage_answers(service_code="potholes"))
    assert response.status_code == 404
    CaseCategory.objects.filter(code="noise").update(is_active=False)
    response = post_request(garbage_answers(service_code="noise"))
    assert response.status_code == 404
    assert "service_code" in descriptions(response)


def test_it_refuses_a_post_without_any_location(post_request):
    data = garbage_answers()
    data.pop("lat"), data.pop("long")
    response = post_request(data)
    assert response.status_code == 400
    assert "lat 与 long，或 address_string，或 address_id" in descriptions(response)


@pytest.mark.parametrize(
    ("location", "field"),
    [
        ({"lat": "22.205"}, "long"),
        ({"long": "113.505"}, "lat"),
        ({"lat": "north", "long": "113.505"}, "lat/long"),
        ({"lat": "95", "long": "113.505"}, "lat/long"),
    ],
)
def test_it_names_the_bad_coordinate(post_request, location, field):
    data = {k: v for k, v in garbage_answers().items() if k not in ("lat", "long")}
    response = post_request({**data, **location})
    assert response.status_code == 400
    assert descriptions(response).startswith(f"{field}：")


def test_it_refuses_an_unknown_address_id(post_request):
    data = {k: v for k, v in garbage_answers(address_id="nowhere").items() if k not in ("lat", "long")}
    response = post_request(data)
    assert response.status_code == 400
    assert descriptions(response).startswith("address_id：")


def test_it_refuses_a_too_long_address(post_request):
    response = post_request(garbage_answers(address_string="路" * 201))
    assert response.status_code == 400
    assert "address_string" in descriptions(response)


def test_it_refuses_a_missing_required_attribute(post_request):
    data = garbage_answers()
    data.pop("attribute[bin_kind]")
    response = post_request(data)
    assert response.status_code == 400
    assert "attribute[bin_kind]：「垃圾桶类型」为必填项" in descriptions(response)


@pytest.mark.parametrize(
    ("answers", "field", "words"),
    [
        ({"attribute[bin_kind]": "glass"}, "attribute[bin_kind]", "kitchen"),
        ({"attribute[bin_kind]": ["kitchen", "other"]}, "attribute[bin_kind]", "只能有一个值"),
        ({"attribute[smells][]": ["odor", "smoke"]}, "attribute[smells]", "smoke"),
        ({"attribute[bags]": "a few"}, "attribute[bags]", "数字"),
        ({"attribute[seen_at]": "yesterday"}, "attribute[seen_at]", "ISO 8601"),
    ],
)
def test_it_checks_attributes_against_the_service_definition(post_request, answers, field, words):
    response = post_request(garbage_answers(**answers))
    assert response.status_code == 400
    text = descriptions(response)
    assert text.startswith(f"{field}：") and words in text
    assert Case.objects.count() == 0


def test_it_keeps_number_and_datetime_attributes_and_ignores_unknown_codes(post_request):
    response = post_request(
        garbage_answers(**{"attribute[bags]": "3", "attribute[seen_at]": "2026-11-20T08:00:00Z", "attribute[x]": "1"})
    )
    assert response.status_code == 200, response.content.decode()
    case = Case.objects.get()
    assert case.attributes == {"bin_kind": "kitchen", "bags": "3", "seen_at": "2026-11-20T16:00:00+08:00"}


def test_it_reports_every_problem_at_once(post_request):
    data = {k: v for k, v in garbage_answers().items() if k not in ("long", "attribute[bin_kind]")}
    response = post_request(data)
    assert response.status_code == 400
    errors = json.loads(response.content)
    assert [e["description"].split("：")[0] for e in errors] == ["long", "attribute[bin_kind]"]
    assert all(e["code"] == 400 for e in errors)


def test_it_passes_on_case_submit_refusals_with_the_spec_field_name(post_request):
    response = post_request(garbage_answers(phone="12345"))
    assert response.status_code == 400
    assert descriptions(response).startswith("phone：")
    response = post_request(garbage_answers(media_url="ftp://x"))
    assert response.status_code == 400
    assert descriptions(response).startswith("media_url：")
    response = post_request(garbage_answers(description="很" * 2001))
    assert response.status_code == 400
    assert descriptions(response).startswith("description：")


def test_it_refuses_other_methods_with_an_error_body(client, api):
    response = client.delete("/open311/v2/requests.json")
    assert response.status_code == 405
    assert response["Allow"] == "GET, POST"
    check("errors", response, "json")


def test_it_audits_the_case_as_filed_by_the_client(post_request, api):
    post_request(garbage_answers())
    event = AuditEvent.objects.get(object_type="cases.case")
    assert event.changes["client"] == [None, "12345 热线"]


def test_it_answers_a_point_outside_every_grid_by_parking_it_in_the_district(post_request, world):
    response = post_request(garbage_answers(lat="22.9", long="113.9"))
    assert response.status_code == 200, response.content.decode()
    case = Case.objects.get()
    assert case.district == world.district and case.grid is None


def test_it_takes_the_api_key_from_the_query_string_too(client, api):
    response = client.post(f"/open311/v2/requests.json?api_key={api.key}", garbage_answers())
    assert response.status_code == 200


def test_the_answer_does_not_wait_for_the_duplicate_search(post_request, django_capture_on_commit_callbacks):
    """The second report of the same problem is answered at once; the search that flags it as a
    possible duplicate is queued after the commit and runs on the queue (cases/tests/test_duplicates)."""
    from huey.contrib.djhuey import HUEY

    first = post_request(garbage_answers())
    was = HUEY.immediate
    HUEY.immediate = True  # the queue as a worker would run it, once the callbacks run
    try:
        with django_capture_on_commit_callbacks(execute=False) as queued:
            second = post_request(garbage_answers(description="婆石路的垃圾桶满了三天没人清运"))
        assert second.status_code == 200, second.content.decode()
        case = Case.objects.get(number=json.loads(second.content)[0]["service_request_id"])
        assert case.possible_duplicate_of is None  # answered before the search
        for callback in queued:
            callback()
    finally:
        HUEY.immediate = was
    case.refresh_from_db()
    assert case.possible_duplicate_of == Case.objects.get(number=json.loads(first.content)[0]["service_request_id"])
