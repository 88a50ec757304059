from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from .locks import single_run
from .models import Heartbeat

QUEUE_HEARTBEAT = "queue"


@db_task()
def record_heartbeat(name: str = QUEUE_HEARTBEAT) -> str:
    now = timezone.now()
    Heartbeat.objects.update_or_create(name=name, defaults={"at": now})
    return now.isoformat()


@db_periodic_task(crontab(minute="*"))
@single_run
def queue_heartbeat() -> str:
    """Every minute: proves that the consumer runs periodic tasks (read by /healthz)."""
    return record_heartbeat.call_local(QUEUE_HEARTBEAT)


@db_periodic_task(crontab(minute="17", hour="3"))
@single_run
def nightly_housekeeping() -> dict:
    """Every night: drop expired sessions and week-old idempotency keys (each app declares its own
    nightly tasks in its tasks.py)."""
    from django.contrib.sessions.models import Session

    from .idempotency import purge

    sessions, _ = Session.objects.filter(expire_date__lt=timezone.now()).delete()
    return {"sessions": sessions, "idempotency_keys": purge()}


@db_periodic_task(crontab(minute="37", hour="2"))
@single_run
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


@db_periodic_task(crontab(minute="7", hour="4"))
@single_run
def nightly_integrity() -> dict:
    """Every night, after the facts check: run the integrity checks (core/integrity.py: states and logs,
    ledgers, duplicated writes, figures of the last two days), log every finding and return the counts
    per check. Read-only: an operator reads the log (or runs `manage.py integrity`) and acts."""
    import logging

    from . import integrity

    logger = logging.getLogger("dangjian.integrity")
    results = integrity.run()
    for result in results:
        if result.error:
            logger.error("integrity %s: check failed: %s", result.check.name, result.error)
        elif result.count:
            logger.warning("integrity %s: %d findings", result.check.name, result.count)
            for found in result.findings[:20]:
                logger.warning("integrity %s: %s", result.check.name, found.as_dict())
    failed = [r.check.name for r in results if not r.ok]
    logger.info("integrity: %d checks, %d failed %s", len(results), len(failed), failed)
    return {r.check.name: (-1 if r.error else r.count) for r in results}
