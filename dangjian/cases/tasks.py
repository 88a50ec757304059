"""Periodic case work on the queue: the deadline scans every few minutes, archiving every hour.

Each scan is idempotent and bounded (deadlines.py), so two workers running one at the same time,
or a run that overlaps the next, do no harm: a case another run or a person changed is skipped. No
task lock: a lock left behind by a killed worker would stop the scans, and they need none.
"""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task


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
