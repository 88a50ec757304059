"""The monthly report on the queue: one report generated (safe to run twice: a done report is left
alone), on the first of each month last month's report of every district, and a sweep that queues
again a report a killed worker left unfinished."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from dangjian.core.locks import single_run


@db_task(retries=1, retry_delay=60)
def report_generate_task(report_id: int) -> str:
    from .services import report_generate

    return report_generate(report_id).status


@db_periodic_task(crontab(day="1", hour="5", minute="13"))
@single_run
def reports_monthly() -> int:
    """Every first of the month: last month's report for each district that has none."""
    from .services import monthly_queue

    return monthly_queue()


@db_periodic_task(crontab(minute="*/15"))
@single_run
def reports_sweep() -> int:
    """Reports still queued or running an hour after they were asked for are queued again."""
    import datetime

    from django.utils import timezone

    from ..models import MonthlyReport, ReportStatus

    stale = timezone.now() - datetime.timedelta(hours=1)
    ids = list(
        MonthlyReport.objects.filter(
            status__in=[ReportStatus.QUEUED, ReportStatus.RUNNING], requested_at__lt=stale
        ).values_list("pk", flat=True)
    )
    for pk in ids:
        report_generate_task(pk)
    return len(ids)
