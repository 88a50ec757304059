"""/api/v1/messages: a person's own inbox as the message centre reads it (their messages only; anyone
else's is 404), and marking read through the centre's services."""

from __future__ import annotations

import datetime
from uuid import UUID

from ninja import Query, Router, Schema

from dangjian.core.api import ERRORS, Page, keyset_body, ordering_of, unknown_if_unset

from . import selectors, services
from .kinds import kinds, label_of
from .models import Message

router = Router(tags=["消息"])
ORDERINGS = {"-created_at": selectors.INBOX_ORDER}  # ?ordering=: newest first (the inbox's index)


class MessageOut(Schema):
    id: UUID
    event: str
    kind_label: str
    title: str
    body: str
    url: str
    actor_label: str
    created_at: datetime.datetime
    read: bool

    @staticmethod
    def of(message: Message) -> MessageOut:
        return MessageOut(
            id=message.public_id,
            event=message.event,
            kind_label=label_of(message.event),
            title=message.title,
            body=message.body,
            url=message.url,
            actor_label=message.actor_label,
            created_at=message.created_at,
            read=message.read_at is not None,
        )


class InboxParams(Schema):
    unread: bool = False
    kind: str = ""
    ordering: str = "-created_at"
    cursor: str | None = None
    limit: int | None = None


@router.get("/messages", response={200: Page[MessageOut], **ERRORS}, summary="我的消息")
def message_list(request, params: Query[InboxParams]):
    _, ordering = ordering_of(params.ordering, ORDERINGS, "-created_at")
    kind = params.kind if params.kind in kinds() else ""
    unknown_if_unset({"kind": params.kind}, {"kind": kind})
    messages = selectors.inbox(request.user, unread=params.unread, kind=kind)
    return keyset_body(messages, ordering, cursor=params.cursor, limit=params.limit, item=MessageOut.of)


class UnreadOut(Schema):
    count: int
    count_capped: bool


@router.get("/messages/unread", response={200: UnreadOut, **ERRORS}, summary="未读消息数（与页头铃铛相同）")
def unread(request):
    count = selectors.unread_count(request.user)
    return UnreadOut(count=int(count), count_capped=count.capped)


class ReadOut(Schema):
    id: UUID
    read: bool
    changed: bool  # False: it was read already


@router.post("/messages/{message_id}/read", response={200: ReadOut, **ERRORS}, summary="标为已读")
def message_read(request, message_id: UUID):
    message = selectors.message_for(request.user, message_id)
    changed = services.mark_read(user=request.user, message=message)
    return ReadOut(id=message.public_id, read=True, changed=changed)


class ReadAllIn(Schema):
    kind: str = ""


class ReadAllOut(Schema):
    count: int


@router.post("/messages/read-all", response={200: ReadAllOut, **ERRORS}, summary="全部标为已读")
def message_read_all(request, payload: ReadAllIn):
    kind = payload.kind if payload.kind in kinds() else ""
    unknown_if_unset({"kind": payload.kind}, {"kind": kind})
    return ReadAllOut(count=services.mark_all_read(user=request.user, kind=kind))
