"""Reads of the notices: the issuer's list and notice (scoped: 404 outside), its receipts by state,
a recipient's own notices, and the public notices of a community and its ancestors."""

from __future__ import annotations

from typing import Any, cast

from django.db.models import Q, QuerySet
from django.http import Http404

from dangjian.core.keyset import CappedCount
from dangjian.core.tree import ancestor_paths

from .models import Notice, NoticeReceipt, NoticeStatus, ReceiptState

ISSUER_ORDERING = ("-created_at", "-id")
RECEIPT_ORDERING = ("user_id", "id")
MINE_ORDERING = ("-delivered_at", "-id")
PUBLIC_ORDERING = ("-published_at", "-id")
RECEIPT_FILTERS = {
    "unsigned": [ReceiptState.UNREAD, ReceiptState.READ],
    "signed": [ReceiptState.SIGNED],
    "read": [ReceiptState.READ],
    "unread": [ReceiptState.UNREAD],
}


def issuer_notices(user: Any, *, q: str = "") -> QuerySet:
    qs = Notice.objects.visible_to(user)
    if q:
        qs = qs.filter(title__icontains=q)
    return qs


def notice_for_issuer(user: Any, public_id: Any) -> Notice:
    notice = Notice.objects.select_related("area", "audience_area", "issued_by", "task").get_for_user(user, public_id)
    return cast(Notice, notice)


def receipts(notice: Notice, *, show: str = "", q: str = "") -> QuerySet:
    qs = NoticeReceipt.objects.filter(notice=notice).select_related("user")
    if show in RECEIPT_FILTERS:
        qs = qs.filter(state__in=RECEIPT_FILTERS[show])
    if q:
        qs = qs.filter(Q(user__full_name__icontains=q) | Q(user__username__icontains=q) | Q(place__icontains=q))
    return qs


def receipt_counts(notice: Notice) -> dict[str, CappedCount]:
    """The tabs' counts, from the notice's counters (kept with every receipt write): no count query."""
    n = {
        "": notice.recipient_count,
        "signed": notice.signed_count,
        "unsigned": notice.recipient_count - notice.signed_count,
        "read": notice.read_count - notice.signed_count,
        "unread": notice.recipient_count - notice.read_count,
    }
    return {k: CappedCount(v, cap=max(v, 1)) for k, v in n.items()}


def my_receipts(user: Any) -> QuerySet:
    """The notices delivered to `user` (withdrawn ones drop out of the list)."""
    return NoticeReceipt.objects.filter(user_id=user.pk, notice__status=NoticeStatus.PUBLISHED).select_related("notice")


def unsigned_receipts(user: Any) -> QuerySet:
    return my_receipts(user).filter(signed_at__isnull=True)


def receipt_for_recipient(user: Any, public_id: Any) -> NoticeReceipt:
    """The user's receipt of a published or withdrawn notice; 404 for anyone it was not delivered to."""
    try:
        return (
            NoticeReceipt.objects.select_related("notice")
            .exclude(notice__status=NoticeStatus.DRAFT)
            .get(user_id=user.pk, notice__public_id=public_id)
        )
    except (NoticeReceipt.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def _public(paths: list[str]) -> QuerySet:
    return Notice.objects.filter(status=NoticeStatus.PUBLISHED, is_public=True, area_path__in=paths)


def public_notices(community: Any, *, limit: int = 5) -> list[Notice]:
    """Published public notices of a community and of every node above it, newest first (without a
    community: the districts'). One query on the public notices' index."""
    if community is not None:
        paths = [*ancestor_paths(community.path), community.path]
        qs = _public(paths)
    else:
        qs = Notice.objects.filter(status=NoticeStatus.PUBLISHED, is_public=True, area__level="district")
    return list(qs.only("public_id", "title", "issuer_name", "published_at").order_by(*PUBLIC_ORDERING)[:limit])


def public_notice(public_id: Any) -> Notice:
    try:
        return Notice.objects.get(public_id=public_id, status=NoticeStatus.PUBLISHED, is_public=True)
    except (Notice.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc
