"""Queue work for imports: large checks and imports, the sweep that finds the ones lost from the
queue (every five minutes) and hourly housekeeping."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from dangjian.core.locks import single_run

from . import services


@db_task()
def check_job_task(job_id: int) -> None:
    services.job_check_run(job_id)


@db_task()
def import_job_task(job_id: int) -> None:
    services.job_import_run(job_id)


@db_periodic_task(crontab(minute="*/5"))
@single_run
def imports_recover() -> dict:
    """Every five minutes: checks and imports lost from the queue are queued again; runs whose worker
    died are marked failed (services.jobs_recover)."""
    return services.jobs_recover()


@db_periodic_task(crontab(minute="41"))
@single_run
def imports_housekeeping() -> dict:
    """Every hour: checks and imports whose worker died are marked failed; old uploads deleted."""
    return services.jobs_housekeeping()
