"""GET requests and requests/{id}: the spec's fields, filters, limits, and no personal data."""

import json
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from dangjian.cases.intake.services import case_submit
from dangjian.cases.models import Case, CaseLog, CaseStatus, Channel
from dangjian.territory import services as territory_services

from .spec import check

FORMATS = ["json", "xml"]


def make_case(world, *, code="road_damage", lat=22.205, lng=113.505, **extra):
    return case_submit(
        actor=None,
        channel=Channel.HOTLINE,
        category=code,
        description=extra.pop("description", "人行道砖块松动"),
        lat=lat,
        lng=lng,
        address=extra.pop("address", "婆石路 12 号旁"),
        area=None if lat is not None else world.c1,
        reporter_name="李四",
        reporter_phone="13900139000",
        **extra,
    )


def rows(response):
    return json.loads(response.content)


@pytest.mark.parametrize("fmt", FORMATS)
def test_it_lists_requests_with_every_spec_field(client, world, fmt):
    case = make_case(world, media_urls=["https://img.example.cn/p.jpg"])
    response = client.get(f"/open311/v2/requests.{fmt}")
    assert response.status_code == 200
    [row] = check("requests", response, fmt)
    assert row["service_request_id"] == case.number
    assert row["status"] == "open"
    assert row["service_code"] == "road_damage" and row["service_name"] == "道路破损"
    assert row["description"] == "人行道砖块松动"
    assert row["address"] == "婆石路 12 号旁"
    assert float(row["lat"]) == pytest.approx(22.205) and float(row["long"]) == pytest.approx(113.505)
    assert row["requested_datetime"].endswith("+08:00")
    assert row["agency_responsible"] == "婆石社区"
    assert row["media_url"] == "https://img.example.cn/p.jpg"
    assert case.number in row["status_notes"]  # the public "registered" step


def test_it_never_shows_the_reporter(client, world):
    make_case(world)
    for fmt in FORMATS:
        body = client.get(f"/open311/v2/requests.{fmt}").content.decode()
        assert "李四" not in body and "13900139000" not in body


def test_it_maps_the_lifecycle_to_open_and_closed_with_public_notes(client, world):
    case = make_case(world)
    CaseLog.objects.create(
        case=case, step="close", from_status="handling", to_status="closed", note="内部备注", public=False
    )
    CaseLog.objects.create(case=case, step="close", from_status="handling", to_status="closed", note="已修复人行道砖块")
    now = timezone.now()
    Case.objects.filter(pk=case.pk).update(status=CaseStatus.CLOSED, closed_at=now, deadline=now + timedelta(days=1))
    [row] = rows(client.get(f"/open311/v2/requests/{case.number}.json"))
    assert row["status"] == "closed"
    assert row["status_notes"] == "已修复人行道砖块"
    assert row["updated_datetime"] == timezone.localtime(now).isoformat(timespec="seconds")
    assert row["expected_datetime"] is not None
    for status in (CaseStatus.ACCEPTED, CaseStatus.DISPATCHED, CaseStatus.HANDLING):
        Case.objects.filter(pk=case.pk).update(status=status)
        assert rows(client.get(f"/open311/v2/requests/{case.number}.json"))[0]["status"] == "open"
    for status in (CaseStatus.CALLED_BACK, CaseStatus.ARCHIVED, CaseStatus.REJECTED, CaseStatus.MERGED):
        Case.objects.filter(pk=case.pk).update(status=status)
        assert rows(client.get(f"/open311/v2/requests/{case.number}.json"))[0]["status"] == "closed"


def test_it_names_the_assigned_department_as_agency_responsible(client, world):
    case = make_case(world)
    Case.objects.filter(pk=case.pk).update(assigned_department=world.dept, assignee_kind="department")
    assert rows(client.get("/open311/v2/requests.json"))[0]["agency_responsible"] == "香洲区城管局"


@pytest.mark.parametrize("fmt", FORMATS)
def test_it_answers_one_request_as_a_one_element_list(client, world, fmt):
    case = make_case(world)
    response = client.get(f"/open311/v2/requests/{case.number}.{fmt}")
    assert response.status_code == 200
    [row] = check("requests", response, fmt)
    assert row["service_request_id"] == case.number


@pytest.mark.parametrize("fmt", FORMATS)
def test_it_answers_an_unknown_request_with_404(client, world, fmt):
    response = client.get(f"/open311/v2/requests/XZ-20990101-0001.{fmt}")
    assert response.status_code == 404
    [error] = check("errors", response, fmt)
    assert error["description"].startswith("service_request_id：")


