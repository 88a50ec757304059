"""The case list's place, day and figure-part filters (the cockpit's links carry them): 已办结 counts
回访 and 归档 as cases/facts.py does, 按时办结 a closing no later than the deadline, 已评价 and 满意或基本满意
the latest rating; a place out of scope or a bad value is dropped with its error while the other filters
apply; and a filtered page costs the same queries whatever the rows."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from dangjian.cases.models import CaseStatus, Rating
from dangjian.demo.bulk_cases import make_case

pytestmark = pytest.mark.django_db

LIST = reverse("cases:list")
HOUR = datetime.timedelta(hours=1)


def _count(client, **params):
    response = client.get(LIST, params)
    assert response.status_code == 200
    return int(response.context["page"].count), response


def _cases(world):
    """Cases of c1 (g1a) in every part the figures count, one of c3, one merged, one of last year."""
    now = timezone.now()
    at = now - 2 * HOUR
    made = {
        "open": make_case(area=world.g1a, received_at=at, status=CaseStatus.HANDLING, deadline=now + HOUR),
        "on_time": make_case(
            area=world.g1a, received_at=at, status=CaseStatus.CLOSED, closed_at=now - HOUR, deadline=now
        ),
        "late_satisfied": make_case(
            area=world.c1,
            received_at=at,
            status=CaseStatus.CALLED_BACK,
            closed_at=now - HOUR,
            deadline=now - 2 * HOUR,
            rating=Rating.SATISFIED,
        ),
        "archived_basic": make_case(
            area=world.g1a,
            received_at=at,
            status=CaseStatus.ARCHIVED,
            closed_at=now - HOUR,
            deadline=now,
            rating=Rating.BASIC,
        ),
        "unsatisfied": make_case(
            area=world.g1a,
            received_at=at,
            status=CaseStatus.CLOSED,
            closed_at=now - HOUR,
            deadline=None,
            rating=Rating.UNSATISFIED,
        ),
        "merged": make_case(area=world.g1a, received_at=at, status=CaseStatus.MERGED),
        "elsewhere": make_case(
            area=world.g3, received_at=at, status=CaseStatus.CLOSED, closed_at=now - HOUR, deadline=now
        ),
    }
    return made


def test_the_figure_parts_narrow_the_list_as_the_figures_count(world, client):
    made = _cases(world)
    client.force_login(world.users.district_admin)
    assert _count(client)[0] == 7
    assert _count(client, unmerged="on")[0] == 6
    c1 = {"area": world.c1.public_id, "unmerged": "on"}
    assert _count(client, **c1)[0] == 5
    # 办结: 办结, 回访, 归档 (not the merged nor the open one).
    count, response = _count(client, closed="on", **c1)
    assert count == 4
    assert 'data-testid="list-total"' in response.content.decode()
    assert made["open"].number not in response.content.decode()
    count, response = _count(client, closed="on", on_time="on", **c1)
    assert count == 2  # closed before the deadline; one late, one without a deadline
    html = response.content.decode()
    assert made["on_time"].number in html and made["late_satisfied"].number not in html
    assert _count(client, rated="on", **c1)[0] == 3
    assert _count(client, rated="on", satisfied="on", **c1)[0] == 2
    # A grid holds the cases placed in it; a day range is local days of receipt, both ends included.
    assert _count(client, closed="on", area=world.g1a.public_id)[0] == 3
    today = timezone.localdate(made["open"].received_at).isoformat()
    assert _count(client, closed="on", date_from=today, date_to=today, **c1)[0] == 4
    yesterday = (timezone.localdate(made["open"].received_at) - datetime.timedelta(days=1)).isoformat()
    assert _count(client, closed="on", date_to=yesterday, **c1)[0] == 0
    # The filters sit under 更多条件, in Chinese.
    assert "<details open>" in html and "按时办结" in html and "满意或基本满意" in html


def test_a_place_out_of_scope_or_a_bad_value_is_dropped_with_its_error(world, client):
    made = _cases(world)
    client.force_login(world.users.community_worker)
    own = _count(client, closed="on")[0]
    assert own == 4  # the worker's scope: c1's closed cases (the merged one is not closed)
    count, response = _count(client, closed="on", area=world.c3.public_id, date_from="2024-13-40")
    assert count == own  # neither bad filter applied; 已办结 still did
    assert set(response.context["form"].errors) == {"area", "date_from"}
    html = response.content.decode()
    assert 'data-testid="filter-errors"' in html
    assert made["elsewhere"].number not in html and world.c3.name not in html
    assert _count(client, status="nothing", closed="on")[0] == own
    # The outsider's list never shows c1's cases through c1's place.
    client.force_login(world.users.community_worker_outsider)
    count, response = _count(client, area=world.c1.public_id, closed="on")
    assert count == 1 and "area" in response.context["form"].errors  # only its own c3 case
    assert made["on_time"].number not in response.content.decode()


def test_a_filtered_list_costs_the_same_queries_whatever_the_rows(world, count_queries):
    url = f"{LIST}?area={world.c1.public_id}&date_from=2020-01-01&unmerged=on&closed=on&on_time=on&rated=on"
    now = timezone.now()

    def closed_case():
        make_case(
            area=world.g1a,
            received_at=now - 2 * HOUR,
            status=CaseStatus.CLOSED,
            closed_at=now - HOUR,
            deadline=now,
            rating=Rating.SATISFIED,
        )

    closed_case()
    few = count_queries(world.users.district_admin, url)
    for _ in range(25):
        closed_case()
    assert count_queries(world.users.district_admin, url) == few
    assert few <= 12, few
