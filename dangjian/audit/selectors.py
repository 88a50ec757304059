"""Reads of the audit log: the filters the audit page and its Excel export share."""

from datetime import datetime, time
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from .models import Action

FILTERS = ["who", "action", "what", "since", "until"]
# The audit page's order, newest first: audit_event_at walked backwards (audit_event_action_at with an action).
LIST_ORDER = ("-at", "-pk")


def _day(value: str, end: bool = False) -> datetime | None:
    try:
        day = datetime.strptime(value, "%Y-%m-%d").date()
    except ValueError:
        return None
    return timezone.make_aware(datetime.combine(day, time.max if end else time.min))


def filter_events(qs: QuerySet, params: Any) -> QuerySet:
    """Who (actor name), action, what (object), since and until (YYYY-MM-DD), as the page offers."""
    who, action, what, since, until = (str(params.get(k, "") or "").strip() for k in FILTERS)
    if who:
        qs = qs.filter(actor_name__icontains=who)
    if action in Action.values:
        qs = qs.filter(action=action)
    if what:
        qs = qs.filter(object_repr__icontains=what)
    if since_at := _day(since):
        qs = qs.filter(at__gte=since_at)
    if until_at := _day(until, end=True):
        qs = qs.filter(at__lte=until_at)
    return qs
