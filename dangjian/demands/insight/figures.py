"""服务清单统计: the demand loop's figures per territory node and period.

The cohort of a period is the demands *submitted* in it (local dates, both ends included), leaving
out those the requester withdrew. Of that cohort:

- received: every demand in it (declined ones too: they were received and answered);
- accepted: accepted by the community (accepted_at set);
- taken: taken by a member, unit or team (taken_at set);
- done: the service was given (done, rated, or closed after being done);
- rated / good: rated, and rated at least the district's good_rating stars; average stars;
- hours: service hours recorded on the done demands;
- late: still open and past the current step's due time now; escalated: escalated to the secretary.

How it scales: one query with conditional aggregates over the cohort, which is one range of the
(area_path, submitted_at) index. Per child node the same query groups by
Substr(area_path, 1, child_depth * 4): area_path is the deepest node a demand is placed in, so its
prefix of the child's length is the child's path, whatever the child's level. Nothing is read per
node or per demand. The trend (per month or per day) is one more grouped query (core.figures.rollup).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Avg, Count, Q, QuerySet, Sum
from django.utils import timezone

from dangjian.core.figures import rollup
from dangjian.core.figures.rollup import share
from dangjian.core.periods import Period
from dangjian.core.scoping import prefix_q
from dangjian.core.tree import STEP
from dangjian.territory.models import Area, Level

from ..models import Demand, DemandPolicy, DemandStatus
from ..workflow import OPEN_DEMAND_STATUSES, SERVED_STATUSES

SERVED = sorted(SERVED_STATUSES)
OPEN = sorted(OPEN_DEMAND_STATUSES)


COUNT_FIELDS = ("received", "accepted", "declined", "taken", "done", "rated", "good", "late", "escalated")


@dataclass
class Figures:
    received: int = 0
    accepted: int = 0
    declined: int = 0
    taken: int = 0
    done: int = 0
    rated: int = 0
    good: int = 0
    late: int = 0
    escalated: int = 0
    stars: float | None = None  # average
    hours: Decimal = Decimal(0)

    @property
    def good_rate(self) -> float | None:
        return share(self.good, self.rated)

    @property
    def done_rate(self) -> float | None:
        return share(self.done, self.received)

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {name: getattr(self, name) for name in COUNT_FIELDS}
        out.update(stars=self.stars, hours=self.hours, good_rate=self.good_rate, done_rate=self.done_rate)
        return out


@dataclass(kw_only=True)
class Report(rollup.Report):
    good_rating: int


def good_rating_for(node: Area | None) -> int:
    """The good-rating threshold of the node's district (the default when it has no policy)."""
    if node is not None:
        policy = DemandPolicy.objects.filter(district__path=node.path[:STEP]).first()
        if policy is not None:
            return policy.good_rating
    return DemandPolicy().good_rating


def aggregates(good_rating: int, now: datetime.datetime) -> dict[str, Any]:
    """The figures as conditional aggregates over a cohort (one pass)."""
    rated = Q(rating__isnull=False)
    return {
        "received": Count("pk"),
        "accepted": Count("pk", filter=Q(accepted_at__isnull=False)),
        "declined": Count("pk", filter=Q(status=DemandStatus.DECLINED)),
        "taken": Count("pk", filter=Q(taken_at__isnull=False)),
        "done": Count("pk", filter=Q(status__in=SERVED)),
        "rated": Count("pk", filter=rated),
        "good": Count("pk", filter=Q(rating__gte=good_rating)),
        "late": Count("pk", filter=Q(status__in=OPEN, step_due_at__lt=now)),
        "escalated": Count("pk", filter=Q(status__in=OPEN, escalated_at__isnull=False)),
        "stars": Avg("rating", filter=rated),
        "hours": Sum("hours", filter=Q(status__in=SERVED)),
    }


def figures_of(values: dict[str, Any]) -> Figures:
    stars = values.get("stars")
    return Figures(
        **{name: values.get(name) or 0 for name in COUNT_FIELDS},
        stars=round(float(stars), 2) if stars is not None else None,
        hours=Decimal(values.get("hours") or 0),
    )


def cohort(*, user: Any, node: Area | None, period: Period) -> QuerySet:
    qs = Demand.objects.visible_to(user).exclude(status=DemandStatus.WITHDRAWN)
    if node is not None:
        qs = qs.filter(prefix_q("area_path", node.path))
    return qs.filter(submitted_at__gte=period.start, submitted_at__lt=period.end).order_by()


def figures_total(qs: QuerySet, *, good_rating: int, now: datetime.datetime | None = None) -> Figures:
    return figures_of(qs.aggregate(**aggregates(good_rating, now or timezone.now())))


def figures_by_child(
    qs: QuerySet, node: Area, *, good_rating: int, now: datetime.datetime | None = None
) -> dict[str, Figures]:
    """Per child of `node`, keyed by the child's path; demands placed on the node itself come under
    the node's own path."""
    key = rollup.child_key(node)
    rows = qs.annotate(child=key).values("child").annotate(**aggregates(good_rating, now or timezone.now()))
    return {row["child"]: figures_of(row) for row in rows.order_by()}


def trend(qs: QuerySet, period: Period) -> dict[str, Any]:
    """Received and done per day (periods up to 62 days) or per month."""
    return rollup.trend(
        qs, period, "submitted_at", {"received": Count("pk"), "done": Count("pk", filter=Q(status__in=SERVED))}
    )


def default_node(user: Any) -> Area | None:
    return rollup.home_node(user, Area.objects.all())


def demand_figures(*, user: Any, node: Area | None, period: Period, now: datetime.datetime | None = None) -> Report:
    """The total, one row per child (all children, zeros included, plus one for demands placed on the
    node itself) and the trend, for the demands the user may see."""
    now = now or timezone.now()
    good = good_rating_for(node)
    qs = cohort(user=user, node=node, period=period)
    report = Report(node=node, period=period, good_rating=good, total=figures_total(qs, good_rating=good, now=now))
    if node is not None and node.level != Level.GRID:
        report.children = rollup.child_rows(node, figures_by_child(qs, node, good_rating=good, now=now), Figures)
    report.trend = trend(qs, period)
    return report
