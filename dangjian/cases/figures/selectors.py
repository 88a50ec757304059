"""Case figures (办件统计): per territory node and per department, for a period.

What is counted (cases/facts.py says it row by row). The cohort of a period is the cases *received*
in it (received_at between the local dates date_from and date_to, both included), leaving out cases
merged into another (they are duplicates: the main case carries the demand). Of that cohort:

- received: every case in it (rejected ones included: they were received and answered);
- dispatched: given to a handler (dispatched_at set: a dispatch, or a publication to be claimed);
- closed: now closed, called back or archived (a reopened case is open again, so not closed);
- closed on time: closed with closed_at <= deadline;
- overdue: open and past its deadline (marked by the deadline scan, or past it at the case's last
  step), or closed after its deadline;
- returned: cases the receiver sent back at least once (return_count > 0); it counts cases, not
  return steps;
- satisfaction rate: (satisfied + basically satisfied) / rated, over the latest rating of each case;
- median time to close: hours from received_at to closed_at over the closed cases, estimated from
  the duration buckets of the figures store (core.figures.facts.BUCKET_EDGES): an approximation
  within the width of the bucket that holds it, which the page's small print says.

How it scales. Every figure is read from the figures store (core.figures.facts: a row per cohort day,
node and dimension, kept in the transaction of each step): the total is a sum over the node's rows
of the period's days, the children one grouped sum over the rows of the next depth, the departments
one grouped sum over the node's department rows, the trend the node's rows per day. The cost follows
days × children, not the number of cases; nothing here reads the cases table.
"""

from __future__ import annotations

import dataclasses
import datetime
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet

from dangjian.accounts.roles import Role, active_assignment
from dangjian.core.figures import facts as store
from dangjian.core.figures import rollup
from dangjian.core.figures.rollup import share
from dangjian.core.periods import Period
from dangjian.core.scoping import active_role, prefix_q
from dangjian.territory.models import Area, Level
from dangjian.units.models import Department

from ..facts import CASES
from ..models import Case, CaseDepartment, CaseStatus

# -- one row of figures ---------------------------------------------------------------------------
COUNT_FIELDS = ("received", "dispatched", "closed", "closed_on_time", "overdue", "returned", "rated", "satisfied")


@dataclass
class Figures:
    received: int = 0
    dispatched: int = 0
    closed: int = 0
    closed_on_time: int = 0
    overdue: int = 0
    returned: int = 0
    rated: int = 0
    satisfied: int = 0  # satisfied or basically satisfied
    median_hours: float | None = None  # estimated from the duration buckets

    @property
    def satisfaction_rate(self) -> float | None:
        return share(self.satisfied, self.rated)

    @property
    def on_time_rate(self) -> float | None:
        """Of the closed cases, the share closed on time."""
        return share(self.closed_on_time, self.closed)

    @property
    def close_rate(self) -> float | None:
        return share(self.closed, self.received)

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {name: getattr(self, name) for name in COUNT_FIELDS}
        out.update(
            median_hours=self.median_hours,
            satisfaction_rate=self.satisfaction_rate,
            on_time_rate=self.on_time_rate,
            close_rate=self.close_rate,
        )
        return out


@dataclass
class Row(rollup.Row):
    department: Department | None = None


@dataclass(kw_only=True)
class Report(rollup.Report):
    department: Department | None
    departments: list[Row] = dataclasses.field(default_factory=list)


def figures_of(m: store.Measures) -> Figures:
    median = m.percentile(0.5)
    return Figures(
        **{name: m[name] for name in COUNT_FIELDS},
        median_hours=round(median, 1) if median is not None else None,
    )


def department_dim(department: Department | None) -> str:
    return f"department:{department.pk}" if department is not None else ""


# -- the raw rows behind the figures --------------------------------------------------------------
def cohort(*, user: Any, node: Area | None, department: Department | None, period: Period) -> QuerySet:
    """The cases of a period under a node (and of a department), as far as the user may see them: the
    rows the figures count (the case export and the benches' query plans read them; the figures
    themselves read the store)."""
    qs = Case.objects.visible_to(user).exclude(status=CaseStatus.MERGED)
    if node is not None:
        qs = qs.filter(prefix_q("area_path", node.path))
    if department is not None:
        linked = CaseDepartment.objects.filter(department_id=department.pk).values("case_id")
        qs = qs.filter(Q(assigned_department_id=department.pk) | Q(pk__in=linked))
    return qs.filter(received_at__gte=period.start, received_at__lt=period.end).order_by()


