"""Links of the figures of the workforce, dues, funds and assessment."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from dangjian.territory.models import Level

from .base import DEN, NUM, ListLink, UrlFor, flow, stock, stock_list

ROSTER = stock("workforce:home")  # the workers in post now


def roster(**extra: str) -> UrlFor:
    return stock("workforce:home", **extra)


def floors(**extra: str) -> UrlFor:
    """The floors list: a floor belongs to a community or a subdistrict, so a grid has no list."""
    return lambda node, date_from, date_to: (
        None if node.level == Level.GRID else stock_list("funds:floors", node, **extra)
    )


LINKS = {
    "workers": (ListLink(ROSTER),),
    "workers_80s_share": (
        ListLink(roster(born_1980="on"), NUM, _("80后社区工作者")),
        ListLink(ROSTER, DEN, _("在岗社区工作者")),
    ),
    "workers_bachelor_share": (
        ListLink(roster(bachelor="on"), NUM, _("本科及以上的社区工作者")),
        ListLink(ROSTER, DEN, _("在岗社区工作者")),
    ),
    "dual_role_share": (
        ListLink(roster(dual_role="on"), NUM, _("书记、主任一肩挑的")),
        ListLink(roster(kind="secretary"), DEN, _("社区党组织书记")),
    ),
    "dues_settled_rate": (
        ListLink(flow("dues:months", settled="yes"), NUM, _("已足额交纳的党员月次")),
        ListLink(flow("dues:months"), DEN, _("应交党费的党员月次")),
    ),
    "dues_paid": (ListLink(flow("dues:months", paid="on")),),
    "funds_allocated": (ListLink(flow("funds:journals", kind="allocation")),),
    "funds_paid": (ListLink(flow("funds:journals", kind="payment")),),
    "fund_floors_met": (
        ListLink(floors(met="yes"), NUM, _("已达到保底的经费")),
        ListLink(floors(), DEN, _("应达到保底的经费")),
    ),
    "assessment_published": (ListLink(flow("assessment:sheets", status="published")),),
    "assessment_good_rate": (
        ListLink(flow("assessment:sheets", status="published", grade="good"), NUM, _("等次为“好”的评分表")),
        ListLink(flow("assessment:sheets", status="published"), DEN, _("已公布的评分表")),
    ),
}
