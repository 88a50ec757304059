import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import reverse

from dangjian.accounts import services
from dangjian.accounts.models import LoginFailure, RoleAssignment
from dangjian.audit.models import AuditEvent
from dangjian.conftest import PASSWORD
from dangjian.core.scoping import scope_for


def test_it_signs_in_with_username_or_mobile(world, client):
    services.user_update(actor=None, user=world.users.community_worker, mobile="13912345678")
    for identifier in ("sq1", "13912345678"):
        response = client.post(reverse("accounts:login"), {"username": identifier, "password": PASSWORD})
        assert response.status_code == 302 and response.url == reverse("dashboard:home")
        client.post(reverse("accounts:logout"))
    bad = client.post(reverse("accounts:login"), {"username": "sq1", "password": "wrong"})
    assert "用户名（手机号）或密码不正确" in bad.content.decode()


def test_it_throttles_repeated_failures_with_a_clear_message(world, client):
    for _ in range(settings.LOGIN_MAX_FAILURES):
        client.post(reverse("accounts:login"), {"username": "sq1", "password": "wrong"})
    # Even the right password is refused while locked, and the message says for how long.
    response = client.post(reverse("accounts:login"), {"username": "sq1", "password": PASSWORD})
    body = response.content.decode()
    assert response.status_code == 200 and "登录失败次数过多" in body and "分钟后再试" in body
    assert LoginFailure.objects.filter(identifier="sq1").count() == settings.LOGIN_MAX_FAILURES
    # Another account from the same address still gets in (the per-address limit is higher).
    assert client.post(reverse("accounts:login"), {"username": "sq1b", "password": PASSWORD}).status_code == 302


def test_sessions_expire(settings):
    assert 0 < settings.SESSION_COOKIE_AGE <= 24 * 3600
    # Idle sessions expire and active ones slide (test_sessions.py), re-saved by the sliding middleware.
    middleware = settings.MIDDLEWARE
    sessions = middleware.index("django.contrib.sessions.middleware.SessionMiddleware")
    assert middleware.index("dangjian.accounts.middleware.SlidingSessionMiddleware") > sessions


def test_a_person_with_two_roles_switches_between_them(world, login):
    user = world.users.community_worker
    member_role = services.role_assign(actor=None, user=user, role="party_member", home_community=world.c1)
    client = login(user)
    assert client.get(reverse("territory:tree")).status_code == 200
    client.post(reverse("accounts:switch_role"), {"role": str(member_role.public_id)})
    assert client.get(reverse("territory:tree")).status_code == 404  # a member has no territory pages
    assert "党员" in client.get(reverse("dashboard:home")).content.decode()
    other = RoleAssignment.objects.get(user=world.users.community_worker_outsider)
    assert client.post(reverse("accounts:switch_role"), {"role": str(other.public_id)}).status_code == 404


def test_role_assignment_checks_the_scope_kind(world):
    user = world.users.nobody
    with pytest.raises(ValidationError):
        services.role_assign(actor=None, user=user, role="community_worker", area=world.s1)  # not a community
    with pytest.raises(ValidationError):
        services.role_assign(actor=None, user=user, role="unit_contact")
    with pytest.raises(ValidationError):
        services.role_assign(actor=None, user=user, role="resident", area=world.c1)
    assert scope_for(user).area_path is None and not scope_for(user).everything


def test_an_admin_resets_a_password_in_scope_only(world, login, client):
    u = world.users
    url = reverse("accounts:user_reset_password", args=[u.community_worker.public_id])
    assert login(u.subdistrict_admin_outsider).post(url).status_code == 404
    assert login(u.community_worker_colleague).get(url).status_code == 404  # not an admin role
    confirm = login(u.subdistrict_admin).get(url)
    assert "确定要重置" in confirm.content.decode()
    done = login(u.subdistrict_admin).post(url)
    temporary = done.context["temporary"]
    assert temporary in done.content.decode()
    client.logout()
    response = client.post(reverse("accounts:login"), {"username": "sq1", "password": temporary})
    assert response.url == reverse("accounts:password_change")
    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": temporary, "new_password": "Gongbei-2026!", "new_password2": "Gongbei-2026!"},
    )
    assert response.status_code == 302
    u.community_worker.refresh_from_db()
    assert not u.community_worker.must_change_password and u.community_worker.check_password("Gongbei-2026!")
    actions = list(
        AuditEvent.objects.filter(object_id=str(u.community_worker.public_id)).values_list("action", flat=True)
    )
    assert "reset_password" in actions and "change_password" in actions


def test_user_list_is_scoped_masked_and_bounded(world, login, count_queries):
    u = world.users
    services.user_update(actor=None, user=u.community_worker, mobile="13912345678")
    body = login(u.subdistrict_admin).get(reverse("accounts:user_list")).content.decode()
    assert "sq1" in body and "sq3" not in body and "139****5678" in body and "13912345678" not in body
    assert login(u.grid_worker).get(reverse("accounts:user_list")).status_code == 404
    url = reverse("accounts:user_list")
    before = count_queries(u.district_admin, url)
    for n in range(5):
        services.role_assign(
            actor=None, user=services.user_create(actor=None, username=f"x{n}", password=PASSWORD, validate=False),
            role="grid_worker", area=world.g1b,
        )  # fmt: skip
    assert count_queries(u.district_admin, url) == before


def test_revealing_a_mobile_number_is_audited_and_scoped(world, login):
    u = world.users
    services.user_update(actor=None, user=u.community_worker, mobile="13912345678")
    url = reverse("accounts:user_reveal_mobile", args=[u.community_worker.public_id])
    assert login(u.subdistrict_admin_outsider).post(url).status_code == 404
    assert login(u.subdistrict_admin).post(url).content.decode() == "13912345678"
    event = AuditEvent.objects.get(action="reveal")
    assert event.actor == u.subdistrict_admin and event.changes == {"field": "mobile"}
    assert event.role == "subdistrict_admin"


def test_mobile_numbers_are_validated_and_unique(world):
    with pytest.raises(ValidationError, match="11 位"):
        services.user_update(actor=None, user=world.users.member, mobile="12345")
    services.user_update(actor=None, user=world.users.member, mobile="13700000000")
    with pytest.raises(ValidationError, match="已被其他账号使用"):
        services.user_update(actor=None, user=world.users.resident, mobile="13700000000")
