"""年度服务记录: each member's and unit's service in a year, per community or per Party organization.

For a member: demands taken (taken_at in the year), demands done (served, done_at in the year),
service hours on those, ratings received (rated_at in the year) and their average, and the
volunteering hours the time bank credited to the member's account in the year (deposits that do
not come from a demand's settlement, whose keys start with "demand:", net of their corrections).
For a unit: the same from the demands assigned to the unit (a unit has no time-bank account).

Every figure is a correlated subquery annotation on the members (or units) queryset, so a page of
rows, its ordering by hours and the Excel export are each one query whatever the number of rows.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.apps import apps
from django.db.models import (
    Avg,
    Count,
    DecimalField,
    F,
    FloatField,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from dangjian.core.scoping import prefix_q
from dangjian.people.models import Member
from dangjian.registration.models import Registration, RegistrationStatus
from dangjian.territory.models import Area
from dangjian.units.models import ResidentUnit

from .models import Demand
from .workflow import SERVED_STATUSES

HOURS = DecimalField(max_digits=12, decimal_places=1)
DEMAND_KEY_PREFIX = "demand:"


def year_bounds(year: int) -> tuple[datetime.datetime, datetime.datetime]:
    start = timezone.make_aware(datetime.datetime(year, 1, 1))
    return start, timezone.make_aware(datetime.datetime(year + 1, 1, 1))


def _demand_sub(field: str, expression: Any, extra: Q, output: Any) -> Subquery:
    qs = (
        Demand.objects.filter(**{field: OuterRef("pk")})
        .filter(extra)
        .order_by()
        .values(field)
        .annotate(v=expression)
        .values("v")
    )
    return Subquery(qs, output_field=output)


def _demand_annotations(field: str, year: int) -> dict[str, Any]:
    start, end = year_bounds(year)
    served = Q(status__in=sorted(SERVED_STATUSES), done_at__gte=start, done_at__lt=end)
    taken = Q(taken_at__gte=start, taken_at__lt=end)
    rated = Q(rating__isnull=False, rated_at__gte=start, rated_at__lt=end)
    return {
        "taken_count": Coalesce(_demand_sub(field, Count("pk"), taken, IntegerField()), 0),
        "done_count": Coalesce(_demand_sub(field, Count("pk"), served, IntegerField()), 0),
        "service_hours": Coalesce(
            _demand_sub(field, Sum("hours"), served, HOURS), Value(Decimal(0)), output_field=HOURS
        ),
        "rated_count": Coalesce(_demand_sub(field, Count("pk"), rated, IntegerField()), 0),
        "average_rating": _demand_sub(field, Avg("rating"), rated, FloatField()),
    }


def timebank_available() -> bool:
    try:
        apps.get_model("timebank", "Entry")
    except LookupError:
        return False
    return True


def _volunteer_hours(year: int) -> Any:
    """Hours the time bank credited to the member's own account in the year for service other than
    demands (volunteering), net of corrections of those credits; 0 when the time bank is absent."""
    if not timebank_available():
        return Value(Decimal(0), output_field=HOURS)
    entry = apps.get_model("timebank", "Entry")
    start, end = year_bounds(year)
    deposit = Q(journal__kind="deposit") & ~Q(journal__key__startswith=DEMAND_KEY_PREFIX)
    correction = Q(journal__kind="correction", journal__reverses__kind="deposit") & ~Q(
        journal__reverses__key__startswith=DEMAND_KEY_PREFIX
    )
    qs = (
        entry.objects.filter(
            account__kind="person",
            account__owner_id=OuterRef("user_id"),
            journal__created_at__gte=start,
            journal__created_at__lt=end,
        )
        .filter(deposit | correction)
        .order_by()
        .values("account__owner_id")
        .annotate(v=Sum("amount"))
        .values("v")
    )
    return Coalesce(Subquery(qs, output_field=HOURS), Value(Decimal(0)), output_field=HOURS)


def members_of(*, community: Area | None = None, org: Any = None) -> QuerySet:
    """The members a record covers: of a community (living there or registered there at 双报到),
    or of a Party organization's subtree."""
    qs = Member.objects.all()
    if community is not None:
        registered = Registration.objects.filter(
            community=community, status=RegistrationStatus.CONFIRMED, member__isnull=False
        ).values("member_id")
        qs = qs.filter(Q(home_community=community) | Q(pk__in=registered))
    if org is not None:
        qs = qs.filter(prefix_q("org__path", org.path))
    return qs


def units_of(*, community: Area | None = None, org: Any = None) -> QuerySet:
    qs = ResidentUnit.objects.all()
    if community is not None:
        registered = Registration.objects.filter(
            community=community, status=RegistrationStatus.CONFIRMED, unit__isnull=False
        ).values("unit_id")
        qs = qs.filter(Q(community=community) | Q(pk__in=registered))
    if org is not None:
        qs = qs.filter(prefix_q("party_org__path", org.path))
    return qs


def member_records(members: QuerySet, year: int) -> QuerySet:
    """Members annotated with their year's record, most hours first."""
    return (
        members.annotate(**_demand_annotations("assigned_member", year), volunteer_hours=_volunteer_hours(year))
        .annotate(total_hours=F("service_hours") + F("volunteer_hours"))
        .select_related("org", "home_community")
        .order_by("-total_hours", "-done_count", "name", "pk")
    )


def unit_records(units: QuerySet, year: int) -> QuerySet:
    return (
        units.annotate(**_demand_annotations("assigned_unit", year))
        .select_related("community")
        .order_by("-service_hours", "-done_count", "name", "pk")
    )


def totals(records: QuerySet, *, with_volunteering: bool) -> dict[str, Any]:
    """The sums over every row of a records queryset (one query)."""
    fields = ["taken_count", "done_count", "service_hours", "rated_count"]
    if with_volunteering:
        fields.append("volunteer_hours")
    sums = records.order_by().aggregate(**{f"sum_{f}": Sum(f) for f in fields})
    return {f: sums[f"sum_{f}"] or 0 for f in fields}
