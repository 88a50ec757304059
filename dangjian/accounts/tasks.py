from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from dangjian.core.locks import single_run

from .phone.codes import purge_old_codes
from .throttle import purge_old_failures


@db_periodic_task(crontab(minute="17", hour="3"))
@single_run
def nightly_login_failures_purge() -> dict:
    """Every night: drop the login failures and phone codes that no longer count towards a throttle."""
    return {"login_failures": purge_old_failures(), "phone_codes": purge_old_codes()}
