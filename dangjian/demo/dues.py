"""Demo 党费 (a DEMO_EXTENSIONS step, after the people step).

Every active member on an organization's books gets a pay base from January (in-service members by pay,
retirees by pension, a few students, farmers and unemployed members at the fixed amounts); the dues of
every month of this year so far are charged by the monthly run and collected by each branch (one
collection a month, services.collect). A few members had a raise from the middle of the year, entered
after that month was paid: it is carried as an adjustment into the next month. Some members are behind
(their last one to three months unpaid). At mid-year every branch remitted what it held to its parent
and the community committees passed half of theirs on. Everything goes through the dues services.
"""

from __future__ import annotations

import random
from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.utils import timezone

from dangjian.dues import rules, services
from dangjian.dues.models import DuesMonth, PayBase, PayCategory
from dangjian.orgs.models import PartyOrg
from dangjian.people.models import ACTIVE_STATUSES, Member

FIXED = (PayCategory.STUDENT, PayCategory.UNEMPLOYED, PayCategory.FARMER)


def build(rng: random.Random, built: Any) -> None:
    today = timezone.localdate()
    first = today.replace(month=1, day=1)
    months = [rules.add_months(first, i) for i in range(today.month)]
    members = list(
        Member.objects.filter(status__in=ACTIVE_STATUSES, org__isnull=False).order_by("pk").values("pk", "status")
    )
    if not members:
        return
    _bases(rng, members, first)
    for month in months:
        services.dues_run(month=month)
    by_pk = [m["pk"] for m in members]
    behind = set(rng.sample(by_pk, max(1, len(by_pk) // 7)))  # some members in arrears
    raised = list(rng.sample(by_pk, max(1, len(by_pk) // 15)))
    mid = len(months) // 2
    for month in months[:mid]:
        _collect(month, skip=set(), tag="h1")
    _raise(rng, raised, months, mid)
    if mid:
        _remit_upward(tag=f"{months[mid - 1]:%Y%m}")
    for i, month in enumerate(months[mid:]):
        late = len(months) - mid - i  # 1 for the last month
        skip = {pk for pk in behind if late <= 1 + pk % 3}
        _collect(month, skip=skip, tag="h2")


def _bases(rng: random.Random, members: list[dict], first) -> None:
    rows = []
    for m in members:
        if m["status"] == "retired":
            category, pay = PayCategory.RETIRED, Decimal(rng.randrange(2600, 8000, 50))
        elif rng.random() < 0.06:
            category, pay = rng.choice(FIXED), None
        else:
            category, pay = (
                PayCategory.SALARIED,
                Decimal(rng.choice((2800, 3000, 4200, 5000, 6500, 8800, 10000, 13500))),
            )
        chosen = Decimal("0.50") if category == PayCategory.FARMER else None
        rows.append(
            PayBase(
                member_id=m["pk"],
                category=category,
                monthly_pay=pay,
                chosen_amount=chosen,
                effective_month=first,
                source=PayBase.Source.BRANCH,
            )
        )
    PayBase.objects.bulk_create(rows, ignore_conflicts=True)


def _collect(month, *, skip: set[int], tag: str) -> None:
    by_org: dict[int, list[DuesMonth]] = defaultdict(list)
    for d in DuesMonth.objects.filter(month=month).exclude(member_id__in=skip).order_by("org_id", "pk"):
        by_org[d.org_id].append(d)
    orgs = PartyOrg.objects.in_bulk(list(by_org))
    for org_id, dues in by_org.items():
        services.collect(actor=None, org=orgs[org_id], dues=dues, key=f"demo:{tag}:{month:%Y%m}:{org_id}")


def _raise(rng: random.Random, raised: list[int], months: list, mid: int) -> None:
    """A raise from the month before mid-year, entered after that month was paid: an adjustment."""
    if mid < 1:
        return
    for member in Member.objects.filter(pk__in=raised).select_related("org__area"):
        base = PayBase.objects.filter(member=member).order_by("-effective_month").first()
        if base is None or base.category != PayCategory.SALARIED:
            continue
        assert base.monthly_pay is not None
        services.paybase_set(
            actor=None,
            member=member,
            category=PayCategory.SALARIED,
            monthly_pay=base.monthly_pay + Decimal(rng.choice((1500, 2500, 4000))),
            effective_month=months[mid - 1],
        )


def _remit_upward(*, tag: str) -> None:
    """Branches pass everything they hold to their parent; community committees pass half on."""
    for org in PartyOrg.objects.filter(dues_accounts__kind="held", dues_accounts__balance__gt=0).select_related(
        "parent", "area"
    ):
        if org.parent is None:
            continue
        held = services.held_balance(org)
        if held > 0:
            services.remit(actor=None, org=org, amount=held, key=f"demo:remit:{tag}:{org.pk}")
    for org in PartyOrg.objects.filter(
        org_type__in=("community_committee", "expanded_committee"), dues_accounts__kind="held"
    ).select_related("parent", "area"):
        half = (services.held_balance(org) / 2).quantize(Decimal("0.01"))
        if org.parent is not None and half > 0:
            services.remit(actor=None, org=org, amount=half, key=f"demo:remit-up:{tag}:{org.pk}")
