"""驾驶舱: a node's figures in five groups (desktop, phone and the wall's 1920×1080 from one template),
one group again for the wall's refresh (htmx, one request per group a minute), a figure per child
node down to the list it counts, and the district's targets."""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib import messages
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from dangjian.core.db import replica_view
from dangjian.core.figures import facts, rollup
from dangjian.core.scoping import active_role
from dangjian.core.views import require_roles
from dangjian.territory.models import Area, Level

from . import maps, readings, services
from .catalogue import BY_KEY, GROUP_KEYS, GROUPS, YEAR_TO_DATE, figures_of
from .forms import TargetsForm, chosen_year, target_years
from .links import LINKS, ListLink
from .permissions import COCKPIT_ROLES, TARGET_ROLES

COMPARISONS = (
    ("month", gettext_lazy("上月同日")),
    ("year", gettext_lazy("去年同日")),
    ("date", gettext_lazy("指定日期")),
)
WALL_REFRESH_SECONDS = 60


def _date(value: str) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(value) if value else None
    except ValueError:
        return None


class Selection:
    """The node (404 outside the user's scope), the date read, the date compared with, the layout."""

    def __init__(self, request: Any, public_id: Any = None) -> None:
        self.request = request
        nodes = Area.objects.visible_to(request.user)
        node = nodes.filter(public_id=public_id).first() if public_id else rollup.home_node(request.user, nodes)
        if node is None:
            raise Http404
        self.node = node
        today = readings.today()
        on = _date(request.GET.get("on", ""))
        self.on = min(on, today) if on else today
        vs = request.GET.get("vs", "month")
        self.vs = vs if vs in dict(COMPARISONS) else "month"
        vs_date = _date(request.GET.get("vs_date", ""))
        if self.vs == "date" and vs_date is not None:
            self.compare_on = min(vs_date, today)
        elif self.vs == "year":
            self.compare_on = readings.year_back(self.on)
        else:
            self.vs = "month" if self.vs == "date" else self.vs
            self.compare_on = readings.month_back(self.on)
        self.wall = request.GET.get("wall") == "1"

    def params(self, **changes: Any) -> dict[str, str]:
        params = {
            "on": self.on.isoformat() if self.on != readings.today() else "",
            "vs": self.vs if self.vs != "month" else "",
            "vs_date": self.compare_on.isoformat() if self.vs == "date" else "",
            "wall": "1" if self.wall else "",
        }
        params.update({k: v for k, v in changes.items() if v is not None})
        return {k: v for k, v in params.items() if v}

    def url(self, name: str, node: Any = None, **kwargs: Any) -> str:
        query = urlencode(self.params(**kwargs.pop("params", {})))
        url = reverse(f"cockpit:{name}", kwargs={"public_id": (node or self.node).public_id, **kwargs})
        return f"{url}?{query}" if query else url

    def breadcrumb(self) -> list[tuple[Any, str]]:
        ancestors = self.node.ancestors().visible_to(self.request.user).order_by("path")
        return [(a, self.url("node", a)) for a in ancestors]


def _group_context(selection: Selection, group_key: str, targets: dict) -> dict[str, Any]:
    reading = readings.read_group(group_key, selection.node, selection.on, selection.compare_on, targets)
    chart = None
    if reading.trend is not None:
        chart = {"option": readings.trend_option(reading.trend, wall=selection.wall)}
    return {
        "group": GROUP_KEYS[group_key],
        "tiles": [(t, selection.url("figure", key=t.figure.key)) for t in reading.tiles],
        "chart": chart,
        "chart_id": f"trend-{group_key}",
        "chart_data_id": f"trend-{group_key}-data",
        "refresh_url": selection.url("group", group=group_key),
    }


def _base_context(selection: Selection) -> dict[str, Any]:
    return {
        "selection": selection,
        "node": selection.node,
        "breadcrumb": selection.breadcrumb(),
        "comparisons": COMPARISONS,
        "year_to_date": YEAR_TO_DATE,
        "wall": selection.wall,
        "refresh_seconds": WALL_REFRESH_SECONDS,
        "wall_url": selection.url("node", params={"wall": "1"}),
        "desk_url": selection.url("node", params={"wall": ""}),
    }


@require_roles(COCKPIT_ROLES)
@require_GET
@replica_view
def home(request):
    return node_page(request, None)


@require_roles(COCKPIT_ROLES)
@require_GET
@replica_view
def node_page(request, public_id):
    selection = Selection(request, public_id)
    targets = readings.target_values(selection.node, selection.on)
    groups = [_group_context(selection, g.key, targets) for g in GROUPS]
    context = {
        **_base_context(selection),
        "groups": groups,
        "may_set_targets": request.user.is_superuser or active_role(request.user) in TARGET_ROLES,
        "active_nav": "cockpit",
        # The map layer (not on the wall, whose one screen the groups fill): its figures, read on choice.
        "map_figures": maps.map_figures(),
        "map_url": selection.url("map"),
    }
    return render(request, "cockpit/cockpit.html", context)


