"""Writes to the territory tree. Every write is atomic and audited."""

from __future__ import annotations

import re
from typing import Any, cast

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from dangjian.audit.services import Action, audit_record, diff, snapshot
from dangjian.core.figures import facts
from dangjian.core.text import pinyin_full, pinyin_initials
from dangjian.core.tree import TreeMoveError, move_subtree, place_new_node

from .boundaries import Drawn, check_boundaries, check_move, lock_district, validate_boundary
from .geo import grid_index, grids_changed, parse_boundary
from .models import ALLOWED_PARENT_LEVELS, Area, Building, Estate, Level

AREA_FIELDS = ["name", "code", "level", "parent", "boundary"]
CODE_LENGTHS: dict[str, set[int]] = {
    Level.DISTRICT: {6},
    Level.SUBDISTRICT: {9, 12},
    Level.ZONE: {9, 12},
    Level.COMMUNITY: {12},
}


def validate_code(*, level: str, code: str, parent: Area | None) -> None:
    if not code:
        return
    lengths = CODE_LENGTHS.get(level)
    if lengths is None:
        raise ValidationError({"code": _("网格不设区划代码。")})
    if not re.fullmatch(r"\d+", code) or len(code) not in lengths:
        expected = "、".join(str(n) for n in sorted(lengths))
        raise ValidationError({"code": _("区划代码应为 %(n)s 位数字。") % {"n": expected}})
    parent_code = ""
    node: Any = parent
    while node is not None and not parent_code:
        parent_code = node.code
        node = node.parent
    if parent_code and not code.startswith(parent_code[: min(len(parent_code), 9)]):
        raise ValidationError(
            {"code": _("区划代码 %(code)s 与上级代码 %(parent)s 不一致。") % {"code": code, "parent": parent_code}}
        )


def validate_parent(*, level: str, parent: Area | None) -> None:
    allowed = ALLOWED_PARENT_LEVELS[level]
    if (parent.level if parent else None) not in allowed:
        names = "、".join(str(Level(lv).label) for lv in allowed if lv) or _("无（顶级）")
        raise ValidationError(
            {"parent": _("%(level)s的上级应为：%(allowed)s。") % {"level": Level(level).label, "allowed": names}}
        )


def _set_bbox(area: Area) -> None:
    if area.boundary is None:
        area.min_lat = area.min_lng = area.max_lat = area.max_lng = None
        return
    min_x, min_y, max_x, max_y = parse_boundary(area.boundary, label=area.name).bounds
    area.min_lng, area.min_lat, area.max_lng, area.max_lat = min_x, min_y, max_x, max_y


@transaction.atomic
def area_create(
    *, actor: Any, level: str, name: str, parent: Area | None, code: str = "", boundary: dict | None = None
) -> Area:
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("请填写名称。")})
    validate_parent(level=level, parent=parent)
    validate_code(level=level, code=code, parent=parent)
    area = Area(
        level=level,
        name=name,
        code=code,
        pinyin=pinyin_initials(name),
        pinyin_full=pinyin_full(name),
        boundary=boundary,
    )
    if boundary is not None:
        if parent is not None:
            lock_district(parent)
        validate_boundary(area=area, parent=parent, boundary=boundary)
        _set_bbox(area)
    if parent is not None:
        parent = Area.objects.select_for_update().get(pk=parent.pk)
    place_new_node(area, parent)
    area.full_clean(exclude=["parent", "path", "depth"])
    area.save()
    if area.boundary is not None and level == Level.GRID:
        grids_changed()
    audit_record(
        actor=actor, action=Action.CREATE, obj=area, changes=diff({}, snapshot(area, AREA_FIELDS)), area_path=area.path
    )
    return area


@transaction.atomic
def area_update(
    *, actor: Any, area: Area, name: str | None = None, code: str | None = None, boundary: Any = ...
) -> Area:
    area = Area.objects.select_for_update().get(pk=area.pk)
    before = snapshot(area, AREA_FIELDS)
    if name is not None:
        if not name.strip():
            raise ValidationError({"name": _("请填写名称。")})
        area.name = name.strip()
        area.pinyin, area.pinyin_full = pinyin_initials(area.name), pinyin_full(area.name)
    if code is not None:
        validate_code(level=area.level, code=code, parent=cast(Area | None, area.parent))
        area.code = code
    if boundary is not ...:
        if boundary is not None:
            lock_district(area)
            validate_boundary(area=area, parent=cast(Area | None, area.parent), boundary=boundary)
        area.boundary = boundary
        _set_bbox(area)
    changes = diff(before, snapshot(area, AREA_FIELDS))
    if not changes:
        return area
    area.full_clean(exclude=["parent", "path", "depth"])
    area.save()
    if "boundary" in changes and area.level == Level.GRID:
        grids_changed()
    audit_record(actor=actor, action=Action.UPDATE, obj=area, changes=changes, area_path=area.path)
    return area


