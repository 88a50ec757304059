"""The cockpit's map layer: the grids under a node coloured by one figure, from the store of facts.

A grid's value is the figure read at the grid (a flow over the year to the date, a stock at the date's
end), all grids in one grouped read per subject: facts.by_area for a flow, facts.stock_cells over the
grids' paths for a stock. Only grids the user may see under the node, and only those with a drawn
boundary, are on the map; the classes of the legend are five equal steps from the lowest value to the
highest (a figure's unit and a rate's "—" where nothing is counted are the tile's).

The map offers the figures whose subject places its rows on grids (MAP_SUBJECTS): a figure of a
subject placed at the community (projects, units, councils, the workforce, org life) would paint
every grid blank, which reads as "nothing here" rather than "not counted per grid".
"""

from __future__ import annotations

import datetime
from typing import Any

from dangjian.core.figures import facts
from dangjian.core.tree import STEP
from dangjian.territory.models import Area, Level

from . import readings
from .catalogue import FIGURES, Figure

# Subjects whose rows carry the grid they happened in (a case's or a demand's place).
MAP_SUBJECTS = frozenset({"cases", "demands"})
CLASSES = 5


def map_figures() -> list[Figure]:
    """The figures the map offers, in the catalogue's order."""
    return [f for f in FIGURES if f.subject in MAP_SUBJECTS and not f.dim]  # a dimension is kept to the community


def grids_under(node: Area, user: Any) -> list[Area]:
    """The drawn grids under `node` the user may see (one query)."""
    grids = node.subtree().visible_to(user).filter(level=Level.GRID, boundary__isnull=False)
    return list(grids.select_related("parent").only("public_id", "name", "path", "boundary", "parent__name"))


def grid_measures(figure: Figure, node: Area, grids: list[Area], on: datetime.date) -> dict[str, facts.Measures]:
    """The figure's subject summed per grid (keyed by the grid's path): one grouped read."""
    if not grids:
        return {}
    subject = facts.SUBJECTS[figure.subject]
    if subject.stock:
        cells = facts.stock_cells(subject, node.path, on=on, paths=[g.path for g in grids])
        return {path: m for (path, _dim), m in cells.items()}
    depths = sorted({len(g.path) // STEP for g in grids})  # a grid under a zone lies one step deeper
    return facts.by_area(subject, node.path, depths, readings.year_to_date(on))


def classes(values: list[float | int]) -> list[tuple[float, float]]:
    """Five equal steps from the lowest to the highest value ([] when there are none; one step when
    every value is the same)."""
    if not values:
        return []
    low, high = min(values), max(values)
    if low == high:
        return [(low, high)]
    step = (high - low) / CLASSES
    return [(low + i * step, high if i == CLASSES - 1 else low + (i + 1) * step) for i in range(CLASSES)]


def class_of(value: float | int | None, bounds: list[tuple[float, float]]) -> int:
    """The class index of a value (-1: no value)."""
    if value is None or not bounds:
        return -1
    for i, (_low, high) in enumerate(bounds):
        if value <= high:
            return i
    return len(bounds) - 1


def _legend_text(low: float, high: float, figure: Figure) -> str:
    if figure.rate or figure.scale != 1:
        return f"{readings.fmt(round(low, 2))} – {readings.fmt(round(high, 2))}"
    # Counts: whole numbers, each step from the one after the last step's top.
    return f"{readings.fmt(int(-(-low // 1)))} – {readings.fmt(int(high // 1))}"


def layer(figure: Figure, node: Area, user: Any, on: datetime.date, url_of: Any) -> dict[str, Any]:
    """The GeoJSON of the grids coloured by the figure: each grid's name, value (and its text), class
    and drill-down URL (`url_of(grid)`), with the legend's classes."""
    grids = grids_under(node, user)
    measures = grid_measures(figure, node, grids, on)
    empty = facts.empty(facts.SUBJECTS[figure.subject])
    values = {g.path: figure.value(measures.get(g.path, empty)) for g in grids}
    bounds = classes([v for v in values.values() if v is not None])
    features = []
    for grid in grids:
        value = values[grid.path]
        features.append(
            {
                "type": "Feature",
                "geometry": grid.boundary,
                "properties": {
                    "name": grid.name,
                    "community": grid.parent.name if grid.parent_id else "",
                    "value": value,
                    "display": readings.fmt(value),
                    "cls": class_of(value, bounds),
                    "url": url_of(grid),
                },
            }
        )
    return {
        "type": "FeatureCollection",
        "features": features,
        "figure": {"key": figure.key, "label": str(figure.label), "unit": str(figure.unit), "rate": figure.rate},
        "legend": [_legend_text(low, high, figure) for low, high in bounds],
    }
