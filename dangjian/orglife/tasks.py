"""The daily scan of org life: this and the last period's obligations of every branch, and the
secretaries told once of what is overdue. Safe to run twice (rows are unique, told once)."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from dangjian.core.locks import single_run


@db_periodic_task(crontab(hour="5", minute="20"))
@single_run
def orglife_daily_scan() -> int:
    from .services.compliance import obligations_scan

    return obligations_scan().written
