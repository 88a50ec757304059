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

How it scales: every figure is read from the figures store (core.figures.facts; demands/facts.py
says what a demand adds): the total is a sum over the node's rows of the period's days, the children
one grouped sum over the rows of the next depth, the trend the node's rows per day. The good rating
and the average stars come from the count of each star, so any district's threshold reads the same
rows. Nothing here reads the demands table.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet

from dangjian.core.figures import facts as store
from dangjian.core.figures import rollup
from dangjian.core.figures.rollup import share
from dangjian.core.periods import Period
from dangjian.core.scoping import prefix_q
from dangjian.core.tree import STEP
from dangjian.territory.models import Area, Level

from ..facts import DEMANDS, STARS
from ..models import Demand, DemandPolicy, DemandStatus

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


def figures_of(m: store.Measures, good_rating: int) -> Figures:
    rated = m["rated"]
    stars = {k: m[f"stars_{k}"] for k in STARS}
    return Figures(
        **{name: m[name] for name in COUNT_FIELDS if name != "good"},
        good=sum(n for k, n in stars.items() if k >= good_rating),
        stars=round(sum(k * n for k, n in stars.items()) / rated, 2) if rated else None,
        hours=Decimal(m.amount) / 10,
    )


def cohort(*, user: Any, node: Area | None, period: Period) -> QuerySet:
    """The demands the figures count (the benches' query plans read them; the figures read the store)."""
    qs = Demand.objects.visible_to(user).exclude(status=DemandStatus.WITHDRAWN)
    if node is not None:
        qs = qs.filter(prefix_q("area_path", node.path))
    return qs.filter(submitted_at__gte=period.start, submitted_at__lt=period.end).order_by()


def trend(path: str, period: Period) -> dict[str, Any]:
    """Received and done per day (periods up to 62 days) or per month."""
    return rollup.trend_from_days(
        store.per_day(DEMANDS, path, period, ["received", "done"]), period, ["received", "done"]
    )


def default_node(user: Any) -> Area | None:
    return rollup.home_node(user, Area.objects.all())


def demand_figures(*, user: Any, node: Area | None, period: Period) -> Report:
    """The total, one row per child (all children, zeros included, plus one for demands placed on the
    node itself) and the trend. The caller checks that the node is one the user may see."""
    good = good_rating_for(node)
    path = node.path if node is not None else ""
    within = store.readable_path(user, path)
    node_total = store.total(DEMANDS, within, period) if within is not None else store.empty(DEMANDS)
    report = Report(node=node, period=period, good_rating=good, total=figures_of(node_total, good))
    if node is not None and node.level != Level.GRID:
        found = store.children(DEMANDS, path, period, "", node_total, within=within) if within is not None else {}
        report.children = rollup.child_rows(node, {p: figures_of(m, good) for p, m in found.items()}, Figures)
    names = ["received", "done"]
    report.trend = trend(within, period) if within is not None else rollup.trend_from_days({}, period, names)
    return report
