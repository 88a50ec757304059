"""Who a notice reaches: the accounts behind an audience under a node, in user-id order.

Each audience names the rows that tie an account to the node (role assignments, members, 双报到
registrations), the column holding the user and the label the receipt list shows (their community,
branch or organization). Rows are grouped by user, so a person found twice receives once. The fan-out
reads an audience in batches after a user-id cursor (services.fanout_run), so a batch costs an index
range, whatever the audience's size.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import F, Min, Q, QuerySet

from dangjian.accounts.models import RoleAssignment
from dangjian.accounts.roles import Role
from dangjian.core.scoping import prefix_q
from dangjian.orgs.models import BRANCHES, OrgType
from dangjian.people.models import ACTIVE_STATUSES, Member
from dangjian.registration.models import Registration, RegistrationKind, RegistrationStatus
from dangjian.territory.models import Area

from .models import Audience

BRANCH_TYPES = sorted({*BRANCHES, OrgType.GENERAL_BRANCH})


@dataclass(frozen=True)
class Spec:
    rows: Callable[[str], QuerySet]  # the tying rows under a node's path
    user: str  # the column holding the account
    place: str  # what the receipt list shows beside the name
    levels: tuple[str, ...]  # the node levels the audience makes sense under


SPECS: dict[str, Spec] = {
    Audience.COMMUNITY_WORKERS: Spec(
        lambda path: RoleAssignment.objects.filter(
            prefix_q("area__path", path), role=Role.COMMUNITY_WORKER, is_active=True
        ),
        "user_id",
        "area__name",
        ("district", "subdistrict", "community"),
    ),
    Audience.BRANCH_SECRETARIES: Spec(
        lambda path: RoleAssignment.objects.filter(
            prefix_q("org__area__path", path),
            role=Role.PARTY_MEMBER,
            is_active=True,
            is_secretary=True,
            org__org_type__in=BRANCH_TYPES,
        ),
        "user_id",
        "org__name",
        ("district", "subdistrict", "community"),
    ),
    Audience.REGISTERED_MEMBERS: Spec(
        lambda path: Registration.objects.filter(
            prefix_q("community__path", path),
            kind=RegistrationKind.MEMBER,
            status=RegistrationStatus.CONFIRMED,
            member__user__isnull=False,
        ),
        "member__user_id",
        "community__name",
        ("district", "subdistrict", "community"),
    ),
    Audience.MEMBERS: Spec(
        lambda path: Member.objects.filter(
            prefix_q("org__area__path", path), status__in=ACTIVE_STATUSES, user__isnull=False
        ),
        "user_id",
        "org__name",
        ("district", "subdistrict", "community"),
    ),
}


def _grouped(audience: str, area: Area, after: int = 0) -> QuerySet:
    spec = SPECS[audience]
    qs = spec.rows(area.path).filter(Q(**{f"{spec.user}__gt": after}))
    active = spec.user.replace("_id", "__is_active") if spec.user.endswith("_id") else f"{spec.user}__is_active"
    qs = qs.filter(**{active: True})
    return qs.order_by().values(uid=F(spec.user)).annotate(place=Min(spec.place)).order_by("uid")


def batch(audience: str, area: Area, *, after: int, size: int) -> list[tuple[int, str]]:
    """The next `size` recipients (user id, place) after user id `after`, in user-id order."""
    if audience not in SPECS:
        return []
    return [(row["uid"], row["place"] or "") for row in _grouped(audience, area, after)[:size]]


def count(audience: str, area: Area) -> int:
    """How many accounts the audience holds now (the fan-out's total, the confirmation page's number)."""
    if audience not in SPECS:
        return 0
    return _grouped(audience, area).count()
