"""Funds work on the queue: on the first of January each district's floor bases for the new year are
reckoned (households from the estates, members on the books) and every community and subdistrict is
recorded again in the floors' stock (funds/facts.py, "fund_floors"), which moves the cockpit's
经费保底达标率 to the new year's floors from its first day. A district administrator may reckon the bases
again at any time."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from dangjian.core.locks import single_run


@db_periodic_task(crontab(month="1", day="1", hour="0", minute="7"))
@single_run
def new_year_floors() -> int:
    """Reckon this year's bases for every district with fund kinds and none reckoned yet (one
    transaction per district), then record every funded area's floors for the year; the number of
    districts reckoned."""
    from django.db import transaction
    from django.utils import timezone

    from dangjian.core.figures import facts as store
    from dangjian.territory.models import Area

    from .facts import FLOORS, funded_areas
    from .models import FloorBasis, FundKind
    from .services.kinds import bases_refresh

    year = timezone.localdate().year
    done = 0
    for district in Area.objects.filter(pk__in=FundKind.objects.values("district_id")).order_by("path"):
        if not FloorBasis.objects.filter(area__path__startswith=district.path, year=year).exists():
            bases_refresh(actor=None, district=district, year=year)
            done += 1
        with transaction.atomic():
            store.record_rows(FLOORS, funded_areas(district.path).values_list("pk", flat=True))
    return done
