"""What the people pages share."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import Http404

from .. import selectors
from ..models import Member

PER_PAGE = 25


def page_of(request, queryset):
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
