"""Creates and steps through the API end up exactly like the page's (the same service, the same rows:
case, log, facts, audit); a stale version is refused with 409; a retry with its Idempotency-Key
writes once."""

from __future__ import annotations

from django.urls import reverse

from dangjian.audit.models import AuditEvent
from dangjian.cases.models import Case, CaseLog, CaseStatus
from dangjian.cases.tests.test_workflow import G1A_POINT
from dangjian.cases.tests.test_workflow import submit as case_submit
from dangjian.centers.models import Booking
from dangjian.core.models import DailyFact
from dangjian.demands.models import Demand, DemandLog, DemandStatus
from dangjian.demands.tests.test_workflow import submit as demand_submit

from .conftest import body

REPORT = {
    "category": "garbage",
    "description": "小区门口垃圾堆放三天无人清运，气味很大",
    "lat": G1A_POINT["lat"],
    "lng": G1A_POINT["lng"],
    "address": "中珠新村门口",
    "reporter_phone": "13812345678",
}


def shape(case: Case) -> dict:
    """What a filed or stepped case is, less its identity and times."""
    return {
        "status": case.status,
        "channel": case.channel,
        "category": case.category.code,
        "description": case.description,
        "grid": case.grid_id,
        "community": case.community_id,
        "area_path": case.area_path,
        "reporter": case.reporter_id,
        "reporter_phone": case.reporter_phone,
        "is_public": case.is_public,
        "owner": case.owner_id,
        "version": case.version,
        "log": list(CaseLog.objects.filter(case=case).order_by("pk").values_list("step", "actor_id", "to_status")),
        "audit": sorted(
            AuditEvent.objects.filter(object_id=str(case.public_id)).values_list("action", "actor_id", "role")
        ),
    }


def test_a_report_through_the_api_is_the_phone_reports_case(world, api, login):
    resident = world.users.resident
    page = login(resident).post(reverse("cases:report"), REPORT)
    assert page.status_code == 302
    by_page = Case.objects.get()
    facts_after_page = dict(DailyFact.objects.filter(subject="cases", dim="").values_list("area_path", "c0"))
    response = api(resident).post("/cases", REPORT)
    assert response.status_code == 201, response.content
    by_api = Case.objects.get(public_id=body(response)["id"])
    assert shape(by_api) == shape(by_page)
    assert body(response)["number"] == by_api.number and body(response)["status"] == CaseStatus.SUBMITTED
    # The facts counted it as the page's: every node's "received" went up by one more.
    after = dict(DailyFact.objects.filter(subject="cases", dim="").values_list("area_path", "c0"))
    assert after == {path: n * 2 for path, n in facts_after_page.items()}


def test_a_bad_report_names_each_wrong_field(world, api):
    response = api(world.users.resident).post("/cases", {**REPORT, "category": "nothing", "reporter_phone": "12"})
    assert response.status_code == 422
    assert set(body(response)["error"]["fields"]) == {"category", "reporter_phone"}
    missing = api(world.users.resident).post("/cases", {"description": "只有描述"})
    assert missing.status_code == 422 and {"category", "reporter_phone"} <= set(body(missing)["error"]["fields"])
    assert body(missing)["error"]["fields"]["category"] == "此项必填。"
    assert not Case.objects.exists()


def test_a_step_through_the_api_is_the_desks_step(world, api, login):
    worker = world.users.community_worker
    on_page, on_api = case_submit(world), case_submit(world)
    page = login(worker).post(reverse("cases:step", args=[on_page.public_id, "accept"]), {"version": on_page.version})
    assert page.status_code == 302
    response = api(worker).post(f"/cases/{on_api.public_id}/steps/accept", {"version": on_api.version, "note": ""})
    assert response.status_code == 200, response.content
    answer = body(response)
    assert answer["status"] == CaseStatus.ACCEPTED and answer["message"]
    on_page, on_api = Case.objects.get(pk=on_page.pk), Case.objects.get(pk=on_api.pk)
    assert answer["version"] == on_api.version
    assert shape(on_api) | {"description": ""} == shape(on_page) | {"description": ""}
    # Dispatching to a department takes the step's own fields, as the desk's form does.
    dispatched = api(worker).post(
        f"/cases/{on_api.public_id}/steps/dispatch",
        {"version": on_api.version, "kind": "department", "department": str(world.dept.public_id)},
    )
    assert dispatched.status_code == 200, dispatched.content
    assert Case.objects.get(pk=on_api.pk).assigned_department == world.dept


