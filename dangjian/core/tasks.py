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
    """Every night: recompute yesterday's figures facts from raw rows, log any drift and repair it;
    returns the differences found (core.figures.facts.reconcile)."""
    import datetime

    from .figures import facts

    day = timezone.localdate() - datetime.timedelta(days=1)
    drift = facts.reconcile(day, repair=True)
    return {"day": day.isoformat(), "differences": [d.as_dict() for d in drift]}
