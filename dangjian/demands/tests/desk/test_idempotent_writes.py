"""A phone retrying a wish or a claim with its idempotency key writes once and gets the first answer
again (core.idempotency)."""

from django.urls import reverse

from dangjian.core.models import IdempotentRequest
from dangjian.demands.models import Demand, DemandLog, DemandStatus
from dangjian.demands.tests.test_workflow import published

REPLAYED = "这次提交已处理，未重复提交。"


def wish(world, **extra):
    return {"kind": "micro_wish", "title": "想要一套儿童绘本", "estate": world.estate.public_id, **extra}


def test_a_retried_wish_is_filed_once(world, login):
    client = login(world.users.resident)
    assert 'name="idempotency_key"' in client.get(reverse("demands:new")).content.decode()
    first = client.post(reverse("demands:new"), wish(world, idempotency_key="wish-key-1"))
    retry = client.post(reverse("demands:new"), wish(world, idempotency_key="wish-key-1"))
    assert first["Location"] == retry["Location"] == reverse("demands:mine")
    assert Demand.objects.count() == 1
    assert REPLAYED in client.get(retry["Location"]).content.decode()


def test_a_refused_wish_keeps_its_key(world, login):
    client = login(world.users.resident)
    refused = client.post(reverse("demands:new"), wish(world, bank_hours="3", idempotency_key="wish-key-2"))
    assert refused.status_code == 200 and not IdempotentRequest.objects.exists()
    made = client.post(reverse("demands:new"), wish(world, idempotency_key="wish-key-2"))
    assert made.status_code == 302 and Demand.objects.count() == 1


def test_a_retried_claim_answers_as_the_first(world, login):
    demand = published(world, title="陪老人就医")
    client = login(world.users.member)
    page = client.get(reverse("demands:board")).content.decode()
    assert 'name="idempotency_key"' in page
    url = reverse("demands:claim", args=[demand.public_id])
    first = client.post(url, {"version": demand.version, "idempotency_key": "claim-key-1"})
    retry = client.post(url, {"version": demand.version, "idempotency_key": "claim-key-1"})
    assert first["Location"] == retry["Location"] == reverse("demands:tasks")
    assert retry["Idempotent-Replayed"] == "true"
    demand.refresh_from_db()
    assert demand.status == DemandStatus.TAKEN and demand.assigned_user == world.users.member
    assert DemandLog.objects.filter(demand=demand, step="claim").count() == 1
    assert REPLAYED in client.get(retry["Location"]).content.decode()
