"""Links of the case, demand and micro-project figures."""

from __future__ import annotations

import datetime
from typing import Any

from .base import ListLink, flow_list


def cases_received(node: Any, date_from: datetime.date, date_to: datetime.date) -> str | None:
    return flow_list("cases:list", node, date_from, date_to, unmerged="on")


def demands_received(node: Any, date_from: datetime.date, date_to: datetime.date) -> str | None:
    return flow_list("demands:desk", node, date_from, date_to, tab="all", unwithdrawn="on")


def demands_done(node: Any, date_from: datetime.date, date_to: datetime.date) -> str | None:
    return flow_list("demands:desk", node, date_from, date_to, tab="all", unwithdrawn="on", served="on")


def microprojects(node: Any, date_from: datetime.date, date_to: datetime.date) -> str | None:
    return flow_list("microprojects:list", node, date_from, date_to, unwithdrawn="on")


LINKS = {
    "cases_received": (ListLink(cases_received),),
    "demands_received": (ListLink(demands_received),),
    "demands_done": (ListLink(demands_done),),
    "microprojects": (ListLink(microprojects),),
}
