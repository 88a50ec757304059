"""The workforce figures of any node as of any date, read from the figures store (a stock): head count,
80后, degrees, 一肩挑, placement, the two committees under 40 with 大专+, and each kind; drill-down to
children; and the year's training hours."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db.models import QuerySet
from django.shortcuts import render
from django.utils import timezone

from dangjian.core.db import replica_view
from dangjian.core.figures import facts
from dangjian.core.figures.selection import FigureSelection
from dangjian.core.periods import Period
from dangjian.core.scoping import scope_for
from dangjian.core.views import require_roles
from dangjian.territory.models import Area

from .. import selectors
from ..facts import TRAINING
from ..permissions import MANAGE_ROLES
from . import NAV


class Selection(FigureSelection):
    page = "workforce:figures"

    def nodes(self) -> QuerySet:
        return Area.objects.visible_to(self.request.user)

    def default_node(self) -> Area | None:
        scope = scope_for(self.request.user)
        if scope.area_path:
            return Area.objects.filter(path=scope.area_path).first()
        return Area.objects.filter(parent__isnull=True).order_by("path").first()

    def extra_params(self) -> dict[str, str]:
        on = self.request.GET.get("on", "")
        return {"on": on} if on else {}


def _on(request) -> datetime.date:
    today = timezone.localdate()
    try:
        return min(datetime.date.fromisoformat(request.GET.get("on", "")), today)
    except ValueError:
        return today


@require_roles(MANAGE_ROLES)
@replica_view
def figures(request):
    sel = Selection(request)
    node, on = sel.node, _on(request)
    children = [(c, sel.node_url(c)) for c in node.children.visible_to(request.user).order_by("path")]
    head, rows = selectors.workforce_figures(node, children, on)
    year = Period("year", datetime.date(on.year, 1, 1), on)
    training = facts.total(TRAINING, node.path, year)
    return render(
        request,
        "workforce/figures.html",
        {
            "sel": sel,
            "node": node,
            "on": on,
            "head": head,
            "rows": rows,
            "training_attendances": training["attendances"],
            "training_hours": (Decimal(training.amount) / 10).quantize(Decimal("0.1")),
            "active_nav": NAV,
        },
    )
