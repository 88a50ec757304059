"""Volunteering fixtures on top of `world`: a team of 婆石社区 (c1), a volunteer activity, a member with a
people.Member row (so points can be awarded), a service post with a shift."""

import datetime
from types import SimpleNamespace

import pytest
from django.utils import timezone

from dangjian.centers.models import Activity
from dangjian.centers.services import activities as center_services
from dangjian.people.models import Member
from dangjian.registration.tests.conftest import citizen_id
from dangjian.volunteering import services


def at(minutes: int, base=None) -> datetime.datetime:
    base = base or timezone.now().replace(second=0, microsecond=0)
    return base + datetime.timedelta(minutes=minutes)


def move_activity(activity, *, start, end):
    """Put an activity at another time (a sign-up is only possible before the start)."""
    Activity.objects.filter(pk=activity.pk).update(start=start, end=end)
    activity.refresh_from_db()
    return activity


@pytest.fixture
def vol(world):
    now = timezone.now().replace(second=0, microsecond=0)
    teams = services.fixed_teams_ensure(world.c1)
    team = teams[0]
    link = services.team_activity_create(
        actor=world.users.community_worker,
        team=team,
        title="清洁家园",
        start=now + datetime.timedelta(days=1),
        end=now + datetime.timedelta(days=1, hours=2),
        place="中珠新村",
        capacity=2,
    )
    member = Member.objects.create(
        name="王建国", id_number=citizen_id(3), mobile="13900000003", status="in_service",
        org=world.eb, home_community=world.c1, user=world.users.member,
    )  # fmt: skip
    signup = center_services.signup_create(actor=world.users.member, activity=link.activity)
    post = services.post_create(
        actor=world.users.community_worker, community=world.c1, name="政策宣讲岗", place="社区服务中心"
    )
    shift = services.shift_create(
        actor=world.users.community_worker, post=post, start=now + datetime.timedelta(hours=1),
        end=now + datetime.timedelta(hours=3), capacity=2,
    )  # fmt: skip
    return SimpleNamespace(
        now=now, teams=teams, team=team, link=link, activity=link.activity, member=member, signup=signup,
        post=post, shift=shift,
    )  # fmt: skip
