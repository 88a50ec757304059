"""What a member adds to the figures store (core.figures.facts): a stock of members, read by the member
counts of any organization's subtree (people.selectors.member_counts) as of any date.

"members" places a member at their organization (the organization tree; a member with no organization
is not there): one count for their status and one for "active" (on an organization's books:
people.models.ACTIVE_STATUSES). A rebuild counts a member as they are now from the day the row was
created.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any

from django.utils import timezone

from dangjian.core.figures import facts
from dangjian.orgs.models import PartyOrg

from .models import ACTIVE_STATUSES, Member, MemberStatus

STATUSES = tuple(MemberStatus.values)
ACTIVE = frozenset(ACTIVE_STATUSES)


class MemberFacts(facts.Subject):
    name = "members"
    model = Member
    stock = True
    cohort_field = "created_at"
    counts = ("members", "active", *STATUSES)
    fields = ("created_at", "status", "org__path")

    def part(self, row: Mapping[str, Any], extra: Any, now: datetime.datetime) -> facts.Part | None:
        path = row["org__path"]
        if not path:
            return None
        status = row["status"]
        counts = {"members": 1, "active": int(status in ACTIVE)}
        if status in STATUSES:
            counts[status] = 1
        return facts.Part(day=timezone.localdate(row["created_at"] or now), area_path=path, counts=counts)

    def follows(self) -> list[facts.Follow]:
        # An organization's path changes when it moves: after a move, facts.record_bulk(PartyOrg, pks of
        # the moved subtree) records its members at the new paths (the nightly check catches a move without).
        return [facts.Follow(PartyOrg, ("path",), _members_of_org)]


def _members_of_org(values: Mapping[str, Any]) -> list[int]:
    return list(Member.objects.filter(org_id=values["pk"]).values_list("pk", flat=True))


MEMBERS = facts.register(MemberFacts())
