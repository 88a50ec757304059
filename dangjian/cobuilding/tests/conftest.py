import datetime

import pytest
from django.utils import timezone

from dangjian.cobuilding.services import covenants, meetings
from dangjian.cobuilding.services import matters as matter_services
from dangjian.meetings import services as engine
from dangjian.people.services.liaisons import liaison_assign
from dangjian.units.models import ResidentUnit


@pytest.fixture
def unit2(world):
    return ResidentUnit.objects.create(name="拱北海关", kind="agency", community=world.c1)


@pytest.fixture
def board(world, unit2):
    b = meetings.board_save(
        actor=world.users.community_worker, area=world.c1, name="婆石社区联席会议", convener="社区书记"
    )
    meetings.board_member_add(
        actor=None, board=b, unit=world.unit, representative="张主任", user=world.users.unit_contact
    )
    meetings.board_member_add(actor=None, board=b, unit=unit2, representative="李科长")
    return b


def hold(co, *, present):
    """Notify, open, sign in the first `present` due attendees, close."""
    m = engine.meeting_step(actor=None, meeting=co.meeting, step="notify")
    m = engine.meeting_step(actor=None, meeting=m, step="open")
    for a in m.attendees.filter(due=True).order_by("pk")[:present]:
        engine.sign_in(actor=None, meeting=m, attendee=a)
    return engine.meeting_step(actor=None, meeting=m, step="close")


@pytest.fixture
def joint(world, board):
    return meetings.joint_meeting_call(
        actor=world.users.community_worker, board=board, starts_at=timezone.now(), agenda=["通报共建项目"]
    )


@pytest.fixture
def matter(world, joint):
    return matter_services.matter_raise(actor=world.users.community_worker, comeeting=joint, title="口岸周边停车难")


@pytest.fixture
def covenant(world):
    return covenants.covenant_save(
        actor=world.users.community_worker,
        area=world.c1,
        unit=world.unit,
        starts_on=datetime.date(2024, 7, 1),
        ends_on=datetime.date(2026, 6, 30),
        meetings=12,
        unit_visits=2,
        area_visits=1,
        projects=1,
        hours=0,
    )


@pytest.fixture
def liaison(world):
    return liaison_assign(
        actor=None,
        leader_name="王副区长",
        post="区政府副区长",
        level="district",
        area=world.g1a,
        since=datetime.date(2026, 1, 1),
        user=world.users.subdistrict_admin,
    )
