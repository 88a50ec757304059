"""Drill-down to the row: the scoped list pages a figure's drill-down links to at the bottom.

Each module here declares `LINKS`, {figure key: (ListLink, ...)}, for the figures of the apps it
knows. A link is a function (node, date_from, date_to) → the list's URL filtered to what the figure
counts at that node and in those days (or None where the list has no such filter, e.g. at a zone),
and what its rows are:

- `num`: the figure's own rows (a count), the rows above a rate's line, or the rows whose amounts an
  amount figure sums: the list's page count equals the figure's counter, or for an amount the list's
  `amount_total` (in the store's unit: fen, a tenth of an hour) equals the figure's amount;
- `den`: the rows below a rate's line.

A stock's list holds the rows as they are now, so the view links a stock only when the cockpit reads
today. `cockpit/tests/test_drilldown_lists.py` walks every demo role through every link and checks
the list's count against the figure's.
"""

from __future__ import annotations

from . import activities, cases, circle, coverage, governance, organization, support
from .base import DEN, NUM, ListLink

MODULES = (organization, coverage, cases, governance, activities, circle, support)


def _collect() -> dict[str, tuple[ListLink, ...]]:
    links: dict[str, tuple[ListLink, ...]] = {}
    for module in MODULES:
        for key, declared in module.LINKS.items():
            assert key not in links, f"figure {key} is linked in two modules"
            links[key] = tuple(declared)
    return links


LINKS = _collect()

__all__ = ["DEN", "LINKS", "NUM", "ListLink"]
