from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from dangjian.core.locks import single_run


@db_periodic_task(crontab(minute="29", hour="3"))
@single_run
def purge_public_form_attempts() -> int:
    """Every night: drop self-service form attempts that no longer count for throttling."""
    from .throttle import purge_old_attempts

    return purge_old_attempts()
