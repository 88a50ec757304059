"""The community committee's and the admins' pages of the branches' obligations: the branches behind
(every obligation past its period, or its fixed day, and not met in their territory, newest first, by
kind) and every obligation period with its place, day and met filters (the cockpit links it)."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils import timezone

from dangjian.core.db import replica_view
from dangjian.core.keyset import keyset_page, page_params
from dangjian.core.views import querystring_without_page, require_roles
from dangjian.territory.selectors import filter_area_options

from .. import selectors
from ..filters import ObligationFilterForm, filter_q
from ..models import Kind
from ..permissions import OVERSEE_ROLES

PAGE_SIZE = 30


@require_roles(OVERSEE_ROLES)
@replica_view
def behind(request):
    kind = request.GET.get("kind", "")
    if kind not in Kind.values:
        kind = ""
    today = timezone.localdate()
    page = keyset_page(
        selectors.behind(request.user, today=today, kind=kind),
        selectors.BEHIND_ORDER,
        **page_params(request),
        per_page=PAGE_SIZE,
    )
    selectors.attach_orgs(page.object_list)
    return render(
        request,
        "orglife/behind.html",
        {
            "page": page,
            "kind": kind,
            "kinds": Kind.choices,
            "querystring": querystring_without_page(request),
            "active_nav": "orglife_behind",
        },
    )


@require_roles(OVERSEE_ROLES)
@replica_view
def obligations(request):
    """Every obligation period in the territory (one row per branch, kind and period), filtered by
    place, the days its period begins, whether it was met and kind: the orglife_compliance figure's
    rows (met / periods)."""
    form = ObligationFilterForm(request.GET or None, user=request.user)
    filters = form.list_filters()
    rows = selectors.obligations(request.user)
    if filters:
        rows = rows.filter(filter_q(**filters))
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    page.count = page.paginator.count  # the list's exact count, as the cockpit's links read it
    selectors.attach_orgs(page.object_list)
    return render(
        request,
        "orglife/obligations.html",
        {
            "page": page,
            "form": form,
            "filtered": bool(filters),
            "area_options": filter_area_options(
                request.user, form.fields["area"].queryset, getattr(form, "cleaned_data", {}).get("area")
            ),
            "querystring": querystring_without_page(request),
            "active_nav": "orglife_behind",
        },
    )
