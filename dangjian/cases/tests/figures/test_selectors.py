"""Case figures against hand counts: cases made with explicit times (demo.bulk_cases.make_case), the cohort of
March 2026 (Asia/Shanghai), figures read on 2026-04-10 at noon."""

import datetime
from types import SimpleNamespace

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from dangjian.cases.figures import selectors as figures
from dangjian.core import periods
from dangjian.core.figures import facts
from dangjian.demo.bulk_cases import make_case
from dangjian.territory.models import Level
from dangjian.territory.services import area_create

NOW = timezone.make_aware(datetime.datetime(2026, 4, 10, 12, 0))
MARCH = (datetime.date(2026, 3, 1), datetime.date(2026, 3, 31))


def at(day: int, hour: int = 0, minute: int = 0, month: int = 3) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime(2026, month, day, hour, minute))


def hours(start: datetime.datetime, n: float) -> datetime.datetime:
    return start + datetime.timedelta(hours=n)


def build_march(world):
    """Eight cases received in March (and three that are not counted), counted by hand below.
    Shared with the views', exports' and browser tests, which wrap it in their own fixture."""
    w = world
    c = SimpleNamespace(world=w)
    # 1: g1a, archived, closed after 48 h, on time, satisfied, with the city department.
    r = at(1, 0, 0)
    c.one = make_case(
        area=w.g1a,
        received_at=r,
        status="archived",
        dispatched_at=hours(r, 1),
        deadline=at(6, 18),
        closed_at=hours(r, 48),
        rating="satisfied",
        departments=(w.dept,),
    )
    # 2: g1a, called back, closed after 72 h, late, basically satisfied, returned once; the
    #    sanitation centre was summoned too.
    r = at(10, 9)
    c.two = make_case(
        area=w.g1a,
        received_at=r,
        status="called_back",
        dispatched_at=hours(r, 1),
        deadline=at(12, 9),
        closed_at=hours(r, 72),
        rating="basic",
        return_count=1,
        departments=(w.dept, w.dept2),
    )
    # 3: g1b, handling, past its deadline (overdue now), returned twice.
    r = at(15, 10)
    c.three = make_case(
        area=w.g1b,
        received_at=r,
        status="handling",
        dispatched_at=hours(r, 2),
        deadline=at(20, 10),
        return_count=2,
        departments=(w.dept2,),
    )
    # 4: g1b, dispatched in the last minute of March, deadline ahead.
    r = at(31, 23, 59)
    c.four = make_case(
        area=w.g1b,
        received_at=r,
        status="dispatched",
        dispatched_at=hours(r, 0.5),
        deadline=at(20, 0, month=4),
        departments=(w.dept,),
    )
    # 5: g2, closed after 12 h, on time, not yet rated.
    r = at(5, 8)
    c.five = make_case(
        area=w.g2,
        received_at=r,
        status="closed",
        dispatched_at=hours(r, 1),
        deadline=at(10, 8),
        closed_at=hours(r, 12),
        departments=(w.dept2,),
    )
    # 6: placed on 茂盛社区 itself (an address without a pin), not yet accepted.
    c.six = make_case(area=w.c2, received_at=at(20, 15), status="submitted")
    # 7: g3 (吉大街道), rejected.
    c.seven = make_case(area=w.g3, received_at=at(8, 11), status="rejected")
    # 8: g3, archived after 6 h, on time, unsatisfied.
    r = at(9, 14)
    c.eight = make_case(
        area=w.g3,
        received_at=r,
        status="archived",
        dispatched_at=hours(r, 1),
        deadline=at(12, 14),
        closed_at=hours(r, 6),
        rating="unsatisfied",
        departments=(w.dept,),
    )
    # Not counted: the last minute of February, the first of April, a case merged into another.
    make_case(area=w.g1a, received_at=at(28, 23, 59, month=2), status="submitted")
    make_case(area=w.g1a, received_at=at(1, 0, 0, month=4), status="submitted")
    make_case(area=w.g1a, received_at=at(12, 10), status="merged", merged_into=c.two)
    # make_case writes times the way a bulk writer does (behind the signals): the store is rebuilt
    # from the rows, as the `facts --rebuild` command does after a bulk load, as of NOW.
    facts.rebuild(["cases"], now=NOW)
    return c  # fmt: skip


@pytest.fixture
def march(world):
    return build_march(world)


def report(user, node=None, department=None):
    return figures.case_figures(user=user, node=node, department=department, date_from=MARCH[0], date_to=MARCH[1])


