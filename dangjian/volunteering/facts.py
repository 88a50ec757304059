"""What the volunteer teams add to the figures store (core.figures.facts): a stock, read by the cockpit.

"volunteering.teams" places every active team (志愿服务队) at its area: teams, the five fixed service
groups among them (安全、健康、文体、司法、警务: seed 003), and the volunteers on them now (members who have
not left; a person on two teams counts twice). 002: 组建培育志愿者服务团队 120 多个.

A team's save records it; a membership's (joining, leaving) records its team (the Follow); an area's
move records the teams there (territory.services.area_move: facts.record_bulk(Area, ...)).
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any

from django.db.models import Count
from django.utils import timezone

from dangjian.core.figures import facts
from dangjian.territory.models import Area

from .models import Team, TeamMember


class TeamFacts(facts.Subject):
    name = "volunteering.teams"
    model = Team
    stock = True
    cohort_field = "created_at"
    counts = ("teams", "fixed_teams", "volunteers")
    fields = ("created_at", "is_active", "fixed_group", "area__path")

    def extras(self, pks: list[int]) -> dict[int, Any]:
        live = TeamMember.objects.filter(team_id__in=pks, left_at__isnull=True).order_by()
        return dict(live.values_list("team_id").annotate(n=Count("pk")))

    def part(self, row: Mapping[str, Any], extra: Any, now: datetime.datetime) -> facts.Part | None:
        if not row["is_active"] or not row["area__path"]:
            return None
        return facts.Part(
            day=timezone.localdate(row["created_at"] or now),
            area_path=row["area__path"],
            counts={"teams": 1, "fixed_teams": int(bool(row["fixed_group"])), "volunteers": int(extra or 0)},
        )

    def follows(self) -> list[facts.Follow]:
        return [
            facts.Follow(TeamMember, ("team_id",), lambda v: [v["team_id"]]),
            facts.Follow(Area, ("path",), _teams_of_area),
        ]


def _teams_of_area(values: Mapping[str, Any]) -> list[int]:
    return list(Team.objects.filter(area_id=values["pk"]).values_list("pk", flat=True))


TEAMS = facts.register(TeamFacts())
