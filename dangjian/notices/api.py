"""/api/v1/notices: the notices an issuer sent (scoped like the issuer's pages, with their receipt
counts) and the notices delivered to the token's person (read and sign through the same services as
the 我的通知 pages; a notice not delivered to them is 404)."""

from __future__ import annotations

import datetime
from uuid import UUID

from ninja import Query, Router, Schema

from dangjian.core.api import ERRORS, Page, keyset_body, ordering_of, require_role

from . import selectors, services
from .models import Notice, NoticeReceipt, NoticeStatus
from .permissions import ISSUER_ROLES

router = Router(tags=["通知公告"])
ISSUER_ORDERINGS = {"-created_at": selectors.ISSUER_ORDERING}  # ?ordering=: the lists' own indexes
MINE_ORDERINGS = {"-delivered_at": selectors.MINE_ORDERING}


class NoticeOut(Schema):
    id: UUID
    title: str
    issuer_name: str
    status: str
    status_label: str
    published_at: datetime.datetime | None = None
    receipt_deadline: datetime.datetime | None = None
    recipients: int
    read: int
    signed: int

    @staticmethod
    def of(notice: Notice) -> NoticeOut:
        return NoticeOut(
            id=notice.public_id,
            title=notice.title,
            issuer_name=notice.issuer_name,
            status=notice.status,
            status_label=str(notice.get_status_display()),
            published_at=notice.published_at,
            receipt_deadline=notice.receipt_deadline,
            recipients=notice.recipient_count,
            read=notice.read_count,
            signed=notice.signed_count,
        )


class ListParams(Schema):
    q: str = ""
    ordering: str = "-created_at"
    cursor: str | None = None
    limit: int | None = None


@router.get("/notices", response={200: Page[NoticeOut], **ERRORS}, summary="本单位发出的通知（含签收进度）")
def notice_list(request, params: Query[ListParams]):
    require_role(request.user, ISSUER_ROLES)
    _, ordering = ordering_of(params.ordering, ISSUER_ORDERINGS, "-created_at")
    notices = selectors.issuer_notices(request.user, q=params.q.strip()[:50])
    return keyset_body(notices, ordering, cursor=params.cursor, limit=params.limit, item=NoticeOut.of)


@router.get("/notices/{notice_id}", response={200: NoticeOut, **ERRORS}, summary="一条发出的通知")
def notice_detail(request, notice_id: UUID):
    require_role(request.user, ISSUER_ROLES)
    return NoticeOut.of(selectors.notice_for_issuer(request.user, notice_id))


class ReceivedOut(Schema):
    id: UUID  # the notice's
    title: str
    issuer_name: str
    body: str
    published_at: datetime.datetime | None = None
    receipt_deadline: datetime.datetime | None = None
    withdrawn: bool
    read: bool
    signed: bool

    @staticmethod
    def of(receipt: NoticeReceipt) -> ReceivedOut:
        notice = receipt.notice
        return ReceivedOut(
            id=notice.public_id,
            title=notice.title,
            issuer_name=notice.issuer_name,
            body=notice.body,
            published_at=notice.published_at,
            receipt_deadline=notice.receipt_deadline,
            withdrawn=notice.withdrawn_at is not None,
            read=receipt.read_at is not None,
            signed=receipt.signed_at is not None,
        )


class MineParams(Schema):
    ordering: str = "-delivered_at"
    cursor: str | None = None
    limit: int | None = None


@router.get("/notices-received", response={200: Page[ReceivedOut], **ERRORS}, summary="我收到的通知")
def received_list(request, params: Query[MineParams]):
    _, ordering = ordering_of(params.ordering, MINE_ORDERINGS, "-delivered_at")
    mine = selectors.my_receipts(request.user)
    return keyset_body(mine, ordering, cursor=params.cursor, limit=params.limit, item=ReceivedOut.of)


@router.get("/notices-received/{notice_id}", response={200: ReceivedOut, **ERRORS}, summary="阅读一条通知（记为已读）")
def received_detail(request, notice_id: UUID):
    receipt = selectors.receipt_for_recipient(request.user, notice_id)
    if receipt.notice.status == NoticeStatus.PUBLISHED:  # as the page: reading a published notice marks it read
        receipt = services.receipt_read(actor=request.user, notice=receipt.notice)
    return ReceivedOut.of(receipt)


class SignOut(Schema):
    id: UUID
    signed: bool
    changed: bool  # False: signed already


@router.post("/notices-received/{notice_id}/sign", response={200: SignOut, **ERRORS}, summary="签收")
def received_sign(request, notice_id: UUID):
    receipt = selectors.receipt_for_recipient(request.user, notice_id)
    changed = services.receipt_sign(actor=request.user, notice=receipt.notice)
    return SignOut(id=receipt.notice.public_id, signed=True, changed=changed)
