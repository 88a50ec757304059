"""Ladders: the district's tables (in force, drafts, retired), one table's posts × grades with its pay,
credits and subsidies; a table from a template; a draft copied, edited, compared (what-if) and put in
force. The district's organization department (district admin) changes them; others read."""

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
from dangjian.core.scoping import scope_for
from dangjian.core.tree import STEP
from dangjian.core.views import require_roles
from dangjian.territory.models import Area, Level

from .. import selectors
from ..ladder import TEMPLATES, LadderTable
from ..models import Ladder, LadderStatus
from ..permissions import LADDER_ROLES, MANAGE_ROLES, is_district_admin_of
from ..services import ladders as services
from . import NAV, flash


def _district(request) -> Area | None:
    scope = scope_for(request.user)
    if scope.area_path:
        return Area.objects.filter(path=scope.area_path[:STEP], level=Level.DISTRICT).first()
    return Area.objects.filter(level=Level.DISTRICT).order_by("path").first()


@require_roles(MANAGE_ROLES)
def ladder_list(request):
    district = _district(request)
    return render(
        request,
        "workforce/ladders.html",
        {
            "ladders": list(selectors.ladders(request.user)),
            "templates": [(key, t.name) for key, t in TEMPLATES.items()],
            "may_edit": district is not None and is_district_admin_of(request.user, district.path),
            "active_nav": NAV,
        },
    )


@require_POST
@require_roles(LADDER_ROLES)
def ladder_new(request):
    district = _district(request)
    if district is None:
        raise Http404
    try:
        status = (
            LadderStatus.ACTIVE
            if not Ladder.objects.filter(district=district, status="active").exists()
            else LadderStatus.DRAFT
        )
        ladder = services.ladder_from_template(
            actor=request.user,
            district=district,
            template=request.POST.get("template", ""),
            effective_from=timezone.localdate(),
            status=status,
        )
    except ValidationError as exc:
        flash(request, exc)
        return redirect("workforce:ladders")
    messages.success(request, _("已建立“%(n)s”。") % {"n": ladder.name})
    return redirect("workforce:ladder", public_id=ladder.public_id)


@require_roles(MANAGE_ROLES)
def ladder_detail(request, public_id):
    ladder = selectors.ladder_get(request.user, public_id)
    table = LadderTable.load(ladder)
    posts = list(ladder.posts.all())
    grades = list(ladder.grades.all())
    # The grid of posts × grades: which grades each post spans.
    grid = [(g, [p.min_grade <= g.grade <= p.max_grade for p in posts]) for g in reversed(grades)]
    active = Ladder.objects.filter(district=ladder.district, status=LadderStatus.ACTIVE).first()
    return render(
        request,
        "workforce/ladder.html",
        {
            "ladder": ladder,
            "posts": posts,
            "grid": grid,
            "credits": list(ladder.credits.all()),
            "subsidies": list(ladder.subsidies.all()),
            "required": {e: table.required_years(e) for e in ("below", "college", "bachelor", "master")},
            "active": active,
            "may_edit": is_district_admin_of(request.user, ladder.area_path),
            "active_nav": NAV,
        },
    )


@require_POST
@require_roles(LADDER_ROLES)
def ladder_act(request, public_id, action):
    ladder = selectors.ladder_get(request.user, public_id)
    try:
        if action == "copy":
            draft = services.ladder_copy_draft(actor=request.user, ladder=ladder)
            messages.success(request, _("已复制为草案，可修改后对比测算。"))
            return redirect("workforce:ladder", public_id=draft.public_id)
        if action == "edit":
            pay = {
                g.grade: request.POST[f"pay_{g.grade}"] for g in ladder.grades.all() if f"pay_{g.grade}" in request.POST
            }
            subsidies = {
                s.pk: request.POST[f"subsidy_{s.pk}"]
                for s in ladder.subsidies.all()
                if f"subsidy_{s.pk}" in request.POST
            }
            years = request.POST.get("step_years", "")
            services.draft_update(
                actor=request.user,
                ladder=ladder,
                pay=pay,
                subsidies=subsidies,
                step_years=int(years) if years.isdigit() else None,
            )
            messages.success(request, _("草案已保存。"))
        elif action == "activate":
            on = datetime.date.fromisoformat(request.POST.get("on") or timezone.localdate().isoformat())
            services.ladder_activate(actor=request.user, ladder=ladder, on=on)
            messages.success(request, _("“%(n)s”已启用。") % {"n": ladder.name})
        else:
            raise ValidationError(_("无效的操作。"))
    except ValidationError as exc:
        flash(request, exc)
    except ValueError:
        messages.error(request, _("请填写正确的日期。"))
    return redirect("workforce:ladder", public_id=ladder.public_id)


@require_roles(MANAGE_ROLES)
@replica_view
def whatif(request, public_id):
    """Next year's pay bill per community and in total: the table in force against this draft."""
    draft = selectors.ladder_get(request.user, public_id)
    current = Ladder.objects.filter(district=draft.district, status=LadderStatus.ACTIVE).first()
    if current is None or current.pk == draft.pk:
        messages.info(request, _("请选择一个草案与执行中的方案对比。"))
        return redirect("workforce:ladder", public_id=draft.public_id)
    under = scope_for(request.user).area_path or draft.area_path
    if not under.startswith(draft.area_path):
        under = draft.area_path
    total, rows = selectors.pay_bill(current, draft, under=under)
    return render(
        request,
        "workforce/whatif.html",
        {"draft": draft, "current": current, "total": total, "rows": rows, "active_nav": NAV},
    )
