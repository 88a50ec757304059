"""Reads of the mobilization pages: lists in scope (keyset orderings), the situation figures (from the
figures store, never from the rows), the map's grids, the honours list."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Q, QuerySet, Sum
from django.http import Http404
from django.utils import timezone

from dangjian.core.keyset import capped_count
from dangjian.core.models import DailyFact
from dangjian.core.scoping import active_scope
from dangjian.territory.models import Area, Level
from dangjian.volunteering.models import Attendance

from .facts import CALLS, QUOTAS, TASKS, VISITS
from .models import Call, CallStatus, CallUp, Placement, PlacementStatus, Task, Visit, VisitStatus

CALLUP_ORDERING = ["-issued_at", "-id"]
CALL_ORDERING = ["-answered_at", "-id"]
VISIT_ORDERING = ["grid_path", "label", "id"]
TASK_ORDERING = ["-created_at", "-id"]
SUBJECTS = (CALLS, QUOTAS, VISITS, TASKS)


def callups(user: Any) -> QuerySet[CallUp]:
    return CallUp.objects.visible_to(user)


def callup_of(user: Any, public_id: Any) -> CallUp:
    found = callups(user).select_related("area", "temp_org", "issued_by").filter(public_id=public_id).first()
    if found is None:
        raise Http404
    return found


def my_call(user: Any, callup: CallUp) -> Call | None:
    return Call.objects.filter(callup=callup, user=user).first() if user.is_authenticated else None


def answers(user: Any, callup: CallUp, *, status: str = "", q: str = "") -> QuerySet[Call]:
    qs = Call.objects.visible_to(user).filter(callup=callup)
    if status:
        qs = qs.filter(status=status)
    if q:
        qs = qs.filter(name__icontains=q)
    return qs


def visits(user: Any, callup: CallUp, *, grid: Area | None = None, status: str = "") -> QuerySet[Visit]:
    qs = Visit.objects.visible_to(user).filter(callup=callup)
    if grid is not None:
        qs = qs.filter(grid=grid)
    if status:
        qs = qs.filter(status=status)
    return qs


def tasks(user: Any, callup: CallUp, *, grid: Area | None = None, open_only: bool = False) -> QuerySet[Task]:
    qs = Task.objects.visible_to(user).filter(callup=callup)
    if grid is not None:
        qs = qs.filter(grid=grid)
    if open_only:
        qs = qs.filter(done_at__isnull=True)
    return qs


# --- the situation: figures from the store ---------------------------------------------------------


@dataclass
class Figures:
    """One node's figures for a call-up."""

    node: Any = None
    called: int = 0
    answered: int = 0
    available: int = 0
    declined: int = 0
    placed: int = 0
    hours: Decimal = Decimal("0")
    wanted: int = 0
    listed: int = 0
    visited: int = 0
    excused: int = 0
    pending: int = 0
    needs: int = 0
    met: int = 0
    tasks: int = 0
    open: int = 0
    done: int = 0
    extra: dict[str, int] = field(default_factory=dict)

    @property
    def unmet(self) -> int:
        return max(0, self.wanted - self.placed)


def _sums(callup: CallUp, paths: list[str]) -> dict[str, Figures]:
    found = {path: Figures() for path in paths}
    slots = [f"c{i}" for i in range(6)]
    rows = (
        DailyFact.objects.filter(subject__in=[s.name for s in SUBJECTS], dim=f"callup:{callup.pk}", area_path__in=paths)
        .values("subject", "area_path")
        .annotate(**{slot: Sum(slot) for slot in slots}, amount_sum=Sum("amount"))
    )
    by_name = {s.name: s for s in SUBJECTS}
    row: dict[str, Any]
    for row in rows:  # type: ignore[assignment]
        fig = found[row["area_path"]]
        subject = by_name[row["subject"]]
        for index, counter in enumerate(subject.counts):
            setattr(fig, counter, getattr(fig, counter) + (row[f"c{index}"] or 0))
        if subject is CALLS:
            fig.hours += Decimal(row["amount_sum"] or 0) / 10
    return found


