"""The whistle board's place, day and 已解决 filters (the cockpit's links carry them: 吹哨报到, 吹哨解决):
one row per whistle at its case's node, the days it was blown, solved when its case is closed (办结,
回访, 归档); a place out of scope or a bad date is dropped with its error while the other filters apply;
and a filtered board costs the same queries whatever the rows."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from dangjian.cases.models import CaseStatus, Summons, Whistle
from dangjian.demo.bulk_cases import make_case

pytestmark = pytest.mark.django_db

BOARD = reverse("cases:whistle_board")
HOUR = datetime.timedelta(hours=1)


def _count(client, **params):
    response = client.get(BOARD, params)
    assert response.status_code == 200
    return int(response.context["page"].count), response


def _whistle(world, case, *, blown_at=None, departments=()):
    whistle = Whistle.objects.create(
        case=case, blown_by=world.users.community_worker, report_by=timezone.now() + HOUR, reason="请各部门到场处置"
    )
    if blown_at is not None:
        Whistle.objects.filter(pk=whistle.pk).update(blown_at=blown_at)
    for department in departments:
        Summons.objects.create(whistle=whistle, department=department)
    return whistle


def _board(world):
    now = timezone.now()
    handling = make_case(area=world.g1a, received_at=now - 3 * HOUR, status=CaseStatus.HANDLING, description="井盖缺失")
    called_back = make_case(
        area=world.c1, received_at=now - 3 * HOUR, status=CaseStatus.CALLED_BACK, description="路灯不亮"
    )
    elsewhere = make_case(area=world.g3, received_at=now - 3 * HOUR, status=CaseStatus.CLOSED, description="海虹积水")
    return {
        "open": _whistle(world, handling, departments=(world.dept,)),
        "twice": _whistle(world, handling, departments=(world.dept2,)),  # a case may be whistled twice
        "solved": _whistle(world, called_back, departments=(world.dept,)),
        "old": _whistle(world, called_back, blown_at=now - datetime.timedelta(days=400)),
        "elsewhere": _whistle(world, elsewhere, departments=(world.dept,)),
    }


def test_place_days_and_solved_narrow_the_board_to_whistles(world, client):
    made = _board(world)
    client.force_login(world.users.district_admin)
    assert _count(client)[0] == 2  # the default: the whistles in progress
    assert _count(client, state="all")[0] == 5
    c1 = {"state": "all", "area": world.c1.public_id}
    count, response = _count(client, **c1)
    assert count == 4  # whistles, not cases: two on one case
    assert 'data-testid="list-total"' in response.content.decode()
    assert _count(client, state="all", area=world.g1a.public_id)[0] == 2
    assert _count(client, solved="on", **c1)[0] == 2
    today = timezone.localdate()
    year = {"date_from": today.replace(month=1, day=1).isoformat(), "date_to": today.isoformat()}
    count, response = _count(client, **c1, **year)
    old_day = timezone.localdate(Whistle.objects.get(pk=made["old"].pk).blown_at)
    assert count == (4 if old_day >= today.replace(month=1, day=1) else 3)
    assert _count(client, solved="on", date_from=today.isoformat(), **c1)[0] == 1
    html = response.content.decode()
    assert "已解决（事件已办结）" in html and "更多条件" in html


def test_a_place_out_of_scope_or_a_bad_date_is_dropped_with_its_error(world, client):
    made = _board(world)
    client.force_login(world.users.community_worker)
    own = _count(client, state="all", solved="on")[0]
    assert own == 2
    count, response = _count(client, state="all", solved="on", area=world.c3.public_id, date_to="not-a-date")
    assert count == own
    assert set(response.context["form"].errors) == {"area", "date_to"}
    html = response.content.decode()
    assert 'data-testid="filter-errors"' in html and world.c3.name not in html
    assert made["elsewhere"].case.number not in html
    # The outsider's board never shows c1's whistles through c1's place.
    client.force_login(world.users.community_worker_outsider)
    count, response = _count(client, state="all", area=world.c1.public_id)
    assert count == 1 and "area" in response.context["form"].errors
    assert made["open"].case.number not in response.content.decode()


def test_a_filtered_board_costs_the_same_queries_whatever_the_rows(world, count_queries):
    url = f"{BOARD}?state=all&area={world.c1.public_id}&date_from=2020-01-01&solved=on"
    now = timezone.now()

    def solved():
        case = make_case(area=world.g1a, received_at=now - 2 * HOUR, status=CaseStatus.CLOSED)
        _whistle(world, case, departments=(world.dept, world.dept2))

    solved()
    few = count_queries(world.users.subdistrict_admin, url)
    for _ in range(25):
        solved()
    assert count_queries(world.users.subdistrict_admin, url) == few
    assert few <= 14, few
