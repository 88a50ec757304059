"""The home-members list: in-service members living in the worker's territory, registered or not
(the rows behind the 双报到 figures: registration.facts "due" and "registered")."""

from __future__ import annotations

from django.shortcuts import render

from dangjian.core.db import replica_view
from dangjian.core.keyset import keyset_page, page_params
from dangjian.core.views import querystring_without_page, require_roles
from dangjian.territory.selectors import filter_area_options

from .. import selectors
from ..filters import HomeMemberFilterForm
from ..models import Registration, RegistrationKind, RegistrationStatus
from ..permissions import WORKER_ROLES
from .common import NAV, PAGE_SIZE


@require_roles(WORKER_ROLES)
@replica_view
def members(request):
    form = HomeMemberFilterForm(request.GET or None, user=request.user)
    filters = form.list_filters()
    rows = selectors.home_members(request.user, **filters)
    page = keyset_page(rows, selectors.HOME_MEMBER_ORDER, **page_params(request), per_page=PAGE_SIZE)
    # Each member's confirmed registration at home, else whether one waits for a decision: one query.
    regs = Registration.objects.filter(
        member_id__in=[m.pk for m in page.object_list],
        kind=RegistrationKind.MEMBER,
        status__in=[RegistrationStatus.CONFIRMED, RegistrationStatus.SUBMITTED],
    ).values_list("member_id", "community_id", "status", "public_id")
    home = {m.pk: m.home_community_id for m in page.object_list}
    confirmed, pending = {}, set()
    for member_id, community_id, status, public_id in regs:
        if status == RegistrationStatus.CONFIRMED and community_id == home[member_id]:
            confirmed[member_id] = public_id
        elif status == RegistrationStatus.SUBMITTED:
            pending.add(member_id)
    for m in page.object_list:
        m.home_registration = confirmed.get(m.pk)
        m.pending = m.pk not in confirmed and m.pk in pending
    context = {
        "page": page,
        "form": form,
        "filtered": bool(filters),
        "area_options": filter_area_options(
            request.user, form.fields["area"].queryset, getattr(form, "cleaned_data", {}).get("area")
        ),
        "querystring": querystring_without_page(request),
        "active_nav": NAV,
    }
    return render(request, "registration/members.html", context)