# -- families -------------------------------------------------------------------------------------
def figures_by_department(path: str, period: Period) -> dict[int, Figures]:
    """Figures per department that took part in the cases (a case counts for each of them)."""
    return {int(pk): figures_of(m) for pk, m in store.by_dim(CASES, path, period, "department").items()}


def received_trend(path: str, period: Period, department: Department | None = None) -> dict[str, Any]:
    """Cases received per day (periods up to 62 days), per week (up to two years) or per month."""
    per_day = store.per_day(CASES, path, period, ["received"], department_dim(department))
    days = {day: {"values": counts["received"]} for day, counts in per_day.items()}
    return rollup.trend_from_days(days, period, ["values"], weeks=True)


# -- nodes a user may pick ------------------------------------------------------------------------
def user_department(user: Any) -> Department | None:
    """The department a department-staff user acts for (None for everyone else)."""
    if active_role(user) != Role.DEPARTMENT_STAFF:
        return None
    assignment = active_assignment(user)
    return assignment.department if assignment is not None else None


def default_node(user: Any) -> Area | None:
    """Where a user's figures start: their own node, their department's area, or the first district."""
    department = user_department(user)
    if department is not None:
        return department.area
    return rollup.home_node(user, Area.objects.all())


def nodes_for(user: Any) -> QuerySet:
    """The territory nodes a user may ask figures for (a department: its area's subtree)."""
    department = user_department(user)
    if department is not None:
        return Area.objects.filter(prefix_q("path", department.area.path))
    return Area.objects.visible_to(user)


# -- the whole report -----------------------------------------------------------------------------
def case_figures(
    *,
    user: Any,
    node: Area | None = None,
    department: Department | None = None,
    date_from: datetime.date,
    date_to: datetime.date,
    period_key: str = "custom",
) -> Report:
    """Figures for a node (default: the user's own) and optionally one department, for the local
    dates date_from..date_to: the total, one row per child node (all children, zeros included, and
    a row for cases placed on the node itself), one per department, and the received trend.
    A department-staff user always gets their own department's figures; with a department, the
    departments' table is that department's row. The caller checks that the node is one the user
    may pick (nodes_for)."""
    own = user_department(user)
    if own is not None:
        department = own
    if node is None:
        node = default_node(user)
    period = Period(period_key, date_from, date_to)
    path = node.path if node is not None else ""
    dim = department_dim(department)
    # A department's figures are its own rows (its dimension); an area user's, their subtree's.
    within = path if own is not None else store.readable_path(user, path)
    if within is None:
        node_total = store.empty(CASES)
    else:
        node_total = store.total(CASES, within, period, dim)
    report = Report(node=node, department=department, period=period, total=figures_of(node_total))
    if node is not None and node.level != Level.GRID:
        found = store.children(CASES, path, period, dim, node_total, within=within) if within is not None else {}
        report.children = rollup.child_rows(node, {p: figures_of(m) for p, m in found.items()}, Figures, row=Row)
    if department is not None or within is None:
        by_dept = {department.pk: report.total} if department is not None and report.total.received else {}
    else:
        by_dept = figures_by_department(within, period)
    if by_dept:
        departments = Department.objects.filter(pk__in=by_dept).select_related("area").order_by("area__path", "name")
        report.departments = [Row(str(d.pk), d.name, by_dept[d.pk], department=d) for d in departments]
    if within is None:
        report.trend = rollup.trend_from_days({}, period, ["values"], weeks=True)
    else:
        report.trend = received_trend(within, period, department)
    return report


def grid_heat(*, user: Any, node: Area, department: Department | None, period: Period) -> dict[str, Any]:
    """A GeoJSON FeatureCollection of the grids under `node` with a boundary, each with its case count."""
    own = user_department(user)
    if own is not None:
        department = own
    grids = list(
        Area.objects.filter(prefix_q("path", node.path), level=Level.GRID, boundary__isnull=False)
        .select_related("parent")
        .order_by("path")
    )
    within = node.path if own is not None else store.readable_path(user, node.path)
    depths = {grid.depth for grid in grids} if within is not None else set()
    found = store.by_area(CASES, within or "", depths, period, department_dim(department)) if depths else {}
    counts = {grid.pk: found[grid.path]["received"] for grid in grids if grid.path in found}
    features = [
        {
            "type": "Feature",
            "geometry": grid.boundary,
            "properties": {
                "name": grid.name,
                "community": grid.parent.name if grid.parent else "",
                "id": str(grid.public_id),
                "count": counts.get(grid.pk, 0),
            },
        }
        for grid in grids
    ]
    return {
        "type": "FeatureCollection",
        "features": features,
        "max": max(counts.values(), default=0),
        "total": sum(counts.values()),
    }
