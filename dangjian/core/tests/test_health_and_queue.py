from datetime import datetime, timedelta

import pytest
from django.utils import timezone
from huey.contrib.djhuey import HUEY

from dangjian.core import tasks
from dangjian.core.models import Heartbeat


def test_healthz_reports_database_cache_and_queue(client, db):
    response = client.get("/healthz")
    data = response.json()
    assert response.status_code == 200 and data["status"] == "ok"
    assert set(data["checks"]) == {"database", "cache", "queue"}
    assert all(check["ok"] for check in data["checks"].values())
    assert data["checks"]["queue"]["consumer_alive"] is False  # no heartbeat yet
    Heartbeat.objects.create(name=tasks.QUEUE_HEARTBEAT, at=timezone.now() - timedelta(seconds=30))
    assert client.get("/healthz").json()["checks"]["queue"]["consumer_alive"] is True


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
    assert tasks.nightly_housekeeping.call_local() == {"sessions": 0}
