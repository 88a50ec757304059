"""Pages of case intake: the resident's phone form and their own cases, public tracking by number,
the grid worker's patrol report, and the hotline / walk-in desk form. Thin: each calls case_submit."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Max, Min, Q
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from dangjian.accounts.roles import active_assignment
from dangjian.core.idempotency import idempotent
from dangjian.core.keyset import keyset_page, page_params
from dangjian.core.photos import photo_response
from dangjian.core.scoping import active_role, active_scope, prefix_q
from dangjian.core.views import client_ip, require_roles
from dangjian.registration import throttle
from dangjian.territory.geo import grid_for_point
from dangjian.territory.models import Area, Level

from .. import services
from ..desk.forms import CallbackForm
from ..models import Case, CaseLog, CasePhoto, CaseStatus, Channel
from ..permissions import DISPATCH_ROLES, PATROL_ROLES, REPORTER_ROLES
from ..selectors import MINE_ORDER, cases_in_scope, reporter_cases, workbench_cases
from ..workflow import STATUS_HINTS, Step
from .forms import DeskForm, PatrolForm, ReportForm, TrackForm
from .services import case_submit, check_photos

PAGE_SIZE = 20


def _add_errors(form: Any, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def _check_photos_too(form: Any) -> None:
    """A form refused for other fields still says what is wrong with its photos, so that every
    problem shows at once (the photos are otherwise read only by case_submit, after the form passes)."""
    if "photos" in form.errors:
        return
    try:
        check_photos(form.cleaned_data.get("photos") or ())
    except ValidationError as exc:
        _add_errors(form, exc)


# --- map context ----------------------------------------------------------------


def _grid_features(grids: list[Area]) -> dict:
    return {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "geometry": g.boundary, "properties": {"name": g.name}} for g in grids if g.boundary
        ],
    }


def _map_context(node: Area | None, *, draw_grids: bool) -> dict[str, Any]:
    """Tiles, the box to frame, and (for a community or a grid) the grid outlines: with no tile
    source configured the map is blank, and the outlines are what a person finds their way by."""
    context: dict[str, Any] = {
        "map_tile_url": settings.MAP_TILE_URL,
        "map_tile_attribution": settings.MAP_TILE_ATTRIBUTION,
        "map_bounds": "",
        "map_grids": None,
    }
    if node is None:
        return context
    grids = Area.objects.filter(prefix_q("path", node.path), level=Level.GRID, boundary__isnull=False)
    if draw_grids:
        rows = list(grids.only("name", "boundary", "min_lat", "min_lng", "max_lat", "max_lng")[:200])
        context["map_grids"] = _grid_features(rows)
        box = (
            (
                min(g.min_lat for g in rows),
                min(g.min_lng for g in rows),
                max(g.max_lat for g in rows),
                max(g.max_lng for g in rows),
            )
            if rows
            else None
        )
    else:
        agg = grids.aggregate(a=Min("min_lat"), b=Min("min_lng"), c=Max("max_lat"), d=Max("max_lng"))
        box = (agg["a"], agg["b"], agg["c"], agg["d"]) if agg["a"] is not None else None
    if box:
        context["map_bounds"] = json.dumps([[box[0], box[1]], [box[2], box[3]]])
    return context


def _home_community(user: Any) -> Area | None:
    assignment = active_assignment(user)
    return assignment.home_community if assignment is not None else None


@require_GET
@require_roles(REPORTER_ROLES | PATROL_ROLES | DISPATCH_ROLES)
def locate(request):
    """Where a dropped pin lands, named for the person filing (grid names are not secret)."""
    try:
        lat, lng = float(request.GET["lat"]), float(request.GET["lng"])
    except (KeyError, ValueError):
        return JsonResponse({"error": _("请提供有效的经纬度。")}, status=400)
    hit = grid_for_point(lat, lng)
    if hit.grid_id is None:
        return JsonResponse({"status": "outside", "message": _("该位置不在任何网格内，提交后由工作人员确定归属。")})
    grid = Area.objects.select_related("parent").get(pk=hit.grid_id)
    return JsonResponse(
        {
            "status": hit.status,
            "grid": str(grid.public_id),
            "community": str(grid.parent.public_id),
            "message": _("位于「%(c)s · %(g)s」") % {"c": grid.parent.name, "g": grid.name},
        }
    )


# --- resident ---------------------------------------------------------------------


@require_roles(REPORTER_ROLES)
@idempotent
def report(request):
    """我要反映: category, words, photos, a pin (or an address in the resident's own community)."""
    user = request.user
    home = _home_community(user)
    form = ReportForm(
        request.POST or None, request.FILES or None, home=home, initial={"reporter_phone": user.mobile or ""}
    )
    if request.method == "POST" and form.is_valid():
        try:
            case = form.submit(actor=user)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            return redirect("cases:receipt", public_id=case.public_id)
    elif request.method == "POST":
        _check_photos_too(form)
    context = {
        "form": form,
        "active_nav": "case_report",
        "home": home,
        **_map_context(home, draw_grids=True),
    }
    return render(request, "cases/intake/report.html", context)


def _own_or_visible(user: Any, public_id: Any) -> Case:
    """A case the user filed, or one their scope covers (a grid worker's patrol report): else 404."""
    visible = cases_in_scope(user).filter(public_id=public_id)
    try:
        return (
            Case.objects.filter(Q(reporter=user, public_id=public_id) | Q(pk__in=visible.values("pk")))
            .select_related("category", "community", "grid")
            .get()
        )
    except (Case.DoesNotExist, ValidationError, ValueError) as exc:
        raise Http404 from exc


@require_roles(REPORTER_ROLES | PATROL_ROLES)
def receipt(request, public_id):
    """回执: the number to quote when calling, and what happens next."""
    case = _own_or_visible(request.user, public_id)
    detail_url = None
    if active_role(request.user) not in REPORTER_ROLES:
        try:
            detail_url = reverse("cases:detail", args=[case.public_id])
        except NoReverseMatch:  # the workbench's case page ships with the desk part
            detail_url = None
    context = {
        "case": case,
        "hint": STATUS_HINTS.get(case.status, ""),
        "detail_url": detail_url,
        "is_patrol": case.channel == Channel.PATROL,
        "active_nav": "case_patrol" if case.channel == Channel.PATROL else "case_report",
    }
    return render(request, "cases/intake/receipt.html", context)


@require_roles(REPORTER_ROLES)
def mine(request):
    """我的诉求: the resident's own cases, newest first, with search and a status filter."""
    q = (request.GET.get("q") or "").strip()
    state = request.GET.get("state") or ""
    cases = reporter_cases(request.user, q=q, state=state)
    page = keyset_page(cases, MINE_ORDER, **page_params(request), per_page=PAGE_SIZE)
    query = urlencode([(k, v) for k, v in (("q", q), ("state", state)) if v])
    context = {
        "page": page,
        "q": q,
        "state": state,
        "querystring": f"{query}&" if query else "",
        "hints": STATUS_HINTS,
        "active_nav": "case_mine",
        "any_cases": bool(q or state) or page.paginator.count > 0,
    }
    return render(request, "cases/intake/mine.html", context)


def public_steps(case: Case) -> list[CaseLog]:
    """The steps a resident may read (Open311's status notes), each with its Chinese label."""
    steps = list(case.log.filter(public=True).order_by("at", "pk"))
    labels = dict(Step.choices)
    for entry in steps:
        entry.label = labels.get(entry.step, entry.step)
    return steps


class RatingForm(CallbackForm):
    """The resident's own rating of a closed case: the callback step, given from the phone."""

    note = forms.CharField(
        label=gettext_lazy("您的意见（不满意时必填）"),
        required=False,
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


@require_roles(REPORTER_ROLES)
def mine_detail(request, public_id):
    """One of the resident's own cases: what they reported, its public steps, the result; once it is
    closed, the form to rate it (the callback step: unsatisfied reopens it)."""
    case = _own_only(request.user, public_id)
    rating_form = None
    if case.status == CaseStatus.CLOSED:
        rating_form = RatingForm(request.POST or None, initial={"version": case.version})
        if request.method == "POST" and rating_form.is_valid():
            data = rating_form.cleaned_data
            try:
                services.case_callback(
                    actor=request.user, case=case, rating=data["rating"], note=data["note"], version=data["version"]
                )
            except ValidationError as exc:
                _add_errors(rating_form, exc)
            else:
                messages.success(
                    request,
                    _("感谢您的评价。") if data["rating"] != "unsatisfied" else _("已收到您的意见，诉求将重新办理。"),
                )
                return redirect("cases:mine_detail", public_id=case.public_id)
    elif request.method == "POST":
        messages.error(request, _("该诉求当前状态为「%(s)s」，不能评价。") % {"s": case.get_status_display()})
        return redirect("cases:mine_detail", public_id=case.public_id)
    photos = list(case.photos.filter(stage=CasePhoto.Stage.REPORT))
    result_photos = list(case.photos.filter(stage=CasePhoto.Stage.HANDLING))
    context = {
        "case": case,
        "steps": public_steps(case),
        "photos": photos,
        "result_photos": result_photos,
        "hint": STATUS_HINTS.get(case.status, ""),
        "rating_form": rating_form,
        "active_nav": "case_mine",
    }
    return render(request, "cases/intake/mine_detail.html", context)


def _own_only(user: Any, public_id: Any) -> Case:
    try:
        return Case.objects.select_related("category", "community", "grid").get(reporter=user, public_id=public_id)
    except (Case.DoesNotExist, ValidationError, ValueError) as exc:
        raise Http404 from exc


@require_GET
def photo(request, public_id):
    """A case photo, to whoever may read its case (the reporter, or a scope that covers it)."""
    if not request.user.is_authenticated:
        raise Http404
    try:
        item = CasePhoto.objects.select_related("case").get(public_id=public_id)
    except (CasePhoto.DoesNotExist, ValidationError, ValueError) as exc:
        raise Http404 from exc
    case = item.case
    # The same cases the desk's detail page shows (scope or 首问 owner), and the reporter's own.
    allowed = case.reporter_id == request.user.pk or workbench_cases(request.user).filter(pk=case.pk).exists()
    if not allowed:
        raise Http404
    return photo_response(item.file)


# --- public tracking ---------------------------------------------------------------


def track(request):
    """凭编号查询: number + the last 4 digits of the phone left with it -> status and public steps.

    No personal data is shown, and a wrong number and a wrong phone get the same answer. Guesses are
    throttled per address with the public forms' counter (registration.throttle)."""
    form = TrackForm(request.POST or None)
    found = None
    if request.method == "POST" and form.is_valid():
        ip = client_ip(request)
        wait = throttle.seconds_blocked(ip)
        if wait:
            form.add_error(None, _("查询过于频繁，请 %(m)s 分钟后再试。") % {"m": (wait + 59) // 60})
        else:
            data = form.cleaned_data
            case = Case.objects.select_related("category").filter(number=data["number"]).first()
            tail = data["phone_tail"]
            if case is None or len(case.reporter_phone) < 4 or not case.reporter_phone.endswith(tail):
                throttle.record_attempt(ip, matched=False)
                form.add_error(None, _("未找到，请核对事件编号和联系电话后 4 位。"))
            else:
                throttle.record_attempt(ip, matched=True)
                found = case
    context = {
        "form": form,
        "case": found,
        "steps": public_steps(found) if found else [],
        "hint": STATUS_HINTS.get(found.status, "") if found else "",
        "active_nav": "",
        "page_template": "cases/intake/track_body.html",
    }
    return render(request, "cases/intake/track.html", context)


# --- grid worker --------------------------------------------------------------------


def _own_grid(user: Any) -> Area | None:
    assignment = active_assignment(user)
    area = assignment.area if assignment is not None else None
    return area if area is not None and area.level == Level.GRID else None


@require_roles(PATROL_ROLES)
@idempotent
def patrol(request):
    """巡查上报: what the grid worker found, where they stand; accepted at once with them as owner."""
    user = request.user
    grid = _own_grid(user)
    form = PatrolForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        point = form.has_point()
        try:
            case = case_submit(
                actor=user,
                channel=Channel.PATROL,
                category=data["category"],
                description=data["description"],
                lat=data["lat"] if point else None,
                lng=data["lng"] if point else None,
                # Without a location fix the report lands in the worker's own grid.
                grid=None if point else grid,
                address=data["address"],
                photos=data["photos"],
                accept=True,
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("已上报，编号 %(n)s。") % {"n": case.number})
            return redirect("cases:receipt", public_id=case.public_id)
    elif request.method == "POST":
        _check_photos_too(form)
    context = {
        "form": form,
        "grid": grid,
        "active_nav": "case_patrol",
        **_map_context(grid.parent if grid is not None else None, draw_grids=True),
    }
    return render(request, "cases/intake/patrol.html", context)


# --- desk: hotline and walk-in ------------------------------------------------------


def _desk_areas(user: Any) -> tuple[Area | None, list[Area]]:
    """The communities and grids the operator may file into: their own scope's."""
    scope = active_scope(user)
    if user.is_superuser and not scope.area_path:
        areas = list(Area.objects.filter(level__in=[Level.COMMUNITY, Level.GRID]).order_by("path"))
        return None, areas
    if not scope.area_path:
        return None, []
    node = Area.objects.filter(path=scope.area_path).first()
    areas = list(
        Area.objects.filter(prefix_q("path", scope.area_path), level__in=[Level.COMMUNITY, Level.GRID])
        .only("public_id", "name", "level", "path", "parent_id")
        .order_by("path")
    )
    return node, areas


@require_roles(DISPATCH_ROLES)
@idempotent
def desk_new(request):
    """热线 / 民意接待厅登记: accepted at once, the operator is the owner (首问负责制)."""
    node, areas = _desk_areas(request.user)
    form = DeskForm(request.POST or None, request.FILES or None, areas=areas)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        point = form.has_point()
        try:
            case = case_submit(
                actor=request.user,
                channel=data["channel"],
                category=data["category"],
                description=data["description"],
                lat=data["lat"] if point else None,
                lng=data["lng"] if point else None,
                grid=data["grid"],
                area=None if data["grid"] else data["community"],
                address=data["address"],
                reporter_name=data["reporter_name"],
                reporter_phone=data["reporter_phone"],
                photos=data["photos"],
                accept=True,
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            if case.status == CaseStatus.ACCEPTED:
                messages.success(request, _("已登记并受理，编号 %(n)s，您是首问负责人。") % {"n": case.number})
            else:
                messages.warning(
                    request, _("已登记，编号 %(n)s；该位置不在您的辖区，已转所属辖区受理。") % {"n": case.number}
                )
            if cases_in_scope(request.user).filter(pk=case.pk).exists():
                try:
                    return redirect(case.get_absolute_url())
                except NoReverseMatch:  # until the desk's case page exists
                    pass
            return redirect("cases:desk_new")
    elif request.method == "POST":
        _check_photos_too(form)
    context = {
        "form": form,
        "node": node,
        "active_nav": "case_desk_new",
        **_map_context(node, draw_grids=node is not None and node.level in (Level.COMMUNITY, Level.GRID)),
    }
    return render(request, "cases/intake/desk_new.html", context)
