"""The filters of the people lists, each parsed once from the query string and used by the list page
and by its Excel export, so an export holds exactly the rows its list shows (all pages of them)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.http import Http404, QueryDict

from dangjian.orgs.models import PartyOrg
from dangjian.territory.models import Area, Level

from . import selectors
from .models import MemberCategory, MemberStatus, Resident, ResidentTag


def param(params: QueryDict | dict, name: str) -> str:
    value = params.get(name, "")
    return value.strip() if isinstance(value, str) else ""


def given(params: QueryDict | dict, names: tuple[str, ...]) -> dict[str, str]:
    """The filters actually given, as typed (for an export's audit row)."""
    return {name: param(params, name) for name in names if param(params, name)}


def lookup(model: Any, user: Any, public_id: str, *, strict: bool, **lookups: Any) -> Any:
    """A filter's object by public id, or None when absent. Unknown or out of scope: 404 when
    `strict` (an export), else None (a list page's filters never 404)."""
    if not public_id:
        return None
    try:
        return model.objects.get_for_user(user, public_id, **lookups)
    except Http404:
        if strict:
            raise
        return None


@dataclass(frozen=True)
class MemberFilter:
    """people:member_list: q (name or pinyin initials), status (none: members on the books; "all":
    everyone), category, org (its subtree), community (home community)."""

    query: str = ""
    status: str = ""
    category: str = ""
    org: PartyOrg | None = None
    community: Area | None = None

    NAMES = ("q", "status", "category", "org", "community")

    @classmethod
    def parse(cls, user: Any, params: QueryDict | dict, *, strict: bool = False) -> MemberFilter:
        status = param(params, "status")
        category = param(params, "category")
        return cls(
            query=param(params, "q"),
            status=status if status in MemberStatus.values or status == selectors.STATUS_ALL else "",
            category=category if category in MemberCategory.values else "",
            org=lookup(PartyOrg, user, param(params, "org"), strict=strict),
            community=lookup(Area, user, param(params, "community"), strict=strict, level=Level.COMMUNITY),
        )

    @property
    def filtered(self) -> bool:
        return bool(self.query or self.status or self.category or self.org or self.community)

    def members(self, user: Any) -> QuerySet:
        return selectors.member_list(
            user,
            query=self.query,
            status=self.status,
            category=self.category,
            org=self.org,
            community=self.community,
        )


@dataclass(frozen=True)
class ResidentFilter:
    """people:resident_home: with a tag, the residents carrying it (q: their name); without, the
    buildings of the register (q: building or estate name) and, for the export, their residents."""

    query: str = ""
    tag: str = ""

    NAMES = ("q", "tag")

    @classmethod
    def parse(cls, params: QueryDict | dict) -> ResidentFilter:
        tag = param(params, "tag")
        return cls(query=param(params, "q"), tag=tag if tag in ResidentTag.values else "")

    def residents(self, user: Any) -> QuerySet[Resident]:
        if self.tag:
            return selectors.residents_with_tag(user, tag=self.tag, query=self.query)
        return selectors.residents_in_buildings_named(user, query=self.query)
