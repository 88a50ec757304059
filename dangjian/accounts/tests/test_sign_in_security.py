"""Temporary passwords that must be changed and expire (issue 10, item 5), and login throttling that
cannot be gamed or turned into a lock-out (item 6)."""

from datetime import timedelta

from django.conf import settings
from django.test import RequestFactory, override_settings
from django.urls import reverse

from dangjian.accounts import services, throttle
from dangjian.accounts.models import LoginFailure, User
from dangjian.conftest import PASSWORD
from dangjian.core.views import client_ip


def sign_in(client, username, password, ip="203.0.113.7", **extra):
    return client.post(reverse("accounts:login"), {"username": username, "password": password}, REMOTE_ADDR=ip, **extra)


def reset(world):
    return services.password_reset(actor=world.users.subdistrict_admin, user=world.users.community_worker)


# --- temporary passwords ------------------------------------------------------------------


def test_a_temporary_password_opens_only_the_change_page(world, client):
    temporary = reset(world)
    assert sign_in(client, "sq1", temporary).url == reverse("accounts:password_change")
    change = reverse("accounts:password_change")
    for url in (reverse("dashboard:home"), reverse("people:member_list"), reverse("territory:tree")):
        response = client.get(url)
        assert response.status_code == 302 and response.url == change, url
    # A form post and an htmx call are stopped too, before they do anything.
    post = client.post(reverse("accounts:switch_role"), {"role": "x"})
    assert post.status_code == 302 and post.url == change
    htmx = client.post(reverse("people:account_search"), HTTP_HX_REQUEST="true")
    assert htmx.status_code == 204 and htmx["HX-Redirect"] == change
    # The change page itself, static files and the health check still answer.
    assert client.get(change).status_code == 200
    assert client.get("/static/js/app.js").status_code == 200
    assert client.get(reverse("healthz")).status_code in (200, 503)  # its own verdict, not a redirect
    # Once changed, the account works as usual.
    new = "Gongbei-2026!"
    client.post(change, {"old_password": temporary, "new_password": new, "new_password2": new})
    assert client.get(reverse("dashboard:home")).status_code == 200


def test_signing_out_is_allowed_with_a_temporary_password(world, client):
    sign_in(client, "sq1", reset(world))
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302 and response.url == reverse("accounts:login")
    assert client.get(reverse("dashboard:home")).url.startswith(reverse("accounts:login"))


@override_settings(TEMP_PASSWORD_MAX_AGE_HOURS=5)
def test_a_temporary_password_expires_after_the_configured_hours(world, client):
    temporary = reset(world)
    user = User.objects.get(pk=world.users.community_worker.pk)
    sign_in(client, "sq1", temporary)
    hours = settings.TEMP_PASSWORD_MAX_AGE_HOURS
    User.objects.filter(pk=user.pk).update(
        temporary_password_at=user.temporary_password_at - timedelta(hours=hours - 1)
    )
    assert client.get(reverse("accounts:password_change")).status_code == 200  # still inside the window
    user.refresh_from_db()
    User.objects.filter(pk=user.pk).update(temporary_password_at=user.temporary_password_at - timedelta(hours=2))
    # The open session ends, and the temporary password no longer signs in.
    response = client.get(reverse("accounts:password_change"))
    assert response.status_code == 302 and response.url == reverse("accounts:login")
    refused = sign_in(client, "sq1", temporary)
    assert refused.status_code == 200 and "临时密码已过期" in refused.content.decode()
    assert "联系管理员" in refused.content.decode()
    assert client.get(reverse("dashboard:home")).url.startswith(reverse("accounts:login"))


# --- throttling ---------------------------------------------------------------------------


def test_failures_with_unknown_names_do_not_lock_out_a_real_account_on_the_same_address(world, client):
    for n in range(settings.LOGIN_MAX_FAILURES * throttle.ADDRESS_FACTOR + 3):
        sign_in(client, f"ghost{n}", "wrong")
    refused = sign_in(client, "ghost-last", "wrong")
    assert "此网络登录失败次数过多" in refused.content.decode()
    response = sign_in(client, "sq1", PASSWORD)
    assert response.status_code == 302 and response.url == reverse("dashboard:home")


def test_failures_by_username_and_by_mobile_count_for_one_account(world, client):
    services.user_update(actor=None, user=world.users.community_worker, mobile="13912345678")
    half = settings.LOGIN_MAX_FAILURES // 2
    for n in range(settings.LOGIN_MAX_FAILURES):
        sign_in(client, "sq1" if n < half else "13912345678", "wrong", ip=f"198.51.100.{n}")
    for identifier in ("sq1", "13912345678"):
        response = sign_in(client, identifier, PASSWORD, ip="192.0.2.1")
        assert response.status_code == 200 and "账号已临时锁定" in response.content.decode(), identifier
    assert LoginFailure.objects.filter(user=world.users.community_worker).count() == settings.LOGIN_MAX_FAILURES


def test_forwarded_for_is_believed_only_from_a_trusted_proxy(world, client):
    factory = RequestFactory()
    spoofed = factory.get("/", REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_FOR="10.9.9.9")
    assert client_ip(spoofed) == "203.0.113.9"  # no trusted proxies by default
    with override_settings(TRUSTED_PROXIES=["127.0.0.1", "10.0.0.0/8"]):
        assert client_ip(spoofed) == "203.0.113.9"  # the header came from someone else
        via_nginx = factory.get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="6.6.6.6, 198.51.100.4")
        assert client_ip(via_nginx) == "198.51.100.4"  # the address nginx saw, not what the client wrote
        garbage = factory.get("/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="not-an-ip")
        assert client_ip(garbage) == "127.0.0.1"
        sign_in(client, "sq1", "wrong", ip="10.0.0.2", HTTP_X_FORWARDED_FOR="198.51.100.4")
    sign_in(client, "sq1", "wrong", ip="203.0.113.9", HTTP_X_FORWARDED_FOR="198.51.100.4")
    assert list(LoginFailure.objects.order_by("pk").values_list("ip", flat=True)) == ["198.51.100.4", "203.0.113.9"]
