"""The reserve pool (社区后备人才库): the list (keyset, search, status), a candidate added and updated."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from dangjian.core.keyset import keyset_page, page_params
from dangjian.core.views import querystring_without_page, require_roles
from dangjian.territory.models import Level

from .. import selectors
from ..forms import CandidateForm, CandidateUpdateForm
from ..models import CandidateStatus
from ..permissions import MANAGE_ROLES
from ..services import reserve as services
from . import NAV, PAGE_SIZE, form_errors


@require_roles(MANAGE_ROLES)
def reserve_list(request):
    q = request.GET.get("q", "")
    status = request.GET.get("status", CandidateStatus.POOL)
    if status not in CandidateStatus.values:
        status = ""
    page = keyset_page(
        selectors.candidates(request.user, q=q, status=status), selectors.RESERVE_ORDER, **page_params(request),
        per_page=PAGE_SIZE,
    )  # fmt: skip
    return render(
        request,
        "workforce/reserve.html",
        {
            "page": page,
            "q": q,
            "status": status,
            "statuses": CandidateStatus.choices,
            "querystring": querystring_without_page(request),
            "active_nav": NAV,
        },
    )


@require_roles(MANAGE_ROLES)
def candidate_new(request):
    communities = [a for a in selectors.communities(request.user) if a.level == Level.COMMUNITY]
    form = CandidateForm(request.POST or None, communities=communities)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        community = next(a for a in communities if str(a.public_id) == data.pop("community"))
        try:
            candidate = services.candidate_add(actor=request.user, community=community, **data)
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("%(n)s已入库。") % {"n": candidate.name})
            return redirect("workforce:candidate", public_id=candidate.public_id)
    return render(request, "workforce/candidate_form.html", {"form": form, "active_nav": NAV})


@require_roles(MANAGE_ROLES)
def candidate_detail(request, public_id):
    candidate = selectors.candidate_get(request.user, public_id)
    form = CandidateUpdateForm(
        request.POST or None, initial={"status": candidate.status, "assessment": candidate.assessment}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.candidate_update(actor=request.user, candidate=candidate, **form.cleaned_data)
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("已保存。"))
            return redirect("workforce:candidate", public_id=candidate.public_id)
    return render(request, "workforce/candidate.html", {"candidate": candidate, "form": form, "active_nav": NAV})