def situation(callup: CallUp, node: Area) -> tuple[Figures, list[Figures]]:
    """The node's figures and its children's (zeros included), for one call-up."""
    children = list(Area.objects.filter(parent=node).order_by("path"))
    sums = _sums(callup, [node.path, *(c.path for c in children)])
    total = sums[node.path]
    total.node = node
    rows = []
    for child in children:
        fig = sums[child.path]
        fig.node = child
        rows.append(fig)
    return total, rows


def node_of(user: Any, callup: CallUp, public_id: Any) -> Area:
    """The node the situation is drilled to: the call-up's node or below it, inside the user's scope
    (or, for a subdistrict seeing a district call-up, its own subdistrict)."""
    scope = active_scope(user)
    if public_id:
        node = Area.objects.filter(public_id=public_id).first()
        if node is None or not node.path.startswith(callup.area_path):
            raise Http404
        if not user.is_superuser and scope.area_path and not node.path.startswith(scope.area_path):
            raise Http404
        return node
    if scope.area_path and scope.area_path.startswith(callup.area_path) and scope.area_path != callup.area_path:
        return Area.objects.get(path=scope.area_path)
    return callup.area


def live_counts(callup: CallUp, path: str) -> dict[str, int]:
    """What moves by the minute and is small per call-up: on shift now (checked in, not out, on its duty
    shifts) and tasks overdue; both capped counts."""
    now = timezone.now()
    on_shift = Attendance.objects.filter(
        shift_signup__shift__duty__callup=callup,
        shift_signup__shift__duty__grid_path__startswith=path,
        checked_in_at__isnull=False,
        checked_out_at__isnull=True,
    )
    overdue = Task.objects.filter(callup=callup, grid_path__startswith=path, done_at__isnull=True, due_at__lt=now)
    return {"on_shift": int(capped_count(on_shift)), "overdue": int(capped_count(overdue))}


def map_grids(callup: CallUp, node: Area) -> list[dict[str, Any]]:
    """The drawn grids under the node with their unmet headcount and households not yet visited."""
    grids = list(
        Area.objects.filter(level=Level.GRID, path__startswith=node.path, boundary__isnull=False)
        .order_by("path")
        .values("path", "name", "boundary", "parent__name")
    )
    if not grids:
        return []
    sums = _sums(callup, [g["path"] for g in grids])
    features = []
    for g in grids:
        fig = sums[g["path"]]
        features.append(
            {
                "type": "Feature",
                "geometry": g["boundary"],
                "properties": {
                    "name": g["name"],
                    "community": g["parent__name"],
                    "unmet": fig.unmet,
                    "wanted": fig.wanted,
                    "placed": fig.placed,
                    "unvisited": fig.pending,
                },
            }
        )
    return features


def honours(callup: CallUp, *, limit: int = 200) -> list[Call]:
    """光荣榜: the people placed, most hours first."""
    return list(Call.objects.filter(callup=callup, status=CallStatus.PLACED).order_by("-hours", "name", "pk")[:limit])


def deployed(callup: CallUp, grid: Area) -> list[Placement]:
    return list(
        Placement.objects.filter(callup=callup, grid=grid, status=PlacementStatus.ACTIVE)
        .select_related("call")
        .order_by("placed_at", "pk")
    )


def unvisited_without_reason(callup: CallUp) -> QuerySet[Visit]:
    return Visit.objects.filter(callup=callup, status=VisitStatus.PENDING)


def grids_in(callup: CallUp, user: Any) -> QuerySet[Area]:
    """The grids a commander may pick in this call-up: under its wanted headcounts and their scope."""
    from .models import Quota

    under = Q()
    for path in Quota.objects.filter(callup=callup).values_list("area_path", flat=True):
        under |= Q(path__startswith=path)
    qs = Area.objects.filter(under, level=Level.GRID) if under else Area.objects.none()
    scope = active_scope(user)
    if not user.is_superuser and scope.area_path:
        qs = qs.filter(path__startswith=scope.area_path)
    return qs.order_by("path")
