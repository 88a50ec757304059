"""Links of the figures of resident units and home-community registration.

Both subjects are stocks placed at a community (units.facts, registration.facts): their lists filter
by a subdistrict, a zone or a community (the district is the list's own scope); a grid holds none of
their rows, so a grid's drill-down links no list."""

from __future__ import annotations

import datetime
from typing import Any

from django.utils.translation import gettext_lazy as _

from dangjian.territory.models import Level

from .base import DEN, NUM, ListLink, list_url

PLACE_LEVELS = (Level.SUBDISTRICT, Level.ZONE, Level.COMMUNITY)


def units(node: Any, date_from: datetime.date, date_to: datetime.date) -> str:
    return list_url("units:list", {"area": str(node.public_id)})


def _community_list(name: str, node: Any, **params: str) -> str | None:
    """A list of rows placed at a community, at `node` (None at a grid: it holds none)."""
    if node.level == Level.GRID:
        return None
    place = {"area": str(node.public_id)} if node.level in PLACE_LEVELS else {}
    return list_url(name, {**place, **params})


def _units(**params: str) -> Any:
    return lambda node, date_from, date_to: _community_list("units:list", node, **params)


def _members(**params: str) -> Any:
    return lambda node, date_from, date_to: _community_list("registration:members", node, **params)


LINKS = {
    "units": (ListLink(units),),
    "new_sector_coverage": (
        ListLink(_units(sector="new", covered="org"), NUM, _("已建党组织的两新组织")),
        ListLink(_units(sector="new"), DEN, _("两新组织")),
    ),
    "blank_units": (ListLink(_units(covered="blank"), NUM, _("党建空白点单位")),),
    "red_committee_coverage": (
        ListLink(_units(kind="owners_committee", covered="red"), NUM, _("有党组织的业委会")),
        ListLink(_units(kind="owners_committee"), DEN, _("全部业委会")),
    ),
    "committee_work_coverage": (
        ListLink(_units(kind="owners_committee", covered="work"), NUM, _("有党组织或党建指导员的业委会")),
        ListLink(_units(kind="owners_committee"), DEN, _("全部业委会")),
    ),
    "members_registered": (ListLink(_members(registered="yes"), NUM, _("已报到并确认的在职党员")),),
    "registration_rate": (
        ListLink(_members(registered="yes"), NUM, _("已报到并确认的在职党员")),
        ListLink(_members(), DEN, _("应报到的在职党员")),
    ),
}