def test_it_filters_by_ids_codes_status_and_dates(client, world):
    a = make_case(world)
    b = make_case(world, code="street_light", description="路灯不亮")
    c = make_case(world, code="noise", description="夜间施工噪音")
    Case.objects.filter(pk=c.pk).update(status=CaseStatus.ARCHIVED)
    old = make_case(world, description="半年前的事")
    Case.objects.filter(pk=old.pk).update(received_at=timezone.now() - timedelta(days=120))

    def ids(query):
        response = client.get(f"/open311/v2/requests.json?{query}")
        assert response.status_code == 200, response.content.decode()
        return {r["service_request_id"] for r in rows(response)}

    assert ids("") == {a.number, b.number, c.number}  # the last 90 days by default
    assert ids(f"service_request_id={a.number},{old.number}") == {a.number, old.number}  # overrides the rest
    assert ids(f"service_request_id={a.number}&status=closed") == {a.number}
    assert ids("service_code=street_light,noise") == {b.number, c.number}
    assert ids("status=open") == {a.number, b.number}
    assert ids("status=closed") == {c.number}
    assert ids("status=open,closed") == {a.number, b.number, c.number}
    start = (timezone.now() - timedelta(days=150)).strftime("%Y-%m-%dT%H:%M:%SZ")
    end = (timezone.now() - timedelta(days=100)).strftime("%Y-%m-%dT%H:%M:%S+08:00")
    assert ids(f"start_date={start}&end_date={end}") == {old.number}
    assert ids(f"start_date={start}") == {old.number}  # start plus 90 days
    assert ids(f"end_date={end}") == {old.number}  # 90 days up to end


def test_it_pages_with_page_and_page_size(client, world):
    made = [make_case(world, description=f"第 {n} 件") for n in range(5)]
    newest_first = [c.number for c in reversed(made)]
    first = [r["service_request_id"] for r in rows(client.get("/open311/v2/requests.json?page_size=2"))]
    second = [r["service_request_id"] for r in rows(client.get("/open311/v2/requests.json?page_size=2&page=2"))]
    last = [r["service_request_id"] for r in rows(client.get("/open311/v2/requests.json?page_size=2&page=3"))]
    assert first + second + last == newest_first


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("status=pending", "status"),
        ("start_date=last-week", "start_date"),
        ("end_date=2026-13-01", "end_date"),
        ("start_date=2026-01-01T00:00:00Z&end_date=2026-06-01T00:00:00Z", "end_date"),
        ("start_date=2026-06-01T00:00:00Z&end_date=2026-01-01T00:00:00Z", "end_date"),
        ("page=0", "page"),
        ("page_size=1001", "page_size"),
        ("page_size=many", "page_size"),
    ],
)
def test_it_refuses_bad_filters_naming_them(client, world, query, field):
    response = client.get(f"/open311/v2/requests.json?{query}")
    assert response.status_code == 400
    [error] = check("errors", response, "json")
    assert error["description"].startswith(f"{field}：")


def test_it_needs_a_jurisdiction_only_when_there_are_several(client, world):
    case = make_case(world)
    assert client.get("/open311/v2/requests.json").status_code == 200
    assert client.get("/open311/v2/requests.json?jurisdiction_id=").status_code == 200  # empty = absent
    assert client.get("/open311/v2/requests.json?jurisdiction_id=nowhere").status_code == 404
    other = territory_services.area_create(actor=None, level="district", name="金湾区", parent=None, code="440404")
    response = client.get("/open311/v2/requests.json")
    assert response.status_code == 400
    assert rows(response)[0]["description"].startswith("jurisdiction_id：")
    assert [r["service_request_id"] for r in rows(client.get("/open311/v2/requests.json?jurisdiction_id=440402"))] == [
        case.number
    ]
    assert rows(client.get(f"/open311/v2/requests.json?jurisdiction_id={other.code}")) == []
    assert client.get(f"/open311/v2/requests/{case.number}.json?jurisdiction_id=440404").status_code == 404


def test_it_reads_a_page_of_requests_in_a_fixed_number_of_queries(client, world):
    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/open311/v2/requests.json?status=open").status_code == 200
        return len(ctx.captured_queries)

    make_case(world)
    one = count()
    for n in range(6):
        case = make_case(world, description=f"第 {n} 件", media_urls=["https://img.example.cn/x.jpg"])
        Case.objects.filter(pk=case.pk).update(assigned_department=world.dept)
    assert count() == one <= 3
