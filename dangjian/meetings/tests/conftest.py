import datetime

import pytest
from django.utils import timezone

from dangjian.meetings import services
from dangjian.meetings.models import Base


@pytest.fixture
def make_meeting(world):
    """A meeting in 婆石社区 run by its community worker, with `due` named attendees (the member first,
    with an account) and one agenda item."""

    def make(due=3, quorum=None, majority=None, **kwargs):
        users = world.users
        roster = [{"user": users.member, "name": "党员甲"}] + [{"name": f"代表{i}"} for i in range(1, due)]
        return services.meeting_create(
            actor=users.community_worker,
            owner_key="test:1",
            area=world.c1,
            kind="members_meeting",
            kind_label="党员大会",
            title="婆石社区党员大会",
            starts_at=kwargs.pop("starts_at", timezone.now() + datetime.timedelta(days=4)),
            recorder=users.community_worker,
            quorum=quorum or {"num": 2, "den": 3, "strict": False, "base": Base.DUE},
            majority=majority or {"num": 1, "den": 2, "strict": True, "base": Base.DUE},
            agenda=["加装电梯方案"],
            roster=roster,
            **kwargs,
        )

    return make
