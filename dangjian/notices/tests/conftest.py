"""The notices' test world: the shared `world` plus in-service members with accounts, registered
(双报到, confirmed) at 婆石社区 (c1) and one at 海虹社区 (c3)."""

from types import SimpleNamespace

import pytest

from dangjian.conftest import make_user
from dangjian.people.models import Member
from dangjian.registration.models import Registration


def member_with_account(username, org, community):
    user = make_user(username, "party_member", home_community=community, org=org)
    member = Member.objects.create(name=username, org=org, home_community=community, user=user, mobile="13912345678")
    Registration.objects.create(kind="member", community=community, member=member, status="confirmed")
    return user


@pytest.fixture
def members(world):
    c1 = [member_with_account(f"m{i}", world.eb, world.c1) for i in range(3)]
    c3 = [member_with_account("m_c3", world.eb3, world.c3)]
    return SimpleNamespace(c1=c1, c3=c3)


@pytest.fixture
def draft(world, members):
    from dangjian.notices.services import notice_create

    return notice_create(
        actor=world.users.community_worker,
        title="关于开展垃圾分类宣传的通知",
        body="请各位党员于本周六上午到社区报到。\n携带志愿者马甲。",
        audience="registered_members",
        audience_area=world.c1,
    )


@pytest.fixture
def published(world, draft, django_capture_on_commit_callbacks):
    from dangjian.notices.services import fanout_run, notice_publish

    notice = notice_publish(actor=world.users.community_worker, notice=draft)
    fanout_run(notice.pk)
    notice.refresh_from_db()
    return notice
