from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import Resolver404, resolve, reverse
from django.utils.translation import gettext as _

from .roles import SESSION_KEY

# What a person signed in with a temporary password may still reach: the change page and sign-out
# (and the health check probes call). Static files are served before this by whitenoise.
TEMPORARY_PASSWORD_OPEN = {"accounts:password_change", "accounts:logout", "healthz"}


class ActiveRoleMiddleware:
    """Puts the role chosen in this session on request.user, where visible_to() finds it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            user.active_role_id = request.session.get(SESSION_KEY)
        return self.get_response(request)


def _url_name(request) -> str:
    try:
        return resolve(request.path_info).view_name
    except Resolver404:
        return ""


def _redirect(request, url: str) -> HttpResponse:
    if request.headers.get("HX-Request"):  # htmx follows this header with a full page load
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    return redirect(url)


class TemporaryPasswordMiddleware:
    """After an administrator's reset, the temporary password is good for one thing: setting a new one.

    Every other request goes to the change page until it is changed; once the temporary password is
    older than TEMP_PASSWORD_MAX_AGE_HOURS the session ends and it no longer signs in.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or not user.must_change_password:
            return self.get_response(request)
        if request.path_info.startswith(settings.STATIC_URL):
            return self.get_response(request)
        name = _url_name(request)
        if user.temporary_password_expired and name not in {"accounts:logout", "healthz"}:
            logout(request)
            messages.error(request, _("临时密码已过期，请联系管理员重新重置密码。"))
            return _redirect(request, reverse("accounts:login"))
        if name not in TEMPORARY_PASSWORD_OPEN:
            if request.method == "GET" and not request.headers.get("HX-Request"):
                messages.warning(request, _("您正在使用临时密码，请先修改密码。"))
            return _redirect(request, reverse("accounts:password_change"))
        return self.get_response(request)
