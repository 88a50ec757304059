"""Reads of the demand loop: what each person sees, the desk's tabs, the claim board, my tasks."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet, Sum
from django.http import Http404
from django.utils import timezone

from dangjian.accounts.roles import Role
from dangjian.core.keyset import CappedCount, capped_counts
from dangjian.core.periods import days_q
from dangjian.core.scoping import active_role, active_scope, prefix_q
from dangjian.core.tree import ancestor_paths
from dangjian.territory.models import Area, Level
from dangjian.units.models import ResidentUnit
from dangjian.volunteering.models import Team

from .models import Demand, DemandLog, DemandPhoto, DemandStatus
from .permissions import home_community_id
from .workflow import COMMUNITY_STATUSES, HANDLING_STATUSES, OPEN_DEMAND_STATUSES, SERVED_STATUSES

S = DemandStatus
ROW_RELATED = ("community", "estate", "building", "category", "assigned_unit", "assigned_team", "assigned_user")
DESK_RELATED = ("community", "estate", "building", "category")  # what a desk row shows

# Desk tabs: key -> the filter (the overdue one is computed at call time).
TABS: dict[str, Q] = {
    "submitted": Q(status=S.SUBMITTED),
    "accepted": Q(status=S.ACCEPTED),
    "published": Q(status=S.PUBLISHED),
    "handling": Q(status__in=sorted(HANDLING_STATUSES)),
    "to_rate": Q(status=S.DONE),
    "overdue": Q(),
}
DESK_ORDERING = ("-submitted_at", "-pk")
# Tab and 今日待办 counts read at most one row more than this each (exact up to it; "999+" above).
COUNT_CAP = 999


# The 今日待办 queues of the desk: tabs not shown among the quick tabs, so the home page's count and
# the list it opens are one queryset (desk_list with tab=<queue>).
WORKER_STATUSES = sorted(COMMUNITY_STATUSES)
QUEUES = ("late",)


def worker_late_q(user: Any) -> Q:
    """The community's own steps running late (accept, give out, claim); the community's Party
    secretary (is_secretary) also gets every escalated demand, whoever's step is late."""
    from dangjian.accounts.roles import active_assignment

    q = Q(status__in=WORKER_STATUSES, step_due_at__lt=timezone.now())
    assignment = active_assignment(user)
    if assignment is not None and assignment.is_secretary:
        q |= Q(status__in=sorted(OPEN_DEMAND_STATUSES), escalated_at__isnull=False)
    return q


def _overdue_q() -> Q:
    return Q(status__in=sorted(OPEN_DEMAND_STATUSES), step_due_at__lt=timezone.now())


def tab_q(tab: str) -> Q:
    return _overdue_q() if tab == "overdue" else TABS[tab]


def visible_demands(user: Any) -> QuerySet[Demand]:
    return Demand.objects.visible_to(user)


def scope_community_id(user: Any) -> int | None:
    """The community whose subtree the user's scope lies in (a community or grid scope), else None."""
    scope = active_scope(user)
    path = scope.area_path
    if not path or scope.area_level not in (Level.COMMUNITY, Level.GRID):
        return None
    cached = getattr(user, "_demands_scope_community", None)  # one look-up per request (the page and its counts)
    if cached is not None and cached[0] == path:
        return cached[1]
    paths = [path, *ancestor_paths(path)]
    community_id = Area.objects.filter(path__in=paths, level=Level.COMMUNITY).values_list("pk", flat=True).first()
    user._demands_scope_community = (path, community_id)
    return community_id


def desk_demands(user: Any) -> QuerySet[Demand]:
    """The demands in the user's scope, as the desk reads them: in a community's (or grid's) scope the
    community is named too (every demand's area_path lies under its community's path, services._place),
    so the (community, status, submitted_at) indexes serve the page instead of a sort of the subtree."""
    demands = visible_demands(user)
    community_id = scope_community_id(user)
    return demands.filter(community_id=community_id) if community_id is not None else demands


def get_demand_for_user(user: Any, public_id: Any) -> Demand:
    return Demand.objects.select_related(
        *ROW_RELATED, "grid", "requester", "accepted_by", "assigned_member"
    ).get_for_user(user, public_id)


def get_photo_for_user(user: Any, public_id: Any) -> DemandPhoto:
    """A photo of a demand the user may open (the same demands as its page), or 404."""
    try:
        return DemandPhoto.objects.get(demand__in=visible_demands(user), public_id=public_id)
    except (DemandPhoto.DoesNotExist, ValidationError, ValueError, TypeError) as exc:
        raise Http404 from exc


def list_filter_q(
    *,
    area: Any = None,
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
    kind: str = "",
    unwithdrawn: bool = False,
    served: bool = False,
) -> Q:
    """The desk's place, date and state filters as the cockpit's links carry them: `area` a node the
    caller resolved in scope; the dates the local days of submission (both included), on the stored
    aware datetime so the (area_path, submitted_at) index serves them; `unwithdrawn` leaves out what the
    requester withdrew, `served` keeps the demands served (done, rated, closed after done); `kind` one
    DemandKind."""
    f = Q()
    if area is not None:
        f &= prefix_q("area_path", area.path)
    f &= days_q("submitted_at", date_from, date_to)
    if kind:
        f &= Q(kind=kind)
    if unwithdrawn:
        f &= ~Q(status=S.WITHDRAWN)
    if served:
        f &= Q(status__in=sorted(SERVED_STATUSES))
    return f


