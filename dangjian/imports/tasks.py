"""Queue work for imports: large checks and imports, and hourly housekeeping."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from . import services


@db_task()
def check_job_task(job_id: int) -> None:
    services.job_check_run(job_id)


@db_task()
def import_job_task(job_id: int) -> None:
    services.job_import_run(job_id)


@db_periodic_task(crontab(minute="41"))
def imports_housekeeping() -> dict:
    """Every hour: checks and imports whose worker died are marked failed; old uploads deleted."""
    return services.jobs_housekeeping()
