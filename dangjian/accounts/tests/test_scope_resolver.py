"""core resolves the active role's scope through accounts (installed in AccountsConfig.ready)."""

from django.contrib.auth.models import AnonymousUser

from dangjian.accounts.roles import active_assignment
from dangjian.core.scoping import NO_SCOPE, active_role, active_scope, scope_for


def test_core_sees_each_users_active_assignment_as_their_scope(world):
    for user in vars(world.users).values():
        assignment = active_assignment(user)
        assert active_scope(user) == (assignment.to_scope() if assignment else NO_SCOPE)
        assert active_role(user) == (assignment.role if assignment else "")
        assert scope_for(user) == active_scope(user)
    assert active_scope(AnonymousUser()) == NO_SCOPE and active_role(AnonymousUser()) == ""


def test_a_superuser_acts_as_superuser_until_given_a_role_of_their_own(world):
    root = world.users.nobody
    root.is_superuser = True
    assert active_role(root) == "superuser"
    assert active_scope(root) == NO_SCOPE and scope_for(root).everything
    worker = world.users.community_worker
    worker.is_superuser = True
    assert active_role(worker) == "community_worker"
    assert scope_for(worker).everything  # a superuser sees everything, whatever role they act in
