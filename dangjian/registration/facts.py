"""What a member adds to the 双报到 figures in the figures store (core.figures.facts): a stock, read per
community (home_counts) for any node and any past date.

"members_home" places a member at their home community (members with none are not counted): "due"
when in service (an in-service member should register where they live), "registered" when in service
and holding a confirmed member registration at that community (what registration_summary counts as
members_done). A registration's writes (submitted, confirmed by a step, withdrawn...) record its member
again.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any

from django.utils import timezone

from dangjian.core.figures import facts
from dangjian.people.models import Member, MemberStatus
from dangjian.territory.models import Area

from .models import Registration, RegistrationKind, RegistrationStatus


class HomeFacts(facts.Subject):
    name = "members_home"
    model = Member
    stock = True
    cohort_field = "created_at"
    counts = ("due", "registered")
    fields = ("created_at", "status", "home_community_id", "home_community__path")

    def extras(self, pks: list[int]) -> dict[int, Any]:
        out: dict[int, set[int]] = {}
        confirmed = Registration.objects.filter(
            member_id__in=pks, kind=RegistrationKind.MEMBER, status=RegistrationStatus.CONFIRMED
        ).values_list("member_id", "community_id")
        for member_id, community_id in confirmed:
            out.setdefault(member_id, set()).add(community_id)
        return out

    def part(self, row: Mapping[str, Any], extra: Any, now: datetime.datetime) -> facts.Part | None:
        path = row["home_community__path"]
        if not path:
            return None
        due = row["status"] == MemberStatus.IN_SERVICE
        registered = due and row["home_community_id"] in (extra or ())
        return facts.Part(
            day=timezone.localdate(row["created_at"] or now),
            area_path=path,
            counts={"due": int(due), "registered": int(registered)},
        )

    def follows(self) -> list[facts.Follow]:
        return [
            facts.Follow(Registration, ("member_id",), lambda v: [v["member_id"]]),
            facts.Follow(Area, ("path",), _members_at_home),  # after a move: facts.record_bulk(Area, ...)
        ]


def _members_at_home(values: Mapping[str, Any]) -> list[int]:
    return list(Member.objects.filter(home_community_id=values["pk"]).values_list("pk", flat=True))


MEMBERS_HOME = facts.register(HomeFacts())


def home_counts(communities: list[Area], *, on: datetime.date | None = None) -> dict[int, tuple[int, int]]:
    """Per community (keyed by its pk): (members due to register, members registered) as of the end of
    `on` (default today), from the store: two indexed queries, however many members."""
    by_path = {c.path: c.pk for c in communities}
    cells = facts.stock_cells(MEMBERS_HOME, "", on=on, paths=by_path)
    return {by_path[path]: (m["due"], m["registered"]) for (path, _dim), m in cells.items()}
