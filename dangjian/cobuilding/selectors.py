"""Reads of co-building, scoped by `visible_to`: the lists (keyset orderings), a page's extras in one query
each, and the per-liaison figures (visits due vs made, problems collected vs solved)."""

from __future__ import annotations

import datetime
from collections import Counter
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, QuerySet
from django.utils import timezone

from dangjian.core.tree import STEP
from dangjian.people.models import Liaison

from .facts import matter_solved
from .models import CoMeeting, Covenant, EstateGovernance, JointBoard, LiaisonVisit, Matter, UnitTask
from .rules import liaison_rules

BOARD_ORDER = ("area_path", "id")
COVENANT_ORDER = ("area_path", "id")
ESTATE_ORDER = ("area_path", "id")
TASK_ORDER = ("due_on", "id")
MEETING_ORDER = ("-starts_at", "-id")
LIAISON_ORDER = ("level", "leader_name", "id")
MATTER_ORDER = ("-raised_at", "-id")


def boards(user: Any) -> QuerySet:
    return JointBoard.objects.visible_to(user).select_related("area")


def meetings(user: Any) -> QuerySet:
    return CoMeeting.objects.visible_to(user).select_related("meeting", "board", "estate__estate", "committee")


def covenants(user: Any) -> QuerySet:
    return Covenant.objects.visible_to(user).select_related("area", "unit")


def estates(user: Any) -> QuerySet:
    return EstateGovernance.objects.visible_to(user).select_related("estate__community", "company", "branch")


def tasks(user: Any) -> QuerySet:
    return UnitTask.objects.visible_to(user).select_related("unit", "matter")


def matters(user: Any) -> QuerySet:
    return Matter.objects.visible_to(user)


def liaisons(user: Any) -> QuerySet:
    return Liaison.objects.visible_to(user).filter(is_active=True).select_related("area", "estate__community", "user")


def own_liaisons(user: Any) -> QuerySet:
    return Liaison.objects.filter(user=user, is_active=True).select_related("area", "estate__community")


def meeting_counts(board_ids: list[int], year: int) -> dict[int, int]:
    """Joint meetings held per board in a year (one query for a page of boards)."""
    start = datetime.datetime(year, 1, 1, tzinfo=timezone.get_current_timezone())
    end = datetime.datetime(year + 1, 1, 1, tzinfo=timezone.get_current_timezone())
    return dict(
        CoMeeting.objects.filter(board_id__in=board_ids, starts_at__gte=start, starts_at__lt=end)
        .filter(meeting__status__in=("closed", "minutes_frozen"))
        .values_list("board_id")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("board_id", "n")
    )


@dataclass
class LiaisonFigures:
    liaison: Liaison
    due: int
    made: int
    collected: int
    solved: int

    @property
    def behind(self) -> bool:
        return self.made < self.due


def _due(liaison: Liaison, rule: Any, year: int, today: datetime.date) -> int:
    start = max(liaison.since or datetime.date(year, 1, 1), datetime.date(year, 1, 1))
    end = min(today, datetime.date(year, 12, 31))
    if end < start:
        return 0
    periods = ((end - start).days + 1) // max(rule.every_days, 1)
    return periods * rule.visits


def liaison_figures(page: list[Liaison], year: int, *, today: datetime.date | None = None) -> list[LiaisonFigures]:
    """Per liaison of a page in `year`: visits due under the district's rule for the level (whole
    periods elapsed since the year or the assignment began) vs made, problems collected vs solved."""
    from .models import LiaisonRule

    today = today or timezone.localdate()
    pks = [li.pk for li in page]
    tz = timezone.get_current_timezone()
    start, end = datetime.datetime(year, 1, 1, tzinfo=tz), datetime.datetime(year + 1, 1, 1, tzinfo=tz)
    made = Counter(
        dict(
            LiaisonVisit.objects.filter(liaison_id__in=pks, visited_at__gte=start, visited_at__lt=end)
            .values_list("liaison_id")
            .annotate(n=Count("pk"))
            .order_by()
            .values_list("liaison_id", "n")
        )
    )
    problems = list(
        Matter.objects.filter(liaison_id__in=pks, raised_at__gte=start, raised_at__lt=end).values_list(
            "pk", "liaison_id", "outcome", "target_id"
        )
    )
    solved = matter_solved([(pk, outcome, target) for pk, _l, outcome, target in problems])
    collected: Counter[int] = Counter()
    done: Counter[int] = Counter()
    for pk, liaison_id, _o, _t in problems:
        collected[liaison_id] += 1
        done[liaison_id] += int(solved[pk])
    rules = liaison_rules({li.area_path()[:STEP] for li in page})
    out = []
    for li in page:
        rule = rules.get((li.area_path()[:STEP], li.level)) or LiaisonRule(level=li.level)
        out.append(LiaisonFigures(li, _due(li, rule, year, today), made[li.pk], collected[li.pk], done[li.pk]))
    return out


def covenants_in(path: str) -> QuerySet:
    """The covenants signed at the area `path` and under it (read by assessment's metrics)."""
    from dangjian.core.tree import subtree_q

    return Covenant.objects.filter(subtree_q("area_path", path)).order_by("area_path", "id")
