"""Messages out to SMS and WeChat, on the queue, each at most once.

1. `notify` marks its messages `fan_out_pending` and, after commit, queues `fan_out(ids)`.
2. `fan_out` writes one `Delivery` per message and channel the recipient has on and an address for
   (unique on message and channel, so a second fan-out adds nothing), postponed past quiet hours, clears
   the mark and queues the deliveries when they are due, up to SEND_BATCH ids a task.
3. `send_batch` claims its deliveries by one conditional update (queued and due → sending), reads them
   with their recipients and preferences, calls each channel's backend with the delivery's idempotency
   key, and records every outcome in one bulk update conditional on "sending": sent, queued again later
   (quiet hours, or a retryable failure with backoff), failed with the reason, or skipped. A second
   worker's claim of the same ids finds nothing to claim. `send(id)` is a batch of one.
4. `sweep` (periodic) finds again what the queue lost: messages still pending fan-out, deliveries due
   and queued (in batches), deliveries left "sending" by a worker that died.
"""

from __future__ import annotations

import datetime
import logging
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.db.models.expressions import RawSQL
from django.utils import timezone

from dangjian.core.text import mask_mobile

from .models import OUTSIDE_CHANNELS, Delivery, DeliveryStatus, Message, Preference
from .wording import render

logger = logging.getLogger(__name__)

FAN_OUT_CHUNK = 1000
SEND_BATCH = 200  # deliveries a send task claims and sends together
MAX_ATTEMPTS = 5
BACKOFF = (60, 300, 1800, 7200)  # seconds before the 2nd, 3rd, ... attempt
STUCK_SENDING = datetime.timedelta(minutes=10)
SWEEP_GRACE = datetime.timedelta(minutes=2)
ERROR_MAX = Delivery._meta.get_field("last_error").max_length


def max_attempts() -> int:
    return int(getattr(settings, "NOTIFY_MAX_ATTEMPTS", MAX_ATTEMPTS))


def backoff(attempts: int) -> datetime.timedelta:
    """How long to wait after the `attempts`-th failed attempt."""
    table = getattr(settings, "NOTIFY_BACKOFF", BACKOFF)
    return datetime.timedelta(seconds=table[min(attempts, len(table)) - 1])


# --- quiet hours ---------------------------------------------------------------------------------


def quiet_until(pref: Preference | None, now: datetime.datetime) -> datetime.datetime | None:
    """When the quiet hours that hold `now` end (local time), or None when `now` is not quiet."""
    if pref is None or pref.quiet_start is None or pref.quiet_end is None:
        return None
    local = timezone.localtime(now)
    start, end, t = pref.quiet_start, pref.quiet_end, local.time()
    if start < end:
        quiet = start <= t < end
    else:  # across midnight, e.g. 22:00–07:00
        quiet = t >= start or t < end
    if not quiet:
        return None
    day = local.date() if t < end else local.date() + datetime.timedelta(days=1)
    return timezone.make_aware(datetime.datetime.combine(day, end), local.tzinfo)


# --- queueing (imports tasks lazily: the tasks module imports this one) --------------------------


def _queue_fan_out(ids: list[int]) -> None:
    from .tasks import notify_fan_out

    notify_fan_out(ids)


def _queue_send(delivery_ids: list[int], due_at: datetime.datetime | None = None) -> None:
    from .tasks import notify_send_batch

    if due_at is not None and due_at > timezone.now():
        notify_send_batch.schedule((delivery_ids,), eta=due_at)
    else:
        notify_send_batch(delivery_ids)


def schedule_fan_out(message_ids: list[int]) -> None:
    """Queue the fan-out of freshly written messages, a chunk per task (runs after commit)."""
    for i in range(0, len(message_ids), FAN_OUT_CHUNK):
        try:
            _queue_fan_out(message_ids[i : i + FAN_OUT_CHUNK])
        except Exception:  # the queue is down: the messages stay pending and the sweep finds them
            logger.exception("notifications: could not queue a fan-out")


def schedule_sends(due: Iterable[tuple[int, datetime.datetime | None]]) -> None:
    """Queue deliveries (id, due time) a batch per task: those due at the same time together, at most
    SEND_BATCH a task, each task at its due time (now when it is past or None)."""
    now = timezone.now()
    groups: dict[datetime.datetime | None, list[int]] = defaultdict(list)
    for pk, at in due:
        groups[at if at is not None and at > now else None].append(pk)
    for at, ids in groups.items():
        for i in range(0, len(ids), SEND_BATCH):
            try:
                _queue_send(ids[i : i + SEND_BATCH], at)
            except Exception:  # the queue is down: the rows stay queued and the sweep finds them
                logger.exception("notifications: could not queue a send")


# --- the work ------------------------------------------------------------------------------------


