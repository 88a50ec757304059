"""Fixtures of the service-centre tests: a centre network on the small world."""

import datetime
from types import SimpleNamespace

import pytest
from django.utils import timezone

from dangjian.centers.services import centres


def next_weekday(weekday: int, weeks: int = 1) -> datetime.date:
    """A date of the given weekday (0 Monday) at least a week ahead, so bookings are in the future."""
    today = timezone.localdate()
    return today + datetime.timedelta(days=(weekday - today.weekday()) % 7 + 7 * weeks)


def at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=timezone.get_current_timezone())


WEEK = {d: [(datetime.time(9), datetime.time(12)), (datetime.time(14, 30), datetime.time(17, 30))] for d in range(5)}
WEEK[5] = [(datetime.time(9), datetime.time(12))]
WEEK[6] = []


@pytest.fixture
def net(world):
    """婆石社区党群服务中心 (c1, near 中珠新村) with a hall needing approval and a meeting room;
    海虹社区党群服务中心 (c3) with one room."""
    centres.ensure_default_standards()
    c1 = centres.center_create(
        actor=None,
        area=world.c1,
        name="婆石社区党群服务中心",
        level="community",
        lat=22.2086,  # 400 m north of 中珠新村 (22.205, 113.505)
        lng=113.505,
        floor_area=420,
        functions=["party_activity", "mediation"],
        norms={"planning": True},
        org=world.cc1,
        phone="0756-1234567",
    )
    centres.hours_set(actor=None, center=c1, week=WEEK)
    hall = centres.room_save(actor=None, center=c1, name="多功能厅", capacity=80, requires_approval=True)
    meeting = centres.room_save(actor=None, center=c1, name="会议室", capacity=20)
    c3 = centres.center_create(
        actor=None, area=world.c3, name="海虹社区党群服务中心", level="community", lat=22.40, lng=113.70, floor_area=800
    )
    centres.hours_set(actor=None, center=c3, week=WEEK)
    room3 = centres.room_save(actor=None, center=c3, name="会议室", capacity=20)
    return SimpleNamespace(c1=c1, c3=c3, hall=hall, meeting=meeting, room3=room3)
