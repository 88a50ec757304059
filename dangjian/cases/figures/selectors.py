"""Case figures (办件统计): per territory node and per department, for a period.

What is counted. The cohort of a period is the cases *received* in it (received_at between the
local dates date_from and date_to, both included), leaving out cases merged into another (they are
duplicates: the main case carries the demand). Of that cohort:

- received: every case in it (rejected ones included: they were received and answered);
- dispatched: given to a handler (dispatched_at set: a dispatch, or a publication to be claimed);
- closed: now closed, called back or archived (a reopened case is open again, so not closed);
- closed on time: closed with closed_at <= deadline;
- overdue: open and past its deadline now, or closed after its deadline;
- returned: cases the receiver sent back at least once (return_count > 0). Decided against counting
  RETURN rows of CaseLog: the log is the largest table (about eight rows a case) and joining it
  would multiply the rows the rollup reads, while case_return bumps return_count in the same
  transaction that writes the RETURN row, so the two agree; it counts cases, not return steps;
- satisfaction rate: (satisfied + basically satisfied) / rated, over the latest rating of each case;
- median time to close: hours from received_at to closed_at over the closed cases.

How it scales (the province plan is 10,000,000 cases). Each figure family is one query with
conditional aggregates (COUNT ... FILTER) over the cohort, which is one range of the
(area_path, received_at) index: the node's subtree is a range of area_path (core.tree.subtree_q)
and the period a range of received_at. By child node the query groups by
Substr(area_path, 1, child_depth * 4): area_path is the deepest node a case is placed in, so its
prefix of the child's length *is* the child's path, whatever the child's level (a zone, a
community, a grid). By department it groups by the CaseDepartment link (each department a case was
dispatched or summoned to), so a case counts for every department that took part in it. Nothing is
read per node or per case.

Medians. On PostgreSQL, PERCENTILE_CONT(0.5) WITHIN GROUP (ORDER BY hours) is one more aggregate in
the same grouped query. SQLite has no percentile aggregate; there the medians come from one extra
query per family using window functions (ROW_NUMBER and COUNT over the group, keeping only the one
or two middle rows of each group), so the database still does the sorting and only two rows per
group come back: the work is bounded by the cohort, the result by the number of groups. SQLite is
the single-machine default; a deployment at city scale runs PostgreSQL.
"""

from __future__ import annotations

import dataclasses
import datetime
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import (
    Aggregate,
    Count,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    FloatField,
    Func,
    OuterRef,
    Q,
    QuerySet,
    Window,
)
from django.db.models.functions import RowNumber
from django.utils import timezone

from dangjian.accounts.roles import Role, active_assignment
from dangjian.core.figures import rollup
from dangjian.core.figures.rollup import share
from dangjian.core.periods import Period
from dangjian.core.scoping import active_role, prefix_q
from dangjian.territory.models import Area, Level
from dangjian.units.models import Department

from ..models import Case, CaseDepartment, CaseStatus, Rating
from ..workflow import CLOSED_STATUSES, OPEN_STATUSES

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
    median_hours: float | None = None

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


# -- SQL pieces -----------------------------------------------------------------------------------
class Median(Aggregate):
    """PostgreSQL's continuous median, an ordered-set aggregate."""

    function = "PERCENTILE_CONT"
    name = "Median"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()


class EpochHours(Func):
    """Hours in a PostgreSQL interval."""

    template = "(EXTRACT(EPOCH FROM %(expressions)s) / 3600.0)"
    output_field = FloatField()


def _duration() -> ExpressionWrapper:
    return ExpressionWrapper(F("closed_at") - F("received_at"), output_field=DurationField())


CLOSED_Q = Q(status__in=CLOSED_STATUSES)


def _aggregates(now: datetime.datetime) -> dict[str, Any]:
    """The figures as conditional aggregates over a cohort (one pass, one query)."""
    late = Q(closed_at__gt=F("deadline"))
    aggregates: dict[str, Any] = {
        "received": Count("pk"),
        "dispatched": Count("pk", filter=Q(dispatched_at__isnull=False)),
        "closed": Count("pk", filter=CLOSED_Q),
        "closed_on_time": Count("pk", filter=CLOSED_Q & Q(closed_at__lte=F("deadline"))),
        "overdue": Count("pk", filter=(Q(status__in=OPEN_STATUSES) & Q(deadline__lt=now)) | (CLOSED_Q & late)),
        "returned": Count("pk", filter=Q(return_count__gt=0)),
        "rated": Count("pk", filter=~Q(rating="")),
        "satisfied": Count("pk", filter=Q(rating__in=[Rating.SATISFIED, Rating.BASIC])),
    }
    if connection.vendor == "postgresql":
        aggregates["median_hours"] = Median(EpochHours(_duration()), filter=CLOSED_Q)
    return aggregates


def _figures(values: dict[str, Any]) -> Figures:
    median = values.get("median_hours")
    return Figures(
        **{name: values.get(name) or 0 for name in COUNT_FIELDS},
        median_hours=round(float(median), 1) if median is not None else None,
    )