def within_buckets(estimate: float, hours: list[float]) -> bool:
    """A median read from the duration buckets lies between the lower edge of the bucket of the lower
    middle value and the upper edge of the bucket of the upper middle one (the exact median too)."""
    ordered = sorted(hours)
    low = facts.bucket_bounds(facts.bucket_of(ordered[(len(ordered) - 1) // 2]))[0]
    high = facts.bucket_bounds(facts.bucket_of(ordered[len(ordered) // 2]))[1]
    return low <= estimate and (high is None or estimate <= high)


def counts(f: figures.Figures) -> tuple:
    return (f.received, f.dispatched, f.closed, f.closed_on_time, f.overdue, f.returned, f.rated, f.satisfied)


def test_it_counts_the_district_total_by_hand(march):
    total = report(march.world.users.district_admin).total
    assert counts(total) == (8, 6, 4, 3, 2, 2, 3, 2)
    assert total.satisfaction_rate == 66.7
    assert total.on_time_rate == 75.0
    # Hours to close 6, 12, 48, 72: the exact median is 30; the store's estimate is interpolated
    # inside the bucket that holds the rank (12-24 h): 12 + 12 × (2 − 1) / 1 = 24.
    assert total.median_hours == 24.0 and within_buckets(total.median_hours, [6, 12, 48, 72])


def test_it_rolls_up_by_subdistrict_community_and_grid(march):
    w = march.world
    rows = {r.label: r.figures for r in report(w.users.district_admin).children}
    assert counts(rows["拱北街道"]) == (6, 5, 3, 2, 2, 2, 2, 2)
    assert rows["拱北街道"].median_hours == 60.0 and within_buckets(rows["拱北街道"].median_hours, [12, 48, 72])
    assert counts(rows["吉大街道"]) == (2, 1, 1, 1, 0, 0, 1, 0)
    assert rows["吉大街道"].median_hours == 6.0 and within_buckets(rows["吉大街道"].median_hours, [6])
    rows = {r.label: r.figures for r in report(w.users.district_admin, node=w.s1).children}
    assert counts(rows["婆石社区"]) == (4, 4, 2, 1, 2, 2, 2, 2)
    assert rows["婆石社区"].median_hours == 72.0 and within_buckets(rows["婆石社区"].median_hours, [48, 72])
    assert counts(rows["茂盛社区"]) == (2, 1, 1, 1, 0, 0, 0, 0)
    rows = {r.label: r for r in report(w.users.district_admin, node=w.c2).children}
    assert rows["茂盛第一网格"].figures.received == 1 and rows["茂盛第一网格"].area == w.g2
    # The case placed on the community itself has a row of its own.
    assert rows["未定位到下级"].figures.received == 1 and rows["未定位到下级"].area is None


def test_it_lists_every_child_including_those_without_cases(march):
    w = march.world
    area_create(actor=None, level=Level.COMMUNITY, name="新社区", parent=w.s2)
    labels = [r.label for r in report(w.users.district_admin, node=w.s2).children]
    assert labels == ["海虹社区", "新社区"]
    assert report(w.users.district_admin, node=w.g1a).children == []  # a grid has no children


def test_it_counts_each_department_that_took_part(march):
    w = march.world
    rows = {r.department: r.figures for r in report(w.users.district_admin).departments}
    assert counts(rows[w.dept]) == (4, 4, 3, 2, 1, 1, 3, 2)  # cases 1, 2, 4, 8
    assert rows[w.dept].median_hours == 60.0 and within_buckets(rows[w.dept].median_hours, [6, 48, 72])
    assert counts(rows[w.dept2]) == (3, 3, 2, 1, 2, 2, 1, 1)  # cases 2, 3, 5
    assert rows[w.dept2].median_hours == 24.0 and within_buckets(rows[w.dept2].median_hours, [12, 72])


def test_department_staff_see_their_own_department_only(march):
    w = march.world
    result = report(w.users.department_staff, department=w.dept2)  # asking for another is ignored
    assert result.department == w.dept and result.node == w.district
    assert counts(result.total) == (4, 4, 3, 2, 1, 1, 3, 2)
    assert [r.department for r in result.departments] == [w.dept]
    rows = {r.label: r.figures.received for r in result.children}
    assert rows == {"拱北街道": 3, "吉大街道": 1}


def test_a_community_worker_counts_their_community(march):
    w = march.world
    result = report(w.users.community_worker)
    assert result.node == w.c1
    assert counts(result.total) == (4, 4, 2, 1, 2, 2, 2, 2)
    # A node outside their scope reads nothing (the view answers 404 before asking).
    assert report(w.users.community_worker, node=w.s2).total.received == 0


def test_an_area_user_may_narrow_to_one_department(march):
    w = march.world
    result = report(w.users.subdistrict_admin, department=w.dept)
    assert counts(result.total) == (3, 3, 2, 1, 1, 1, 2, 2)  # cases 1, 2, 4 (8 is in 吉大街道)


def test_it_counts_received_per_local_day(march):
    trend = report(march.world.users.district_admin).trend
    assert trend["unit"] == "day" and len(trend["labels"]) == 31
    by_day = dict(zip(trend["labels"], trend["values"], strict=True))
    assert by_day["2026-03-01"] == 1 and by_day["2026-03-31"] == 1  # local midnight, not UTC
    assert sum(trend["values"]) == 8


def test_it_counts_per_week_over_a_year_and_per_month_beyond():
    period = periods.period_for("this_year", today=datetime.date(2026, 11, 21))
    assert period.date_from == datetime.date(2026, 1, 1) and period.days > 62
    long = periods.Period("custom", datetime.date(2023, 1, 1), datetime.date(2026, 3, 31))
    assert long.days > 366 * 2


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("this_month", (datetime.date(2026, 3, 1), datetime.date(2026, 3, 15))),
        ("last_month", (datetime.date(2026, 2, 1), datetime.date(2026, 2, 28))),
        ("this_year", (datetime.date(2026, 1, 1), datetime.date(2026, 3, 15))),
        ("nonsense", (datetime.date(2026, 3, 1), datetime.date(2026, 3, 15))),
    ],
)
def test_it_names_the_periods(key, expected):
    period = periods.period_for(key, today=datetime.date(2026, 3, 15))
    assert (period.date_from, period.date_to) == expected


def test_it_refuses_a_backwards_or_endless_custom_period():
    with pytest.raises(periods.PeriodError, match="开始日期不能晚于结束日期"):
        periods.period_for("custom", datetime.date(2026, 3, 2), datetime.date(2026, 3, 1))
    with pytest.raises(periods.PeriodError, match="最长"):
        periods.period_for("custom", datetime.date(2010, 1, 1), datetime.date(2026, 3, 1))
    with pytest.raises(periods.PeriodError, match="起止日期"):
        periods.period_for("custom", None, datetime.date(2026, 3, 1))


def test_it_trends_by_week_and_by_month(march):
    w = march.world
    half = periods.Period("custom", datetime.date(2026, 1, 1), datetime.date(2026, 6, 30))
    weekly = figures.received_trend(w.district.path, half)
    assert weekly["unit"] == "week" and weekly["labels"][0] == "2025-12-29"  # the Monday of that week
    assert sum(weekly["values"]) == 10  # March's eight, February's last minute, April's first
    period = periods.Period("custom", datetime.date(2024, 1, 1), datetime.date(2026, 12, 31))
    monthly = figures.received_trend(w.district.path, period)
    assert monthly["unit"] == "month" and len(monthly["labels"]) == 36
    assert dict(zip(monthly["labels"], monthly["values"], strict=True))["2026-03"] == 8


def test_it_counts_cases_per_grid_for_the_heat_map(march):
    w = march.world
    period = periods.Period("custom", *MARCH)
    heat = figures.grid_heat(user=w.users.district_admin, node=w.district, department=None, period=period)
    by_name = {f["properties"]["name"]: f["properties"]["count"] for f in heat["features"]}
    assert by_name == {"婆石第一网格": 2, "婆石第二网格": 2, "茂盛第一网格": 1, "海虹第一网格": 2}
    assert heat["max"] == 2 and heat["total"] == 7  # the community-level case has no grid
    assert all(f["geometry"]["type"] == "Polygon" for f in heat["features"])


def test_it_reads_a_fixed_number_of_queries_whatever_the_number_of_children(march):
    w = march.world
    user = w.users.district_admin
    report(user)  # warm the user's role cache

    def queries(node):
        with CaptureQueriesContext(connection) as ctx:
            report(user, node=node)
        return len(ctx.captured_queries)

    before = queries(w.district)
    for k in range(5):
        area_create(actor=None, level=Level.SUBDISTRICT, name=f"新街道{k}", parent=w.district)
    assert queries(w.district) == before
    assert before <= 10
