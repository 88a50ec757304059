"""The co-building matters in scope (共建事项: raised at joint meetings, on visits and by liaisons), by
place, days raised, solved and source (cobuilding.filters): the rows of the matters' figures."""

from __future__ import annotations

from django.shortcuts import render

from dangjian.core.db import replica_view
from dangjian.core.keyset import keyset_page, page_params
from dangjian.core.views import querystring_without_page, require_roles
from dangjian.territory.selectors import filter_area_options

from .. import selectors
from ..facts import matter_solved
from ..filters import MatterFilterForm, matter_filter_q
from ..permissions import MANAGE_ROLES
from . import NAV, PAGE_SIZE


@require_roles(MANAGE_ROLES)
@replica_view
def matter_list(request):
    form = MatterFilterForm(request.GET or None, user=request.user)
    filters = form.list_filters()
    qs = selectors.matters(request.user).select_related("area")
    if filters:
        qs = qs.filter(matter_filter_q(**filters))
    page = keyset_page(qs, selectors.MATTER_ORDER, **page_params(request), per_page=PAGE_SIZE)
    solved = matter_solved([(m.pk, m.outcome, m.target_id) for m in page.object_list])
    return render(
        request,
        "cobuilding/matters.html",
        {
            "page": page,
            "rows": [(m, solved[m.pk]) for m in page.object_list],
            "form": form,
            "filtered": bool(filters),
            "area_options": filter_area_options(
                request.user, form.fields["area"].queryset, getattr(form, "cleaned_data", {}).get("area")
            ),
            "querystring": querystring_without_page(request),
            "active_nav": NAV,
        },
    )
