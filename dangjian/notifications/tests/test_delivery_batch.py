"""Deliveries go out in batches: a task claims up to SEND_BATCH due deliveries at once, sends each and
records every outcome in a few updates; the number of queries does not grow with the batch; two workers
given the same ids never both send one; a row the sweep took back mid-batch is not overwritten."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from dangjian.core.testing import run_at_once
from dangjian.notifications import delivery, services
from dangjian.notifications.channels import DeliveryError
from dangjian.notifications.models import Delivery, Message, Preference

from .backends import RecordingSms
from .test_delivery import person

pytestmark = pytest.mark.django_db


class SweptMidSend(RecordingSms):
    """While the batch is sending, a sweep gives its rows back to the queue (the worker looked dead)."""

    def send(self, **kw):
        Delivery.objects.filter(status="sending").update(status="queued")
        return super().send(**kw)


class PickySms(RecordingSms):
    """Refuses for good the numbers ending in 0, fails once (retryably) those ending in 1."""

    def send(self, *, address, **kw):
        if address.endswith("0"):
            raise DeliveryError("号码不存在", retryable=False)
        if address.endswith("1") and not any(s["address"] == address for s in type(self).sent + self.failed):
            self.failed.append({"address": address})
            raise DeliveryError("短信网关超时", retryable=True)
        return super().send(address=address, **kw)


PickySms.failed = []


def deliveries(django_capture_on_commit_callbacks, people, **kw) -> list[int]:
    """Messages to `people` fanned out (their deliveries written, nothing queued); the delivery ids."""
    with django_capture_on_commit_callbacks(execute=False):
        services.notify(recipients=people, event="cases.case.dispatch", title="派单", object_key="cases.case:9", **kw)
        delivery.fan_out(Message.objects.values_list("pk", flat=True))
    return list(Delivery.objects.order_by("pk").values_list("pk", flat=True))


def quiet_now() -> tuple[datetime.time, datetime.time]:
    """Quiet hours that began an hour ago and end in two."""
    now = timezone.localtime()
    return tuple((now + datetime.timedelta(hours=h)).time().replace(second=0, microsecond=0) for h in (-1, 2))


def crowd(n: int, start: int = 0) -> list:
    return [person(f"p{i}", mobile=f"1390000{i:04d}") for i in range(start, start + n)]


def test_a_batch_costs_the_same_queries_whatever_its_size(sms, django_capture_on_commit_callbacks):
    counts = []
    for people in (crowd(3), crowd(40, start=100)):
        Message.objects.all().delete()
        ids = deliveries(django_capture_on_commit_callbacks, people)
        with CaptureQueriesContext(connection) as captured:
            result = delivery.send_batch(ids)
        assert set(result.values()) == {"sent"} and sorted(result) == ids
        counts.append(len(captured))
    # The claim (its transaction, the locking read, the update), the rows with their recipients, the
    # preferences, one template lookup, one update for the sent.
    assert counts[0] == counts[1] <= 8, counts
    assert len(sms.sent) == 43 and len({s["key"] for s in sms.sent}) == 43


def test_one_batch_records_every_kind_of_outcome(settings, sms, django_capture_on_commit_callbacks):
    settings.NOTIFY_BACKENDS = {"sms": "dangjian.notifications.tests.test_delivery_batch.PickySms"}
    PickySms.reset()
    PickySms.failed = []
    start, end = quiet_now()
    ok, refused, flaky = (
        person(n, mobile=m) for n, m in (("ok", "13900000002"), ("no", "13900000000"), ("fl", "13900000001"))
    )
    off, quiet = person("off", mobile="13900000003"), person("quiet", mobile="13900000004")
    ids = deliveries(django_capture_on_commit_callbacks, [ok, refused, flaky, off, quiet])
    # Between the fan-out and the send, one turns SMS off and one starts quiet hours.
    Preference.objects.create(user=off, sms=False)
    Preference.objects.create(user=quiet, quiet_start=start, quiet_end=end)
    with django_capture_on_commit_callbacks(execute=False):
        result = delivery.send_batch(ids)
    rows = {r.message.recipient.username: r for r in Delivery.objects.select_related("message__recipient")}
    assert {name: r.status for name, r in rows.items()} == {
        "ok": "sent", "no": "failed", "fl": "queued", "off": "skipped", "quiet": "queued"
    }  # fmt: skip
    assert result == {r.pk: r.status for r in rows.values()}
    assert (rows["ok"].attempts, rows["ok"].provider_id) == (1, "test-1") and rows["ok"].sent_at is not None
    assert (rows["no"].attempts, rows["no"].last_error) == (1, "号码不存在")
    assert (rows["fl"].attempts, rows["fl"].last_error) == (1, "短信网关超时")
    assert rows["fl"].due_at > timezone.now() + datetime.timedelta(seconds=50)  # backoff
    assert (rows["off"].attempts, rows["off"].last_error) == (0, "接收人已关闭该渠道")
    assert rows["quiet"].attempts == 0 and timezone.localtime(rows["quiet"].due_at).time().replace(second=0) == end
    assert [s["address"] for s in PickySms.sent] == ["13900000002"]
    # The retry, once due, goes out; nothing else is sent again.
    Delivery.objects.filter(pk=rows["fl"].pk).update(due_at=timezone.now() - datetime.timedelta(seconds=1))
    with django_capture_on_commit_callbacks(execute=False):
        assert delivery.send_batch(ids) == {rows["fl"].pk: "sent"}
    assert [s["address"] for s in PickySms.sent] == ["13900000002", "13900000001"]


def test_overlapping_batches_claim_each_delivery_once(sms, django_capture_on_commit_callbacks):
    a, b, c = deliveries(django_capture_on_commit_callbacks, crowd(3))
    assert delivery.claim_batch([a, b]) == [a, b]
    assert delivery.claim_batch([b, c]) == [c]
    assert delivery.send_batch([a, b, c]) == {} and sms.sent == []


def test_a_row_the_sweep_took_back_mid_batch_is_not_overwritten(settings, sms, django_capture_on_commit_callbacks):
    settings.NOTIFY_BACKENDS = {"sms": "dangjian.notifications.tests.test_delivery_batch.SweptMidSend"}
    ids = deliveries(django_capture_on_commit_callbacks, crowd(2))
    with django_capture_on_commit_callbacks(execute=False):
        delivery.send_batch(ids)
    # The sweep's "queued" stands (it queues them again; the provider gets the same idempotency key).
    assert set(Delivery.objects.values_list("status", flat=True)) == {"queued"}


def test_fan_out_and_sweep_queue_one_task_per_batch(monkeypatch, sms, queue, django_capture_on_commit_callbacks):
    queued: list[tuple[list[int], datetime.datetime | None]] = []
    monkeypatch.setattr(delivery, "_queue_send", lambda ids, due=None: queued.append((list(ids), due)))
    monkeypatch.setattr(delivery, "SEND_BATCH", 2)
    start, end = quiet_now()
    people = crowd(5)
    Preference.objects.create(user=people[4], quiet_start=start, quiet_end=end)
    with django_capture_on_commit_callbacks(execute=True):
        services.notify(recipients=people, event="cases.case.dispatch", title="派单", object_key="cases.case:9")
    ids = list(Delivery.objects.order_by("pk").values_list("pk", flat=True))
    assert len(ids) == 5
    later = Delivery.objects.get(message__recipient=people[4])
    assert sorted(len(batch) for batch, due in queued if due is None) == [2, 2]
    assert [(batch, due) for batch, due in queued if due is not None] == [([later.pk], later.due_at)]
    assert sorted(pk for batch, _due in queued for pk in batch) == ids
    # The queue lost them all: the sweep queues the due ones again, in batches too.
    queued.clear()
    Delivery.objects.update(due_at=timezone.now() - datetime.timedelta(minutes=5))
    assert delivery.sweep()["queued"] == 5
    assert [len(batch) for batch, _due in queued] == [2, 2, 1]


@pytest.mark.django_db(transaction=True)
def test_two_workers_racing_on_the_same_batch_send_each_delivery_once(sms, django_capture_on_commit_callbacks):
    ids = deliveries(django_capture_on_commit_callbacks, crowd(30))
    results = run_at_once(lambda: delivery.send_batch(ids), lambda: delivery.send_batch(list(reversed(ids))))
    assert [kind for kind, _value in results] == ["ok", "ok"], results
    first, second = (value for _kind, value in results)
    assert not set(first) & set(second)  # no id claimed by both
    assert sorted(set(first) | set(second)) == ids
    assert len(sms.sent) == 30 and len({s["key"] for s in sms.sent}) == 30
    assert set(Delivery.objects.values_list("status", flat=True)) == {"sent"}
