"""The yearly step-up: runs (start one, watch its progress), a run's proposals (keyset) and the
district admin's approval or rejection of each."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dangjian.core.keyset import keyset_page, page_params
from dangjian.core.views import querystring_without_page, require_roles
from dangjian.core.workflow import TransitionRefused

from .. import selectors
from ..models import ProposalStatus
from ..permissions import LADDER_ROLES, MANAGE_ROLES, is_district_admin_of
from ..services import stepup as services
from ..workflow import STEPUP_FLOW, Party
from . import NAV, PAGE_SIZE, flash
from .ladders import _district


@require_roles(MANAGE_ROLES)
def run_list(request):
    district = _district(request)
    return render(
        request,
        "workforce/runs.html",
        {
            "runs": list(selectors.runs(request.user)[:20]),
            "year": timezone.localdate().year,
            "may_start": district is not None and is_district_admin_of(request.user, district.path),
            "active_nav": NAV,
        },
    )


@require_POST
@require_roles(LADDER_ROLES)
def run_start(request):
    district = _district(request)
    if district is None:
        raise Http404
    try:
        year = int(request.POST.get("year") or timezone.localdate().year)
        run, created = services.stepup_run_start(actor=request.user, district=district, year=year)
    except ValueError:
        messages.error(request, _("请填写年度。"))
        return redirect("workforce:runs")
    except ValidationError as exc:
        flash(request, exc)
        return redirect("workforce:runs")
    if created:
        messages.success(request, _("已开始 %(y)s 年度晋级核定，完成后列出拟晋级人员。") % {"y": run.year})
    else:
        messages.info(request, _("%(y)s 年度已核定过，不会重复提出建议。") % {"y": run.year})
    return redirect("workforce:run", public_id=run.public_id)


@require_roles(MANAGE_ROLES)
def run_detail(request, public_id):
    run = selectors.run_get(request.user, public_id)
    status = request.GET.get("status", ProposalStatus.PROPOSED)
    if status not in ProposalStatus.values:
        status = ""
    page = keyset_page(
        selectors.proposals(request.user, run, status), selectors.PROPOSAL_ORDER, **page_params(request),
        per_page=PAGE_SIZE,
    )  # fmt: skip
    may_approve = is_district_admin_of(request.user, run.area_path)
    return render(
        request,
        "workforce/run.html",
        {
            "run": run,
            "page": page,
            "status": status,
            "statuses": ProposalStatus.choices,
            "may_approve": may_approve,
            "steps": STEPUP_FLOW.allowed_steps(ProposalStatus.PROPOSED, {Party.DISTRICT} if may_approve else set()),
            "querystring": querystring_without_page(request),
            "active_nav": NAV,
        },
    )


@require_roles(MANAGE_ROLES)
def run_progress(request, public_id):
    run = selectors.run_get(request.user, public_id)
    return render(request, "workforce/_run_progress.html", {"run": run})


@require_POST
@require_roles(LADDER_ROLES)
def proposal_act(request, public_id):
    proposal = selectors.proposal_get(request.user, public_id)
    step = request.POST.get("step", "")
    if step not in STEPUP_FLOW.steps:
        raise Http404
    try:
        version = int(request.POST.get("version") or 0) or None
        services.proposal_step(
            actor=request.user, proposal=proposal, step=step, version=version, note=request.POST.get("note", "")
        )
    except (TransitionRefused, ValidationError) as exc:
        flash(request, exc)
    else:
        messages.success(
            request,
            str(STEPUP_FLOW.steps[step].done_message)
            % {"obj": STEPUP_FLOW.describe(proposal), "step": STEPUP_FLOW.step_label(step)},
        )
    return redirect("workforce:run", public_id=proposal.run.public_id)