def test_a_stale_or_refused_step_gets_409_and_changes_nothing(world, api):
    worker = world.users.community_worker
    case = case_submit(world)
    stale = api(worker).post(f"/cases/{case.public_id}/steps/accept", {"version": case.version - 1})
    assert stale.status_code == 409 and body(stale)["error"]["code"] == "stale"
    refused = api(worker).post(f"/cases/{case.public_id}/steps/callback", {"version": case.version, "rating": "3"})
    assert refused.status_code in (409, 422), refused.content
    assert body(refused)["error"]["message"]
    assert api(worker).post(f"/cases/{case.public_id}/steps/nothing", {"version": 1}).status_code == 404
    no_version = api(worker).post(f"/cases/{case.public_id}/steps/accept", {})
    assert no_version.status_code == 422 and "version" in body(no_version)["error"]["fields"]
    assert Case.objects.get(pk=case.pk).status == CaseStatus.SUBMITTED
    assert CaseLog.objects.filter(case=case).count() == 1


def test_a_retried_create_with_its_key_writes_once(world, api):
    caller = api(world.users.resident)
    first = caller.post("/cases", REPORT, HTTP_IDEMPOTENCY_KEY="report-key-0001")
    retry = caller.post("/cases", REPORT, HTTP_IDEMPOTENCY_KEY="report-key-0001")
    assert first.status_code == retry.status_code == 201
    assert body(first) == body(retry) and retry["Idempotent-Replayed"] == "true"
    assert Case.objects.count() == 1
    other = caller.post("/cases", {**REPORT, "description": "另一件事"}, HTTP_IDEMPOTENCY_KEY="report-key-0001")
    assert other.status_code == 409 and body(other)["error"]["code"] == "idempotency_conflict"
    bad = caller.post("/cases", REPORT, HTTP_IDEMPOTENCY_KEY="短")
    assert bad.status_code == 400 and body(bad)["error"]["code"] == "idempotency_key"
    # A refused create does not use its key up.
    refused = caller.post("/cases", {**REPORT, "category": "nothing"}, HTTP_IDEMPOTENCY_KEY="report-key-0002")
    assert refused.status_code == 422
    assert caller.post("/cases", REPORT, HTTP_IDEMPOTENCY_KEY="report-key-0002").status_code == 201
    assert Case.objects.count() == 2


def test_a_demand_through_the_api_is_the_pages(world, api, login):
    wish = {"kind": "micro_wish", "title": "想要一套儿童绘本", "estate": str(world.estate.public_id)}
    assert login(world.users.resident).post(reverse("demands:new"), wish).status_code == 302
    response = api(world.users.resident).post("/demands", wish)
    assert response.status_code == 201, response.content
    by_page, by_api = Demand.objects.order_by("pk")
    fields = ("kind", "title", "community_id", "estate_id", "area_path", "requester_id", "status", "version")
    assert [getattr(by_api, f) for f in fields] == [getattr(by_page, f) for f in fields]
    worker = world.users.community_worker
    accepted = api(worker).post(f"/demands/{by_api.public_id}/steps/accept", {"version": by_api.version})
    assert accepted.status_code == 200, accepted.content
    assert Demand.objects.get(pk=by_api.pk).status == DemandStatus.ACCEPTED
    assert DemandLog.objects.filter(demand=by_api, step="accept", actor=worker).exists()
    assert body(api(worker).get(f"/demands/{by_api.public_id}"))["status"] == DemandStatus.ACCEPTED


def test_a_demand_step_is_refused_when_stale(world, api):
    demand = demand_submit(world)
    worker = world.users.community_worker
    stale = api(worker).post(f"/demands/{demand.public_id}/steps/accept", {"version": demand.version + 5})
    assert stale.status_code == 409 and body(stale)["error"]["code"] == "stale"


def test_a_booking_through_the_api(world, things, api):
    from dangjian.centers.tests.conftest import next_weekday

    day = next_weekday(2).isoformat()
    caller = api(world.users.resident)
    room = things.net.meeting.public_id
    made = caller.post(f"/rooms/{room}/bookings", {"date": day, "start": "14:30", "end": "15:30", "purpose": "议事"})
    assert made.status_code == 201, made.content
    booking = Booking.objects.get(public_id=body(made)["id"])
    assert booking.booked_by == world.users.resident and booking.status == body(made)["status"]
    clash = caller.post(f"/rooms/{room}/bookings", {"date": day, "start": "15:00", "end": "16:00", "purpose": "又一次"})
    assert clash.status_code == 422 and body(clash)["error"]["message"]
    cancelled = caller.post(f"/bookings/{booking.public_id}/steps/cancel", {"note": "改期"})
    assert cancelled.status_code == 200, cancelled.content
    assert Booking.objects.get(pk=booking.pk).status == body(cancelled)["status"] == "cancelled"


def test_every_create_takes_an_idempotency_key():
    from dangjian.cases.api import case_report
    from dangjian.centers.api import book
    from dangjian.demands.api import demand_new

    assert all(getattr(view, "idempotent", False) for view in (case_report, demand_new, book))
