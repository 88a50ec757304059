"""Reads: the user's own import jobs, and the list filters the exports honour.

The export filters read a list page's query string (request.GET) the way that page does and
call that page's own selector, so the list page links its export with its own query string.
Unknown or out-of-scope ids in the filters answer 404, like everywhere else.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.http import QueryDict

from dangjian.audit.selectors import FILTERS as AUDIT_FILTER_NAMES
from dangjian.audit.selectors import filter_events
from dangjian.orgs.models import PartyOrg
from dangjian.people import selectors as people_selectors
from dangjian.people.models import MemberCategory, MemberStatus, Resident, ResidentTag
from dangjian.territory.models import Area, Level
from dangjian.units import selectors as units_selectors
from dangjian.units.models import UnitKind

from .models import ImportJob


def jobs_for(user: Any) -> QuerySet:
    """The import jobs a user uploaded, in the scope of the role they act in now."""
    return ImportJob.objects.visible_to(user).filter(created_by=user)


def job_for_user(user: Any, public_id: Any) -> ImportJob:
    jobs: Any = jobs_for(user).select_related("created_by")  # a ScopedQuerySet
    job: ImportJob = jobs.get_for_user(user, public_id)
    return job


def _param(params: QueryDict | dict, name: str) -> str:
    value = params.get(name, "")
    return value.strip() if isinstance(value, str) else ""


def used_filters(params: QueryDict | dict, names: list[str]) -> dict[str, str]:
    """The filters actually given, for the export's audit row."""
    return {name: _param(params, name) for name in names if _param(params, name)}


def _optional(model: Any, user: Any, params: QueryDict | dict, name: str, **lookups: Any) -> Any:
    value = _param(params, name)
    return model.objects.get_for_user(user, value, **lookups) if value else None


# Each list page's filters, parsed as that page parses them, then that page's own selector:
# an export holds exactly the rows its list shows (all pages of them).
MEMBER_FILTERS = ["q", "status", "category", "org", "community"]


def filter_members(user: Any, params: QueryDict | dict) -> QuerySet:
    """As people:member_list: q (name or pinyin initials), status (none: members on the books;
    "all": everyone), category, org (its subtree), community (home community)."""
    status = _param(params, "status")
    if status not in MemberStatus.values and status != people_selectors.STATUS_ALL:
        status = ""
    category = _param(params, "category")
    return people_selectors.member_list(
        user,
        query=_param(params, "q"),
        status=status,
        category=category if category in MemberCategory.values else "",
        org=_optional(PartyOrg, user, params, "org"),
        community=_optional(Area, user, params, "community", level=Level.COMMUNITY),
    )


RESIDENT_FILTERS = ["q", "tag"]


def filter_residents(user: Any, params: QueryDict | dict) -> QuerySet:
    """As people:resident_home: with a tag, the residents carrying it (q: their name); without,
    the residents of the buildings the page lists (q: building or estate name)."""
    query, tag = _param(params, "q"), _param(params, "tag")
    if tag in ResidentTag.values:
        return people_selectors.residents_with_tag(user, tag=tag, query=query)
    residents = Resident.objects.visible_to(user)
    if query:
        residents = residents.filter(
            Q(household__building__name__icontains=query) | Q(household__building__estate__name__icontains=query)
        )
    return residents


UNIT_FILTERS = ["q", "kind", "formation", "community", "area"]


def filter_units(user: Any, params: QueryDict | dict) -> QuerySet:
    """As units:list: q (name, pinyin initials or credit code), kind, formation, community, area."""
    kind, formation = _param(params, "kind"), _param(params, "formation")
    return units_selectors.unit_list(
        user,
        query=_param(params, "q"),
        kind=kind if kind in UnitKind.values else "",
        formation=formation if formation in dict(units_selectors.formation_choices()) else "",
        community=_optional(Area, user, params, "community", level=Level.COMMUNITY),
        area=_optional(Area, user, params, "area"),
    )


AUDIT_FILTERS = AUDIT_FILTER_NAMES


def filter_audit(qs: QuerySet, params: QueryDict | dict) -> QuerySet:
    """The audit page's filters, from the audit app (one copy for the page and the export)."""
    return filter_events(qs, params)
