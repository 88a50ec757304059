"""Assessment work on the queue: every night the automatic items of the current year's open sheets (待述职
and 已述职: not yet confirmed) are recomputed from the figures as they stand, so the sheets the district reads
in the morning are yesterday's figures at most. A confirmed sheet keeps its scores."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from dangjian.core.locks import single_run


@db_periodic_task(crontab(hour="3", minute="30"))
@single_run
def nightly_recompute() -> int:
    """Recompute every unconfirmed sheet of this year's schemes (one transaction per sheet)."""
    from django.utils import timezone

    from .models import Scheme
    from .services.schemes import scheme_recompute

    done = 0
    for scheme in Scheme.objects.filter(year=timezone.localdate().year).order_by("pk"):
        done += scheme_recompute(actor=None, scheme=scheme)
    return done
