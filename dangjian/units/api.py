"""/api/v1/units: resident units as the unit list and page read them (scoped; the list's filter parser)."""

from __future__ import annotations

from uuid import UUID

from django.http import Http404
from ninja import Query, Router, Schema

from dangjian.core.api import ERRORS, Page, keyset_body, ordering_of, require_role, unknown_if_unset
from dangjian.territory.models import Area, Level

from . import selectors
from .filters import UnitFilter
from .models import ResidentUnit
from .permissions import UNIT_VIEW_ROLES

router = Router(tags=["驻区单位"])
ORDERINGS = {"name": selectors.UNIT_ORDER}  # ?ordering=: the orders an index of the list serves


class Named(Schema):
    id: UUID
    name: str


class UnitOut(Schema):
    id: UUID
    name: str
    kind: str
    credit_code: str
    address: str
    staff_count: int
    member_count: int
    formation: str
    effective_members: int
    community: Named | None = None
    party_org: Named | None = None

    @staticmethod
    def of(unit: ResidentUnit) -> UnitOut:
        return UnitOut(
            id=unit.public_id,
            name=unit.name,
            kind=unit.kind,
            credit_code=unit.credit_code,
            address=unit.address,
            staff_count=unit.staff_count,
            member_count=unit.member_count,
            formation=str(getattr(unit, "formation", "")),
            effective_members=int(getattr(unit, "eff_members", 0) or 0),
            community=Named(id=unit.community.public_id, name=unit.community.name) if unit.community_id else None,
            party_org=Named(id=unit.party_org.public_id, name=unit.party_org.name) if unit.party_org_id else None,
        )


class UnitFilters(Schema):
    q: str = ""
    kind: str = ""
    formation: str = ""
    community: str = ""
    area: str = ""
    sector: str = ""
    covered: str = ""
    ordering: str = "name"
    cursor: str | None = None
    limit: int | None = None


def _check_area_filters(request, params: dict) -> None:
    """UnitFilter answers 404 for an unknown area (as the page): a client is told which filter."""
    for name, lookups in (("community", {"level": Level.COMMUNITY}), ("area", {})):
        if params.get(name):
            try:
                Area.objects.get_for_user(request.user, params[name], **lookups)
            except Http404:
                unknown_if_unset(params, {name: None})


@router.get("/units", response={200: Page[UnitOut], **ERRORS}, summary="驻区单位列表")
def unit_list(request, filters: Query[UnitFilters]):
    require_role(request.user, UNIT_VIEW_ROLES)
    _, ordering = ordering_of(filters.ordering, ORDERINGS, "name")
    params = filters.model_dump(exclude={"cursor", "limit", "ordering"})
    _check_area_filters(request, params)
    parsed = UnitFilter.parse(request.user, params)
    unknown_if_unset(
        params,
        {"kind": parsed.kind, "formation": parsed.formation, "sector": parsed.sector, "covered": parsed.covered},
    )
    units = parsed.units(request.user).select_related("community", "party_org")

    body = keyset_body(units, ordering, cursor=filters.cursor, limit=filters.limit)
    selectors.attach_unit_facts(body["items"])  # a keyset page drops annotations: one query for the page
    body["items"] = [UnitOut.of(u) for u in body["items"]]
    return body


@router.get("/units/{unit_id}", response={200: UnitOut, **ERRORS}, summary="一个驻区单位")
def unit_detail(request, unit_id: UUID):
    require_role(request.user, UNIT_VIEW_ROLES)
    units = ResidentUnit.objects.select_related("community", "party_org")
    unit = units.get_for_user(request.user, unit_id)
    selectors.attach_unit_facts([unit])
    return UnitOut.of(unit)
