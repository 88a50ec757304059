"""What the people pages share."""

from __future__ import annotations

from collections.abc import Sequence

from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404

from dangjian.core.keyset import KeysetPage, keyset_page, page_params

from .. import selectors
from ..models import Member

PER_PAGE = 25


def page_of(request, queryset: QuerySet, ordering: Sequence[str]) -> KeysetPage:
    """One page of a list in `ordering` (stored columns an index serves, the last one unique): the first
    pages by number, deeper pages by cursor, the count exact up to core.keyset.COUNT_CAP."""
    return keyset_page(
        queryset,
        ordering,
        **page_params(request),
        per_page=PER_PAGE,
    )


def numbered_page_of(request, queryset):
    """A page by number with an exact count: for the household register, whose order (estate and building
    names) lies in joined tables no keyset can follow; its scopes are a grid's or a community's buildings."""
    return Paginator(queryset, PER_PAGE).get_page(request.GET.get("page"))


def member_for(request, public_id) -> Member:
    return Member.objects.select_related(
        "org__area", "workplace", "home_community", "home_estate", "home_building", "user", "pending_user", "pending_by"
    ).get_for_user(request.user, public_id)


def managed_member(request, public_id) -> Member:
    """A member the user may change; a member they only see (living here, organized elsewhere) is 404 here."""
    member = member_for(request, public_id)
    if not selectors.member_managed_by(request.user, member):
        raise Http404
    return member
