"""The demand, service and evaluation lists of a community's five lists (五个清单: 文件、报到、需求、
服务、评价), registered with the registration app's page, which paginates and renders them.

The service list holds the demands served (done, rated or closed). Verified volunteering hours are
not in it: the five-lists page paginates one queryset per list, and volunteering attendance lives
in another table; it is counted in the yearly service records (records.py) instead.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from dangjian.registration.selectors import SectionSource, register_list_source
from dangjian.territory.models import Area

from .models import Demand, DemandStatus
from .workflow import SERVED_STATUSES

ROWS = "demands/insight/lists/"
RELATED = ("category", "assigned_member", "assigned_unit", "assigned_team", "assigned_user")
# Each list's order (core.keyset), an index range of its community: demands_c_sub, demands_c_done, demands_c_rated.
DEMANDS_ORDER = ("-submitted_at", "-pk")
SERVICES_ORDER = ("-done_at", "-pk")
EVALUATIONS_ORDER = ("-rated_at", "-pk")


def community_demands(community: Area) -> QuerySet:
    """需求清单: every demand of the community except those withdrawn by the requester."""
    return (
        Demand.objects.filter(community=community)
        .exclude(status=DemandStatus.WITHDRAWN)
        .select_related(*RELATED)
        .order_by(*DEMANDS_ORDER)
    )


def community_services(community: Area) -> QuerySet:
    """服务清单: the services given (demands done, rated, or closed after being done)."""
    return (
        Demand.objects.filter(community=community, status__in=sorted(SERVED_STATUSES))
        .select_related(*RELATED)
        .order_by(*SERVICES_ORDER)
    )


def community_evaluations(community: Area) -> QuerySet:
    """评价清单: the ratings residents gave."""
    return (
        Demand.objects.filter(community=community, rating__isnull=False)
        .select_related(*RELATED)
        .order_by(*EVALUATIONS_ORDER)
    )


def register() -> None:
    """Register the three lists (idempotent; runs on import, which insight_urls does at startup)."""
    register_list_source(
        "demands",
        SectionSource(
            community_demands,
            ROWS + "_demand_row.html",
            (
                (_("需求"), ""),
                (_("类型"), ""),
                (_("状态"), ""),
                (_("承接方"), "hide-phone"),
                (_("提交日期"), "hide-phone"),
            ),
            DEMANDS_ORDER,
        ),
    )
    register_list_source(
        "services",
        SectionSource(
            community_services,
            ROWS + "_service_row.html",
            (
                (_("服务内容"), ""),
                (_("服务方"), ""),
                (_("时长（小时）"), "num"),
                (_("完成日期"), "hide-phone"),
                (_("状态"), "hide-phone"),
            ),
            SERVICES_ORDER,
        ),
    )
    register_list_source(
        "evaluations",
        SectionSource(
            community_evaluations,
            ROWS + "_evaluation_row.html",
            (
                (_("需求"), ""),
                (_("服务方"), ""),
                (_("评价"), ""),
                (_("评价内容"), "hide-phone"),
                (_("评价日期"), "hide-phone"),
            ),
            EVALUATIONS_ORDER,
        ),
    )


register()
