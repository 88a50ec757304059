import json

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from dangjian.core.keyset import keyset_page, page_params
from dangjian.core.views import querystring_without_page, require_roles, tree_page

from . import selectors, services
from .filters import AreaListFilterForm
from .geo import grid_index
from .models import Area, Building, Estate, Level
from .permissions import BOUNDARY_ROLES, GRID_IMPORT_ROLES, TREE_ROLES, can_draw_boundary

MAX_IMPORT_BYTES = 5 * 1024 * 1024
LIST_PAGE_SIZE = 30


@require_roles(TREE_ROLES)
def tree(request):
    missing = request.GET.get("missing", "")
    extra = {}
    if missing == "boundary":  # from 今日待办: grids still to draw
        extra["missing_grids"] = list(
            Area.objects.visible_to(request.user)
            .filter(level=Level.GRID, boundary__isnull=True)
            .select_related("parent")[:200]
        )
    if missing == "location":  # from 今日待办: estates still to place
        extra["missing_estates"] = list(
            Estate.objects.visible_to(request.user).filter(lat__isnull=True).select_related("community")[:200]
        )
    return tree_page(
        request,
        roots=selectors.area_roots_for(request.user),
        search=selectors.area_search,
        template="territory/tree.html",
        results_template="territory/_search_results.html",
        active_nav="territory",
        **extra,
    )


@require_roles(TREE_ROLES)
def area_list(request):
    """The areas under a node, flat, by level (the cockpit's 社区 and 网格 figures link here): each with
    its parent chain. A place out of scope or a bad level is dropped with its error shown."""
    form = AreaListFilterForm(request.GET or None, user=request.user)
    filters = form.list_filters()
    areas = selectors.area_list(request.user, **filters)
    page = keyset_page(areas, selectors.AREA_LIST_ORDER, **page_params(request), per_page=LIST_PAGE_SIZE)
    chains = selectors.parent_chains(page.object_list, request.user)
    chosen = filters.get("area")
    context = {
        "page": page,
        "rows": [(area, chains[area.pk]) for area in page.object_list],
        "form": form,
        "filtered": bool(filters),
        "chosen": chosen,
        "area_options": selectors.filter_area_options(request.user, form.fields["area"].queryset, chosen),
        "querystring": querystring_without_page(request),
        "active_nav": "territory",
    }
    return render(request, "territory/list.html", context)


@require_roles(TREE_ROLES)
def children(request, public_id):
    area = Area.objects.get_for_user(request.user, public_id)
    return render(request, "core/_tree_children.html", {"nodes": selectors.area_children(area, request.user)})


@require_roles(TREE_ROLES)
def detail(request, public_id):
    area = Area.objects.get_for_user(request.user, public_id)
    context = {
        "area": area,
        "breadcrumb": selectors.area_breadcrumb(area, request.user),
        "children": selectors.area_children(area, request.user),
        "summary": selectors.area_summary(area),
        "can_draw_boundary": can_draw_boundary(request.user, area),
        "active_nav": "territory",
    }
    if area.level == Level.COMMUNITY:
        context["estates"] = list(
            Estate.objects.visible_to(request.user).filter(community=area).prefetch_related("grids").order_by("name")
        )
    if area.level in {Level.COMMUNITY, Level.GRID}:
        buildings = Building.objects.visible_to(request.user).select_related("estate", "grid")
        buildings = buildings.filter(grid=area) if area.level == Level.GRID else buildings.filter(community=area)
        context["buildings"] = list(buildings.order_by("estate__name", "name")[:500])
    return render(request, "territory/detail.html", context)


@require_roles(TREE_ROLES)
def map_home(request):
    roots = selectors.area_roots_for(request.user)
    if not roots:
        raise Http404
    return redirect("territory:map", public_id=roots[0].public_id)


@require_roles(TREE_ROLES)
def map_page(request, public_id):
    area = Area.objects.get_for_user(request.user, public_id)
    return render(
        request,
        "territory/map.html",
        {"area": area, "breadcrumb": selectors.area_breadcrumb(area, request.user), "active_nav": "map"},
    )


@require_roles(TREE_ROLES)
@require_GET
def map_data(request, public_id):
    area = Area.objects.get_for_user(request.user, public_id)
    return JsonResponse(selectors.map_features(area, request.user))


