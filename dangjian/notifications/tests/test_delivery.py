"""Delivery to SMS (and WeChat): a row per message and channel the person has on and an address for,
sent on the queue, retried with backoff when the provider fails, logged, never lost, never sent twice;
quiet hours postpone it; the sweep finds again what the queue lost; templates are data."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from dangjian.conftest import make_user
from dangjian.notifications import delivery, services
from dangjian.notifications.models import Delivery, Message, MessageTemplate, Preference

from .backends import RefusingSms
from .conftest import REFUSING

pytestmark = pytest.mark.django_db


def person(name: str, mobile: str | None = "13812345678", **pref):
    user = make_user(name)
    get_user_model().objects.filter(pk=user.pk).update(mobile=mobile)
    if pref:
        Preference.objects.create(user=user, **pref)
    return get_user_model().objects.get(pk=user.pk)


def notify_and_commit(django_capture_on_commit_callbacks, recipients, **kw):
    kw = {"event": "cases.case.dispatch", "title": "事件 C1：派单", "object_key": "cases.case:1", **kw}
    with django_capture_on_commit_callbacks(execute=True):
        return services.notify(recipients=recipients, **kw)


def past(delivery_row: Delivery) -> None:
    """Time passes: the row is due now (as the scheduled retry would find it)."""
    Delivery.objects.filter(pk=delivery_row.pk).update(due_at=timezone.now() - datetime.timedelta(seconds=1))


def test_a_message_goes_out_once_by_sms_through_the_queue(sms, queue, django_capture_on_commit_callbacks):
    a = person("a")
    notify_and_commit(django_capture_on_commit_callbacks, [a], body="请今日处置", context={"object": "事件 C1"})
    row = Delivery.objects.get()
    assert (row.channel, row.status, row.attempts, row.address_masked) == ("sms", "sent", 1, "138****5678")
    assert row.sent_at is not None and row.provider_id == "test-1"
    assert len(sms.sent) == 1 and sms.sent[0]["address"] == "13812345678"
    assert sms.sent[0]["key"] == f"{Message.objects.get().public_id}:sms"
    assert not Message.objects.get().fan_out_pending
    assert delivery.send(row.pk) == ""  # a second run of the task finds nothing to claim
    assert len(sms.sent) == 1


def test_only_enabled_channels_with_an_address_get_a_delivery(sms, queue, django_capture_on_commit_callbacks):
    on = person("on")
    off = person("off", mobile="13812345679", sms=False)
    nobody = person("nobody", mobile=None)
    notify_and_commit(django_capture_on_commit_callbacks, [on, off, nobody])
    assert list(Delivery.objects.values_list("message__recipient_id", "channel")) == [(on.pk, "sms")]
    assert Message.objects.filter(fan_out_pending=True).count() == 0


def test_a_failed_send_is_retried_with_backoff_logged_and_sent_once(sms, queue, django_capture_on_commit_callbacks):
    sms.reset(failures=2)
    a = person("a")
    notify_and_commit(django_capture_on_commit_callbacks, [a])
    row = Delivery.objects.get()
    assert (row.status, row.attempts, row.last_error) == ("queued", 1, "短信网关超时")
    assert row.due_at > timezone.now() + datetime.timedelta(seconds=50)  # backoff: not before a minute
    assert delivery.send(row.pk) == ""  # not due yet: nothing is claimed
    past(row)
    assert delivery.send(row.pk) == "queued"
    past(row)
    assert delivery.send(row.pk) == "sent"
    row.refresh_from_db()
    assert (row.status, row.attempts, row.last_error) == ("sent", 3, "短信网关超时")  # the log keeps why it waited
    assert sms.tries == 3 and len(sms.sent) == 1
    past(row)
    assert delivery.send(row.pk) == "" and len(sms.sent) == 1


def test_a_permanent_refusal_or_too_many_failures_ends_failed_with_the_reason(
    settings, sms, queue, django_capture_on_commit_callbacks
):
    settings.NOTIFY_BACKENDS = {"sms": REFUSING}
    notify_and_commit(django_capture_on_commit_callbacks, [person("a")])
    row = Delivery.objects.get()
    assert (row.status, row.attempts, row.last_error) == ("failed", 1, "号码不存在")
    assert RefusingSms.tries == 1
    settings.NOTIFY_BACKENDS = {"sms": "dangjian.notifications.tests.backends.RecordingSms"}
    settings.NOTIFY_MAX_ATTEMPTS = 2
    sms.reset(failures=5)
    notify_and_commit(django_capture_on_commit_callbacks, [person("b", mobile="13900000000")], object_key="x:2")
    row = Delivery.objects.get(message__recipient__username="b")
    past(row)
    delivery.send(row.pk)
    row.refresh_from_db()
    assert (row.status, row.attempts, row.last_error) == ("failed", 2, "短信网关超时")


def test_two_workers_claim_a_delivery_once(sms, django_capture_on_commit_callbacks):
    notify_and_commit(django_capture_on_commit_callbacks, [person("a")])
    delivery.fan_out(Message.objects.values_list("pk", flat=True))
    row = Delivery.objects.get()
    assert delivery.claim(row.pk) is True
    assert delivery.claim(row.pk) is False
    assert delivery.send(row.pk) == "" and sms.sent == []


def test_a_repeat_of_the_message_is_not_sent_again(sms, queue, django_capture_on_commit_callbacks):
    a = person("a")
    notify_and_commit(django_capture_on_commit_callbacks, [a])
    notify_and_commit(django_capture_on_commit_callbacks, [a], body="再次派单")
    assert Delivery.objects.count() == 1 and len(sms.sent) == 1


def test_quiet_hours_postpone_the_sms_to_their_end(sms, queue, django_capture_on_commit_callbacks):
    now = timezone.localtime()
    start = (now - datetime.timedelta(hours=1)).time().replace(second=0, microsecond=0)
    end = (now + datetime.timedelta(hours=2)).time().replace(second=0, microsecond=0)
    a = person("a", quiet_start=start, quiet_end=end)
    notify_and_commit(django_capture_on_commit_callbacks, [a])
    row = Delivery.objects.get()
    assert row.status == "queued" and sms.sent == []
    assert timezone.localtime(row.due_at).time().replace(second=0, microsecond=0) == end
    assert Message.objects.get().read_at is None  # the in-app message is there at once


@pytest.mark.parametrize(
    ("start", "end", "at", "quiet"),
    [
        ("22:00", "07:00", "23:30", True),
        ("22:00", "07:00", "06:59", True),
        ("22:00", "07:00", "07:00", False),
        ("22:00", "07:00", "12:00", False),
        ("12:00", "14:00", "13:00", True),
        ("12:00", "14:00", "11:00", False),
    ],
)
def test_quiet_hours_hold_across_midnight(start, end, at, quiet):
    pref = Preference(quiet_start=datetime.time.fromisoformat(start), quiet_end=datetime.time.fromisoformat(end))
    day = datetime.date(2026, 12, 6)
    now = timezone.make_aware(datetime.datetime.combine(day, datetime.time.fromisoformat(at)))
    until = delivery.quiet_until(pref, now)
    assert (until is not None) == quiet
    if quiet:
        assert timezone.localtime(until).time() == datetime.time.fromisoformat(end) and until > now


def test_the_sweep_finds_again_what_the_queue_lost(sms, queue, django_capture_on_commit_callbacks):
    a, b = person("a"), person("b", mobile="13900000001")
    old = timezone.now() - datetime.timedelta(minutes=10)
    # Lost before its fan-out (no on-commit run here: the queue dropped it).
    services.notify(recipients=[a], event="cases.case.warn", title="临期", object_key="cases.case:1")
    Message.objects.update(created_at=old)
    # Lost mid-send: a worker died holding it.
    notify_and_commit(django_capture_on_commit_callbacks, [b], event="cases.case.dispatch", object_key="cases.case:2")
    stuck = Delivery.objects.get()
    Delivery.objects.filter(pk=stuck.pk).update(status="sending", claimed_at=old, due_at=old, sent_at=None)
    sms.reset()
    with django_capture_on_commit_callbacks(execute=True):
        result = delivery.sweep()
    assert result["fan_out"] == 1 and result["stuck"] == 1
    assert {r.status for r in Delivery.objects.all()} == {"sent"}
    assert sorted(s["address"] for s in sms.sent) == ["13812345678", "13900000001"]


def test_templates_are_data_a_district_overrides(sms, queue, world, django_capture_on_commit_callbacks):
    a = person("a")
    MessageTemplate.objects.create(
        event="cases.case",
        channel="sms",
        title="{title}",
        body="【香洲】{object}有新进展：{step}",
        provider_template="T-1",
    )
    notify_and_commit(
        django_capture_on_commit_callbacks,
        [a],
        context={"object": "事件 C1", "step": "派单", "area_path": world.c1.path},
    )
    assert sms.sent[-1]["text"] == "【香洲】事件 C1有新进展：派单" and sms.sent[-1]["template"] == "T-1"
    MessageTemplate.objects.create(
        event="cases.case.dispatch",
        channel="sms",
        district=world.district,
        title="{title}",
        body="派单：{object}，电话 13812345678",
    )
    notify_and_commit(
        django_capture_on_commit_callbacks,
        [a],
        object_key="cases.case:3",
        context={"object": "事件 C3", "area_path": world.c1.path},
    )
    # The district's own template for the event wins; a number typed into it is masked on the way out.
    assert sms.sent[-1]["text"] == "派单：事件 C3，电话 138****5678"


def test_the_default_sms_carries_the_title_and_no_more(sms, queue, django_capture_on_commit_callbacks):
    notify_and_commit(
        django_capture_on_commit_callbacks, [person("a")], body="反映人电话 13912345678，身份证 110105199001011234"
    )
    text = sms.sent[0]["text"]
    assert text.startswith("事件 C1：派单") and "1391234" not in text and "110105" not in text
