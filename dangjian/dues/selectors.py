"""Reads of dues: a member's own months, a branch's monthly sheet (keyset), the branches a user acts
for, and the figures of a branch read from the store."""

from __future__ import annotations

import datetime
import uuid
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404

from dangjian.core.figures import facts as store
from dangjian.core.keyset import KeysetPage, keyset_page
from dangjian.core.money import yuan
from dangjian.core.periods import Period
from dangjian.core.tree import STEP
from dangjian.orgs.models import PartyOrg
from dangjian.people.models import Member

from . import rules
from .facts import COMMUNITY_DEPTH, DUE, PAID
from .models import DuesMonth, PayBase, Payment, Remittance
from .permissions import orgs_acted_for

SHEET_ORDER = ("member_name", "id")
ORG_ORDER = ("path", "id")


def my_member(user: Any) -> Member | None:
    """The signed-in person's own member record (people.Member.user), if any."""
    if not getattr(user, "is_authenticated", False):
        return None
    return Member.objects.filter(user=user).select_related("org").first()


def my_months(member: Member, *, limit: int = 24) -> list[DuesMonth]:
    return list(DuesMonth.objects.filter(member=member).order_by("-month")[:limit])


def current_base(member: Member, on: datetime.date | None = None) -> PayBase | None:
    month = rules.month_of(on or datetime.date.today())
    return (
        PayBase.objects.filter(member=member, effective_month__lte=month).order_by("-effective_month").first()
        or PayBase.objects.filter(member=member).order_by("effective_month").first()
    )


def branch_get(user: Any, public_id: Any) -> PartyOrg:
    try:
        return orgs_acted_for(user).select_related("area", "parent").get(public_id=public_id)
    except (PartyOrg.DoesNotExist, ValidationError, ValueError, TypeError) as exc:
        raise Http404 from exc


def branches_page(user: Any, *, q: str = "", **page: Any) -> KeysetPage:
    qs: QuerySet = orgs_acted_for(user).filter(members__isnull=False).distinct()
    ids = qs.values("pk")
    orgs = PartyOrg.objects.filter(pk__in=ids)
    if q:
        orgs = orgs.filter(name__icontains=q)
    return keyset_page(orgs, ORG_ORDER, per_page=20, **page)


def sheet_page(org: PartyOrg, month: datetime.date, **page: Any) -> KeysetPage:
    qs = DuesMonth.objects.filter(org=org, month=month)
    return keyset_page(qs, SHEET_ORDER, per_page=50, **page)


COLLECT_MAX = 200  # rows one 集中收缴 may record: more than a sheet page holds


def unsettled_in_branch(org: PartyOrg, month: datetime.date, public_ids: list[str]) -> list[DuesMonth]:
    """The months among `public_ids` that belong to `org` and `month` and still owe something (ids that
    are malformed, of another branch or month, or settled are left out)."""
    ids = []
    for text in public_ids:
        try:
            ids.append(uuid.UUID(str(text)))
        except ValueError:
            continue
    rows = DuesMonth.objects.filter(org=org, month=month, public_id__in=ids).order_by(*SHEET_ORDER)
    return [d for d in rows if not d.settled]


def sheet_all(org: PartyOrg, month: datetime.date) -> list[DuesMonth]:
    """The whole sheet, for the printable record (a branch's members: tens, at most a few hundred)."""
    return list(DuesMonth.objects.filter(org=org, month=month).order_by(*SHEET_ORDER))


def members_without_base(org: PartyOrg, *, limit: int = 50) -> list[Member]:
    from dangjian.people.models import ACTIVE_STATUSES

    return list(
        Member.objects.filter(org=org, status__in=ACTIVE_STATUSES, pay_bases__isnull=True).order_by("name", "pk")[
            :limit
        ]
    )


def member_in_branch(org: PartyOrg, public_id: Any) -> Member:
    try:
        return Member.objects.get(org=org, public_id=public_id)
    except (Member.DoesNotExist, ValidationError, ValueError, TypeError) as exc:
        raise Http404 from exc


def dues_in_branch(org: PartyOrg, public_id: Any) -> DuesMonth:
    try:
        return DuesMonth.objects.select_related("member").get(org=org, public_id=public_id)
    except (DuesMonth.DoesNotExist, ValidationError, ValueError, TypeError) as exc:
        raise Http404 from exc


def remittances(org: PartyOrg, *, limit: int = 12) -> list[Remittance]:
    return list(Remittance.objects.filter(from_org=org).select_related("to_org").order_by("-created_at")[:limit])


def payments_of(member: Member, *, limit: int = 24) -> list[Payment]:
    return list(Payment.objects.filter(member=member).select_related("dues").order_by("-paid_at", "-pk")[:limit])


@dataclass
class BranchFigures:
    members: int = 0
    settled: int = 0
    unsettled: int = 0
    due: Decimal = Decimal(0)
    paid: Decimal = Decimal(0)
    extra: Decimal = Decimal(0)

    @property
    def arrears(self) -> Decimal:
        return self.due - self.paid


def month_period(month: datetime.date) -> Period:
    last = rules.add_months(month, 1) - datetime.timedelta(days=1)
    return Period(key="custom", date_from=month, date_to=last)


def branch_figures(org: PartyOrg, period: Period) -> BranchFigures:
    """A branch's dues for a period, from the store (dimension org:<id> at the branch's node)."""
    dim = f"org:{org.pk}"
    path = org.area.path[: COMMUNITY_DEPTH * STEP]  # the dimension is kept down to the community
    due = store.total(DUE, path, period, dim)
    paid = store.total(PAID, path, period, dim)
    return BranchFigures(
        members=due["members"],
        settled=due["settled"],
        unsettled=due["unsettled"],
        due=yuan(due.amount),
        paid=yuan(paid.amount),
        extra=yuan(paid["extra_fen"]),
    )


MONTH_ORDER = ("-month_start", "-id")  # the (month_start, id) index, newest months first


def months(user: Any) -> QuerySet[DuesMonth]:
    """The member-month dues rows of the viewer's territory (the figures' rows: dues/facts.py)."""
    return DuesMonth.objects.visible_to(user).select_related("org")