@transaction.atomic
def area_move(*, actor: Any, area: Area, new_parent: Area) -> Area:
    area = Area.objects.select_for_update().get(pk=area.pk)
    validate_parent(level=area.level, parent=new_parent)
    lock_district(new_parent)
    check_move(area=area, new_parent=new_parent)
    old_parent, old_path = area.parent, area.path
    try:
        move_subtree(area, new_parent)
    except TreeMoveError as exc:
        raise ValidationError({"parent": str(exc)}) from exc
    grids_changed()  # paths decide which grid wins a shared border
    # The paths were rewritten by update() (no signals): the figures store follows the moved subtree
    # (its communities' units, the members at home there) in this transaction.
    facts.record_bulk(Area, area.subtree().values_list("pk", flat=True))
    audit_record(
        actor=actor,
        action=Action.MOVE,
        obj=area,
        changes={"parent": [str(old_parent), str(new_parent)], "path": [old_path, area.path]},
        area_path=area.path,
    )
    return area


@transaction.atomic
def grids_import_geojson(*, actor: Any, community: Area, data: Any) -> list[Area]:
    """Create or update the grids of a community from a GeoJSON FeatureCollection.

    Every feature needs `properties.name`. All features are checked first (geometry, inside
    the community's and subdistrict's boundaries when drawn, overlaps with each other and with
    every other grid of any community); any error stops the whole import and nothing is written.
    """
    if community.level != Level.COMMUNITY:
        raise ValidationError(_("网格只能导入到社区下。"))
    lock_district(community)
    if (
        not isinstance(data, dict)
        or data.get("type") != "FeatureCollection"
        or not isinstance(data.get("features"), list)
    ):
        raise ValidationError(_("文件应为 GeoJSON FeatureCollection。"))
    errors: list[str] = []
    parsed: list[tuple[str, Any, Any]] = []
    for number, feature in enumerate(data["features"], start=1):
        name = str(((feature or {}).get("properties") or {}).get("name") or "").strip()
        if not name:
            errors.append(_("第 %(n)s 个要素：缺少 properties.name（网格名称）。") % {"n": number})
            continue
        try:
            geom = parse_boundary(
                feature.get("geometry"), label=_("第 %(n)s 个要素「%(name)s」") % {"n": number, "name": name}
            )
        except ValidationError as exc:
            errors.extend(exc.messages)
            continue
        parsed.append((name, feature["geometry"], geom))
    names = [name for name, _g, _s in parsed]
    for name in {n for n in names if names.count(n) > 1}:
        errors.append(_("网格名称「%(name)s」在文件中出现了多次。") % {"name": name})
    existing = {g.name: g for g in Area.objects.filter(parent=community, level=Level.GRID)}
    try:
        check_boundaries(
            level=Level.GRID,
            parent=community,
            items=[Drawn(name, geom) for name, _g, geom in parsed],
            replacing=[existing[name].pk for name in names if name in existing],
        )
    except ValidationError as exc:
        errors.extend(exc.messages)
    if errors:
        raise ValidationError(errors)
    result = []
    for name, geometry, _geom in parsed:
        grid = existing.get(name)
        if grid is None:
            grid = Area(level=Level.GRID, name=name, pinyin=pinyin_initials(name), boundary=geometry)
            _set_bbox(grid)
            place_new_node(grid, Area.objects.select_for_update().get(pk=community.pk))
            grid.save()
        else:
            grid.boundary = geometry
            _set_bbox(grid)
            grid.save(update_fields=["boundary", "min_lat", "min_lng", "max_lat", "max_lng", "updated_at"])
        result.append(grid)
    grids_changed()
    audit_record(
        actor=actor,
        action=Action.IMPORT,
        obj=community,
        changes={"grids": [None, [g.name for g in result]]},
        area_path=community.path,
    )
    return result