def _window_medians(qs: QuerySet, key: Any | None) -> dict[Any, float]:
    """Medians of hours-to-close per group (key None: one group, returned under None), by window
    functions: the database sorts each group and returns only its one or two middle rows."""
    partition = [key] if key is not None else []
    closed = qs.filter(CLOSED_Q, closed_at__isnull=False).annotate(duration=_duration())
    if key is not None:
        closed = closed.annotate(group_key=key)
    closed = closed.annotate(
        rn=Window(RowNumber(), partition_by=partition, order_by=[F("duration").asc(), F("pk").asc()]),
        n=Window(Count("pk"), partition_by=partition),
    )
    # The middle rows: rn = ceil(n/2) and, for even n, n/2 + 1; i.e. n <= 2 rn <= n + 2.
    closed = closed.annotate(twice=F("rn") * 2).filter(twice__gte=F("n"), twice__lte=F("n") + 2)
    middles: dict[Any, list[float]] = {}
    if key is None:
        rows = ((None, d) for d in closed.order_by().values_list("duration", flat=True))
    else:
        rows = closed.order_by().values_list("group_key", "duration")
    for group, duration in rows:
        middles.setdefault(group, []).append(duration.total_seconds() / 3600)
    return {group: round(sum(v) / len(v), 1) for group, v in middles.items()}


# -- the cohort -----------------------------------------------------------------------------------
def department_q(department: Department) -> Q:
    """Cases a department handles or handled: dispatched to it or summoned by a whistle (its scope)."""
    return Q(assigned_department_id=department.pk) | Exists(
        CaseDepartment.objects.filter(case=OuterRef("pk"), department_id=department.pk)
    )


def cohort(*, user: Any, node: Area | None, department: Department | None, period: Period) -> QuerySet:
    """The cases of a period under a node (and of a department), as far as the user may see them."""
    qs = Case.objects.visible_to(user).exclude(status=CaseStatus.MERGED)
    if node is not None:
        qs = qs.filter(prefix_q("area_path", node.path))
    if department is not None:
        qs = qs.filter(department_q(department))
    return qs.filter(received_at__gte=period.start, received_at__lt=period.end).order_by()


# -- families -------------------------------------------------------------------------------------
def figures_total(qs: QuerySet, *, now: datetime.datetime | None = None) -> Figures:
    figures = _figures(qs.aggregate(**_aggregates(now or timezone.now())))
    if connection.vendor != "postgresql" and figures.closed:
        figures.median_hours = _window_medians(qs, None).get(None)
    return figures


def figures_by_child(qs: QuerySet, node: Area, *, now: datetime.datetime | None = None) -> dict[str, Figures]:
    """Figures per child of `node`, keyed by the child's path. Cases placed on the node itself (not
    in any child) come under the node's own path."""
    key = rollup.child_key(node)
    rows = qs.annotate(child=key).values("child").annotate(**_aggregates(now or timezone.now())).order_by()
    out = {row["child"]: _figures(row) for row in rows}
    if connection.vendor != "postgresql" and any(f.closed for f in out.values()):
        for child, median in _window_medians(qs, key).items():
            out[child].median_hours = median
    return out


def figures_by_department(qs: QuerySet, *, now: datetime.datetime | None = None) -> dict[int, Figures]:
    """Figures per department that took part in the cases (a case counts for each of them)."""
    key = F("departments__department_id")
    linked = qs.filter(departments__isnull=False)
    rows = linked.annotate(dept=key).values("dept").annotate(**_aggregates(now or timezone.now())).order_by()
    out = {row["dept"]: _figures(row) for row in rows if row["dept"] is not None}
    if connection.vendor != "postgresql" and any(f.closed for f in out.values()):
        for dept, median in _window_medians(linked, key).items():
            if dept in out:
                out[dept].median_hours = median
    return out


def received_trend(qs: QuerySet, period: Period) -> dict[str, Any]:
    """Cases received per day (periods up to 62 days), per week (up to two years) or per month."""
    return rollup.trend(qs, period, "received_at", {"values": Count("pk")}, weeks=True)


def counts_by_grid(qs: QuerySet) -> dict[int, int]:
    return dict(qs.filter(grid__isnull=False).values("grid_id").annotate(n=Count("pk")).values_list("grid_id", "n"))


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
    now: datetime.datetime | None = None,
    period_key: str = "custom",
) -> Report:
    """Figures for a node (default: the user's own) and optionally one department, for the local
    dates date_from..date_to: the total, one row per child node (all children, zeros included, and
    a row for cases placed on the node itself), one per department, and the received trend.
    A department-staff user always gets their own department's figures. The caller checks that
    the node is one the user may pick (nodes_for)."""
    now = now or timezone.now()
    own = user_department(user)
    if own is not None:
        department = own
    if node is None:
        node = default_node(user)
    period = Period(period_key, date_from, date_to)
    qs = cohort(user=user, node=node, department=department, period=period)
    report = Report(node=node, department=department, period=period, total=figures_total(qs, now=now))
    if node is not None and node.level != Level.GRID:
        report.children = rollup.child_rows(node, figures_by_child(qs, node, now=now), Figures, row=Row)
    by_dept = figures_by_department(qs, now=now)
    if own is not None:
        by_dept = {k: v for k, v in by_dept.items() if k == own.pk}
    if by_dept:
        departments = Department.objects.filter(pk__in=by_dept).select_related("area").order_by("area__path", "name")
        report.departments = [Row(str(d.pk), d.name, by_dept[d.pk], department=d) for d in departments]
    report.trend = received_trend(qs, period)
    return report


def grid_heat(*, user: Any, node: Area, department: Department | None, period: Period) -> dict[str, Any]:
    """A GeoJSON FeatureCollection of the grids under `node` with a boundary, each with its case count."""
    own = user_department(user)
    if own is not None:
        department = own
    counts = counts_by_grid(cohort(user=user, node=node, department=department, period=period))
    grids = (
        Area.objects.filter(prefix_q("path", node.path), level=Level.GRID, boundary__isnull=False)
        .select_related("parent")
        .order_by("path")
    )
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
