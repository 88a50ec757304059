"""Links of the case, whistle, demand and micro-project figures."""

from __future__ import annotations

import datetime
from typing import Any

from django.utils.translation import gettext_lazy as _

from dangjian.territory.models import Level

from .base import DEN, NUM, ListLink, flow_list


def cases_received(node: Any, date_from: datetime.date, date_to: datetime.date) -> str | None:
    return flow_list("cases:list", node, date_from, date_to, unmerged="on")


def cases_closed(node: Any, date_from: datetime.date, date_to: datetime.date) -> str | None:
    """办结 as cases/facts.py counts it: a closed, called-back or archived case of the days' cohort."""
    return flow_list("cases:list", node, date_from, date_to, unmerged="on", closed="on")


def cases_on_time(node: Any, date_from: datetime.date, date_to: datetime.date) -> str | None:
    return flow_list("cases:list", node, date_from, date_to, unmerged="on", closed="on", on_time="on")


def cases_rated(node: Any, date_from: datetime.date, date_to: datetime.date) -> str | None:
    return flow_list("cases:list", node, date_from, date_to, unmerged="on", rated="on")


def cases_satisfied(node: Any, date_from: datetime.date, date_to: datetime.date) -> str | None:
    return flow_list("cases:list", node, date_from, date_to, unmerged="on", rated="on", satisfied="on")


def whistles(node: Any, date_from: datetime.date, date_to: datetime.date) -> str | None:
    """One row per whistle (cases.whistles), open or over, placed at its case's node."""
    return flow_list("cases:whistle_board", node, date_from, date_to, state="all")


def whistles_solved(node: Any, date_from: datetime.date, date_to: datetime.date) -> str | None:
    return flow_list("cases:whistle_board", node, date_from, date_to, state="all", solved="on")


def demands_received(node: Any, date_from: datetime.date, date_to: datetime.date) -> str | None:
    return flow_list("demands:desk", node, date_from, date_to, tab="all", unwithdrawn="on")


def demands_done(node: Any, date_from: datetime.date, date_to: datetime.date) -> str | None:
    """The served demands; their service hours (service_hours) are the list's amount_total."""
    return flow_list("demands:desk", node, date_from, date_to, tab="all", unwithdrawn="on", served="on")


def _done_of_kind(kind: str):
    """The served demands of one kind: the kind is kept only down to the community (no grid link)."""

    def url(node: Any, date_from: datetime.date, date_to: datetime.date) -> str | None:
        if node.level == Level.GRID:
            return None
        return flow_list("demands:desk", node, date_from, date_to, tab="all", unwithdrawn="on", served="on", kind=kind)

    return url


def microprojects(node: Any, date_from: datetime.date, date_to: datetime.date) -> str | None:
    """The projects of the days; what they paid (microproject_paid) is the list's amount_total."""
    return flow_list("microprojects:list", node, date_from, date_to, unwithdrawn="on")


LINKS = {
    "cases_received": (ListLink(cases_received),),
    "cases_closed": (ListLink(cases_closed),),
    "cases_on_time_rate": (
        ListLink(cases_on_time, counts=NUM, label=_("按时办结的诉求")),
        ListLink(cases_closed, counts=DEN, label=_("已办结的诉求")),
    ),
    "cases_satisfaction": (
        ListLink(cases_satisfied, counts=NUM, label=_("满意或基本满意的诉求")),
        ListLink(cases_rated, counts=DEN, label=_("已评价的诉求")),
    ),
    "whistles": (ListLink(whistles),),
    "whistles_solved": (ListLink(whistles_solved),),
    "demands_received": (ListLink(demands_received),),
    "demands_done": (ListLink(demands_done),),
    "service_hours": (ListLink(demands_done, label=_("已服务的需求及服务时长")),),
    "family_help_done": (ListLink(_done_of_kind("family_help")),),
    "micro_wish_done": (ListLink(_done_of_kind("micro_wish")),),
    "microprojects": (ListLink(microprojects),),
    "microproject_paid": (ListLink(microprojects, label=_("本年项目及已支付金额")),),
}
