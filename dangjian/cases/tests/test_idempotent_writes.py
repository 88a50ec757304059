"""A phone retrying a report, a patrol report or a claim with its idempotency key writes once and gets the
first answer again (core.idempotency); the Open311 key on the case is a separate mechanism."""

import pytest
from django.test import Client
from django.urls import reverse

from dangjian.cases import services
from dangjian.cases.models import Case, CaseLog
from dangjian.cases.tests.intake.test_views import report_data
from dangjian.cases.tests.test_workflow import accepted, fresh
from dangjian.core.models import IdempotentRequest
from dangjian.core.testing import run_at_once

REPLAYED = "这次提交已处理，未重复提交。"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def test_a_retried_report_files_one_case_and_answers_with_its_receipt(world, login):
    client = login(world.users.resident)
    first = client.post(reverse("cases:report"), {**report_data(), "idempotency_key": "report-key-1"})
    retry = client.post(reverse("cases:report"), {**report_data(), "idempotency_key": "report-key-1"})
    case = Case.objects.get()
    assert first.status_code == retry.status_code == 302
    assert retry["Location"] == first["Location"] == reverse("cases:receipt", args=[case.public_id])
    assert REPLAYED in client.get(retry["Location"]).content.decode()
    assert case.idempotency_key == "" and case.client is None  # the API's own key is left alone
    # The same key with other words is refused, not filed.
    other = client.post(reverse("cases:report"), {**report_data(description="路灯坏了好几天，晚上很黑看不清路"),
                                                  "idempotency_key": "report-key-1"})  # fmt: skip
    assert other.status_code == 422 and "提交编号已被使用" in other.content.decode()
    assert Case.objects.count() == 1
    # Another key is another report.
    client.post(reverse("cases:report"), {**report_data(), "idempotency_key": "report-key-2"})
    assert Case.objects.count() == 2


def test_a_report_with_errors_keeps_its_key_and_shows_a_fresh_one(world, login):
    client = login(world.users.resident)
    refused = client.post(reverse("cases:report"), {**report_data(description=""), "idempotency_key": "report-key-3"})
    assert refused.status_code == 200 and not Case.objects.exists() and not IdempotentRequest.objects.exists()
    page = refused.content.decode()
    assert 'name="idempotency_key"' in page and 'value="report-key-3"' not in page
    made = client.post(reverse("cases:report"), {**report_data(), "idempotency_key": "report-key-3"})
    assert made.status_code == 302 and Case.objects.count() == 1


def test_a_retried_patrol_report_files_one_case(world, login):
    client = login(world.users.grid_worker)
    data = {**report_data(), "idempotency_key": "patrol-key-1"}
    first = client.post(reverse("cases:patrol"), data)
    retry = client.post(reverse("cases:patrol"), data)
    assert retry["Location"] == first["Location"] and Case.objects.count() == 1


def test_a_retried_claim_answers_as_the_first_and_a_refused_claim_keeps_its_key(world, login):
    u = world.users
    case = services.case_publish(actor=u.community_worker, case=accepted(world))
    url = reverse("cases:claim", args=[case.public_id])
    # A stale version is refused with an error message: the key is not used up.
    stale = login(u.member).post(url, {"version": case.version - 1, "idempotency_key": "claim-key-1"})
    assert stale["Location"] == reverse("cases:claim_board") and not IdempotentRequest.objects.exists()
    version = fresh(case).version
    first = login(u.member).post(url, {"version": version, "idempotency_key": "claim-key-1"})
    retry = login(u.member).post(url, {"version": version, "idempotency_key": "claim-key-1"})
    assert first["Location"] == retry["Location"] == case.get_absolute_url()
    assert retry["Idempotent-Replayed"] == "true"
    assert fresh(case).assigned_user == u.member
    assert CaseLog.objects.filter(case=case, step="claim").count() == 1


@pytest.mark.django_db(transaction=True)
def test_four_racing_retries_of_one_report_file_one_case(world):
    clients = []
    for _i in range(4):
        client = Client()
        client.force_login(world.users.resident)
        clients.append(client)
    data = {**report_data(), "idempotency_key": "report-race-1"}
    results = run_at_once(*[lambda c=c: c.post(reverse("cases:report"), data) for c in clients])
    assert all(kind == "ok" for kind, _value in results), results
    responses = [value for _kind, value in results]
    case = Case.objects.get()
    assert {r["Location"] for r in responses} == {reverse("cases:receipt", args=[case.public_id])}
    assert sum(r.has_header("Idempotent-Replayed") for r in responses) == 3
    assert CaseLog.objects.filter(case=case, step="submit").count() == 1
