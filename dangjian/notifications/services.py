"""Every write of the message centre: `notify` (what the workflow receiver, the scans and other apps
call), reading, preferences. Outside channels are fanned out after commit (delivery.py).
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Iterable, Iterator
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.core.scoping import acting_user
from dangjian.core.tree import STEP

from .models import OUTSIDE_CHANNELS, Message, Preference

BATCH = 1000
TITLE_MAX = Message._meta.get_field("title").max_length
URL_MAX = Message._meta.get_field("url").max_length


def is_muted(muted: Iterable[str], event: str) -> bool:
    """A person mutes an event by its key ("cases.case.warn") or by its kind ("cases.case")."""
    kind = event.rsplit(".", 1)[0] if event.count(".") >= 2 else event
    muted = set(muted or ())
    return event in muted or kind in muted


def _user_ids(recipients: Iterable[Any]) -> list[int]:
    ids: dict[int, None] = {}
    for r in recipients:
        if r is None:
            continue
        ids[int(getattr(r, "pk", r))] = None
    return list(ids)


def _batches(ids: list[int]) -> Iterator[list[int]]:
    for i in range(0, len(ids), BATCH):
        yield ids[i : i + BATCH]


def _actor_label(actor: Any) -> str:
    if isinstance(actor, str):
        return actor[:100]
    user = acting_user(actor)
    if user is None:
        return _("系统")
    return (getattr(user, "full_name", "") or user.get_username())[:100]


def _plain_params(context: dict | None) -> dict[str, str]:
    return {str(k): str(v)[:200] for k, v in (context or {}).items() if v is not None}


def notify(
    *,
    recipients: Iterable[Any],
    event: str,
    title: str,
    body: str = "",
    url: str = "",
    object_key: str = "",
    actor: Any = None,
    context: dict | None = None,
) -> int:
    """Write one message per recipient (users or user ids) in the caller's transaction; return how many.

    Muted kinds are skipped and the actor is never told of their own act. A repeat for the same
    (recipient, event, object_key) rewrites that message and makes it unread again. Outside channels
    (SMS, WeChat) are fanned out on the queue once the transaction commits. `context` holds the named
    placeholders of the channels' templates ("area_path" picks the district's templates); keep personal
    data out of it."""
    if not event or not title:
        raise ValueError("notify() needs an event and a title")
    ids = _user_ids(recipients)
    actor_user = acting_user(actor) if not isinstance(actor, str) else None
    if actor_user is not None:
        ids = [i for i in ids if i != actor_user.pk]
    if not ids:
        return 0
    params = _plain_params(context)
    district_path = str((context or {}).get("area_path") or "")[:STEP]
    params.pop("area_path", None)
    params.setdefault("title", title)
    # A message about nothing collapses with nothing: a key of its own for this call.
    key = object_key or f"once:{uuid.uuid4().hex}"
    now = timezone.now()
    common = {
        "event": event[:80],
        "object_key": key[:120],
        "title": title[:TITLE_MAX],
        "body": body,
        "url": url[:URL_MAX],
        "actor_label": _actor_label(actor),
        "district_path": district_path,
        "params": params,
        "created_at": now,
        "read_at": None,
    }
    outside = bool(getattr(settings, "NOTIFY_OUTSIDE_CHANNELS", True))
    common["fan_out_pending"] = outside
    written: list[int] = []
    for batch in _batches(ids):
        muted = {
            uid
            for uid, kinds in Preference.objects.filter(user_id__in=batch)
            .exclude(muted=[])
            .values_list("user_id", "muted")
            if is_muted(kinds, event)
        }
        rows = [Message(recipient_id=uid, **common) for uid in batch if uid not in muted]
        if not rows:
            continue
        Message.objects.bulk_create(
            rows,
            update_conflicts=True,
            unique_fields=["recipient", "event", "object_key"],
            update_fields=[
                "title",
                "body",
                "url",
                "actor_label",
                "params",
                "created_at",
                "read_at",
                "fan_out_pending",
            ],
        )
        written.extend(row.pk for row in rows)
    if written and outside:
        from .delivery import schedule_fan_out

        transaction.on_commit(lambda: schedule_fan_out(written))
    return len(written)


@transaction.atomic
def mark_read(*, user: Any, message: Message) -> bool:
    """Mark one of `user`'s messages read (the selector already scoped it); False if it already was."""
    if message.recipient_id != user.pk:
        raise ValidationError(_("只能标记自己的消息。"))
    return bool(
        Message.objects.filter(pk=message.pk, recipient_id=user.pk, read_at__isnull=True).update(read_at=timezone.now())
    )


@transaction.atomic
def mark_all_read(*, user: Any, kind: str = "") -> int:
    """Mark every unread message of `user` read (of one kind when given); returns how many."""
    unread = Message.objects.filter(recipient_id=user.pk, read_at__isnull=True)
    if kind:
        unread = unread.filter(Q(event__startswith=f"{kind}.") | Q(event=kind))
    return unread.update(read_at=timezone.now())


def default_preference(user: Any) -> Preference:
    channels = set(getattr(settings, "NOTIFY_DEFAULT_CHANNELS", OUTSIDE_CHANNELS))
    return Preference(user=user, sms="sms" in channels, wechat="wechat" in channels)


def preference_of(user: Any) -> Preference:
    return Preference.objects.filter(user_id=user.pk).first() or default_preference(user)


@transaction.atomic
def preference_save(
    *,
    user: Any,
    muted: Iterable[str],
    sms: bool,
    wechat: bool,
    quiet_start: datetime.time | None,
    quiet_end: datetime.time | None,
) -> Preference:
    if (quiet_start is None) != (quiet_end is None):
        raise ValidationError({"quiet_end": _("免打扰时段需同时填写开始和结束时间。")})
    if quiet_start is not None and quiet_start == quiet_end:
        raise ValidationError({"quiet_end": _("免打扰的开始和结束时间不能相同。")})
    pref, _created = Preference.objects.select_for_update().get_or_create(
        user_id=user.pk, defaults={"sms": sms, "wechat": wechat}
    )
    pref.muted = sorted(set(muted))
    pref.sms, pref.wechat = sms, wechat
    pref.quiet_start, pref.quiet_end = quiet_start, quiet_end
    pref.save()
    return pref
