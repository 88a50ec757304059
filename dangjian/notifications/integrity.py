"""What must hold of the message centre's rows (core/integrity.py): nothing waits on the queue for
long (a fan-out or a delivery the sweep should have found again), a sent delivery says when, and every
message belongs to an existing person."""

from __future__ import annotations

import datetime
from collections.abc import Iterator

from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dangjian.core import integrity
from dangjian.core.integrity import Finding, Options, finding, rows

from .models import Delivery, DeliveryStatus, Message

# Well past the sweep's period (5 minutes) and its grace: what is older was lost by more than a queue.
STUCK_AFTER = datetime.timedelta(hours=1)


@integrity.register("notifications.deliveries", gettext_lazy("消息发送没有积压"))
def deliveries(options: Options) -> Iterator[Finding]:
    cutoff = timezone.now() - STUCK_AFTER
    stuck = Delivery.objects.filter(
        Q(status=DeliveryStatus.QUEUED, due_at__lt=cutoff) | Q(status=DeliveryStatus.SENDING, claimed_at__lt=cutoff)
    )
    for row in rows(stuck, "status", "channel", "due_at", "attempts"):
        yield finding(
            Delivery,
            row,
            "delivery_stuck",
            _("发送记录停留在「%(s)s」超过 1 小时") % {"s": DeliveryStatus(row["status"]).label},
            channel=row["channel"],
            due_at=row["due_at"],
            attempts=row["attempts"],
        )
    for row in rows(Delivery.objects.filter(status=DeliveryStatus.SENT, sent_at__isnull=True), "channel"):
        yield finding(Delivery, row, "sent_without_time", _("发送记录为已发送，但没有发送时间"), channel=row["channel"])
    pending = Message.objects.filter(fan_out_pending=True, created_at__lt=cutoff)
    for row in rows(pending, "event", "created_at"):
        yield finding(Message, row, "fan_out_stuck", _("消息超过 1 小时仍未分发到短信和微信"), event=row["event"])


@integrity.register("notifications.recipients", gettext_lazy("消息的接收人存在"))
def recipients(options: Options) -> Iterator[Finding]:
    users = get_user_model().objects.filter(pk=OuterRef("recipient_id"))
    for row in rows(Message.objects.filter(~Exists(users)), "recipient_id", "event"):
        yield finding(
            Message,
            row,
            "missing_recipient",
            _("消息的接收人（用户 %(u)s）不存在") % {"u": row["recipient_id"]},
            event=row["event"],
        )