def _backends() -> dict[str, Any]:
    from .channels import backend

    return {channel: backend(channel) for channel in OUTSIDE_CHANNELS}


def _masked(channel: str, address: str) -> str:
    if channel == "sms":
        return mask_mobile(address)
    return f"{address[:3]}***{address[-2:]}" if len(address) > 6 else "***"


def fan_out(message_ids: Iterable[int]) -> list[Delivery]:
    """Write the deliveries of these messages (those still pending), queue them; return the new ones."""
    from .services import default_preference

    now = timezone.now()
    backends = _backends()
    with transaction.atomic():
        messages = list(
            Message.objects.select_for_update(skip_locked=True)
            .filter(pk__in=list(message_ids), fan_out_pending=True)
            .only("pk", "recipient_id", "district_path")
        )
        if not messages:
            return []
        users = get_user_model().objects.in_bulk({m.recipient_id for m in messages})
        prefs = {p.user_id: p for p in Preference.objects.filter(user_id__in=list(users))}
        rows: list[Delivery] = []
        for message in messages:
            user = users.get(message.recipient_id)
            if user is None or not user.is_active:
                continue
            pref = prefs.get(user.pk) or default_preference(user)
            due = quiet_until(pref, now) or now
            for channel, way in backends.items():
                if not getattr(pref, channel):
                    continue
                address = way.address(user)
                if not address:
                    continue
                rows.append(
                    Delivery(
                        message_id=message.pk,
                        channel=channel,
                        due_at=due,
                        address_masked=_masked(channel, address),
                        district_path=message.district_path,
                    )
                )
        Delivery.objects.bulk_create(rows, ignore_conflicts=True, batch_size=1000)
        Message.objects.filter(pk__in=[m.pk for m in messages]).update(fan_out_pending=False)
        created = list(
            Delivery.objects.filter(
                message_id__in=[m.pk for m in messages], status=DeliveryStatus.QUEUED, attempts=0
            ).values_list("pk", "due_at")
        )
        transaction.on_commit(lambda: schedule_sends(created))
    return rows


def claim_batch(delivery_ids: Iterable[int]) -> list[int]:
    """queued → sending for those of `delivery_ids` still queued and due; return the ids this worker
    won (a second worker's claim of the same ids finds nothing)."""
    now = timezone.now()
    ids = list(delivery_ids)
    if not ids:
        return []
    with transaction.atomic():
        # PostgreSQL: the rows another worker is claiming are skipped, the rest stay locked to us until
        # commit, so the update below changes exactly these. SQLite: the IMMEDIATE transaction holds
        # the one write lock from its start, so nobody changes them between the read and the update.
        won = list(
            Delivery.objects.select_for_update(skip_locked=True)
            .filter(pk__in=ids, status=DeliveryStatus.QUEUED, due_at__lte=now)
            .values_list("pk", flat=True)
        )
        if not won:
            return []
        claimed = Delivery.objects.filter(pk__in=won, status=DeliveryStatus.QUEUED).update(
            status=DeliveryStatus.SENDING, claimed_at=now
        )
        if claimed != len(won):  # a database without either guarantee: read back what is ours
            won = list(
                Delivery.objects.filter(pk__in=won, status=DeliveryStatus.SENDING, claimed_at=now).values_list(
                    "pk", flat=True
                )
            )
    return won


def claim(delivery_id: int) -> bool:
    """Claim one delivery (see claim_batch)."""
    return bool(claim_batch([delivery_id]))


# What each outcome writes: one UPDATE per outcome a batch (queued again covers quiet hours and retries).
OUTCOME_FIELDS = {
    DeliveryStatus.SENT: ("status", "attempts", "provider_id", "sent_at"),
    DeliveryStatus.QUEUED: ("status", "attempts", "last_error", "due_at"),
    DeliveryStatus.FAILED: ("status", "attempts", "last_error"),
    DeliveryStatus.SKIPPED: ("status", "last_error"),
}


def _record(rows: list[Delivery], fields: tuple[str, ...]) -> int:
    """One UPDATE writing `fields` of `rows`, only where a row is still "sending" (a sweep that took it
    back loses nothing): a plain value where the rows agree, a CASE on the id where they differ.

    The CASE is written as SQL because the ORM's When(pk=...) costs a filter resolution per row, most
    of a batch's time on PostgreSQL; the values go in as parameters, prepared by their fields."""
    values: dict[str, Any] = {}
    pk = connection.ops.quote_name(str(Delivery._meta.pk.column))
    for name in fields:
        field: Any = Delivery._meta.get_field(name)
        distinct = {getattr(row, name) for row in rows}
        if len(distinct) == 1:
            values[name] = distinct.pop()
            continue
        params = []
        for row in rows:
            params += [row.pk, field.get_db_prep_save(getattr(row, name), connection)]
        whens = " ".join(["WHEN %s THEN %s"] * len(rows))
        values[name] = RawSQL(f"CASE {pk} {whens} END", params, output_field=field)
    return Delivery.objects.filter(pk__in=[row.pk for row in rows], status=DeliveryStatus.SENDING).update(**values)


