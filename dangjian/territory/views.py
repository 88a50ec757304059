import json

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from dangjian.accounts.roles import TREE_ROLES
from dangjian.core.views import require_roles, tree_page

from . import selectors, services
from .geo import grid_index
from .models import Area, Building, Estate, Level

MAX_IMPORT_BYTES = 5 * 1024 * 1024


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


@require_roles({"district_admin", "subdistrict_admin", "community_worker"})
def grid_import(request, public_id):
    community = Area.objects.get_for_user(request.user, public_id, level=Level.COMMUNITY)
    errors: list[str] = []
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            errors.append(_("请选择一个 GeoJSON 文件。"))
        elif upload.size > MAX_IMPORT_BYTES:
            errors.append(_("文件过大（上限 5 MB）。"))
        else:
            try:
                data = json.loads(upload.read().decode("utf-8-sig"))
            except (UnicodeDecodeError, json.JSONDecodeError) as exc:
                errors.append(_("文件不是有效的 JSON：%(e)s") % {"e": exc})
            else:
                try:
                    grids = services.grids_import_geojson(actor=request.user, community=community, data=data)
                except ValidationError as exc:
                    errors.extend(exc.messages)
                else:
                    messages.success(request, _("已导入 %(n)s 个网格。") % {"n": len(grids)})
                    return redirect("territory:map", public_id=community.public_id)
    return render(request, "territory/grid_import.html", {"area": community, "errors": errors, "active_nav": "map"})