def desk_list(user: Any, *, tab: str = "", q: str = "", **filters: Any) -> QuerySet[Demand]:
    """The desk's rows of a tab, newest first (DESK_ORDERING: stored columns the indexes serve);
    `filters`: list_filter_q's."""
    demands = desk_demands(user).select_related(*DESK_RELATED)
    if filters:
        demands = demands.filter(list_filter_q(**filters))
    if tab in TABS:
        demands = demands.filter(tab_q(tab))
    elif tab == "late":
        # Every late row is open: naming the open statuses lets the partial index of open demands serve it.
        demands = demands.filter(worker_late_q(user), status__in=sorted(OPEN_DEMAND_STATUSES))
    q = (q or "").strip()
    if q:
        demands = demands.filter(
            Q(title__icontains=q)
            | Q(description__icontains=q)
            | Q(requester_name__icontains=q)
            | Q(estate__name__icontains=q)
        )
    return demands.order_by(*DESK_ORDERING)


def hours_tenths(demands: QuerySet[Demand]) -> int:
    """The service hours of the served among `demands` in tenths of an hour, as the figures store adds
    them up (demands/facts.py `amount`: hours are kept to a tenth, so the sum times ten is exact)."""
    total = demands.filter(status__in=sorted(SERVED_STATUSES)).order_by().aggregate(s=Sum("hours"))["s"]
    return int(Decimal(total or 0) * 10)


def tab_counts(user: Any) -> dict[str, CappedCount]:
    """Every tab's count, each read with a LIMIT from its index (exact up to COUNT_CAP, "COUNT_CAP+"
    above), in one query."""
    demands = desk_demands(user)
    # In the list's order the count walks the list's index; overdue rows are found faster by their due
    # time (demands_status_due), which the planner takes when no order is asked.
    return capped_counts(
        {key: demands.filter(tab_q(key)) for key in TABS},
        COUNT_CAP,
        {key: DESK_ORDERING for key in TABS if key != "overdue"},
    )


def claim_communities(user: Any) -> list[int]:
    """The communities whose published demands `user` may claim."""
    role = active_role(user)
    ids: set[int] = set()
    if role == Role.UNIT_CONTACT:
        unit_id = active_scope(user).unit_id
        ids |= set(ResidentUnit.objects.filter(pk=unit_id).values_list("community_id", flat=True))
    elif role == Role.PARTY_MEMBER:
        home = home_community_id(user)
        if home is not None:
            ids.add(home)
    # Team leaders: the community of each team they lead (the team's area or its ancestor community).
    for team in Team.objects.filter(leader=user, is_active=True).select_related("area"):
        area = team.area
        if area.level == "community":
            ids.add(area.pk)
        elif area.parent_id and area.level == "grid":
            ids.add(area.parent_id)
    return sorted(ids)


# The board's, my done tasks' and my demands' orders (core.keyset pages): stored columns, the last unique.
CLAIMABLE_ORDER = ("step_due_at", "pk")  # demands_status_due; a published demand is always due (workflow.due_for)
DONE_TASK_ORDER = ("-pk",)  # a served demand owes no step (step_due_at is None): (step_due_at, -pk) was -pk
MY_DEMANDS_ORDER = ("-submitted_at", "-pk")  # the requester's own rows (requester_id index), sorted


def claimable_demands(user: Any) -> QuerySet[Demand]:
    return (
        Demand.objects.filter(status=S.PUBLISHED, community_id__in=claim_communities(user))
        .select_related("community", "estate", "category")
        .order_by(*CLAIMABLE_ORDER)
    )


def task_q(user: Any) -> Q:
    """Demands `user` does: given to them, to their unit (as its contact) or to a team they lead."""
    # The teams' ids read first (a user leads few): a join to the team inside the OR would make the
    # planner read every demand; ids keep it a BitmapOr of the assignee indexes.
    teams = list(Team.objects.filter(leader_id=user.pk).values_list("pk", flat=True))
    q = Q(assigned_user_id=user.pk) | Q(assigned_team_id__in=teams)
    if active_role(user) == Role.UNIT_CONTACT and active_scope(user).unit_id:
        q |= Q(assigned_unit_id=active_scope(user).unit_id)
    return q


# The filters of my open tasks (今日待办 links to each): ?show=<key> on the tasks page.
TASK_FILTERS = ("dispatched", "taken", "late")


def my_tasks(user: Any, *, done: bool = False, show: str = "") -> QuerySet[Demand]:
    statuses = sorted(SERVED_STATUSES if done else HANDLING_STATUSES)
    tasks = Demand.objects.filter(task_q(user), status__in=statuses)
    if not done and show == "late":
        tasks = tasks.filter(step_due_at__lt=timezone.now())
    elif not done and show in HANDLING_STATUSES:
        tasks = tasks.filter(status=show)
    return tasks.select_related(
        "community", "estate", "building", "category", "assigned_team", "assigned_unit"
    ).order_by(*(DONE_TASK_ORDER if done else ("step_due_at", "-pk")))


def task_for_user(user: Any, public_id: Any) -> Demand | None:
    return Demand.objects.filter(task_q(user), public_id=public_id).select_related("assigned_team").first()


def my_demands(user: Any) -> QuerySet[Demand]:
    return (
        Demand.objects.filter(requester=user)
        .select_related("category", "estate", "building")
        .order_by(*MY_DEMANDS_ORDER)
    )


def public_log(demand: Demand) -> list[DemandLog]:
    return list(demand.log.filter(public=True).order_by("at", "pk"))


def full_log(demand: Demand) -> list[DemandLog]:
    return list(demand.log.order_by("at", "pk"))
