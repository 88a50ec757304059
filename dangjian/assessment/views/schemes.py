"""The district's schemes: the list, a new scheme, a scheme's page (its lists, the panel, its sheets by
total with grade and rank), and the scheme's actions (open sheets, recompute, publish)."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dangjian.core.db import replica_view
from dangjian.core.keyset import keyset_page, page_params
from dangjian.core.scoping import scope_for
from dangjian.core.tree import STEP
from dangjian.core.views import querystring_without_page, require_roles
from dangjian.territory.models import Area, Level

from .. import metrics, selectors
from ..models import ListKind, SchemeKind, SheetStatus, Source
from ..permissions import READ_ROLES, VIEW_ROLES, may_create, may_manage
from ..services import schemes as services
from . import NAV, PAGE_SIZE, flash, parse_points


@require_roles(VIEW_ROLES)
@replica_view
def home(request):
    return render(
        request,
        "assessment/home.html",
        {"schemes": list(selectors.schemes(request.user)[:200]), "may_create": may_create(request.user),
         "may_list_sheets": scope_for(request.user).everything or scope_for(request.user).role in READ_ROLES,
         "active_nav": NAV},
    )  # fmt: skip


def _district_of(user) -> Area | None:
    scope = scope_for(user)
    if scope.area_path:
        return Area.objects.filter(path=scope.area_path[:STEP], level=Level.DISTRICT).first()
    return Area.objects.filter(level=Level.DISTRICT).order_by("path").first() if scope.everything else None


@require_roles(READ_ROLES)
def scheme_new(request):
    if not may_create(request.user):
        raise Http404
    district = _district_of(request.user)
    if district is None:
        raise Http404
    this_year = timezone.localdate().year
    if request.method == "POST":
        try:
            year = int(request.POST.get("year") or 0)
            due = request.POST.get("report_due") or ""
            scheme = services.scheme_create(
                actor=request.user,
                district=district,
                year=year,
                kind=request.POST.get("kind", ""),
                title=request.POST.get("title", ""),
                report_due=datetime.date.fromisoformat(due) if due else None,
            )
        except ValueError:
            messages.error(request, _("请检查年度和述职截止日期。"))
        except ValidationError as exc:
            flash(request, exc)
        else:
            messages.success(request, _("已制定考核方案，并按默认清单生成考核项目。"))
            return redirect("assessment:scheme", public_id=scheme.public_id)
    return render(
        request,
        "assessment/scheme_new.html",
        {"kinds": SchemeKind.choices, "years": range(this_year + 1, this_year - 3, -1), "this_year": this_year,
         "district": district, "active_nav": NAV},
    )  # fmt: skip


@require_roles(VIEW_ROLES)
@replica_view
def scheme(request, public_id):
    obj = selectors.scheme_get(request.user, public_id)
    status = request.GET.get("status", "")
    page = keyset_page(
        selectors.sheets_of(request.user, obj, status=status), selectors.SHEET_ORDER, **page_params(request),
        per_page=PAGE_SIZE,
    )  # fmt: skip
    manages = may_manage(request.user, obj)
    items = selectors.items_of(obj)
    return render(
        request,
        "assessment/scheme.html",
        {
            "scheme": obj,
            "items": items,
            "weight_total": sum((i.weight for i in items), 0),
            "page": page,
            "status": status,
            "statuses": SheetStatus.choices,
            "manages": manages,
            "panel": list(obj.panel.select_related("user")),
            "candidates": list(selectors.panel_candidates(obj)[:100]) if manages else [],
            "list_kinds": ListKind.choices,
            "sources": [
                (v, label)
                for v, label in Source.choices
                if v != (Source.PANEL if obj.kind == SchemeKind.DEPARTMENT else Source.CHIEF)
            ],
            "metrics": metrics.choices(obj.kind),
            "for_departments": obj.kind == SchemeKind.DEPARTMENT,
            "querystring": querystring_without_page(request),
            "draws": list(selectors.draws_for(request.user).filter(scheme=obj)[:20]),
            "active_nav": NAV,
        },
    )


@require_roles(READ_ROLES)
@require_POST
def scheme_action(request, public_id):
    obj = selectors.scheme_get(request.user, public_id)
    action = request.POST.get("action", "")
    try:
        if action == "open":
            n = services.sheets_open(actor=request.user, scheme=obj)
            if obj.kind == SchemeKind.DEPARTMENT:
                messages.success(request, _("已为 %(n)s 个职能部门建立评分表。") % {"n": n})
            else:
                messages.success(request, _("已为 %(n)s 个党组织建立评分表。") % {"n": n})
        elif action == "recompute":
            n = services.scheme_recompute(actor=request.user, scheme=obj)
            messages.success(request, _("已重新计算 %(n)s 张评分表的自动得分。") % {"n": n})
        elif action == "publish":
            n = services.scheme_publish(actor=request.user, scheme=obj)
            messages.success(request, _("已公布 %(n)s 张评分表的结果和排名。") % {"n": n})
        elif action == "panel":
            users = list(selectors.panel_candidates(obj).filter(pk__in=request.POST.getlist("members")))
            services.panel_set(actor=request.user, scheme=obj, users=users)
            messages.success(request, _("评议组成员已保存。"))
        else:
            raise Http404
    except ValidationError as exc:
        flash(request, exc)
    return redirect("assessment:scheme", public_id=obj.public_id)


@require_roles(READ_ROLES)
@require_POST
def item_add(request, public_id):
    obj = selectors.scheme_get(request.user, public_id)
    try:
        due = request.POST.get("deadline") or ""
        services.item_add(
            actor=request.user,
            scheme=obj,
            name=request.POST.get("name", ""),
            weight=parse_points(request.POST.get("weight", "")),
            list_kind=request.POST.get("list_kind", ListKind.ASSESSMENT),
            source=request.POST.get("source", Source.MANUAL),
            metric=request.POST.get("metric", ""),
            deadline=datetime.date.fromisoformat(due) if due else None,
            evidence=request.POST.get("evidence", ""),
        )
    except ValueError:
        messages.error(request, _("请检查完成时限。"))
    except ValidationError as exc:
        flash(request, exc)
    else:
        messages.success(request, _("已增加考核项目。"))
    return redirect("assessment:scheme", public_id=obj.public_id)
