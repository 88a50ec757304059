"""Sessions: idle ones expire, active ones slide, and a page does not write its session every time."""

import datetime
import time
from importlib import import_module

from django.conf import settings
from django.contrib.sessions.models import Session
from django.core.cache import caches
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from dangjian.accounts.middleware import TOUCHED_KEY, touch_interval
from dangjian.conftest import PASSWORD

# The configured store: with Redis it is cached_db, whose copy in the cache must follow the row.
SessionStore = import_module(settings.SESSION_ENGINE).SessionStore


def _move_expiry(row, expire_date) -> None:
    """Change a session's expiry behind the store's back, as time passing would: the row, and the
    cached copy dropped (cached_db) so the next page reads the row."""
    Session.objects.filter(pk=row.pk).update(expire_date=expire_date)
    store = SessionStore(session_key=row.session_key)
    if hasattr(store, "cache_key"):
        caches[settings.SESSION_CACHE_ALIAS].delete(store.cache_key)


def _sign_in(client, username="sq1"):
    response = client.post(reverse("accounts:login"), {"username": username, "password": PASSWORD})
    assert response.status_code == 302
    return Session.objects.get(session_key=client.cookies[settings.SESSION_COOKIE_NAME].value)


def _session_writes(queries):
    return [q["sql"] for q in queries if "django_session" in q["sql"] and not q["sql"].startswith("SELECT")]


def test_an_active_session_is_not_written_on_every_page(world, client):
    row = _sign_in(client)
    home = reverse("dashboard:home")
    for _ in range(3):
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(home).status_code == 200
        assert _session_writes(ctx.captured_queries) == []
    assert Session.objects.get(pk=row.pk).expire_date == row.expire_date
    assert touch_interval() > 0


def test_an_active_session_slides_once_its_last_save_is_older_than_the_interval(world, client):
    row = _sign_in(client)
    # As if signed in long ago: the last save and the expiry are moved back past the interval.
    store = SessionStore(session_key=row.session_key)
    store[TOUCHED_KEY] = int(time.time()) - touch_interval() - 1
    store.save()
    early = timezone.now() + datetime.timedelta(seconds=settings.SESSION_COOKIE_AGE - touch_interval() - 1)
    _move_expiry(row, early)
    before = Session.objects.get(pk=row.pk).expire_date
    response = client.get(reverse("dashboard:home"))
    assert response.status_code == 200
    after = Session.objects.get(pk=row.pk).expire_date
    assert after > before + datetime.timedelta(seconds=touch_interval())
    assert after >= timezone.now() + datetime.timedelta(seconds=settings.SESSION_COOKIE_AGE - 60)
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]  # the browser's cookie slides too
    assert cookie.value == row.session_key and int(cookie["max-age"]) >= settings.SESSION_COOKIE_AGE - 60
    # Saved just now: the next page writes nothing.
    with CaptureQueriesContext(connection) as ctx:
        client.get(reverse("dashboard:home"))
    assert _session_writes(ctx.captured_queries) == []


def test_an_idle_session_expires(world, client):
    row = _sign_in(client)
    _move_expiry(row, timezone.now() - datetime.timedelta(seconds=1))
    response = client.get(reverse("dashboard:home"))
    assert response.status_code == 302 and reverse("accounts:login") in response.url
    assert not Session.objects.filter(pk=row.pk, expire_date__gt=timezone.now()).exists()


def test_sign_out_ends_the_session_and_no_page_revives_it(world, client):
    row = _sign_in(client)
    client.post(reverse("accounts:logout"))
    assert not Session.objects.filter(pk=row.pk).exists()
    response = client.get(reverse("dashboard:home"))
    assert response.status_code == 302 and reverse("accounts:login") in response.url
    assert not Session.objects.exists()


def test_an_anonymous_visitor_gets_no_session(db, client):
    assert client.get(reverse("accounts:login")).status_code == 200
    assert not Session.objects.exists()
    assert settings.SESSION_COOKIE_NAME not in client.cookies or not client.cookies[settings.SESSION_COOKIE_NAME].value
