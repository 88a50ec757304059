"""Estate governance (红色物业): the estates in scope and their status, an estate's page (its three parties,
the 五有, the duty list, coordination meetings and their matters, the cases they became)."""

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
from dangjian.core.tree import STEP
from dangjian.core.views import querystring_without_page, require_roles
from dangjian.orgs.models import PartyOrg
from dangjian.territory.models import Estate
from dangjian.territory.selectors import filter_area_options

from .. import selectors
from ..filters import EstateFilterForm, estate_filter_q
from ..models import FIVE_HAVES, ManagementMode, Matter, PropertyCompany
from ..permissions import MANAGE_ROLES
from ..rules import estate_duties
from ..services import estates as services
from ..services import meetings as meeting_services
from . import NAV, PAGE_SIZE, flash, lines, parse_datetime, parse_int


@require_roles(MANAGE_ROLES)
@replica_view
def estate_list(request):
    """The estates in scope with their governance (a stock), by management mode, place and whether a
    小区党支部 is recorded (cobuilding.filters): the rows of 小区党支部覆盖率."""
    qs = selectors.estates(request.user)
    mode = request.GET.get("mode", "")
    if mode in ManagementMode.values:
        qs = qs.filter(mode=mode)
    form = EstateFilterForm(request.GET or None, user=request.user)
    filters = form.list_filters()
    if filters:
        qs = qs.filter(estate_filter_q(**filters))
    page = keyset_page(qs, selectors.ESTATE_ORDER, **page_params(request), per_page=PAGE_SIZE)
    unrecorded = (
        Estate.objects.visible_to(request.user).filter(governance__isnull=True).order_by("community__path", "name")
    )
    return render(
        request,
        "cobuilding/estates.html",
        {
            "page": page,
            "mode": mode,
            "modes": ManagementMode.choices,
            "form": form,
            "filtered": bool(filters),
            "area_options": filter_area_options(
                request.user, form.fields["area"].queryset, getattr(form, "cleaned_data", {}).get("area")
            ),
            "unrecorded": [] if filters else unrecorded[:50],
            "querystring": querystring_without_page(request),
            "active_nav": NAV,
        },
    )


def _estate(request, public_id) -> Estate:
    return get_object_or_404(Estate.objects.visible_to(request.user).select_related("community"), public_id=public_id)


@require_roles(MANAGE_ROLES)
def estate(request, public_id):
    estate = _estate(request, public_id)
    governance = selectors.estates(request.user).filter(estate=estate).first()
    meetings = []
    matters = []
    if governance is not None:
        meetings = list(selectors.meetings(request.user).filter(estate=governance).order_by("-starts_at")[:20])
        matters = list(Matter.objects.filter(comeeting__estate=governance).order_by("-raised_at")[:50])
    companies = PropertyCompany.objects.filter(district__path=estate.community.path[:STEP]).order_by("name")
    branches = PartyOrg.objects.filter(estate=estate).order_by("name")
    checked = {key for key, _label in FIVE_HAVES if governance is not None and getattr(governance, key)}
    return render(
        request,
        "cobuilding/estate.html",
        {
            "estate": estate,
            "g": governance,
            "meetings": meetings,
            "matters": matters,
            "companies": companies,
            "branches": branches,
            "modes": ManagementMode.choices,
            "haves": [(key, label, key in checked) for key, label in FIVE_HAVES],
            "duties": estate_duties(estate.community),
            "now": timezone.localtime(),
            "active_nav": NAV,
        },
    )


@require_roles(MANAGE_ROLES)
@require_POST
def estate_save(request, public_id):
    estate = _estate(request, public_id)
    post = request.POST
    company = PropertyCompany.objects.filter(
        district__path=estate.community.path[:STEP], public_id=post.get("company") or None
    ).first()
    branch = PartyOrg.objects.filter(estate=estate, pk=post.get("branch") or None).first()
    try:
        services.governance_save(
            actor=request.user,
            estate=estate,
            mode=post.get("mode", ""),
            company=company,
            branch=branch,
            owners_committee=post.get("owners_committee", ""),
            committee_has_org=post.get("committee_has_org") == "1",
            committee_size=parse_int(post.get("committee_size")),
            committee_party_members=parse_int(post.get("committee_party_members")),
            haves={key for key, _label in FIVE_HAVES if post.get(key) == "1"},
        )
    except ValidationError as exc:
        flash(request, exc)
    else:
        messages.success(request, _("已保存小区治理情况。"))
    return redirect("cobuilding:estate", public_id=estate.public_id)


@require_roles(MANAGE_ROLES)
@require_POST
@idempotent
def estate_meeting(request, public_id):
    estate = _estate(request, public_id)
    governance = selectors.estates(request.user).filter(estate=estate).first()
    if governance is None:
        messages.error(request, _("请先登记小区治理情况。"))
        return redirect("cobuilding:estate", public_id=estate.public_id)
    post = request.POST
    try:
        co = meeting_services.estate_meeting_call(
            actor=request.user,
            governance=governance,
            starts_at=parse_datetime(post.get("starts_at", ""), _("会议时间")),
            place=post.get("place", ""),
            agenda=lines(post.get("agenda", "")),
        )
    except ValidationError as exc:
        flash(request, exc)
        return redirect("cobuilding:estate", public_id=estate.public_id)
    messages.success(request, _("已召集三方协调会议。"))
    return redirect("cobuilding:meeting", public_id=co.public_id)
