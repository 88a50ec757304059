from datetime import datetime, timedelta

import pytest
from django.utils import timezone
from huey.contrib.djhuey import HUEY

from dangjian.core import tasks
from dangjian.core.models import Heartbeat


def test_healthz_names_each_piece_in_machine_json(client, db):
    HUEY.flush()
    response = client.get("/healthz")
    data = response.json()
    assert response.status_code == 200 and data["status"] == "ok" and data["down"] == []
    assert set(data["checks"]) == {"database", "cache", "queue", "consumer"}
    assert all(check["ok"] for check in data["checks"].values())
    assert data["checks"]["queue"]["pending"] == 0
    # No heartbeat yet: the consumer is not seen alive, but with nothing waiting that is not "down".
    assert data["checks"]["consumer"]["alive"] is False and data["checks"]["consumer"]["heartbeat_age_seconds"] is None
    Heartbeat.objects.create(name=tasks.QUEUE_HEARTBEAT, at=timezone.now() - timedelta(seconds=30))
    consumer = client.get("/healthz").json()["checks"]["consumer"]
    assert consumer["alive"] is True and 30 <= consumer["heartbeat_age_seconds"] < consumer["stale_after_seconds"]
    # For monitors: ASCII only (no Chinese, no escapes of it).
    assert response.content.isascii() and b"\\u" not in response.content


def test_a_stale_consumer_with_pending_work_is_down(client, db):
    HUEY.flush()
    Heartbeat.objects.create(name=tasks.QUEUE_HEARTBEAT, at=timezone.now() - timedelta(minutes=30))
    assert client.get("/healthz").status_code == 200  # stale, but nothing is waiting
    tasks.record_heartbeat("probe")  # queued; no consumer takes it
    response = client.get("/healthz")
    data = response.json()
    assert response.status_code == 503 and data["status"] == "error" and data["down"] == ["consumer"]
    assert data["checks"]["queue"] == {"ok": True, "backend": HUEY.__class__.__name__, "pending": 1}
    assert data["checks"]["consumer"]["alive"] is False and data["checks"]["consumer"]["heartbeat_age_seconds"] >= 1800
    # The consumer runs again: its heartbeat is fresh, the pending work no longer counts against it.
    Heartbeat.objects.filter(name=tasks.QUEUE_HEARTBEAT).update(at=timezone.now())
    assert client.get("/healthz").status_code == 200
    HUEY.flush()


@pytest.mark.django_db(transaction=True)  # the consumer closes its connection after each task
def test_the_periodic_heartbeat_runs_end_to_end_through_the_real_queue():
    """Enqueue through the configured storage (SQLite file, or Redis in CI), then consume it."""
    HUEY.flush()
    assert not HUEY.immediate
    result = tasks.record_heartbeat("probe")
    assert HUEY.pending_count() == 1
    task = HUEY.dequeue()
    HUEY.execute(task)
    assert result.get() is not None
    assert Heartbeat.objects.filter(name="probe").exists()


@pytest.mark.django_db(transaction=True)
def test_the_heartbeat_is_registered_as_a_periodic_task():
    # What the consumer's scheduler would start at 03:17 and at 10:05.
    at_night = {t.name for t in HUEY.read_periodic(datetime(2026, 11, 21, 3, 17))}
    at_day = {t.name for t in HUEY.read_periodic(datetime(2026, 11, 21, 10, 5))}
    assert {"queue_heartbeat", "nightly_housekeeping"} <= at_night
    assert "queue_heartbeat" in at_day and "nightly_housekeeping" not in at_day
    # The periodic task's body, run as the consumer would run it:
    tasks.queue_heartbeat.call_local()
    assert Heartbeat.objects.get(name=tasks.QUEUE_HEARTBEAT).at > timezone.now() - timedelta(minutes=1)
    assert tasks.nightly_housekeeping.call_local() == {"sessions": 0, "idempotency_keys": 0}
