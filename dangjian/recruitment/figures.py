"""The figures of member development for any node and period, read from the figures store: people in
each stage (a stock, as of the period's end) per child node, and the average time each stage took
(of those who left it in the period) with its month buckets."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import QuerySet
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy

from dangjian.core.db import replica_view
from dangjian.core.figures import facts
from dangjian.core.figures.selection import FigureSelection
from dangjian.core.scoping import scope_for
from dangjian.core.views import require_roles
from dangjian.territory.models import Area

from .facts import MONTH_BUCKETS, PIPELINE, SPANS, STAGES
from .models import Stage
from .views import NAV

FIGURE_ROLES = frozenset({"district_admin", "subdistrict_admin", "community_worker"})
BUCKET_LABELS = (
    gettext_lazy("不足3个月"),
    gettext_lazy("3–6个月"),
    gettext_lazy("6–12个月"),
    gettext_lazy("12–18个月"),
    gettext_lazy("18–24个月"),
    gettext_lazy("24个月以上"),
)


class Selection(FigureSelection):
    page = "recruitment:figures"

    def nodes(self) -> QuerySet:
        return Area.objects.visible_to(self.request.user)

    def default_node(self) -> Area | None:
        scope = scope_for(self.request.user)
        if scope.area_path:
            return Area.objects.filter(path=scope.area_path).first()
        return Area.objects.filter(parent__isnull=True).order_by("path").first()


def _row(name: str, url: str, m: facts.Measures) -> dict:
    return {"name": name, "url": url, "people": m["people"], "stages": [m[s] for s in STAGES]}


@require_roles(FIGURE_ROLES)
@replica_view
def figures(request):
    sel = Selection(request)
    node, period = sel.node, sel.period
    on = min(period.date_to, timezone.localdate())
    cells = facts.stock_cells(PIPELINE, node.path, on=on, children=True)
    empty = facts.empty(PIPELINE)
    children = list(node.children.visible_to(request.user).order_by("path"))
    rows = [_row(c.name, sel.node_url(c), cells.get((c.path, ""), empty)) for c in children]
    total = _row(node.name, "", facts.stock_total(PIPELINE, node.path, on=on))
    spans = facts.by_dim(SPANS, node.path, period, "stage")
    durations = []
    for code in STAGES:
        m = spans.get(code)
        if m is None or not m["spans"]:
            continue
        durations.append(
            {
                "label": Stage(code).label,
                "spans": m["spans"],
                "average": (Decimal(m["days"]) / m["spans"]).quantize(Decimal("0.1")),
                "buckets": [m[name] for name, _edge in MONTH_BUCKETS],
            }
        )
    return render(
        request,
        "recruitment/figures.html",
        {
            "sel": sel,
            "node": node,
            "period": period,
            "on": on,
            "stage_labels": [Stage(s).label for s in STAGES],
            "rows": rows,
            "total": total,
            "durations": durations,
            "bucket_labels": BUCKET_LABELS,
            "active_nav": NAV,
        },
    )
