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
from ..permissions import WORKER_ROLES
from .common import NAV, PAGE_SIZE


@require_roles(WORKER_ROLES)
@replica_view
def members(request):
    form = HomeMemberFilterForm(request.GET or None, user=request.user)
    filters = form.list_filters()
    rows = selectors.home_members(request.user, **filters)
    page = keyset_page(rows, selectors.HOME_MEMBER_ORDER, **page_params(request), per_page=PAGE_SIZE)
    selectors.mark_home_registrations(page.object_list)
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
