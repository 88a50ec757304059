"""Periodic demand work on the queue: lateness scans every ten minutes, auto-close of unrated
demands every hour. Each scan is idempotent and bounded; each also takes its own lock (core.locks.single_run:
one that starts while another runs is skipped, and a killed worker cannot leave the lock behind)."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from dangjian.core.locks import single_run


@db_periodic_task(crontab(minute="*/10"))
@single_run
def demand_lateness_scan() -> dict:
    """Remind about late steps once; escalate to the community secretary when they stay late."""
    from .reminders import scan_all

    return scan_all()


@db_periodic_task(crontab(minute="23"))
@single_run
def demand_auto_close() -> int:
    """Done demands left unrated past the district's auto_close_after_days are closed by the system
    (actor None) through the loop's own service, which settles hours and points."""
    from .services import close_unrated

    return close_unrated()
