"""What the report pages read: the district a user's reports belong to (the district admin's own;
anyone else: none, so 404) and its reports, newest month first."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from dangjian.core.figures import rollup
from dangjian.territory.models import Area, Level

from ..models import MonthlyReport


def district_of(user: Any) -> Any:
    district = rollup.home_node(user, Area.objects.visible_to(user).filter(level=Level.DISTRICT))
    if district is None or district.level != Level.DISTRICT:
        raise Http404
    return district


def reports(district: Any) -> QuerySet[MonthlyReport]:
    return MonthlyReport.objects.filter(district=district).select_related("generated_by").order_by("-month")


def report_get(district: Any, public_id: Any) -> MonthlyReport:
    """A report of the district; another district's (or none): 404."""
    report = MonthlyReport.objects.filter(district=district, public_id=public_id).first()
    if report is None:
        raise Http404
    return report
