from django.core.paginator import Paginator
from django.shortcuts import render

from dangjian.core.views import querystring_without_page, require_roles

from .changes import describe
from .models import Action, AuditEvent
from .permissions import AUDIT_ROLES
from .selectors import FILTERS, filter_events


@require_roles(AUDIT_ROLES)
def audit_list(request):
    events = filter_events(AuditEvent.objects.visible_to(request.user), request.GET)
    page = Paginator(events.order_by("-at", "-pk"), 30).get_page(request.GET.get("page"))
    describe(page.object_list)
    context = {
        "page": page,
        "actions": Action.choices,
        "filters": {k: request.GET.get(k, "") for k in FILTERS},
        "querystring": querystring_without_page(request),
        "active_nav": "audit",
    }
    return render(request, "audit/list.html", context)
