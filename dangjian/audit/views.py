from django.shortcuts import render

from dangjian.core.keyset import keyset_page, page_params
from dangjian.core.views import querystring_without_page, require_roles

from .changes import describe
from .models import Action, AuditEvent
from .permissions import AUDIT_ROLES
from .selectors import FILTERS, LIST_ORDER, filter_events

PER_PAGE = 30


@require_roles(AUDIT_ROLES)
def audit_list(request):
    events = filter_events(AuditEvent.objects.visible_to(request.user), request.GET)
    page = keyset_page(
        events.order_by(*LIST_ORDER),
        LIST_ORDER,
        **page_params(request),
        per_page=PER_PAGE,
    )
    describe(page.object_list)
    context = {
        "page": page,
        "actions": Action.choices,
        "filters": {k: request.GET.get(k, "") for k in FILTERS},
        "querystring": querystring_without_page(request),
        "active_nav": "audit",
    }
    return render(request, "audit/list.html", context)
