"""The phone's writes under retries: answering, a visit with its needs, a task report run once per key
and replay the first answer (core.idempotency)."""

from django.urls import reverse

from dangjian.mobilization.models import Call, Visit

REPLAYED = "true"


def test_answering_runs_once_per_key(world, mob, placed, client):
    callup, *_rest = placed
    client.force_login(mob.c1b.user)
    url = reverse("mobilization:reply", args=[callup.public_id])
    assert 'name="idempotency_key"' in client.get(url).content.decode()
    data = {"available": "1", "skills": "驾驶", "idempotency_key": "key-answer-1"}
    first, retry = client.post(url, data), client.post(url, data)
    assert first.status_code == 302 and first["Location"] == retry["Location"]
    assert retry["Idempotent-Replayed"] == REPLAYED
    call = Call.objects.get(callup=callup, user=mob.c1b.user)
    assert call.status == "available" and call.skills == "驾驶"


def test_a_visit_raises_its_needs_once(world, mob, placed, client):
    callup, *_rest = placed
    visit = Visit.objects.filter(callup=callup).first()
    client.force_login(mob.near.user)
    url = reverse("mobilization:visit", args=[visit.public_id])
    data = {"needs": ["meals", "shopping"], "idempotency_key": "key-visit-1"}
    first, retry = client.post(url, data), client.post(url, data)
    assert retry["Idempotent-Replayed"] == REPLAYED and first["Location"] == retry["Location"]
    assert client.post(url, {**data, "idempotency_key": "key-visit-2"}).status_code == 302  # a new form
    assert visit.needs.count() == 2


def test_a_task_report_is_written_once(world, mob, placed, client):
    _callup, _call, _placement, task = placed
    client.force_login(mob.near.user)
    url = reverse("mobilization:task", args=[task.public_id])
    data = {"text": "已到岗", "idempotency_key": "key-task-1"}
    client.post(url, data)
    assert client.post(url, data)["Idempotent-Replayed"] == REPLAYED
    assert task.reports.count() == 1
