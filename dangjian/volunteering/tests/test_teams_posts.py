import datetime

import pytest
from django.core.exceptions import ValidationError

from dangjian.volunteering import services
from dangjian.volunteering.models import FixedGroup, ShiftSignUpStatus, Team, TeamMember


def test_it_ensures_the_five_fixed_groups_once(world):
    first = services.fixed_teams_ensure(world.c1)
    again = services.fixed_teams_ensure(world.c1)
    assert [t.fixed_group for t in first] == list(FixedGroup.values) and first == again
    assert Team.objects.filter(area=world.c1).count() == 5
    assert services.fixed_teams_ensure(world.g1a) == []  # only communities have them


def test_it_lets_members_join_and_leave_and_workers_add_and_remove(world):
    team = services.team_create(actor=world.users.community_worker, community=world.c1, name="邻里帮帮团")
    with pytest.raises(ValidationError, match="已有"):
        services.team_create(actor=world.users.community_worker, community=world.c1, name="邻里帮帮团")
    with pytest.raises(ValidationError, match="辖区"):
        services.team_create(actor=world.users.community_worker_outsider, community=world.c1, name="外来队")
    services.team_join(actor=world.users.member, team=team)
    with pytest.raises(ValidationError, match="已是"):
        services.team_join(actor=world.users.member, team=team)
    services.team_join(actor=world.users.community_worker, team=team, user=world.users.resident)
    with pytest.raises(ValidationError, match="辖区"):
        services.team_join(actor=world.users.member, team=team, user=world.users.grid_worker)
    with pytest.raises(ValidationError, match="角色"):
        services.team_join(actor=world.users.unit_contact, team=team)
    services.team_leave(actor=world.users.member, team=team)
    services.team_leave(actor=world.users.community_worker, team=team, user=world.users.resident)
    assert not TeamMember.objects.filter(team=team, left_at__isnull=True).exists()
    assert TeamMember.objects.filter(team=team).count() == 2  # left members stay on record
    services.team_join(actor=world.users.member, team=team)  # and may come back


def test_it_fills_shifts_up_to_capacity_and_lets_people_cancel(vol, world):
    first = services.shift_signup_create(actor=world.users.member, shift=vol.shift, now=vol.now)
    with pytest.raises(ValidationError, match="已报名"):
        services.shift_signup_create(actor=world.users.member, shift=vol.shift, now=vol.now)
    services.shift_signup_create(actor=world.users.resident, shift=vol.shift, now=vol.now)
    with pytest.raises(ValidationError, match="已满"):
        services.shift_signup_create(actor=world.users.grid_worker, shift=vol.shift, now=vol.now)
    with pytest.raises(ValidationError, match="自己"):
        services.shift_signup_cancel(actor=world.users.resident, signup=first, now=vol.now)
    services.shift_signup_cancel(actor=world.users.member, signup=first, now=vol.now)
    first.refresh_from_db()
    assert first.status == ShiftSignUpStatus.CANCELLED
    services.shift_signup_create(actor=world.users.grid_worker, shift=vol.shift, now=vol.now)
    with pytest.raises(ValidationError, match="已经结束"):
        services.shift_signup_create(actor=world.users.member, shift=vol.shift, now=vol.shift.end)


def test_it_refuses_bad_shifts(vol, world):
    worker = world.users.community_worker
    with pytest.raises(ValidationError, match="晚于"):
        services.shift_create(actor=worker, post=vol.post, start=vol.now, end=vol.now)
    with pytest.raises(ValidationError, match="24"):
        services.shift_create(actor=worker, post=vol.post, start=vol.now, end=vol.now + datetime.timedelta(days=2))
    with pytest.raises(ValidationError, match="辖区"):
        services.shift_create(
            actor=world.users.community_worker_outsider, post=vol.post, start=vol.now,
            end=vol.now + datetime.timedelta(hours=1),
        )  # fmt: skip
