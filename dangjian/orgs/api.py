"""/api/v1/orgs: the Party organization tree as the tree page reads it (visible_to; 404 outside)."""

from __future__ import annotations

from uuid import UUID

from ninja import Router, Schema

from dangjian.core.api import ERRORS, require_role
from dangjian.territory.models import Area
from dangjian.territory.permissions import TREE_ROLES

from . import selectors
from .models import PartyOrg

router = Router(tags=["党组织"])


class OrgOut(Schema):
    id: UUID
    name: str
    org_type: str
    org_type_label: str
    secretary: str
    area: UUID
    children: int | None = None

    @staticmethod
    def of(org: PartyOrg) -> OrgOut:
        return OrgOut(
            id=org.public_id,
            name=org.name,
            org_type=org.org_type,
            org_type_label=str(org.get_org_type_display()),
            secretary=org.secretary,
            area=org.area.public_id,
            children=getattr(org, "n_children", None),
        )


@router.get("/orgs", response={200: list[OrgOut], **ERRORS}, summary="党组织树的顶层（本人可见范围）")
def org_roots(request):
    require_role(request.user, TREE_ROLES)
    return [OrgOut.of(o) for o in _with_areas(selectors.org_roots_for(request.user))]


def _with_areas(orgs: list[PartyOrg]) -> list[PartyOrg]:
    """The organizations' areas in one query (the tree selectors annotate, they do not join)."""
    areas = Area.objects.only("public_id").in_bulk({o.area_id for o in orgs})
    for org in orgs:
        PartyOrg.area.field.set_cached_value(org, areas[org.area_id])
    return orgs


def _org(request, org_id: UUID) -> PartyOrg:
    require_role(request.user, TREE_ROLES)
    return PartyOrg.objects.select_related("area").get_for_user(request.user, org_id)


@router.get("/orgs/{org_id}", response={200: OrgOut, **ERRORS}, summary="一个党组织")
def org_detail(request, org_id: UUID):
    return OrgOut.of(_org(request, org_id))


@router.get("/orgs/{org_id}/children", response={200: list[OrgOut], **ERRORS}, summary="下级党组织")
def org_children(request, org_id: UUID):
    org = _org(request, org_id)
    return [OrgOut.of(child) for child in selectors.children_of(org, request.user)]
