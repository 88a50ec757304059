import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in
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


# When the session was last saved (epoch seconds), kept in the session itself.
TOUCHED_KEY = "_touched"


def touch_interval() -> int:
    """How often an active session is re-saved: SESSION_TOUCH_SECONDS, at most a tenth of the idle
    expiry (SESSION_COOKIE_AGE), so a short expiry still slides."""
    return max(0, min(settings.SESSION_TOUCH_SECONDS, settings.SESSION_COOKIE_AGE // 10))


def touch_on_sign_in(sender, request, user, **kwargs):
    """Signing in saves the session (Client.force_login too): it counts as the last save."""
    session = getattr(request, "session", None)
    if session is not None:
        session[TOUCHED_KEY] = int(time.time())


user_logged_in.connect(touch_on_sign_in, dispatch_uid="dangjian.accounts.touch_on_sign_in")


class SlidingSessionMiddleware:
    """Idle sessions expire, active ones slide, without a session write on every request.

    Django slides the expiry only when it saves the session (SESSION_SAVE_EVERY_REQUEST: a write on every
    page). Here a signed-in session is re-saved (new expiry date and cookie) only when its last save is
    older than touch_interval(): an idle session still ends SESSION_COOKIE_AGE after its last save, i.e.
    at most touch_interval() before SESSION_COOKIE_AGE of idleness. Sits after SessionMiddleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        # Only a stored, non-empty session: never create one for an anonymous visitor, nor revive one
        # that sign-out has just flushed.
        if session is None or session.session_key is None or session.is_empty():
            return response
        if session.modified:  # saved anyway: mark when
            session[TOUCHED_KEY] = int(time.time())
            return response
        now = int(time.time())
        last = session.get(TOUCHED_KEY)
        if not isinstance(last, int) or not 0 <= now - last < touch_interval():
            session[TOUCHED_KEY] = now  # modified: SessionMiddleware saves it with a new expiry
        return response


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
