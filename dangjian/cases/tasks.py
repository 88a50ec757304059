"""Case work on the queue: the deadline scans every few minutes, archiving every hour, and the
duplicate search of each new case (queued by intake after its commit), with a sweep that queues again
the searches lost from the queue.

Each scan is idempotent and bounded (deadlines.py), so a run that overlaps the next would do no harm;
still, each periodic task takes its own lock (core.locks.single_run) so that two consumers never do
the same work twice: a second run at the same time is skipped. The lock cannot be left behind by a
killed worker: it is a PostgreSQL session advisory lock (or a file flock on SQLite), dropped when the
holder's connection (or process) dies.
"""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from dangjian.core.locks import single_run


@db_periodic_task(crontab(minute="*/5"))
@single_run
def case_deadline_scan() -> dict:
    """Every five minutes: unaccepted reminders, warnings before deadlines, overdue marks, escalation."""
    from .deadlines import scan_all

    return scan_all()


@db_periodic_task(crontab(minute="41"))
@single_run
def case_archive_scan() -> dict:
    """Every hour: called-back cases past the district's archive_after_days are archived."""
    from .deadlines import scan_archive

    return scan_archive().as_dict()


@db_task(retries=2, retry_delay=30)
def case_duplicate_check(case_id: int) -> str:
    """After a case is registered: flag a likely duplicate of it for the dispatcher (duplicates.py)."""
    from .duplicates import flag_possible_duplicate

    match = flag_possible_duplicate(case_id)
    return match.case.number if match is not None else ""


@db_periodic_task(crontab(minute="2-59/5"))
@single_run
def case_duplicate_sweep() -> int:
    """Every five minutes: queue again the duplicate searches lost from the queue (duplicates.py)."""
    from .duplicates import requeue_unchecked

    return requeue_unchecked()
