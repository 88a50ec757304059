"""Links of the figures of the territory tree, the organizations and the weak-organization register.

All are stocks (rows as they are now), so the dates are not read. Their lists filter by any node below
the district, a zone too (territory.filters.PlaceFilterForm); the district is the list's own scope."""

from __future__ import annotations

import datetime
from typing import Any

from django.utils.translation import gettext_lazy as _

from dangjian.territory.filters import PLACE_LEVELS

from .base import DEN, ListLink, area_param, list_url


def _place(name: str, node: Any, **extra: str) -> str:
    return list_url(name, {**area_param(node, PLACE_LEVELS), **extra})


def communities(node: Any, date_from: datetime.date, date_to: datetime.date) -> str:
    return _place("territory:list", node, level="community")


def grids(node: Any, date_from: datetime.date, date_to: datetime.date) -> str:
    return _place("territory:list", node, level="grid")


def party_orgs(node: Any, date_from: datetime.date, date_to: datetime.date) -> str:
    return _place("orgs:list", node, kind="party_org", current="on")


def party_branches(node: Any, date_from: datetime.date, date_to: datetime.date) -> str:
    return _place("orgs:list", node, kind="branch", current="on")


def estate_branches(node: Any, date_from: datetime.date, date_to: datetime.date) -> str:
    return _place("orgs:list", node, kind="estate_branch", current="on")


def weak_open(node: Any, date_from: datetime.date, date_to: datetime.date) -> str:
    return _place("orgs:weak_list", node, status="open")


def weak_delisted(node: Any, date_from: datetime.date, date_to: datetime.date) -> str:
    return _place("orgs:weak_list", node, status="delisted")


def weak_cases(node: Any, date_from: datetime.date, date_to: datetime.date) -> str:
    return _place("orgs:weak_list", node)


LINKS = {
    "communities": (ListLink(communities),),
    "grids": (ListLink(grids),),
    "party_orgs": (ListLink(party_orgs),),
    "party_branches": (ListLink(party_branches),),
    "estate_branches": (ListLink(estate_branches),),
    "weak_open": (ListLink(weak_open),),
    "weak_delisted": (ListLink(weak_delisted),),
    "weak_delisted_rate": (
        ListLink(weak_delisted, label=_("已摘帽的整顿")),
        ListLink(weak_cases, counts=DEN, label=_("列入整顿的全部记录")),
    ),
}