@require_roles(COCKPIT_ROLES)
@require_GET
@replica_view
def group_fragment(request, public_id, group):
    """One tile group again (the wall's refresh swaps it in place): its own reads only."""
    if group not in GROUP_KEYS:
        raise Http404
    selection = Selection(request, public_id)
    targets = readings.target_values(selection.node, selection.on)
    context = {**_base_context(selection), "g": _group_context(selection, group, targets)}
    return render(request, "cockpit/_group.html", context)


@require_roles(COCKPIT_ROLES)
@require_GET
@replica_view
def figure_page(request, public_id, key):
    """One figure at the node and per child, each child linking down again; at the bottom the list
    it counts, filtered to the node and the dates."""
    figure = BY_KEY.get(key)
    if figure is None:
        raise Http404
    selection = Selection(request, public_id)
    node = selection.node
    total, by_child = readings.figure_children(key, node, selection.on)
    children = Area.objects.filter(parent=node).order_by("path")
    rows = []
    for child in children:
        tile = by_child.get(child.path) or readings.Tile(figure, figure.value(_empty(figure)), None)
        rows.append({"label": child.name, "tile": tile, "url": selection.url("figure", child, key=key)})
    if rows and node.path in by_child:  # rows placed on the node itself, not on any child (none at a leaf)
        rows.append({"label": _("未定位到下级"), "tile": by_child[node.path], "url": ""})
    span = readings.year_to_date(selection.on)
    declared = LINKS.get(key, ())
    # A stock's list holds the rows as they are now: linked only when the page reads today.
    past_stock = bool(declared) and figure.stock and selection.on != readings.today()
    list_links = [] if past_stock else _list_links(declared, node, span)
    context = {
        **_base_context(selection),
        "figure": figure,
        "total": total,
        "rows": rows,
        "list_links": list_links,
        "past_stock": past_stock,
        "span": span,
        "is_grid": node.level == Level.GRID,
        # Up the tree the same figure; the node's name goes back to its cockpit.
        "breadcrumb": _figure_crumbs(selection, key),
        "selection_home": reverse("cockpit:home"),
        "node_url": selection.url("node"),
        "active_nav": "cockpit",
    }
    return render(request, "cockpit/figure.html", context)


@require_roles(COCKPIT_ROLES)
@require_GET
@replica_view
def map_layer(request, public_id):
    """The map layer: the grids under the node the user sees, coloured by one figure (?figure=), as
    GeoJSON; each grid links to the figure's drill-down at that grid."""
    figure = BY_KEY.get(request.GET.get("figure", ""))
    if figure is None or figure not in maps.map_figures():
        raise Http404
    selection = Selection(request, public_id)

    def drill_down(grid: Area) -> str:
        return selection.url("figure", grid, key=figure.key)

    return JsonResponse(maps.layer(figure, selection.node, request.user, selection.on, drill_down))


def _list_links(declared: tuple[ListLink, ...], node: Area, span: Any) -> list[dict[str, Any]]:
    """The lists of the figure's rows at the node and in its days (none where a list cannot filter there)."""
    links = []
    for link in declared:
        url = link.url(node, span.date_from, span.date_to)
        if url:
            links.append({"label": link.label, "url": url, "counts": link.counts})
    return links


def _figure_crumbs(selection: Selection, key: str) -> list[tuple[Any, str]]:
    ancestors = selection.node.ancestors().visible_to(selection.request.user).order_by("path")
    return [(a, selection.url("figure", a, key=key)) for a in ancestors]


def _empty(figure: Any) -> Any:
    return facts.empty(facts.SUBJECTS[figure.subject])


@require_roles(TARGET_ROLES)
@require_http_methods(["GET", "POST"])
def targets(request):
    """The district's targets, one optional value per figure: the standing ones, or those of a chosen
    year (which the tiles of that year prefer), each field then showing the standing value."""
    district = rollup.home_node(request.user, Area.objects.visible_to(request.user).filter(level=Level.DISTRICT))
    if district is None or district.level != Level.DISTRICT:
        raise Http404
    today = readings.today()
    year = chosen_year(request.POST.get("year") if request.method == "POST" else request.GET.get("year"), today)
    standing, yearly = readings.targets_set_for(district, year)
    current = yearly if year is not None else standing
    form = TargetsForm(request.POST or None, initial_values=current, standing=standing if year is not None else None)
    if request.method == "POST" and form.is_valid():
        changed = services.targets_set(actor=request.user, district=district, values=form.values(), year=year)
        messages.success(request, _("目标值已保存（%(n)d 项有变化）。") % {"n": changed})
        url = reverse("cockpit:targets")
        return redirect(f"{url}?{urlencode({'year': year})}" if year is not None else url)
    groups = [(g, [form[f.key] for f in figures_of(g.key)]) for g in GROUPS]
    base = reverse("cockpit:targets")
    years = [(None, _("常设目标"), base)] + [
        (y, _("%(y)s 年") % {"y": y}, f"{base}?{urlencode({'year': y})}") for y in target_years(today)
    ]
    return render(
        request,
        "cockpit/targets.html",
        {
            "form": form,
            "groups": groups,
            "district": district,
            "year": year,
            "years": years,
            "active_nav": "cockpit",
        },
    )
