"""Links of the figures of deliberation (councils, 四议两公开 runs) and co-building (estates, matters)."""

from __future__ import annotations

import datetime
from typing import Any

from django.utils.translation import gettext_lazy as _

from dangjian.territory.models import Level

from .base import DEN, NUM, ListLink, flow_list, stock_list


def party_representatives(node: Any, date_from: datetime.date, date_to: datetime.date) -> str | None:
    return stock_list("deliberation:representatives", node, party="yes")


def representatives(node: Any, date_from: datetime.date, date_to: datetime.date) -> str | None:
    return stock_list("deliberation:representatives", node)


def runs(node: Any, date_from: datetime.date, date_to: datetime.date) -> str | None:
    return flow_list("deliberation:runs", node, date_from, date_to, unwithdrawn="on")


def run_matters(node: Any, date_from: datetime.date, date_to: datetime.date) -> str | None:
    return flow_list("deliberation:runs", node, date_from, date_to, unwithdrawn="on", view="matters")


def estates_with_branch(node: Any, date_from: datetime.date, date_to: datetime.date) -> str | None:
    return stock_list("cobuilding:estates", node, branch="yes")


def estates(node: Any, date_from: datetime.date, date_to: datetime.date) -> str | None:
    return stock_list("cobuilding:estates", node)


def joint_matters(node: Any, date_from: datetime.date, date_to: datetime.date) -> str | None:
    return flow_list("cobuilding:matters", node, date_from, date_to)


def joint_matters_solved(node: Any, date_from: datetime.date, date_to: datetime.date) -> str | None:
    return flow_list("cobuilding:matters", node, date_from, date_to, solved="yes")


def liaison_problems(node: Any, date_from: datetime.date, date_to: datetime.date) -> str | None:
    # The source:liaison dimension is kept only down to the community: no grid link.
    if node.level == Level.GRID:
        return None
    return flow_list("cobuilding:matters", node, date_from, date_to, source="liaison")


def liaison_problems_solved(node: Any, date_from: datetime.date, date_to: datetime.date) -> str | None:
    if node.level == Level.GRID:
        return None
    return flow_list("cobuilding:matters", node, date_from, date_to, source="liaison", solved="yes")


LINKS = {
    "council_party_share": (
        ListLink(party_representatives, NUM, _("在任的党员议事代表")),
        ListLink(representatives, DEN, _("在任的议事代表")),
    ),
    "deliberation_runs": (ListLink(runs),),
    "deliberation_matters": (ListLink(run_matters),),
    "deliberation_amount": (ListLink(run_matters),),
    "estate_branch_coverage": (
        ListLink(estates_with_branch, NUM, _("已建小区党支部的小区")),
        ListLink(estates, DEN, _("已登记的住宅小区")),
    ),
    "joint_matters": (ListLink(joint_matters),),
    "joint_matters_solved": (ListLink(joint_matters_solved),),
    "liaison_problems": (ListLink(liaison_problems),),
    "liaison_problems_solved": (ListLink(liaison_problems_solved),),
}
