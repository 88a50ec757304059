"""Workforce work on the queue: the yearly step-up run (safe to run twice: proposals are once per worker
and year), and on the first of January the run of every district with a table in force, plus a sweep
that queues again any run a killed worker left unfinished."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from dangjian.core.locks import single_run


@db_task(retries=2, retry_delay=60)
def stepup_run_task(run_id: int) -> int:
    from .services.stepup import stepup_run_execute

    return stepup_run_execute(run_id).proposed


@db_periodic_task(crontab(month="1", day="1", hour="2", minute="0"))
@single_run
def stepup_yearly() -> int:
    """Every first of January: each district with a table in force gets its run for the new year."""
    from django.utils import timezone

    from .models import Ladder, LadderStatus
    from .services.stepup import stepup_run_start

    year = timezone.localdate().year
    started = 0
    for ladder in Ladder.objects.filter(status=LadderStatus.ACTIVE).select_related("district"):
        _run, created = stepup_run_start(actor=None, district=ladder.district, year=year)
        started += int(created)
    return started


@db_periodic_task(crontab(minute="*/15"))
@single_run
def stepup_sweep() -> int:
    """Runs not done an hour after they were started are queued again (their work is in the rows)."""
    import datetime

    from django.utils import timezone

    from .models import RunStatus, StepUpRun

    stale = timezone.now() - datetime.timedelta(hours=1)
    ids = list(
        StepUpRun.objects.exclude(status=RunStatus.DONE).filter(created_at__lt=stale).values_list("pk", flat=True)
    )
    for pk in ids:
        stepup_run_task(pk)
    return len(ids)
