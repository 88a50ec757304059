"""The district's quarterly guidance: the list (every role that runs branches reads it), drafting and
publishing (the district admin), and each issue's coverage (branches that followed it)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dangjian.core.keyset import keyset_page, page_params
from dangjian.core.scoping import scope_for
from dangjian.core.tree import STEP
from dangjian.core.views import querystring_without_page, require_roles
from dangjian.territory.models import Area, Level

from .. import selectors
from ..forms import GuidanceForm
from ..permissions import GUIDANCE_ROLES, RUN_ROLES, may_publish_guidance
from ..services import guidance as services

ORDER = ("-year", "-quarter", "-id")


@require_roles(RUN_ROLES)
def guidance_list(request):
    page = keyset_page(selectors.guidance_visible(request.user), ORDER, **page_params(request), per_page=20)
    return render(
        request,
        "orglife/guidance_list.html",
        {
            "page": page,
            "may_publish": may_publish_guidance(request.user),
            "querystring": querystring_without_page(request),
            "active_nav": "orglife_guidance",
        },
    )


def _district(request) -> Area:
    path = scope_for(request.user).area_path or ""
    district = Area.objects.filter(path=path[:STEP], level=Level.DISTRICT).first() if path else None
    if district is None:
        raise Http404
    return district


@require_roles(GUIDANCE_ROLES)
def guidance_new(request):
    district = _district(request)
    today = timezone.localdate()
    form = GuidanceForm(request.POST or None, initial={"year": today.year, "quarter": (today.month - 1) // 3 + 1})
    if request.method == "POST" and form.is_valid():
        try:
            g = services.guidance_save(
                actor=request.user,
                district=district,
                **{**form.cleaned_data, "quarter": int(form.cleaned_data["quarter"])},
            )
        except ValidationError as exc:
            form.add_error(None, exc.messages)
        else:
            messages.success(request, _("已保存指引草稿。"))
            return redirect("orglife:guidance", public_id=g.public_id)
    return render(request, "orglife/guidance_form.html", {"form": form, "active_nav": "orglife_guidance"})


@require_roles(RUN_ROLES)
def guidance(request, public_id):
    g = selectors.guidance_get(request.user, public_id)
    if g.published_at is None and not may_publish_guidance(request.user):
        raise Http404
    return render(
        request,
        "orglife/guidance.html",
        {"guidance": g, "may_publish": may_publish_guidance(request.user), "active_nav": "orglife_guidance"},
    )


@require_roles(GUIDANCE_ROLES)
@require_POST
def guidance_publish(request, public_id):
    g = selectors.guidance_get(request.user, public_id)
    try:
        services.guidance_publish(actor=request.user, guidance=g)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("指引已发布。"))
    return redirect("orglife:guidance", public_id=g.public_id)
