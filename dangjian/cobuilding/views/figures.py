"""The figures of co-building for any node and period, read from the figures store: joint meetings held
vs due, matters raised and solved (and 挂点收集 collected vs solved), covenant obligations vs what the
records show, visits each way, liaison visits, estates by governance status."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.shortcuts import render
from django.utils import timezone

from dangjian.core.db import replica_view
from dangjian.core.figures import facts
from dangjian.core.figures.selection import FigureSelection
from dangjian.core.scoping import scope_for
from dangjian.core.views import require_roles
from dangjian.territory.models import Area

from ..facts import BOARDS, COVENANTS, ESTATES, LIAISON_VISITS, MATTERS, MEETINGS, TASKS, VISITS
from ..models import ManagementMode
from ..permissions import MANAGE_ROLES
from . import NAV


class Selection(FigureSelection):
    page = "cobuilding:figures"

    def nodes(self) -> QuerySet:
        return Area.objects.visible_to(self.request.user)

    def default_node(self) -> Area | None:
        scope = scope_for(self.request.user)
        if scope.area_path:
            return Area.objects.filter(path=scope.area_path).first()
        return Area.objects.filter(parent__isnull=True).order_by("path").first()


def _pct(part: int, whole: int) -> int | None:
    return round(part * 100 / whole) if whole else None


def row(name: str, url: str, m: dict[str, Any], days: int) -> dict[str, Any]:
    """One line of the table from the measures of one node: `days` of the period prorate what is due."""
    boards, meeting, matter, liaison_matter = m["boards"], m["meetings"], m["matters"], m["liaison"]
    cov, visit, est, task, lvisit = m["covenants"], m["visits"], m["estates"], m["tasks"], m["liaison_visits"]
    due = round(boards["meetings_due_year"] * days / 365)
    return {
        "name": name,
        "url": url,
        "boards": boards["boards"],
        "meetings_due": due,
        "joint_held": meeting["joint_held"],
        "joint_share": _pct(min(meeting["joint_held"], due), due),
        "estate_held": meeting["estate_held"],
        "committee_held": meeting["committee_held"],
        "raised": matter["raised"],
        "solved": matter["solved"],
        "open": matter["open"],
        "collected": liaison_matter["raised"],
        "collected_solved": liaison_matter["solved"],
        "liaison_visits": lvisit["visits"],
        "covenants": cov["covenants"],
        "visits_due": round((cov["unit_visits"] + cov["area_visits"]) * days / 365),
        "visits_made": visit["unit_visits"] + visit["area_visits"],
        "attend_due": round(cov["meetings"] * days / 365),
        "attended": meeting["units_present"],
        "tasks": task["handed"],
        "tasks_done": task["done"],
        "estates": est["estates"],
        "with_branch": est["with_branch"],
        "red_committee": est["red_committee"],
        "with_company": est["with_company"],
        "without_company": est["without_company"],
        "company_branch": est["company_branch"],
    }


@require_roles(MANAGE_ROLES)
@replica_view
def figures(request):
    sel = Selection(request)
    node, period = sel.node, sel.period
    on = min(period.date_to, timezone.localdate())
    days = (period.date_to - period.date_from).days + 1
    stocks = {
        "boards": facts.stock_cells(BOARDS, node.path, on=on, children=True),
        "covenants": facts.stock_cells(COVENANTS, node.path, on=on, children=True),
        "estates": facts.stock_cells(ESTATES, node.path, on=on, children=True),
    }
    flows = {
        "meetings": facts.children(MEETINGS, node.path, period),
        "matters": facts.children(MATTERS, node.path, period),
        "liaison": facts.children(MATTERS, node.path, period, dim="source:liaison"),
        "visits": facts.children(VISITS, node.path, period),
        "tasks": facts.children(TASKS, node.path, period),
        "liaison_visits": facts.children(LIAISON_VISITS, node.path, period),
    }
    subjects = {
        "boards": BOARDS, "covenants": COVENANTS, "estates": ESTATES, "meetings": MEETINGS, "matters": MATTERS,
        "liaison": MATTERS, "visits": VISITS, "tasks": TASKS, "liaison_visits": LIAISON_VISITS,
    }  # fmt: skip
    empty = {key: facts.empty(subject) for key, subject in subjects.items()}
    rows = []
    for child in node.children.visible_to(request.user).order_by("path"):
        m = {k: cells.get((child.path, ""), empty[k]) for k, cells in stocks.items()}
        m.update({k: by_child.get(child.path, empty[k]) for k, by_child in flows.items()})
        rows.append(row(child.name, sel.node_url(child), m, days))
    m = {k: facts.stock_total(subjects[k], node.path, on=on) for k in stocks}
    m.update(
        {
            k: facts.total(subjects[k], node.path, period)
            for k in ("meetings", "matters", "visits", "tasks", "liaison_visits")
        }
    )
    m["liaison"] = facts.total(MATTERS, node.path, period, dim="source:liaison")
    modes = facts.stock_cells(ESTATES, node.path, on=on, dim_prefix="mode:")
    return render(
        request,
        "cobuilding/figures.html",
        {
            "sel": sel,
            "node": node,
            "period": period,
            "rows": rows,
            "total": row(node.name, "", m, days),
            "modes": [
                (str(ManagementMode(key).label), cell["estates"])
                for (_p, dim), cell in sorted(modes.items())
                if (key := dim.split(":", 1)[1]) in ManagementMode.values
            ],
            "on": on,
            "active_nav": NAV,
        },
    )
