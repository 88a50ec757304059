"""The figures of 民生微实事 for any node and period, read from the figures store: projects by kind
and status, the share from residents' proposals, budget committed and actually spent, the average
days from 征集 to 验收, satisfaction (projects by the day proposed)."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import QuerySet
from django.shortcuts import render

from dangjian.core.db import replica_view
from dangjian.core.figures import facts
from dangjian.core.figures.selection import FigureSelection
from dangjian.core.money import yuan
from dangjian.core.scoping import scope_for
from dangjian.core.views import require_roles
from dangjian.territory.models import Area

from ..facts import BUDGET, PROJECTS
from ..models import Kind, Status
from ..permissions import MANAGE_ROLES
from . import NAV


class Selection(FigureSelection):
    page = "microprojects:figures"

    def nodes(self) -> QuerySet:
        return Area.objects.visible_to(self.request.user)

    def default_node(self) -> Area | None:
        scope = scope_for(self.request.user)
        if scope.area_path:
            return Area.objects.filter(path=scope.area_path).first()
        return Area.objects.filter(parent__isnull=True).order_by("path").first()


def share(part: int, whole: int) -> Decimal | None:
    return (Decimal(part * 100) / whole).quantize(Decimal("0.1")) if whole else None


def row(name: str, url: str, p: facts.Measures, b: facts.Measures) -> dict:
    """One line of the figures: what a node's projects add up to."""
    return {
        "name": name,
        "url": url,
        "projects": p["projects"],
        "from_residents": p["from_residents"],
        "resident_share": share(p["from_residents"], p["projects"]),
        "established": p["established"],
        "accepted": p["accepted"],
        "closed": p["closed"],
        "committed": yuan(b.amount),
        "spent": yuan(p.amount),
        "avg_days": (Decimal(p["days_to_accept"]) / p["accepted"]).quantize(Decimal("0.1")) if p["accepted"] else None,
        "votes": p["votes"],
        "satisfaction": share(p["satisfied"], p["votes"]),
        "claims": p["claims"],
    }


def node_figures(path: str, period) -> dict:
    """The totals of one node and period, with the split by kind and status (the bench reads this too)."""
    measures = facts.total(PROJECTS, path, period)
    total = row("", "", measures, facts.total(BUDGET, path, period))
    by_kind = facts.by_dim(PROJECTS, path, period, "kind")
    by_status = facts.by_dim(PROJECTS, path, period, "status")
    empty = facts.empty(PROJECTS)
    total["kinds"] = [(label, by_kind.get(code, empty)["projects"]) for code, label in Kind.choices]
    total["statuses"] = [(label, by_status.get(code, empty)["projects"]) for code, label in Status.choices]
    hours = measures.percentile(0.5)
    total["median_days"] = round(hours / 24, 1) if hours is not None else None
    return total


@require_roles(MANAGE_ROLES)
@replica_view
def figures(request):
    sel = Selection(request)
    node, period = sel.node, sel.period
    p_children = facts.children(PROJECTS, node.path, period)
    b_children = facts.children(BUDGET, node.path, period)
    empty_p, empty_b = facts.empty(PROJECTS), facts.empty(BUDGET)
    children = list(node.children.visible_to(request.user).order_by("path"))
    rows = [
        row(child.name, sel.node_url(child), p_children.get(child.path, empty_p), b_children.get(child.path, empty_b))
        for child in children
    ]
    total = node_figures(node.path, period)
    total["name"] = node.name
    return render(
        request,
        "microprojects/figures.html",
        {"sel": sel, "node": node, "period": period, "rows": rows, "total": total, "active_nav": NAV},
    )
