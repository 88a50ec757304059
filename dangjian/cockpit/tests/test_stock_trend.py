"""A stock figure's trend: its value at each month's end over the twelve months to the date, read from
the monthly snapshots and the deltas since in one query per subject, equal to a count of the rows that
existed then (the territory's nodes, placed on their creation day by a rebuild), with or without a
snapshot; rates of a stock go on their own per-cent series."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from dangjian.cockpit import readings
from dangjian.cockpit.catalogue import figures_of
from dangjian.core.figures import facts
from dangjian.core.models import DailyFact
from dangjian.core.periods import add_months
from dangjian.territory.facts import AREAS
from dangjian.territory.models import Area, Level

pytestmark = pytest.mark.django_db


def month_last(month: datetime.date) -> datetime.date:
    return add_months(month.replace(day=1), 1) - datetime.timedelta(days=1)


def _aware(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(10), tzinfo=timezone.get_current_timezone())


def test_month_ends_of_a_stock_equal_the_rows_then(world):
    today = readings.today()
    months = readings.trend_months(today)
    grids = list(Area.objects.filter(level=Level.GRID).order_by("pk"))
    assert len(grids) >= 2
    # Back-date the grids' creation over the year (and one before it), then rebuild: each counts from
    # its own day, and the monthly snapshots are written.
    days = [months[0] - datetime.timedelta(days=40)] + [m + datetime.timedelta(days=9) for m in months[1::3]]
    for i, grid in enumerate(grids):
        day = min(days[i % len(days)], today)
        Area.objects.filter(pk=grid.pk).update(created_at=_aware(day))
    for area in Area.objects.exclude(level=Level.GRID):
        Area.objects.filter(pk=area.pk).update(created_at=_aware(months[0] - datetime.timedelta(days=60)))
    facts.rebuild([AREAS.name])
    assert DailyFact.objects.filter(subject=AREAS.name + facts.SNAPSHOT).exists()

    def expected(path: str) -> list[int]:
        out = []
        for m in months:
            end = min(month_last(m), today)
            out.append(
                sum(
                    1
                    for created in Area.objects.filter(level=Level.GRID, path__startswith=path).values_list(
                        "created_at", flat=True
                    )
                    if timezone.localdate(created) <= end
                )
            )
        return out

    district = Area.objects.get(level=Level.DISTRICT)
    for node in (district, world.s1):
        with CaptureQueriesContext(connection) as queries:
            ends = readings.stock_month_ends(AREAS, node.path, months, today)
        assert len(queries) == 1, "one query per subject, not twelve"
        assert [m["grids"] for m in ends] == expected(node.path), node.name
        # The last month's end is the reading of the date itself.
        assert ends[-1]["grids"] == readings.measures([AREAS.name], node.path, today)[AREAS.name]["grids"]
    # Without any snapshot (the nightly job never ran) the deltas alone give the same.
    DailyFact.objects.filter(subject=AREAS.name + facts.SNAPSHOT).delete()
    assert [m["grids"] for m in readings.stock_month_ends(AREAS, district.path, months, today)] == expected(
        district.path
    )


def test_the_organization_group_draws_its_stocks_and_rates(world):
    today = readings.today()
    district = Area.objects.get(level=Level.DISTRICT)
    data = readings.trend(figures_of("organization"), district.path, today)
    assert data is not None
    assert len(data["labels"]) == 12
    counts = dict(data["series"])
    rates = dict(data["rates"])
    assert "两新组织党组织覆盖率" in rates and "党组织" in counts
    assert counts["党组织"][-1] == readings.measures(["orgs.orgs"], district.path, today)["orgs.orgs"]["orgs"]
    option = readings.trend_option(data)
    assert isinstance(option["yAxis"], list) and option["yAxis"][1]["max"] == 100
    rate_series = [s for s in option["series"] if s["name"] == "两新组织党组织覆盖率"]
    assert rate_series[0]["yAxisIndex"] == 1