def _attempt(row: Delivery, pref: Preference | None, words: dict, now: datetime.datetime) -> None:
    """Decide one claimed delivery's outcome, sending it when it may go: sets the row's fields."""
    from .channels import DeliveryError, backend

    message, user = row.message, row.message.recipient
    postpone = quiet_until(pref, now)
    if postpone is not None:  # quiet hours began (or changed) since the fan-out: later, not now
        row.status, row.due_at = DeliveryStatus.QUEUED, postpone
        return
    way = backend(row.channel)
    address = way.address(user) if user.is_active else None
    if not address or (pref is not None and not getattr(pref, row.channel)):
        row.status = DeliveryStatus.SKIPPED
        row.last_error = "无可用的接收地址" if not address else "接收人已关闭该渠道"
        return
    attempts = row.attempts + 1
    try:
        rendered = render(message, row.channel, cache=words)
        provider_id = way.send(
            address=address,
            template=rendered.provider_template,
            params=rendered.params,
            text=rendered.text,
            idempotency_key=f"{message.public_id}:{row.channel}",
        )
    except Exception as exc:  # noqa: BLE001 - any failure is logged on the row, never lost
        reason = getattr(exc, "reason", "") or f"{type(exc).__name__}: {exc}"
        retryable = getattr(exc, "retryable", True) if isinstance(exc, DeliveryError) else True
        row.attempts, row.last_error = attempts, reason[:ERROR_MAX]
        if retryable and attempts < max_attempts():
            row.status, row.due_at = DeliveryStatus.QUEUED, timezone.now() + backoff(attempts)
        else:
            row.status = DeliveryStatus.FAILED
        return
    row.status, row.attempts = DeliveryStatus.SENT, attempts
    row.provider_id, row.sent_at = str(provider_id)[:100], timezone.now()


def send_batch(delivery_ids: Iterable[int]) -> dict[int, str]:
    """Claim the deliveries of `delivery_ids` that are queued and due, send each, record the outcomes;
    return each claimed id's status afterwards (an id not claimed is absent).

    Queries per batch, whatever its size: the claim (two), the rows with their messages and
    recipients, the preferences, a template lookup per event, channel and district, an update per
    outcome (sent, queued again, failed, skipped)."""
    won = claim_batch(delivery_ids)
    if not won:
        return {}
    rows = list(Delivery.objects.select_related("message__recipient").filter(pk__in=won).order_by("pk"))
    users = {row.message.recipient_id for row in rows}
    prefs = {p.user_id: p for p in Preference.objects.filter(user_id__in=users)}
    words: dict[tuple[str, str, str], tuple[str, str, str]] = {}
    now = timezone.now()
    for row in rows:
        _attempt(row, prefs.get(row.message.recipient_id), words, now)
    for status, fields in OUTCOME_FIELDS.items():
        done = [row for row in rows if row.status == status]
        if done:
            _record(done, fields)
    schedule_sends((row.pk, row.due_at) for row in rows if row.status == DeliveryStatus.QUEUED)
    return {row.pk: row.status for row in rows}


def send(delivery_id: int) -> str:
    """Send one delivery if it can be claimed now; return its status afterwards ("" when not claimed)."""
    return send_batch([delivery_id]).get(delivery_id, "")


def sweep(*, limit: int = 5000) -> dict[str, int]:
    """Queue again what the queue lost. Safe to run any time: fan-out and claims are conditional."""
    now = timezone.now()
    pending = list(
        Message.objects.filter(fan_out_pending=True, created_at__lt=now - SWEEP_GRACE)
        .order_by("created_at")
        .values_list("pk", flat=True)[:limit]
    )
    schedule_fan_out(pending)
    # A worker that died while sending leaves "sending": give it back to the queue. The provider gets
    # the same idempotency key, so one that did go out is not sent twice by a provider that honours it.
    stuck = Delivery.objects.filter(status=DeliveryStatus.SENDING, claimed_at__lt=now - STUCK_SENDING)
    requeued = stuck.update(status=DeliveryStatus.QUEUED)
    due = list(
        Delivery.objects.filter(status=DeliveryStatus.QUEUED, due_at__lt=now - SWEEP_GRACE)
        .order_by("due_at", "id")
        .values_list("pk", flat=True)[:limit]
    )
    schedule_sends((pk, None) for pk in due)
    return {"fan_out": len(pending), "stuck": requeued, "queued": len(due)}
