"""The points' integrity checks (points/integrity.py): running totals equal the ledger, reversals mirror."""

from __future__ import annotations

from django.db.models import F
from django.utils import timezone

from dangjian.core.testing import integrity_findings as found
from dangjian.points.models import PointEntry, PointTotal


def test_points_defects_are_found(demo):
    assert found("points") == {}
    total = PointTotal.objects.filter(category__isnull=False).order_by("pk").first()
    PointTotal.objects.filter(pk=total.pk).update(points=F("points") + 1)
    assert found("points.totals") == {"total_mismatch": {total.pk}}

    entry = PointEntry.objects.filter(reverses__isnull=True).order_by("pk").first()
    reversal = PointEntry.objects.create(
        member=entry.member,
        rule=entry.rule,
        category=entry.category,
        year=entry.year,
        points=-entry.points + 1,
        event_key="test:reversal",
        occurred_at=timezone.now(),
        reverses=entry,
    )
    assert found("points.reversals") == {"reversal_mismatch": {reversal.pk}}
    # Written around the services: no total took it in.
    assert "total_mismatch" in found("points.totals")
    # An entry of a year for which no total was ever written.
    PointEntry.objects.create(
        member=entry.member,
        rule=entry.rule,
        category=entry.category,
        year=1999,
        points=5,
        event_key="test:no-total",
        occurred_at=timezone.now(),
    )
    assert "missing_total" in found("points.totals")
