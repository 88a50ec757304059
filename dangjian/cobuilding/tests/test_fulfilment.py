"""A covenant's fulfilment is computed from the records, at the year's edges and the term's."""

import datetime

import pytest
from django.utils import timezone

from dangjian.cobuilding.fulfilment import fulfilment, year_span
from dangjian.cobuilding.models import Direction, TaskStatus, UnitTask
from dangjian.cobuilding.services import covenants, meetings
from dangjian.cobuilding.services import matters as matter_services
from dangjian.meetings.models import Attendee

from .conftest import hold

pytestmark = pytest.mark.django_db


def local(y, m, d, h=0, mi=0):
    return timezone.make_aware(datetime.datetime(y, m, d, h, mi))


def lines(row):
    return {line.key: (line.made, line.due) for line in row.lines}


def test_due_is_prorated_to_the_term_inside_the_year(covenant):
    # 2024 (a leap year): 1 July – 31 December, 184 of 366 days; 2025 whole; 2026 to 30 June.
    assert year_span(covenant, 2023) is None and fulfilment([covenant], 2023) == []
    assert lines(fulfilment([covenant], 2024)[0])["meetings"] == (0, 6)  # 12 × 184 / 366, rounded
    assert lines(fulfilment([covenant], 2025)[0])["unit_visits"] == (0, 2)
    assert lines(fulfilment([covenant], 2026)[0])["area_visits"] == (0, 1)


def test_visits_count_in_the_year_they_were_made(world, covenant):
    worker = world.users.community_worker
    log = covenants.visit_log
    log(
        actor=worker,
        direction=Direction.UNIT_TO_AREA,
        unit=world.unit,
        area=world.c1,
        visited_on=datetime.date(2024, 12, 31),
        visitor="张主任",
    )
    log(
        actor=worker,
        direction=Direction.UNIT_TO_AREA,
        unit=world.unit,
        area=world.c1,
        visited_on=datetime.date(2025, 1, 1),
        visitor="张主任",
    )
    log(
        actor=worker,
        direction=Direction.AREA_TO_UNIT,
        unit=world.unit,
        area=world.c1,
        visited_on=datetime.date(2025, 12, 31),
        visitor="书记",
    )
    # Another community's visit by the same unit is not this covenant's.
    log(
        actor=None,
        direction=Direction.UNIT_TO_AREA,
        unit=world.unit,
        area=world.c2,
        visited_on=datetime.date(2025, 3, 1),
        visitor="张主任",
    )
    y2024, y2025 = fulfilment([covenant], 2024)[0], fulfilment([covenant], 2025)[0]
    assert lines(y2024)["unit_visits"] == (1, 1)
    assert lines(y2025)["unit_visits"] == (1, 2) and lines(y2025)["area_visits"] == (1, 1)
    assert [line.key for line in y2025.behind] == ["meetings", "unit_visits", "projects"]
    assert not y2025.kept


def test_meetings_attended_and_tasks_done_count_by_their_local_day(world, board, covenant):
    worker = world.users.community_worker
    late = meetings.joint_meeting_call(actor=worker, board=board, starts_at=local(2024, 12, 31, 23, 30))
    early = meetings.joint_meeting_call(actor=worker, board=board, starts_at=local(2025, 1, 1, 0, 10))
    missed = meetings.joint_meeting_call(actor=worker, board=board, starts_at=local(2025, 2, 1, 9))
    for co in (late, early):
        hold(co, present=2)
    hold(missed, present=0)
    m = matter_services.matter_raise(actor=worker, comeeting=early, title="共建项目")
    _m, task = matter_services.matter_to_task(actor=worker, matter=m, unit=world.unit, due_on=timezone.localdate())
    UnitTask.objects.filter(pk=task.pk).update(status=TaskStatus.DONE, finished_at=local(2025, 12, 31, 23, 59))
    assert lines(fulfilment([covenant], 2024)[0])["meetings"] == (1, 6)
    row = lines(fulfilment([covenant], 2025)[0])
    assert row["meetings"] == (1, 12) and row["projects"] == (1, 1)
    assert Attendee.objects.filter(meeting=missed.meeting, signed_in_at__isnull=False).count() == 0
