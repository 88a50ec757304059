"""The figures of deliberation for any node and period, read from the figures store: councils,
representatives and the Party share (a stock, as of the period's end); topics; 四议两公开 runs,
matters, amounts and disclosures on time (by the day proposed)."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import QuerySet
from django.shortcuts import render
from django.utils import timezone

from dangjian.core.db import replica_view
from dangjian.core.figures import facts
from dangjian.core.figures.selection import FigureSelection
from dangjian.core.scoping import scope_for
from dangjian.core.views import require_roles
from dangjian.territory.models import Area

from ..facts import COUNCILS, RUNS, TOPICS
from ..permissions import MANAGE_ROLES
from . import NAV


class Selection(FigureSelection):
    page = "deliberation:figures"

    def nodes(self) -> QuerySet:
        return Area.objects.visible_to(self.request.user)

    def default_node(self) -> Area | None:
        scope = scope_for(self.request.user)
        if scope.area_path:
            return Area.objects.filter(path=scope.area_path).first()
        return Area.objects.filter(parent__isnull=True).order_by("path").first()


def _share(party: int, reps: int) -> Decimal | None:
    return (Decimal(party * 100) / reps).quantize(Decimal("0.1")) if reps else None


def _row(name, url, council, topic, run) -> dict:
    return {
        "name": name,
        "url": url,
        "councils": council["councils"],
        "reps": council["representatives"],
        "party": council["party_representatives"],
        "share": _share(council["party_representatives"], council["representatives"]),
        "below": council["below_target"],
        "received": topic["received"],
        "accepted": topic["accepted"],
        "decided": topic["decided"],
        "runs": run["runs"],
        "matters": run["matters"],
        "amount": (Decimal(run.amount) / 100).quantize(Decimal("0.01")),
        "disclosures": run["disclosures"],
        "on_time": run["disclosures_on_time"],
    }


@require_roles(MANAGE_ROLES)
@replica_view
def figures(request):
    sel = Selection(request)
    node, period = sel.node, sel.period
    on = min(period.date_to, timezone.localdate())
    council_cells = facts.stock_cells(COUNCILS, node.path, on=on, children=True)
    topic_children = facts.children(TOPICS, node.path, period)
    run_children = facts.children(RUNS, node.path, period)
    empty = {s: facts.empty(s) for s in (COUNCILS, TOPICS, RUNS)}
    children = list(node.children.visible_to(request.user).order_by("path"))
    rows = [
        _row(
            child.name,
            sel.node_url(child),
            council_cells.get((child.path, ""), empty[COUNCILS]),
            topic_children.get(child.path, empty[TOPICS]),
            run_children.get(child.path, empty[RUNS]),
        )
        for child in children
    ]
    total = _row(
        node.name,
        "",
        facts.stock_total(COUNCILS, node.path, on=on),
        facts.total(TOPICS, node.path, period),
        facts.total(RUNS, node.path, period),
    )
    return render(
        request,
        "deliberation/figures.html",
        {"sel": sel, "node": node, "period": period, "rows": rows, "total": total, "on": on, "active_nav": NAV},
    )
