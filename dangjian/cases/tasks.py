"""Case work on the queue: the deadline scans every few minutes, archiving every hour, and the
duplicate search of each new case (queued by intake after its commit).

Each scan is idempotent and bounded (deadlines.py), so two workers running one at the same time,
or a run that overlaps the next, do no harm: a case another run or a person changed is skipped. No
task lock: a lock left behind by a killed worker would stop the scans, and they need none.
"""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task


@db_periodic_task(crontab(minute="*/5"))
def case_deadline_scan() -> dict:
    """Every five minutes: unaccepted reminders, warnings before deadlines, overdue marks, escalation."""
    from .deadlines import scan_all

    return scan_all()


@db_periodic_task(crontab(minute="41"))
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
