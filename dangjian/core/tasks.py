from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from .models import Heartbeat

QUEUE_HEARTBEAT = "queue"


@db_task()
def record_heartbeat(name: str = QUEUE_HEARTBEAT) -> str:
    now = timezone.now()
    Heartbeat.objects.update_or_create(name=name, defaults={"at": now})
    return now.isoformat()


@db_periodic_task(crontab(minute="*"))
def queue_heartbeat() -> str:
    """Every minute: proves that the consumer runs periodic tasks (read by /healthz)."""
    return record_heartbeat.call_local(QUEUE_HEARTBEAT)


@db_periodic_task(crontab(minute="17", hour="3"))
def nightly_housekeeping() -> dict:
    """Every night: drop expired sessions (each app declares its own nightly tasks in its tasks.py)."""
    from django.contrib.sessions.models import Session

    sessions, _ = Session.objects.filter(expire_date__lt=timezone.now()).delete()
    return {"sessions": sessions}


@db_periodic_task(crontab(minute="37", hour="2"))
def nightly_facts_check() -> dict:
    """Every night: recompute yesterday's figures facts from raw rows (a stock subject: its stock as
    of now), log any drift and repair it, then store any missing monthly snapshot of the stocks;
    returns the differences found (core.figures.facts.reconcile) and the snapshots written."""
    import datetime

    from .figures import facts

    day = timezone.localdate() - datetime.timedelta(days=1)
    drift = facts.reconcile(day, repair=True)
    snapshots = {s.name: facts.snapshot(s) for s in facts.SUBJECTS.values() if s.stock}
    return {"day": day.isoformat(), "differences": [d.as_dict() for d in drift], "snapshots": snapshots}


@db_task()
def facts_record_bulk(model_label: str, ranges: list[tuple[int, int]]) -> int:
    """The figures store's stocks of rows a bulk write added (`facts.record_bulk`), queued at its commit
    so a 100,000-row import does not wait for them: `ranges` are inclusive pk ranges, recorded 5,000 rows
    to a transaction. Safe to run twice (each row's FactMark says what it already added); if it never
    runs, the nightly check corrects the stock. Returns the number of pks recorded."""
    from django.apps import apps
    from django.db import transaction

    from .figures import facts

    model = apps.get_model(model_label)
    pks = [pk for low, high in ranges for pk in range(low, high + 1)]
    for start in range(0, len(pks), 5000):
        with transaction.atomic():
            facts.record_bulk(model, pks[start : start + 5000])
    return len(pks)
