from datetime import datetime, time

from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils import timezone

from dangjian.accounts.roles import AUDIT_ROLES
from dangjian.core.views import querystring_without_page, require_roles

from .models import Action, AuditEvent


def _day(value: str, end: bool = False):
    try:
        day = datetime.strptime(value, "%Y-%m-%d").date()
    except ValueError:
        return None
    return timezone.make_aware(datetime.combine(day, time.max if end else time.min))


@require_roles(AUDIT_ROLES)
def audit_list(request):
    events = AuditEvent.objects.visible_to(request.user)
    who, action, what = (request.GET.get(k, "").strip() for k in ("who", "action", "what"))
    since, until = _day(request.GET.get("since", "")), _day(request.GET.get("until", ""), end=True)
    if who:
        events = events.filter(actor_name__icontains=who)
    if action in Action.values:
        events = events.filter(action=action)
    if what:
        events = events.filter(object_repr__icontains=what)
    if since:
        events = events.filter(at__gte=since)
    if until:
        events = events.filter(at__lte=until)
    page = Paginator(events.order_by("-at", "-pk"), 30).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "actions": Action.choices,
        "filters": {k: request.GET.get(k, "") for k in ("who", "action", "what", "since", "until")},
        "querystring": querystring_without_page(request),
        "active_nav": "audit",
    }
    return render(request, "audit/list.html", context)
