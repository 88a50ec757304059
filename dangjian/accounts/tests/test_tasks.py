from datetime import datetime, timedelta

import pytest
from django.utils import timezone
from huey.contrib.djhuey import HUEY

from dangjian.accounts import tasks
from dangjian.accounts.models import LoginFailure


@pytest.mark.django_db(transaction=True)
def test_the_login_failures_purge_is_a_nightly_periodic_task():
    # What the consumer's scheduler would start at 03:17 and at 10:05.
    at_night = {t.name for t in HUEY.read_periodic(datetime(2026, 11, 21, 3, 17))}
    at_day = {t.name for t in HUEY.read_periodic(datetime(2026, 11, 21, 10, 5))}
    assert "nightly_login_failures_purge" in at_night and "nightly_login_failures_purge" not in at_day
    assert tasks.nightly_login_failures_purge.call_local() == {"login_failures": 0, "phone_codes": 0}


def test_the_purge_drops_only_failures_that_no_longer_count(db):
    old = LoginFailure.objects.create(identifier="old", ip="203.0.113.9")
    LoginFailure.objects.filter(pk=old.pk).update(at=timezone.now() - timedelta(days=30))
    LoginFailure.objects.create(identifier="recent", ip="203.0.113.9")
    assert tasks.nightly_login_failures_purge.call_local() == {"login_failures": 1, "phone_codes": 0}
    assert list(LoginFailure.objects.values_list("identifier", flat=True)) == ["recent"]
