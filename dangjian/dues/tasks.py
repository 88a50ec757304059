"""The monthly dues run: on the 1st, charge every member for the month (safe to run twice: a month
already charged is skipped, so a run killed halfway is finished by the next). On the 25th, the arrears
reminder (safe to run twice: the month is in each message's key)."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from dangjian.core.locks import single_run


@db_periodic_task(crontab(day="1,2", hour="1", minute="30"))
@single_run
def dues_monthly_run() -> int:
    from .services import current_month, dues_run

    return dues_run(month=current_month())["charged"]


@db_periodic_task(crontab(day="25", hour="9", minute="10"))
@single_run
def dues_arrears_reminder() -> int:
    """On the 25th: tell members who still owe dues, and their branches' officers (reminders.py)."""
    from .reminders import arrears_remind

    return arrears_remind()["members_told"]
