"""Covenants with their fulfilment table, a covenant's page, and visits logged from the phone."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dangjian.core.db import replica_view
from dangjian.core.idempotency import idempotent
from dangjian.core.keyset import keyset_page, page_params
from dangjian.core.views import querystring_without_page, require_roles
from dangjian.territory.models import Area, Level
from dangjian.units.models import ResidentUnit

from .. import selectors
from ..fulfilment import fulfilment
from ..models import ContributionKind, Direction
from ..permissions import MANAGE_ROLES, TASK_ROLES
from ..services import covenants as services
from . import NAV, PAGE_SIZE, flash, parse_date, parse_int, year_of

OBLIGATION_FIELDS = services.OBLIGATIONS


@require_roles(TASK_ROLES)
@replica_view
def covenant_list(request):
    year = year_of(request)
    qs = selectors.covenants(request.user)
    behind_only = request.GET.get("behind") == "1"
    page = keyset_page(qs, selectors.COVENANT_ORDER, **page_params(request), per_page=PAGE_SIZE)
    rows = fulfilment(list(page.object_list), year)
    if behind_only:
        rows = [r for r in rows if not r.kept]
    return render(
        request,
        "cobuilding/covenants.html",
        {
            "page": page,
            "rows": rows,
            "year": year,
            "years": range(timezone.localdate().year, timezone.localdate().year - 4, -1),
            "behind_only": behind_only,
            "querystring": querystring_without_page(request),
            "active_nav": NAV,
        },
    )


def _areas(user):
    return Area.objects.visible_to(user).filter(level__in=(Level.SUBDISTRICT, Level.COMMUNITY)).order_by("path")


@require_roles(MANAGE_ROLES)
def covenant_new(request):
    areas = _areas(request.user)
    if request.method == "POST":
        post = request.POST
        try:
            area = areas.filter(public_id=post.get("area") or None).first()
            unit = ResidentUnit.objects.visible_to(request.user).filter(public_id=post.get("unit") or None).first()
            if area is None or unit is None:
                raise ValidationError(_("请选择街道/社区和共建单位。"))
            covenant = services.covenant_save(
                actor=request.user,
                area=area,
                unit=unit,
                starts_on=parse_date(post.get("starts_on", ""), _("起始日期")),
                ends_on=parse_date(post.get("ends_on", ""), _("截止日期")),
                note=post.get("note", ""),
                **{k: parse_int(post.get(k)) for k in OBLIGATION_FIELDS},
            )
        except ValidationError as exc:
            flash(request, exc)
        else:
            messages.success(request, _("已签订共建契约。"))
            return redirect("cobuilding:covenant", public_id=covenant.public_id)
    return render(
        request,
        "cobuilding/covenant_form.html",
        {
            "areas": areas[:300],
            "units": ResidentUnit.objects.visible_to(request.user).order_by("name")[:300],
            "active_nav": NAV,
        },
    )


def _covenant(request, public_id):
    return get_object_or_404(selectors.covenants(request.user), public_id=public_id)


@require_roles(TASK_ROLES)
def covenant(request, public_id):
    covenant = _covenant(request, public_id)
    year = year_of(request)
    rows = fulfilment([covenant], year)
    return render(
        request,
        "cobuilding/covenant.html",
        {
            "covenant": covenant,
            "row": rows[0] if rows else None,
            "year": year,
            "years": range(covenant.ends_on.year, covenant.starts_on.year - 1, -1),
            "resources": covenant.resources.all(),
            "visits": covenant.visits.order_by("-visited_on", "-pk")[:50],
            "kinds": ContributionKind.choices,
            "directions": Direction.choices,
            "today": timezone.localdate(),
            "active_nav": NAV,
        },
    )


@require_roles(MANAGE_ROLES)
@require_POST
def resource_add(request, public_id):
    covenant = _covenant(request, public_id)
    try:
        services.resource_add(
            actor=request.user,
            covenant=covenant,
            kind=request.POST.get("kind", ""),
            description=request.POST.get("description", ""),
            amount=request.POST.get("amount") or 0,
        )
    except ValidationError as exc:
        flash(request, exc)
    else:
        messages.success(request, _("已登记共建资源。"))
    return redirect("cobuilding:covenant", public_id=covenant.public_id)


@require_roles(TASK_ROLES)
@require_POST
@idempotent
def visit_new(request, public_id):
    covenant = _covenant(request, public_id)
    post = request.POST
    try:
        services.visit_log(
            actor=request.user,
            direction=post.get("direction", ""),
            unit=covenant.unit,
            area=covenant.area,
            covenant=covenant,
            visited_on=parse_date(post.get("visited_on", ""), _("走访日期")),
            visitor=post.get("visitor", ""),
            hosts=post.get("hosts", ""),
            discussed=post.get("discussed", ""),
        )
    except ValidationError as exc:
        flash(request, exc)
    else:
        messages.success(request, _("已登记走访。"))
    return redirect("cobuilding:covenant", public_id=covenant.public_id)