def boundary_import_geojson(*, actor: Any, area: Area, data: Any) -> Area:
    """Draw a subdistrict's or community's boundary from GeoJSON: a geometry, a Feature, or a
    FeatureCollection of one feature. The checks are area_update's (inside the subdistrict's
    boundary, around the grids already drawn)."""
    if area.level not in {Level.SUBDISTRICT, Level.COMMUNITY}:
        raise ValidationError(_("只能为街道或社区导入边界；网格请用“导入网格边界”。"))
    if isinstance(data, dict) and data.get("type") == "FeatureCollection":
        features = data.get("features")
        if not isinstance(features, list) or len(features) != 1:
            count = len(features) if isinstance(features, list) else 0
            raise ValidationError(
                _("文件应只含一个要素（%(area)s的边界），实有 %(n)s 个。") % {"area": area.name, "n": count}
            )
        data = features[0]
    if isinstance(data, dict) and data.get("type") == "Feature":
        data = data.get("geometry")
    return area_update(actor=actor, area=area, boundary=data)


def locate_grid(*, community: Area, lat: float | None, lng: float | None) -> Area | None:
    """The grid of `community` a point lies in, or None (no point, or outside its grids)."""
    if lat is None or lng is None:
        return None
    hit = grid_index().lookup(lat, lng)
    # On a border with another community's grid, the point still belongs to this community's grid.
    return Area.objects.filter(pk__in=hit.candidates, parent=community).order_by("path").first()


ESTATE_FIELDS = ["name", "community", "address", "lat", "lng", "households"]
BUILDING_FIELDS = ["name", "community", "estate", "grid", "kind", "floors", "lat", "lng"]


def _check_point(lat: float | None, lng: float | None) -> None:
    if (lat is None) != (lng is None):
        raise ValidationError(_("经度和纬度需要同时填写。"))
    if lat is not None and lng is not None and not (-90 <= lat <= 90 and -180 <= lng <= 180):
        raise ValidationError(_("坐标超出经纬度范围。"))


@transaction.atomic
def estate_save(
    *,
    actor: Any,
    community: Area,
    name: str,
    estate: Estate | None = None,
    address: str = "",
    lat: float | None = None,
    lng: float | None = None,
    households: int = 0,
) -> Estate:
    """Create or update an estate; its grids are where its point lies (kept if it has no point)."""
    if community.level != Level.COMMUNITY:
        raise ValidationError({"community": _("小区必须属于一个社区。")})
    _check_point(lat, lng)
    before = snapshot(estate, ESTATE_FIELDS) if estate else {}
    estate = estate or Estate()
    estate.community, estate.name, estate.address = community, name.strip(), address
    estate.lat, estate.lng, estate.households = lat, lng, households
    estate.pinyin = pinyin_initials(estate.name)
    estate.full_clean()
    estate.save()
    grid = locate_grid(community=community, lat=lat, lng=lng)
    if grid is not None and not estate.grids.filter(pk=grid.pk).exists():
        estate.grids.add(grid)
    changes = diff(before, snapshot(estate, ESTATE_FIELDS))
    if changes:
        audit_record(
            actor=actor,
            action=Action.UPDATE if before else Action.CREATE,
            obj=estate,
            changes=changes,
            area_path=community.path,
        )
    return estate


@transaction.atomic
def building_save(
    *,
    actor: Any,
    community: Area,
    name: str,
    building: Building | None = None,
    estate: Estate | None = None,
    kind: str = "residential",
    floors: int | None = None,
    lat: float | None = None,
    lng: float | None = None,
) -> Building:
    if estate is not None and estate.community_id != community.pk:
        raise ValidationError({"estate": _("楼栋所在小区不属于该社区。")})
    _check_point(lat, lng)
    before = snapshot(building, BUILDING_FIELDS) if building else {}
    building = building or Building()
    building.community, building.estate, building.name = community, estate, name.strip()
    building.kind, building.floors, building.lat, building.lng = kind, floors, lat, lng
    building.grid = locate_grid(community=community, lat=lat, lng=lng) or building.grid
    building.full_clean()
    building.save()
    changes = diff(before, snapshot(building, BUILDING_FIELDS))
    if changes:
        audit_record(
            actor=actor,
            action=Action.UPDATE if before else Action.CREATE,
            obj=building,
            changes=changes,
            area_path=(building.grid or community).path,
        )
    return building
