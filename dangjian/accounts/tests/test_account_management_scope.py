"""Who may act on whose account (issue 10, item 1): every role of the target inside the actor's
territory and ranked below the actor's own; one predicate for the pages and the Django admin."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from dangjian.accounts import services
from dangjian.accounts.models import RoleAssignment
from dangjian.accounts.permissions import can_manage_account, manageable_users


def make_staff(user):
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    user.user_permissions.set(Permission.objects.filter(content_type__app_label="accounts"))


@pytest.fixture
def higher(world):
    """The district admin, who also lives in 婆石 as a Party member: a role inside 拱北 and one above it."""
    services.role_assign(actor=None, user=world.users.district_admin, role="party_member", home_community=world.c1)
    return world.users.district_admin


def action_urls(target):
    return [
        ("get", reverse("accounts:user_reset_password", args=[target.public_id])),
        ("post", reverse("accounts:user_reset_password", args=[target.public_id])),
        ("post", reverse("accounts:user_reveal_mobile", args=[target.public_id])),
    ]


def test_every_account_action_is_scoped_and_ranked(world, login, higher):
    u = world.users
    services.user_update(actor=None, user=u.community_worker, mobile="13912345678")
    target = u.community_worker
    for method, url in action_urls(target):
        for actor, expected in (
            (u.subdistrict_admin, 200),  # owner
            (u.subdistrict_admin_colleague, 200),  # colleague in the same subdistrict
            (u.district_admin, 200),  # above, in scope
            (u.subdistrict_admin_outsider, 404),  # outsider
            (u.community_worker_colleague, 404),  # not an admin role
        ):
            assert getattr(login(actor), method)(url).status_code == expected, (url, actor.username)
    # A higher-ranked target, or a peer, is refused even though it holds a role inside the area.
    for actor, above in ((u.subdistrict_admin, higher), (u.subdistrict_admin, u.subdistrict_admin_colleague)):
        for method, url in action_urls(above):
            assert getattr(login(actor), method)(url).status_code == 404, (url, actor.username)
    higher.refresh_from_db()
    assert not higher.must_change_password


def test_the_predicate_wants_every_role_inside_and_below(world, higher):
    u = world.users
    assert can_manage_account(u.subdistrict_admin, u.community_worker)
    assert can_manage_account(u.subdistrict_admin, u.member)  # a member living in 婆石
    assert not can_manage_account(u.subdistrict_admin, higher)
    assert not can_manage_account(u.subdistrict_admin, u.subdistrict_admin)  # not even oneself
    assert can_manage_account(u.district_admin, u.subdistrict_admin)
    # A worker in 婆石 who also works in 海虹 (吉大) is out of the 拱北 admin's reach.
    services.role_assign(actor=None, user=u.community_worker_colleague, role="community_worker", area=world.c3)
    assert not can_manage_account(u.subdistrict_admin, u.community_worker_colleague)
    assert not can_manage_account(u.community_worker, u.member)  # not an admin
    assert not can_manage_account(u.subdistrict_admin, u.nobody)  # no role: superusers only
    assert set(manageable_users(u.subdistrict_admin).values_list("username", flat=True)) == {
        "sq1", "wg1", "dy", "jm", "dw",
    }  # fmt: skip


def test_the_list_offers_actions_only_on_manageable_accounts(world, login, higher):
    u = world.users
    services.user_update(actor=None, user=higher, mobile="13900000001")
    body = login(u.subdistrict_admin).get(reverse("accounts:user_list"), {"q": "qu"}).content.decode()
    assert "qu" in body  # listed: it holds a role inside the area
    assert reverse("accounts:user_reset_password", args=[higher.public_id]) not in body
    assert reverse("accounts:user_reveal_mobile", args=[higher.public_id]) not in body
    assert "由上级管理" in body
    body = login(u.subdistrict_admin).get(reverse("accounts:user_list"), {"q": "sq1"}).content.decode()
    assert reverse("accounts:user_reset_password", args=[u.community_worker.public_id]) in body


def test_the_django_admin_applies_the_same_rule(world, login, higher):
    u = world.users
    make_staff(u.subdistrict_admin)
    client = login(u.subdistrict_admin)
    changelist = client.get(reverse("admin:accounts_user_changelist")).content.decode()
    assert "sq1" in changelist and ">qu<" not in changelist
    change = reverse("admin:accounts_user_change", args=[higher.pk])
    assert client.get(change).status_code in (302, 404)
    assert client.post(change, {"username": "qu", "is_active": ""}).status_code in (302, 404)
    higher.refresh_from_db()
    assert higher.is_active
    assert client.get(reverse("admin:accounts_user_change", args=[u.community_worker.pk])).status_code == 200
    # Choosing someone's password is not for non-superusers at all (the reset page gives a temporary one).
    for target in (higher, u.community_worker):
        password = reverse("admin:auth_user_password_change", args=[target.pk])
        data = {"password1": "Chosen-pass-2026", "password2": "Chosen-pass-2026"}
        assert client.post(password, data).status_code == 403
        target.refresh_from_db()
        assert not target.check_password("Chosen-pass-2026")
    higher_role = RoleAssignment.objects.get(user=higher, role="district_admin")
    url = reverse("admin:accounts_roleassignment_change", args=[higher_role.pk])
    assert client.get(url).status_code in (302, 404)
    # Raising a manageable account to a rank the editor does not have is refused and rolled back.
    add = reverse("admin:accounts_roleassignment_add")
    response = client.post(add, {"user": u.community_worker.pk, "role": "district_admin", "area": world.district.pk})
    assert response.status_code in (200, 403)
    response = client.post(add, {"user": u.community_worker.pk, "role": "subdistrict_admin", "area": world.s1.pk})
    assert response.status_code == 403
    assert not RoleAssignment.objects.filter(user=u.community_worker, role__endswith="_admin").exists()


def test_a_staff_admin_cannot_make_anyone_staff_or_superuser(world, login):
    u = world.users
    make_staff(u.district_admin)
    client = login(u.district_admin)
    form = client.get(reverse("admin:accounts_user_change", args=[u.community_worker.pk])).context["adminform"].form
    assert not {"is_staff", "is_superuser", "groups", "user_permissions"} & set(form.fields)
