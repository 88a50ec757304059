"""双随机 supervision: the district draws (on the scheme page), the draw's page (seed, picks, findings),
the inspector's page for one drawn organization (record findings on the phone), and the steps of a
finding (the secretary reports the rectification, the inspector or the district verifies or reopens)."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dangjian.core.idempotency import idempotent
from dangjian.core.views import require_roles
from dangjian.core.workflow import TransitionRefused

from .. import selectors
from ..permissions import READ_ROLES, REPORT_ROLES
from ..services import inspection as services
from ..workflow import FINDING_FLOW, FindingStep
from . import NAV, flash, parse_version


@require_roles(READ_ROLES)
@require_POST
def draw_new(request, public_id):
    scheme = selectors.scheme_get(request.user, public_id)
    try:
        draw = services.draw_make(
            actor=request.user,
            scheme=scheme,
            org_count=int(request.POST.get("orgs") or 0),
            inspector_count=int(request.POST.get("inspectors") or 0),
        )
    except ValueError:
        messages.error(request, _("请填写抽取数量。"))
    except ValidationError as exc:
        flash(request, exc)
    else:
        messages.success(request, _("已抽取，随机种子已记录。"))
        return redirect("assessment:draw", public_id=draw.public_id)
    return redirect("assessment:scheme", public_id=scheme.public_id)


@require_roles(REPORT_ROLES)
def draw(request, public_id):
    obj = selectors.draw_get(request.user, public_id)
    picks = list(selectors.picks_for(request.user).filter(draw=obj).order_by("position"))
    counts = {}
    for f in selectors.findings_for(request.user).filter(pick__draw=obj).values_list("pick_id", "status"):
        counts.setdefault(f[0], []).append(f[1])
    rows = [(p, counts.get(p.pk, [])) for p in picks]
    return render(request, "assessment/draw.html", {"draw": obj, "rows": rows, "active_nav": NAV})


@require_roles(REPORT_ROLES)
@idempotent
def pick(request, public_id):
    obj = selectors.pick_get(request.user, public_id)
    inspects = obj.inspector_id == request.user.pk
    if request.method == "POST":
        if not inspects:
            raise Http404
        try:
            services.finding_record(
                actor=request.user,
                pick=obj,
                text=request.POST.get("text", ""),
                deadline=datetime.date.fromisoformat(request.POST.get("deadline") or ""),
            )
        except ValueError:
            messages.error(request, _("请填写整改时限。"))
        except ValidationError as exc:
            flash(request, exc)
        else:
            messages.success(request, _("已记录，党组织书记将收到整改任务。"))
            return redirect("assessment:pick", public_id=obj.public_id)
    findings = list(selectors.findings_for(request.user).filter(pick=obj).order_by("pk"))
    return render(
        request,
        "assessment/pick.html",
        {"pick": obj, "findings": findings, "inspects": inspects, "flow": FINDING_FLOW, "active_nav": NAV},
    )


@require_roles(REPORT_ROLES)
@require_POST
def finding_step(request, public_id):
    finding = selectors.findings_for(request.user).filter(public_id=public_id).first()
    if finding is None:
        raise Http404
    step = request.POST.get("step", "")
    version = parse_version(request.POST.get("version"))
    note = request.POST.get("note", "")
    try:
        if step == FindingStep.RECTIFY:
            services.finding_rectify(actor=request.user, finding=finding, note=note, version=version)
        elif step == FindingStep.VERIFY:
            services.finding_verify(actor=request.user, finding=finding, version=version, note=note)
        elif step == FindingStep.REOPEN:
            services.finding_reopen(actor=request.user, finding=finding, note=note, version=version)
        else:
            raise Http404
    except (ValidationError, TransitionRefused) as exc:
        flash(request, exc)
    else:
        messages.success(request, str(FINDING_FLOW.steps[step].done_message) % {"obj": FINDING_FLOW.describe(finding)})
    if request.POST.get("back") == "mine":
        return redirect("assessment:mine")
    return redirect("assessment:pick", public_id=finding.pick.public_id)
