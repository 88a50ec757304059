"""/api/v1/members: the member list and a member's record as the pages read them: scoped, filtered by
the list's own parser, ID number and mobile masked (revealing stays an audited page action)."""

from __future__ import annotations

import datetime
from uuid import UUID

from ninja import Query, Router, Schema

from dangjian.core.api import ERRORS, Page, keyset_body, ordering_of, require_role, unknown_if_unset

from . import selectors
from .filters import MemberFilter
from .models import Member
from .permissions import MEMBER_ROLES

router = Router(tags=["党员"])
# ?ordering=: the orders an index of the list serves.
ORDERINGS = {"name": selectors.MEMBER_ORDER}


class Named(Schema):
    id: UUID
    name: str


class MemberOut(Schema):
    id: UUID
    name: str
    sex: str
    category: str
    category_label: str
    status: str
    status_label: str
    mobile: str  # masked: 138****5678
    id_number: str  # masked: 110105********002X
    org: Named | None = None
    home_community: Named | None = None

    @staticmethod
    def of(member: Member) -> MemberOut:
        return MemberOut(
            id=member.public_id,
            name=member.name,
            sex=member.sex,
            category=member.category,
            category_label=str(member.get_category_display()),
            status=member.status,
            status_label=str(member.get_status_display()),
            mobile=member.masked_mobile,
            id_number=member.masked_id_number,
            org=_named(member.org),
            home_community=_named(member.home_community),
        )


class MemberDetailOut(MemberOut):
    birth_date: datetime.date | None = None
    joined_on: datetime.date | None = None
    confirmed_on: datetime.date | None = None
    workplace: Named | None = None

    @staticmethod
    def of(member: Member) -> MemberDetailOut:
        return MemberDetailOut(
            **MemberOut.of(member).model_dump(),
            birth_date=member.birth_date,
            joined_on=member.joined_on,
            confirmed_on=member.confirmed_on,
            workplace=_named(member.workplace),
        )


def _named(obj) -> Named | None:  # noqa: ANN001 - any model with public_id and name
    return Named(id=obj.public_id, name=obj.name) if obj is not None else None


class MemberFilters(Schema):
    q: str = ""
    status: str = ""
    category: str = ""
    org: str = ""
    community: str = ""
    ordering: str = "name"
    cursor: str | None = None
    limit: int | None = None


@router.get("/members", response={200: Page[MemberOut], **ERRORS}, summary="党员列表（手机号、身份证号已脱敏）")
def member_list(request, filters: Query[MemberFilters]):
    require_role(request.user, MEMBER_ROLES)
    _, ordering = ordering_of(filters.ordering, ORDERINGS, "name")
    params = filters.model_dump(exclude={"cursor", "limit", "ordering"})
    parsed = MemberFilter.parse(request.user, params)
    # The page drops a value it does not know; a client is told which one.
    unknown_if_unset(
        params,
        {"status": parsed.status, "category": parsed.category, "org": parsed.org, "community": parsed.community},
    )
    members = parsed.members(request.user)
    return keyset_body(members, ordering, cursor=filters.cursor, limit=filters.limit, item=MemberOut.of)


@router.get("/members/{member_id}", response={200: MemberDetailOut, **ERRORS}, summary="一名党员")
def member_detail(request, member_id: UUID):
    require_role(request.user, MEMBER_ROLES)
    member = Member.objects.select_related("org", "workplace", "home_community").get_for_user(request.user, member_id)
    return MemberDetailOut.of(member)
