"""Liaison work: the liaisons in scope with their figures, a liaison's page (check in with the phone's
location, problems collected filed as cases through 挂点收集), the group (组团)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dangjian.cases.models import CaseCategory
from dangjian.core.db import replica_view
from dangjian.core.idempotency import idempotent
from dangjian.core.keyset import keyset_page, page_params
from dangjian.core.views import querystring_without_page, require_roles
from dangjian.people.models import Liaison

from .. import selectors
from ..models import LiaisonVisit, Matter
from ..permissions import LIAISON_ROLES, MANAGE_ROLES
from ..services import liaisons as services
from . import NAV, PAGE_SIZE, flash, parse_float, year_of


@require_roles(MANAGE_ROLES)
@replica_view
def liaison_list(request):
    year = year_of(request)
    page = keyset_page(
        selectors.liaisons(request.user), selectors.LIAISON_ORDER, **page_params(request), per_page=PAGE_SIZE
    )
    return render(
        request,
        "cobuilding/liaisons.html",
        {
            "page": page,
            "rows": selectors.liaison_figures(list(page.object_list), year),
            "year": year,
            "querystring": querystring_without_page(request),
            "active_nav": NAV,
        },
    )


@require_roles(LIAISON_ROLES)
def mine(request):
    """The signed-in leader's own liaison points (我的包联): where they check in."""
    own = list(selectors.own_liaisons(request.user))
    return render(
        request,
        "cobuilding/mine.html",
        {"rows": selectors.liaison_figures(own, year_of(request)), "active_nav": "cobuilding_mine"},
    )


def _liaison(request, public_id) -> Liaison:
    found = (
        Liaison.objects.filter(public_id=public_id, user=request.user)
        .select_related("area", "estate__community")
        .first()
    )
    if found is None:
        found = get_object_or_404(selectors.liaisons(request.user), public_id=public_id)
    return found


@require_roles(LIAISON_ROLES)
def liaison(request, public_id):
    li = _liaison(request, public_id)
    visits = list(li.cobuilding_visits.order_by("-visited_at", "-pk")[:20])
    problems: dict[int, list[Matter]] = {}
    for m in Matter.objects.filter(liaison_visit__in=visits).order_by("raised_at"):
        problems.setdefault(m.liaison_visit_id, []).append(m)
    return render(
        request,
        "cobuilding/liaison.html",
        {
            "li": li,
            "fig": selectors.liaison_figures([li], year_of(request))[0],
            "visits": [(v, problems.get(v.pk, [])) for v in visits],
            "group": li.cobuilding_group.all(),
            "categories": CaseCategory.objects.filter(is_active=True).order_by("pk")[:100],
            "active_nav": NAV,
        },
    )


@require_roles(LIAISON_ROLES)
@require_POST
@idempotent
def checkin(request, public_id):
    li = _liaison(request, public_id)
    try:
        services.liaison_checkin(
            actor=request.user,
            liaison=li,
            lat=parse_float(request.POST.get("lat")),
            lng=parse_float(request.POST.get("lng")),
            notes=request.POST.get("notes", ""),
        )
    except ValidationError as exc:
        flash(request, exc)
    else:
        messages.success(request, _("已签到。"))
    return redirect("cobuilding:liaison", public_id=li.public_id)


@require_roles(LIAISON_ROLES)
@require_POST
@idempotent
def problem(request, public_id):
    li = _liaison(request, public_id)
    visit = LiaisonVisit.objects.filter(liaison=li, public_id=request.POST.get("visit") or None).first()
    if visit is None:
        raise Http404
    category = CaseCategory.objects.filter(pk=request.POST.get("category") or None, is_active=True).first()
    try:
        _matter, case = services.liaison_problem_file(
            actor=request.user, visit=visit, category=category or "", description=request.POST.get("description", "")
        )
    except ValidationError as exc:
        flash(request, exc)
    else:
        messages.success(request, _("问题已登记为事件 %(n)s。") % {"n": case.number})
    return redirect("cobuilding:liaison", public_id=li.public_id)


@require_roles(LIAISON_ROLES)
@require_POST
def group_add(request, public_id):
    li = _liaison(request, public_id)
    try:
        services.group_member_add(
            actor=request.user, liaison=li, name=request.POST.get("name", ""), role=request.POST.get("role", "")
        )
    except ValidationError as exc:
        flash(request, exc)
    else:
        messages.success(request, _("已加入组团。"))
    return redirect("cobuilding:liaison", public_id=li.public_id)
