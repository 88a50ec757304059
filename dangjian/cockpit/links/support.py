"""Links of the figures of the workforce, dues, funds and assessment."""

from __future__ import annotations

import datetime
from typing import Any

from django.utils.translation import gettext_lazy as _

from dangjian.territory.models import Level

from .base import DEN, NUM, ListLink, area_param, flow_list, list_url


def _roster(**extra: str) -> Any:
    """The workforce roster (a stock: the workers in post now) at the node, with the figure's filter."""

    def url(node: Any, date_from: datetime.date, date_to: datetime.date) -> str | None:
        if node.level == Level.ZONE:
            return None
        return list_url("workforce:home", {**area_param(node), **extra})

    return url


def _flow(name: str, **extra: str) -> Any:
    def url(node: Any, date_from: datetime.date, date_to: datetime.date) -> str | None:
        return flow_list(name, node, date_from, date_to, **extra)

    return url


LINKS = {
    "workers": (ListLink(_roster()),),
    "workers_80s_share": (
        ListLink(_roster(born_1980="on"), NUM, _("80后社区工作者")),
        ListLink(_roster(), DEN, _("在岗社区工作者")),
    ),
    "workers_bachelor_share": (
        ListLink(_roster(bachelor="on"), NUM, _("本科及以上的社区工作者")),
        ListLink(_roster(), DEN, _("在岗社区工作者")),
    ),
    "dual_role_share": (
        ListLink(_roster(dual_role="on"), NUM, _("书记、主任一肩挑的")),
        ListLink(_roster(kind="secretary"), DEN, _("社区党组织书记")),
    ),
    "dues_settled_rate": (
        ListLink(_flow("dues:months", settled="yes"), NUM, _("已足额交纳的党员月次")),
        ListLink(_flow("dues:months"), DEN, _("应交党费的党员月次")),
    ),
    "dues_paid": (ListLink(_flow("dues:months", paid="on")),),
    "funds_allocated": (ListLink(_flow("funds:journals", kind="allocation")),),
    "funds_paid": (ListLink(_flow("funds:journals", kind="payment")),),
    "assessment_published": (ListLink(_flow("assessment:sheets", status="published")),),
    "assessment_good_rate": (
        ListLink(_flow("assessment:sheets", status="published", grade="good"), NUM, _("等次为“好”的评分表")),
        ListLink(_flow("assessment:sheets", status="published"), DEN, _("已公布的评分表")),
    ),
}
