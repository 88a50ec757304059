"""The message centre's integrity checks (notifications/integrity.py): each planted defect is found."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from dangjian.core.testing import integrity_findings as found
from dangjian.notifications import services
from dangjian.notifications.models import Delivery, Message

pytestmark = pytest.mark.django_db


def test_stuck_work_and_messages_without_a_person_are_found(world):
    u = world.users
    assert found("notifications") == {}
    services.notify(recipients=[u.member, u.resident], event="cases.case.dispatch", title="派单", object_key="c:1")
    fresh, old = Message.objects.order_by("pk")
    long_ago = timezone.now() - datetime.timedelta(hours=2)
    # Fresh work waiting on the queue is not a defect; work the sweep should have found long ago is.
    assert found("notifications") == {}
    Message.objects.filter(pk=old.pk).update(created_at=long_ago)
    queued = Delivery.objects.create(message=fresh, channel="sms", due_at=long_ago)
    sending = Delivery.objects.create(
        message=old, channel="sms", status="sending", claimed_at=long_ago, due_at=long_ago
    )
    sent = Delivery.objects.create(message=old, channel="wechat", status="sent", due_at=long_ago)
    Delivery.objects.create(message=fresh, channel="wechat", status="queued", due_at=timezone.now())
    # A message written behind the foreign key, for a person who no longer exists.
    orphan = Message.objects.create(recipient_id=987654, event="x.y.z", object_key="k", title="t", created_at=long_ago)
    assert found("notifications") == {
        "delivery_stuck": {queued.pk, sending.pk},
        "sent_without_time": {sent.pk},
        "fan_out_stuck": {old.pk},
        "missing_recipient": {orphan.pk},
    }
    Message.objects.filter(pk=orphan.pk).delete()
