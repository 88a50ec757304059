"""/api/v1/areas: the territory tree as the tree page reads it (visible_to; 404 outside)."""

from __future__ import annotations

from uuid import UUID

from ninja import Router, Schema

from dangjian.core.api import ERRORS, require_role

from . import selectors
from .models import Area
from .permissions import TREE_ROLES

router = Router(tags=["属地"])


class AreaOut(Schema):
    id: UUID
    name: str
    level: str
    level_label: str
    code: str
    parent: UUID | None = None
    children: int | None = None

    @staticmethod
    def of(area: Area, parent: Area | None = None) -> AreaOut:
        return AreaOut(
            id=area.public_id,
            name=area.name,
            level=area.level,
            level_label=str(area.get_level_display()),
            code=area.code,
            parent=parent.public_id if parent is not None else None,
            children=getattr(area, "n_children", None),
        )


@router.get("/areas", response={200: list[AreaOut], **ERRORS}, summary="属地树的顶层（本人可见范围）")
def area_roots(request):
    require_role(request.user, TREE_ROLES)
    return [AreaOut.of(a) for a in selectors.area_roots_for(request.user)]


def _area(request, area_id: UUID) -> Area:
    require_role(request.user, TREE_ROLES)
    return Area.objects.select_related("parent").get_for_user(request.user, area_id)


@router.get("/areas/{area_id}", response={200: AreaOut, **ERRORS}, summary="一个属地")
def area_detail(request, area_id: UUID):
    area = _area(request, area_id)
    parent = (
        area.parent
        if area.parent_id and Area.objects.visible_to(request.user).filter(pk=area.parent_id).exists()
        else None
    )
    return AreaOut.of(area, parent)


@router.get("/areas/{area_id}/children", response={200: list[AreaOut], **ERRORS}, summary="下级属地")
def area_children(request, area_id: UUID):
    area = _area(request, area_id)
    return [AreaOut.of(child, area) for child in selectors.area_children(area, request.user)]