@require_roles(TREE_ROLES)
@require_GET
def locate(request):
    """Which grid a point lies in (grid_for_point), answered only within the user's scope."""
    try:
        lat, lng = float(request.GET["lat"]), float(request.GET["lng"])
    except (KeyError, ValueError):
        return JsonResponse({"error": _("请提供有效的经纬度。")}, status=400)
    hit = grid_index().lookup(lat, lng)
    # Of the grids covering the point (several on a border), the first by path the user may see.
    visible = Area.objects.visible_to(request.user).filter(pk__in=hit.candidates)
    grid = visible.select_related("parent").order_by("path").first()
    if grid is None:
        return JsonResponse({"status": "outside", "message": _("该位置不在您辖区的任何网格内。")})
    message = _("位于「%(c)s · %(g)s」") % {"c": grid.parent.name, "g": grid.name}
    if hit.status == "border":
        message += _("（在网格边界上，按规则归属该网格）")
    return JsonResponse({"status": hit.status, "grid": grid.name, "community": grid.parent.name, "message": message})


def _read_geojson(request) -> tuple[object, list[str]]:
    """The uploaded GeoJSON file, parsed; or the errors saying why it cannot be read."""
    upload = request.FILES.get("file")
    if upload is None:
        return None, [_("请选择一个 GeoJSON 文件。")]
    if upload.size > MAX_IMPORT_BYTES:
        return None, [_("文件过大（上限 5 MB）。")]
    try:
        return json.loads(upload.read().decode("utf-8-sig")), []
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        return None, [_("文件不是有效的 JSON：%(e)s") % {"e": exc}]


def _import_page(request, area, errors, *, heading, help_text, active_nav):
    context = {"area": area, "errors": errors, "heading": heading, "help_text": help_text, "active_nav": active_nav}
    return render(request, "territory/geojson_import.html", context)


@require_roles(GRID_IMPORT_ROLES)
def grid_import(request, public_id):
    community = Area.objects.get_for_user(request.user, public_id, level=Level.COMMUNITY)
    errors: list[str] = []
    if request.method == "POST":
        data, errors = _read_geojson(request)
        if not errors:
            try:
                grids = services.grids_import_geojson(actor=request.user, community=community, data=data)
            except ValidationError as exc:
                errors.extend(exc.messages)
            else:
                messages.success(request, _("已导入 %(n)s 个网格。") % {"n": len(grids)})
                return redirect("territory:map", public_id=community.public_id)
    help_text = _(
        "上传 GeoJSON FeatureCollection 文件（WGS84 经纬度），每个要素是一个网格，properties.name 为网格名称。"
        "同名网格将更新边界，新名称将新建网格。网格须在社区（及街道）已绘制的边界之内，且不得与任何社区的网格重叠。"
        "任何一处有误都不会写入。"
    )
    return _import_page(request, community, errors, heading=_("导入网格边界"), help_text=help_text, active_nav="map")


@require_roles(BOUNDARY_ROLES)
def boundary_import(request, public_id):
    """A subdistrict's or community's own boundary, drawn by the level above it."""
    area = Area.objects.get_for_user(request.user, public_id)
    if not can_draw_boundary(request.user, area):
        raise Http404
    errors: list[str] = []
    if request.method == "POST":
        data, errors = _read_geojson(request)
        if not errors:
            try:
                services.boundary_import_geojson(actor=request.user, area=area, data=data)
            except ValidationError as exc:
                errors.extend(exc.messages)
            else:
                messages.success(request, _("已更新%(area)s的边界。") % {"area": area.name})
                return redirect("territory:detail", public_id=area.public_id)
    help_text = _(
        "上传只含一个要素的 GeoJSON 文件（Polygon 或 MultiPolygon，WGS84 经纬度），作为%(level)s「%(name)s」的边界。"
        "边界须在上级街道已绘制的边界之内，并包住其下已绘制的社区和网格；之后导入的网格都须在此边界之内。"
    ) % {"level": area.get_level_display(), "name": area.name}
    heading = _("导入%(level)s边界") % {"level": area.get_level_display()}
    return _import_page(request, area, errors, heading=heading, help_text=help_text, active_nav="territory")
