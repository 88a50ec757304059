"""The obligation periods list (the cockpit's orglife_compliance links here): one row per branch, kind
and period in the viewer's territory, filtered by place, the days its period begins, met and kind, as
orglife.facts counts them (periods; met when held ≥ due); bad filters dropped with their error, other
places never shown, and a page bounded in queries."""

import datetime

from django.urls import reverse
from django.utils import timezone

from dangjian.orglife.models import Obligation

LIST = reverse("orglife:obligations")


def _obligation(org, kind, month, due, held, year=2025):
    start = datetime.date(year, month, 1)
    end = (start + datetime.timedelta(days=32)).replace(day=1) - datetime.timedelta(days=1)
    return Obligation.objects.create(
        org=org, area_path=org.area.path, kind=kind, period_start=start, period_end=end, due=due, held=held,
        cohort_at=timezone.make_aware(datetime.datetime.combine(start, datetime.time.min)),
    )  # fmt: skip


def _rows(client, **params):
    response = client.get(LIST, params)
    assert response.status_code == 200
    page = response.context["page"]
    assert page.count == page.paginator.count
    return response, {(o.org_id, o.kind, o.period_start.year, o.period_start.month) for o in page.object_list}


def test_the_list_counts_the_periods_begun_in_the_days_and_those_met(world, login):
    _obligation(world.eb, "committee", 1, 1, 1)
    _obligation(world.eb, "committee", 2, 1, 0)
    _obligation(world.ub, "lecture", 1, 1, 2)
    _obligation(world.eb, "committee", 1, 1, 1, year=2024)  # another year
    _obligation(world.eb3, "committee", 1, 1, 0)  # 海虹社区
    eb, ub, eb3 = world.eb.pk, world.ub.pk, world.eb3.pk
    days = {"date_from": "2025-01-01", "date_to": "2025-12-31"}

    worker = login(world.users.community_worker)
    _, rows = _rows(worker, **days)
    met = {(eb, "committee", 2025, 1), (ub, "lecture", 2025, 1)}  # 2 held of 1 due: met
    unmet = {(eb, "committee", 2025, 2)}
    assert rows == met | unmet
    assert _rows(worker, **days, met="met")[1] == met
    assert _rows(worker, **days, met="unmet")[1] == unmet
    assert _rows(worker, date_from="2025-02-01", date_to="2025-02-01")[1] == unmet  # both ends included
    assert _rows(worker, **days, kind="lecture")[1] == {(ub, "lecture", 2025, 1)}
    assert len(_rows(worker)[1]) == 4  # no days: every year

    # Out of scope, malformed: dropped with their errors, the other filters kept; never 海虹's rows.
    response, rows = _rows(worker, **days, area=str(world.c3.public_id), met="met")
    assert set(response.context["form"].errors) == {"area"} and rows == met
    assert 'data-testid="filter-errors"' in response.content.decode()
    response, rows = _rows(worker, date_from="2025-13-01", date_to="2025-12-31", met="bogus", kind="nope")
    assert set(response.context["form"].errors) == {"date_from", "met", "kind"} and len(rows) == 4

    admin = login(world.users.district_admin)
    assert _rows(admin, **days, area=str(world.c3.public_id))[1] == {(eb3, "committee", 2025, 1)}
    assert len(_rows(admin, **days, area=str(world.s1.public_id))[1]) == 3
    assert len(_rows(admin, **days)[1]) == 4
    assert _rows(admin, **days, area=str(world.g1a.public_id))[1] == set()  # branches sit at the community
    assert "共 4 个周期" in _rows(admin, **days)[0].content.decode()


def test_only_the_overseers_open_the_list(world, branch, login):
    for user in (branch.secretary, branch.member, world.users.resident, world.users.grid_worker, world.users.nobody):
        assert login(user).get(LIST).status_code == 404, user.username


def test_the_list_stays_bounded(world, count_queries):
    url = f"{LIST}?area={world.c1.public_id}&date_from=2025-01-01&date_to=2025-12-31&met=unmet"
    for month in (1, 2):
        _obligation(world.eb, "committee", month, 1, 0)
    before = count_queries(world.users.district_admin, url)
    for month in range(3, 13):
        _obligation(world.eb, "committee", month, 1, 0)
        _obligation(world.ub, "lecture", month, 1, 0)
    assert count_queries(world.users.district_admin, url) == before
