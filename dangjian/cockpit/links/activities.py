"""Links of the figures of volunteer teams, service centres and organization life.

The teams and centres figures are stocks (their lists show the rows as they are now, so the dates are
not used); org-life compliance is a year-to-date flow of obligation periods by their first day."""

from __future__ import annotations

import datetime
from typing import Any

from django.utils.translation import gettext_lazy as _

from .base import DEN, NUM, ListLink, flow_list, stock_list


def volunteer_teams(node: Any, date_from: datetime.date, date_to: datetime.date) -> str | None:
    return stock_list("volunteering:teams", node)


def volunteers(node: Any, date_from: datetime.date, date_to: datetime.date) -> str | None:
    return stock_list("volunteering:members", node)


def centers(node: Any, date_from: datetime.date, date_to: datetime.date) -> str | None:
    return stock_list("centers:list", node, open="on")


def centers_area_met(node: Any, date_from: datetime.date, date_to: datetime.date) -> str | None:
    return stock_list("centers:list", node, open="on", meets="area")


def centers_standard_met(node: Any, date_from: datetime.date, date_to: datetime.date) -> str | None:
    return stock_list("centers:list", node, open="on", meets="standard")


def orglife_periods(node: Any, date_from: datetime.date, date_to: datetime.date) -> str | None:
    return flow_list("orglife:obligations", node, date_from, date_to)


def orglife_met(node: Any, date_from: datetime.date, date_to: datetime.date) -> str | None:
    return flow_list("orglife:obligations", node, date_from, date_to, met="met")


LINKS: dict[str, tuple[ListLink, ...]] = {
    "volunteer_teams": (ListLink(volunteer_teams),),
    "volunteers": (ListLink(volunteers),),
    "centers": (ListLink(centers),),
    "centers_area_rate": (
        ListLink(centers_area_met, counts=NUM, label=_("面积达标的服务中心")),
        ListLink(centers, counts=DEN, label=_("开放中的服务中心")),
    ),
    "centers_standard_rate": (
        ListLink(centers_standard_met, counts=NUM, label=_("全部达标的服务中心")),
        ListLink(centers, counts=DEN, label=_("开放中的服务中心")),
    ),
    "orglife_compliance": (
        ListLink(orglife_met, counts=NUM, label=_("按要求开够次数的组织生活周期")),
        ListLink(orglife_periods, counts=DEN, label=_("本年已开始的组织生活周期")),
    ),
}
