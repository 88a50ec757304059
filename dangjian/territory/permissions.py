"""Who reaches the territory workbench, and who may draw which boundary."""

from __future__ import annotations

from typing import Any

from dangjian.accounts.roles import ADMIN_ROLES, AREA_ROLES, Role
from dangjian.core.scoping import scope_for

from .models import Area, Level

# Roles that reach the territory and organization tree pages (and the imports and exports of them).
TREE_ROLES = AREA_ROLES
# Grids are drawn by the community itself (the grid import); a community's or subdistrict's own
# boundary, which its grids must then lie inside, by the level above it.
GRID_IMPORT_ROLES = {Role.DISTRICT_ADMIN, Role.SUBDISTRICT_ADMIN, Role.COMMUNITY_WORKER}
BOUNDARY_ROLES = ADMIN_ROLES


def can_draw_boundary(user: Any, area: Area) -> bool:
    """A subdistrict's or community's boundary: an administrator whose area lies strictly above it."""
    if area.level not in {Level.SUBDISTRICT, Level.COMMUNITY}:
        return False
    scope = scope_for(user)
    if scope.everything:
        return True
    path = scope.area_path
    if scope.role not in BOUNDARY_ROLES or not path:
        return False
    return area.path.startswith(path) and area.path != path
