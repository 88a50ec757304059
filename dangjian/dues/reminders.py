"""欠交提醒: once a month, each member with dues still owing is told how many months and how much, and
each branch's secretary and organization member are told how many of their members owe and who has
gone the district's `max_backpay_months` without paying (the 2008 rules: six months without paying and
without good reason is treated as leaving the Party, so the branch must talk to them first).

Messages carry the month in their key, so running twice in a month rewrites the same messages."""

from __future__ import annotations

import datetime
from collections import defaultdict
from decimal import Decimal
from itertools import islice
from typing import Any

from django.db import transaction
from django.db.models import Count, F, Max, Min, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.core.tree import STEP
from dangjian.notifications.services import notify
from dangjian.orgs.models import OfficerPost, OrgOfficer, PartyOrg
from dangjian.people.models import Member

from . import rules
from .models import DuesMonth
from .services import _district_ids

EVENT_MEMBER = "dues.arrears.member"
EVENT_BRANCH = "dues.arrears.branch"
LOOKBACK_MONTHS = 24  # older arrears are a matter for the branch, not a monthly reminder
CHUNK = 2_000
BRANCH_POSTS = (OfficerPost.SECRETARY, OfficerPost.DEPUTY_SECRETARY, OfficerPost.ORGANIZATION)


def _owing(month: datetime.date):
    """Per member: months owing, the amount owing and the oldest month owing, up to `month`."""
    since = rules.add_months(month, -(LOOKBACK_MONTHS - 1))
    return (
        DuesMonth.objects.filter(month__gte=since, month__lte=month, paid__lt=F("amount_due") + F("adjustment"))
        .values("member_id")
        .annotate(
            months=Count("pk"),
            owing=Sum(F("amount_due") + F("adjustment") - F("paid")),
            oldest=Min("month"),
            branch=Max("org_id"),
            area=Max("area_path"),
        )
        .order_by("member_id")
    )


def _yuan(amount: Any) -> str:
    return f"{Decimal(amount or 0):.2f}"  # SQLite's sums come back unscaled (40, not 40.00)


def _branch_officers(org_ids: set[int], on: datetime.date) -> dict[int, list[int]]:
    found: dict[int, list[int]] = defaultdict(list)
    rows = (
        OrgOfficer.objects.filter(org_id__in=org_ids, post__in=BRANCH_POSTS, user__isnull=False, started_on__lte=on)
        .exclude(ended_on__lt=on)
        .values_list("org_id", "user_id")
    )
    for org_id, user_id in rows:
        found[org_id].append(user_id)
    return found


def arrears_remind(*, month: datetime.date | None = None, today: datetime.date | None = None) -> dict[str, int]:
    """Tell members who owe, and their branches' officers; return how many of each were told."""
    today = today or timezone.localdate()
    month = month or rules.month_of(today)
    tag = f"{month:%Y%m}"
    told_members = 0
    per_branch: dict[int, dict[str, Any]] = defaultdict(lambda: {"owing": 0, "long": [], "amount": Decimal("0")})
    owing = 0
    tables: dict = {}
    rows = _owing(month).iterator(chunk_size=CHUNK)
    while chunk := list(islice(rows, CHUNK)):
        owing += len(chunk)
        districts = _district_ids({r["area"] for r in chunk})
        people = {
            pk: (user_id, name)
            for pk, user_id, name in Member.objects.filter(pk__in=[r["member_id"] for r in chunk]).values_list(
                "pk", "user_id", "name"
            )
        }
        with transaction.atomic():
            for r in chunk:
                branch = per_branch[r["branch"]]
                branch["owing"] += 1
                branch["amount"] += r["owing"]
                district_id = districts.get(r["area"][:STEP])
                branch["limit"] = rules.table_for(district_id, month, tables).max_backpay_months
                user_id, name = people.get(r["member_id"], (None, ""))
                if r["months"] >= branch["limit"]:
                    branch["long"].append(name)
                if user_id is None:
                    continue
                told_members += notify(
                    recipients=[user_id],
                    event=EVENT_MEMBER,
                    title=_("党费提醒：您有 %(n)s 个月党费未交清，共 %(a)s 元")
                    % {"n": r["months"], "a": _yuan(r["owing"])},
                    body=_("最早一笔为 %(m)s。请尽快交纳，或与党支部联系。") % {"m": f"{r['oldest']:%Y-%m}"},
                    url=reverse("dues:mine"),
                    object_key=f"dues.arrears:{tag}",
                )
    told_officers = _tell_branches(per_branch, month, tag, today)
    return {"members_owing": owing, "members_told": told_members, "officers_told": told_officers}


def _tell_branches(per_branch: dict[int, dict[str, Any]], month: datetime.date, tag: str, today: datetime.date) -> int:
    officers = _branch_officers(set(per_branch), today)
    told = 0
    for org_id, info in per_branch.items():
        users = officers.get(org_id)
        if not users:
            continue
        org = PartyOrg.objects.only("public_id", "name").get(pk=org_id)
        body = ""
        if info["long"]:
            shown = "、".join(info["long"][:10]) + ("等" if len(info["long"]) > 10 else "")
            body = _("其中 %(n)s 人已有 %(k)s 个月以上未交清（%(names)s），请及时谈话了解情况。") % {
                "n": len(info["long"]),
                "k": info["limit"],
                "names": shown,
            }
        with transaction.atomic():
            told += notify(
                recipients=users,
                event=EVENT_BRANCH,
                title=_("%(o)s：截至 %(m)s 有 %(n)s 名党员欠交党费，共 %(a)s 元")
                % {"o": org.name, "m": f"{month:%Y-%m}", "n": info["owing"], "a": _yuan(info["amount"])},
                body=body,
                url=f"{reverse('dues:sheet', args=[org.public_id])}?month={month:%Y-%m}",
                object_key=f"dues.arrears:{org_id}:{tag}",
            )
    return told
