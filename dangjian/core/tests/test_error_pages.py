"""With DEBUG off (as `make run` serves the demo), errors show the site's own pages in Chinese, in
its layout, never Django's technical pages, and uploaded files have no public route."""

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import path, reverse

from dangjian.conftest import PASSWORD
from dangjian.urls import urlpatterns as site_urlpatterns


def _raises_a_bug(request):
    raise RuntimeError("a bug in a view")


def _refuses(request):
    raise PermissionDenied


# This module doubles as the URLconf of its tests: the site's pages and two views that fail.
urlpatterns = [path("test-bug/", _raises_a_bug), path("test-refused/", _refuses), *site_urlpatterns]

TECHNICAL = ("Using the URLconf", "Traceback", "Page not found", "Not Found", "Server Error", "Forbidden")


def assert_site_page(response, status: int, heading: str) -> str:
    body = response.content.decode()
    assert response.status_code == status
    assert response["Content-Type"].startswith("text/html")
    assert f"<h1>{heading}</h1>" in body and f"错误代码：{status}" in body
    assert "css/app.css" in body and "党建引领基层治理" in body  # the site's base layout
    assert not [word for word in TECHNICAL if word in body], body
    return body


def test_a_resident_opening_a_staff_page_gets_the_chinese_404_in_the_site_layout(world, login, settings):
    assert settings.DEBUG is False
    body = assert_site_page(login(world.users.resident).get(reverse("imports:home")), 404, "页面不存在")
    assert 'class="topbar"' in body  # signed in: the workbench layout with the menu
    assert "/imports/" not in body.replace('href="/imports/', "")  # no list of the site's URL patterns


def test_an_unknown_address_gets_the_chinese_404_when_signed_out(db):
    body = assert_site_page(Client().get("/no-such-page/"), 404, "页面不存在")
    assert 'class="topbar"' not in body


@pytest.mark.urls(__name__)
def test_a_refused_action_gets_the_chinese_403(world, login):
    assert_site_page(login(world.users.resident).get("/test-refused/"), 403, "没有权限")


def test_a_form_whose_csrf_token_expired_gets_the_chinese_403(db):
    response = Client(enforce_csrf_checks=True).post(reverse("accounts:login"), {"username": "a", "password": "b"})
    body = assert_site_page(response, 403, "页面已过期")
    assert "CSRF cookie" not in body and "reason" not in body  # no English reason for the refusal


@pytest.mark.urls(__name__)
def test_a_bug_gets_the_chinese_500_without_the_traceback(world):
    client = Client(raise_request_exception=False)
    client.force_login(world.users.resident)
    body = assert_site_page(client.get("/test-bug/"), 500, "系统出错了")
    assert "a bug in a view" not in body and "RuntimeError" not in body


def test_uploaded_files_are_not_served_at_a_public_address(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    (tmp_path / "photos").mkdir()
    (tmp_path / "photos" / "id-card.jpg").write_bytes(b"\xff\xd8\xff")
    response = Client().get(settings.MEDIA_URL + "photos/id-card.jpg")
    assert response.status_code == 404 and b"\xff\xd8\xff" not in response.content


@pytest.mark.browser
def test_the_404_page_fits_a_phone_and_a_desktop(browser, world, transactional_db):
    page = browser.sign_in("jm", PASSWORD)
    response = page.goto(browser.base_url + reverse("imports:home"))
    assert response.status == 404
    page.get_by_role("heading", name="页面不存在").wait_for()
    browser.assert_fits()
    browser.shot("error-404")
    page.get_by_role("link", name="返回首页").click()
    page.wait_for_load_state("networkidle")
    assert page.url.rstrip("/") == browser.base_url
