"""Reads of the message centre. A person sees only their own messages (404 for anyone else's, a
superuser too); the delivery log is a district admin's, for their district."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from dangjian.accounts.roles import Role
from dangjian.core.keyset import CappedCount, capped_count
from dangjian.core.scoping import active_role, active_scope
from dangjian.core.tree import STEP

from .models import Delivery, Message

INBOX_ORDER = ("-created_at", "-id")
LOG_ORDER = ("-created_at", "-id")
BELL_CAP = 99  # the bell reads "99+" above it


def inbox(user: Any, *, unread: bool = False, kind: str = "") -> QuerySet:
    messages = Message.objects.filter(recipient_id=user.pk)
    if unread:
        messages = messages.filter(read_at__isnull=True)
    if kind:
        messages = messages.filter(Q(event__startswith=f"{kind}.") | Q(event=kind))
    return messages


def unread_count(user: Any, cap: int = BELL_CAP) -> CappedCount:
    """One indexed count (the partial unread index), capped."""
    return capped_count(Message.objects.filter(recipient_id=user.pk, read_at__isnull=True), cap)


def message_for(user: Any, public_id: Any) -> Message:
    try:
        return Message.objects.get(public_id=public_id, recipient_id=user.pk)
    except (Message.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


LOG_ROLES = frozenset({Role.DISTRICT_ADMIN})


def may_read_log(user: Any) -> bool:
    return bool(user.is_superuser or active_role(user) in LOG_ROLES)


def delivery_log(user: Any, *, status: str = "", channel: str = "") -> QuerySet:
    """Deliveries of the messages about the user's district (every one for a superuser)."""
    if not may_read_log(user):
        raise Http404
    rows = Delivery.objects.all()
    if not user.is_superuser or active_scope(user).area_path:
        path = (active_scope(user).area_path or "")[:STEP]
        if not path:
            raise Http404
        rows = rows.filter(district_path=path)
    if status:
        rows = rows.filter(status=status)
    if channel:
        rows = rows.filter(channel=channel)
    return rows


def attach_messages(deliveries: list[Delivery]) -> None:
    """The page's deliveries' messages and recipients, in one query (keyset rows come by key)."""
    ids = {d.message_id for d in deliveries}
    messages = (
        Message.objects.select_related("recipient")
        .only("pk", "event", "title", "recipient__full_name", "recipient__username")
        .in_bulk(ids)
    )
    for d in deliveries:
        d.message = messages[d.message_id]
