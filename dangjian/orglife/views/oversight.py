"""The community committee's and the admins' page of the branches behind: every obligation past its
period (or its fixed day) and not met in their territory, newest first, by kind."""

from __future__ import annotations

from django.shortcuts import render
from django.utils import timezone

from dangjian.core.db import replica_view
from dangjian.core.keyset import keyset_page, page_params
from dangjian.core.views import querystring_without_page, require_roles

from .. import selectors
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
