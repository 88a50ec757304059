"""The estates of the ten-minute circle as a list: under a place, in the circle, outside it, or all
(the rows behind the cockpit's 十分钟服务圈小区覆盖率)."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils.http import urlencode
from django.views.decorators.http import require_GET

from dangjian.core.views import require_roles

from .. import selectors
from ..permissions import MANAGE_ROLES
from .centres import _circle_area

PAGE_SIZE = 50
COVERED = {"1": True, "0": False}


@require_roles(MANAGE_ROLES)
@require_GET
def circle_estates(request):
    area = _circle_area(request)
    wanted = request.GET.get("covered", "")
    covered = COVERED.get(wanted)
    result = selectors.circle_for(area)
    page = Paginator(result.estate_rows(covered), PAGE_SIZE).get_page(request.GET.get("page"))
    kept = {k: v for k, v in (("area", str(area.public_id)), ("covered", wanted if covered is not None else "")) if v}
    return render(
        request,
        "centers/circle_estates.html",
        {
            "area": area,
            "circle": result,
            "covered": wanted if covered is not None else "",
            "page": page,
            "query": urlencode(kept),
            "active_nav": "centers",
        },
    )
