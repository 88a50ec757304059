"""Mobilization work on the queue: the fan-out of a call-up, and the sweep that queues again every fan-out
whose worker died (services.fanouts_resume). Running a fan-out twice calls nobody twice."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from dangjian.core.locks import single_run


@db_task(retries=2, retry_delay=30)
def callup_fanout(callup_id: int) -> int:
    """Call everyone a call-up names (services.fanout_run)."""
    from .services import fanout_run

    return fanout_run(callup_id)


@db_periodic_task(crontab(minute="*/5"))
@single_run
def callup_fanout_sweep() -> int:
    """Every five minutes: fan-outs left half-way are queued again."""
    from .services import fanouts_resume

    return fanouts_resume()
