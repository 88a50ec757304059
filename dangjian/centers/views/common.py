"""What the centre pages share: form errors, the areas and organizations a manager picks from, the menu entry."""

from __future__ import annotations

from django.core.exceptions import ValidationError

from dangjian.core.scoping import scope_for
from dangjian.orgs.models import PartyOrg
from dangjian.territory.models import Area

from ..permissions import MANAGE_ROLES

PAGE_SIZE = 20


def form_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def managed_areas(user):
    return list(
        Area.objects.visible_to(user).filter(level__in=["district", "subdistrict", "community"]).order_by("path")[:500]
    )


def managed_orgs(user):
    return list(
        PartyOrg.objects.visible_to(user)
        .filter(
            org_type__in=[
                "district_committee",
                "working_committee",
                "community_committee",
                "expanded_committee",
                "estate_branch",
                "branch",
            ]
        )
        .order_by("path")[:500]
    )


def nav_for(user) -> str:
    scope = scope_for(user)
    return "centers" if (scope.everything or scope.role in MANAGE_ROLES) else "bookings"
