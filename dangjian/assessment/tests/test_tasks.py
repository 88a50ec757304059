"""The nightly recompute: this year's unconfirmed sheets get their automatic items from the figures as
they stand (each equal to its metric evaluated now); a confirmed sheet keeps its scores."""

import pytest
from django.utils import timezone

from dangjian.assessment import metrics
from dangjian.assessment.models import Score, Sheet, SheetStatus, Source
from dangjian.assessment.tasks import nightly_recompute

from .test_metrics import _obligation

pytestmark = pytest.mark.django_db


def test_the_night_recomputes_the_open_sheets_of_this_year(world, cast, scheme):
    _obligation(world.eb, "committee", 1, 2, 1)
    confirmed = scheme.sheets.get(org=world.cc3)
    Sheet.objects.filter(pk=confirmed.pk).update(status=SheetStatus.SCORED)  # as if the district confirmed it
    assert not Score.objects.filter(sheet__scheme=scheme, item__source=Source.AUTO, points__isnull=False).exists()
    opened = scheme.sheets.exclude(pk=confirmed.pk).count()
    assert nightly_recompute.call_local() == opened
    year = timezone.localdate().year
    autos = Score.objects.filter(sheet__scheme=scheme, item__source=Source.AUTO)
    autos = autos.select_related("item", "sheet__org__area")
    for score in autos.exclude(sheet=confirmed):
        result = metrics.evaluate(score.item.metric, score.sheet.org, year, score.item.weight)
        assert (score.points, score.explanation) == (result.score, result.explanation)
    cc1 = autos.get(sheet__org=world.cc1, item__metric="orglife_meetings")
    assert "应开 2 次，已开 1 次" in cc1.explanation
    assert not autos.filter(sheet=confirmed, points__isnull=False).exists()
