"""The active role is looked up once per request, and a switch of role is seen at once."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from dangjian.accounts import services
from dangjian.accounts.models import User
from dangjian.accounts.roles import active_assignment
from dangjian.core.scoping import active_role, active_scope


def test_the_active_role_is_read_once_and_follows_a_switch(world):
    member_role = services.role_assign(
        actor=None, user=world.users.community_worker, role="party_member", home_community=world.c1
    )
    user = User.objects.get(pk=world.users.community_worker.pk)  # as a request carries it
    with CaptureQueriesContext(connection) as ctx:
        for _ in range(5):
            assert active_role(user) == "community_worker"
            assert active_scope(user).area_path == world.c1.path
    assert len(ctx.captured_queries) == 1
    user.active_role_id = member_role.pk  # what the middleware (or switch_role) sets
    with CaptureQueriesContext(connection) as ctx:
        assert active_assignment(user) == member_role
        assert active_role(user) == "party_member" and active_scope(user).area_path is None
    assert len(ctx.captured_queries) == 0
    user._role_assignments = None  # reloaded: read again
    assert active_role(user) == "party_member"


def test_switching_role_changes_the_menu_and_the_scope_on_the_next_page(world, login):
    user = world.users.community_worker
    member_role = services.role_assign(actor=None, user=user, role="party_member", home_community=world.c1)
    client = login(user)
    assert 'data-nav="cases_desk"' in client.get(reverse("dashboard:home")).content.decode()
    client.post(reverse("accounts:switch_role"), {"role": str(member_role.public_id)})
    page = client.get(reverse("dashboard:home")).content.decode()
    assert 'data-nav="cases_desk"' not in page and "党员" in page
    assert client.get(reverse("cases:list")).status_code == 404
