"""What a POST reads per request (key, category, number prefix, duty item) comes from the process's
intake reference (cases/intake/reference.py): no query for it once warm, and every edit is seen."""

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dangjian.audit.models import AuditEvent
from dangjian.cases.duty.services import duty_item_create
from dangjian.cases.intake import reference
from dangjian.cases.intake.reference import INTAKE_VERSION, intake_copy
from dangjian.cases.models import Case, CaseCategory, CaseLog, CasePolicy
from dangjian.core.models import bump_version
from dangjian.open311 import services
from dangjian.territory import gridcache
from dangjian.territory.geo import grid_index_copy

from .conftest import garbage_answers


def created(response) -> Case:
    assert response.status_code == 200, response.content.decode()
    return Case.objects.get(number=json.loads(response.content)[0]["service_request_id"])


def as_a_process_that_wrote_nothing(settings, seconds: float = 60) -> None:
    """Token checks every `seconds`, as in a deployment; the fixtures' writes forgotten (in a test
    everything runs inside one transaction, where a writing thread reads the token on every call)."""
    settings.INTAKE_REFERENCE_CHECK_SECONDS = seconds
    settings.GRID_INDEX_CHECK_SECONDS = seconds
    for copy in (intake_copy, grid_index_copy):
        copy._local.writing = False
        copy.invalidate()


def test_a_warm_post_reads_nothing_and_writes_case_log_and_audit(post_request, settings):
    post_request(garbage_answers())  # the grid index and the reference, built
    as_a_process_that_wrote_nothing(settings)
    post_request(garbage_answers(), headers={"Idempotency-Key": "warm-1"})  # token read once more
    with CaptureQueriesContext(connection) as queries:
        response = post_request(garbage_answers(), headers={"Idempotency-Key": "warm-2"})
    case = created(response)
    statements = [q["sql"] for q in queries.captured_queries]
    # Only a version token may be read (with REDIS_URL, a nudge from any process asks for it).
    reads = [s for s in statements if s.lstrip().upper().startswith("SELECT") and "core_version" not in s]
    assert reads == [], reads
    inserts = " ".join(s for s in statements if s.lstrip().upper().startswith("INSERT"))
    for table in ("cases_case", "cases_caselog", "audit_auditevent"):
        assert f'INSERT INTO "{table}"' in inserts
    assert CaseLog.objects.filter(case=case, step="submit").exists()
    assert AuditEvent.objects.filter(object_id=str(case.public_id), action="create").exists()
    assert len(statements) <= 12, statements


def test_a_deactivated_key_is_refused_at_once(post_request, api, world):
    created(post_request(garbage_answers()))
    services.client_deactivate(actor=world.users.district_admin, client=api.client)
    response = post_request(garbage_answers())
    assert response.status_code == 403


def test_a_retired_or_renamed_category_is_seen_at_once(post_request, api):
    created(post_request(garbage_answers()))
    api.garbage.name = "生活垃圾收运"
    api.garbage.save()
    case = created(post_request(garbage_answers()))
    assert "生活垃圾收运" in json.loads(post_request(garbage_answers()).content)[0]["service_notice"]
    assert case.category == api.garbage
    api.garbage.is_active = False
    api.garbage.save()
    assert post_request(garbage_answers()).status_code == 404


def test_a_new_question_of_the_category_is_asked_at_once(post_request, api):
    created(post_request(garbage_answers()))
    api.garbage.attributes.create(code="floor", datatype="string", required=True, description="楼层", order=5)
    response = post_request(garbage_answers())
    assert response.status_code == 400
    assert "楼层" in response.content.decode()


def test_a_new_number_prefix_is_used_at_once(post_request, world):
    assert created(post_request(garbage_answers())).number.startswith("XZ-")
    CasePolicy.objects.update_or_create(district=world.district, defaults={"number_prefix": "ZH"})
    assert created(post_request(garbage_answers())).number.startswith("ZH-")


def test_a_duty_item_edit_is_proposed_at_once(post_request, api, world):
    assert created(post_request(garbage_answers())).duty_item is None
    item = duty_item_create(
        actor=world.users.district_admin,
        subdistrict=world.s1,
        name="生活垃圾清运",
        duty_area="order",
        lead_department=world.dept,
        categories=[api.garbage],
        limit_amount=3,
        limit_unit="workdays",
    )
    case = created(post_request(garbage_answers()))
    assert case.duty_item == item
    world.dept.name = "香洲区市容环卫局"
    world.dept.save()
    case = created(post_request(garbage_answers()))
    assert CaseLog.objects.filter(case=case, note__contains="香洲区市容环卫局").exists()
    item.categories.clear()
    assert created(post_request(garbage_answers())).duty_item is None


def test_another_process_sees_an_edit_at_its_next_token_check(post_request, api, settings, monkeypatch):
    """An edit made elsewhere (here: rows changed and the token replaced without telling this
    process) is not seen before the check interval, and is seen after it."""
    # A copy of its own that hears nothing through Redis (Redis channels are shared by every
    # process on the server, whatever the database number): only the interval decides here.
    settings.REDIS_URL = ""
    monkeypatch.setattr(
        reference,
        "intake_copy",
        reference._IntakeCopy(
            INTAKE_VERSION, reference.IntakeReference, check_seconds_setting="INTAKE_REFERENCE_CHECK_SECONDS"
        ),
    )
    created(post_request(garbage_answers()))
    as_a_process_that_wrote_nothing(settings, seconds=30)
    reference.intake_copy.invalidate()
    created(post_request(garbage_answers()))  # reads the token, keeps the copy
    now = gridcache._clock()
    monkeypatch.setattr(gridcache, "_clock", lambda: now)
    CaseCategory.objects.filter(pk=api.garbage.pk).update(is_active=False)
    bump_version(INTAKE_VERSION)
    assert post_request(garbage_answers()).status_code == 200  # within the interval: the copy
    monkeypatch.setattr(gridcache, "_clock", lambda: now + 31)
    assert post_request(garbage_answers()).status_code == 404


@pytest.mark.django_db(transaction=True)
def test_a_retry_after_the_first_commit_makes_no_case_and_no_number(api, world):
    """Outside a test transaction case_submit opens its own: a retry clashes on the unique key,
    the whole transaction rolls back (its number too) and the first case answers."""
    from django.test import Client

    def post(key: str):
        return Client().post(
            "/open311/v2/requests.json",
            {"api_key": api.key, "jurisdiction_id": api.jurisdiction, **garbage_answers()},
            headers={"Idempotency-Key": key},
        )

    first = post("commit-1")
    again = post("commit-1")
    assert again.status_code == 200 and again["Idempotent-Replayed"] == "true"
    assert again.content == first.content
    other = created(post("commit-2"))
    assert Case.objects.count() == 2
    first_number = json.loads(first.content)[0]["service_request_id"]
    assert int(other.number.rsplit("-", 1)[1]) == int(first_number.rsplit("-", 1)[1]) + 1
    different = Client().post(
        "/open311/v2/requests.json",
        {"api_key": api.key, **garbage_answers(description="另一件事")},
        headers={"Idempotency-Key": "commit-1"},
    )
    assert different.status_code == 422
    assert Case.objects.count() == 2


def test_a_retry_of_a_category_since_retired_still_gets_the_first_answer(post_request, api):
    headers = {"Idempotency-Key": "retired-1"}
    first = post_request(garbage_answers(), headers=headers)
    api.garbage.is_active = False
    api.garbage.save()
    again = post_request(garbage_answers(), headers=headers)
    assert again.status_code == 200 and again.content == first.content
    assert again["Idempotent-Replayed"] == "true"
