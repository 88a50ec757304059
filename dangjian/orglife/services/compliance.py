"""The compliance calendar's rows: `Obligation` per (branch, kind, period), written by the daily scan
(`obligations_scan`) for the current and the previous period of every active rule, and moved by a
record held (`count_held`, in the record's transaction). The scan also tells each branch's secretaries,
once per obligation, of what is overdue. Facts follow every write (orglife/facts.py)."""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Count, F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.core.figures import facts
from dangjian.core.models import FactMark
from dangjian.core.tree import STEP
from dangjian.notifications.services import notify
from dangjian.orgs.models import BRANCHES, OfficerPost, OrgOfficer, OrgType, PartyOrg

from .. import calendar
from ..models import Attendees, BranchStart, Kind, MeetingRecord, MeetingRule, Obligation, RecordStatus
from ..rules import district_of_path, rules_by_district, rules_for

GROUP_TYPES = (OrgType.PARTY_GROUP, OrgType.BUILDING_GROUP)
TOLD_POSTS = (OfficerPost.SECRETARY, OfficerPost.DEPUTY_SECRETARY, OfficerPost.ORGANIZATION)
CHUNK = 2000
OBLIGATIONS_NAME = "orglife_obligations"


def founded_on(org: PartyOrg) -> datetime.date:
    start = BranchStart.objects.filter(org=org).values_list("founded_on", flat=True).first()
    return start or timezone.localdate(org.created_at)


def _founded_map(org_rows: list[dict[str, Any]]) -> dict[int, datetime.date]:
    ids = [r["pk"] for r in org_rows]
    starts: dict[int, datetime.date] = {}
    for start in range(0, len(ids), 5000):
        starts.update(
            BranchStart.objects.filter(org_id__in=ids[start : start + 5000]).values_list("org_id", "founded_on")
        )
    return {r["pk"]: starts.get(r["pk"]) or timezone.localdate(r["created_at"]) for r in org_rows}


def has_groups(org_ids: Iterable[int]) -> set[int]:
    """The branches with at least one 党小组 under them (only they owe 党小组会)."""
    return set(
        PartyOrg.objects.filter(parent_id__in=list(org_ids), org_type__in=GROUP_TYPES).values_list(
            "parent_id", flat=True
        )
    )


def owes_kind(rule: MeetingRule, org_id: int, grouped: set[int]) -> bool:
    return rule.is_active and (rule.attendees != Attendees.GROUP or org_id in grouped)


def _held_counts(kind: str, span: calendar.Span, org_ids: list[int]) -> dict[int, int]:
    tz = timezone.get_current_timezone()
    start = datetime.datetime.combine(span.start, datetime.time.min, tzinfo=tz)
    end = datetime.datetime.combine(span.end + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz)
    rows = (
        MeetingRecord.objects.filter(
            kind=kind, status=RecordStatus.HELD, starts_at__gte=start, starts_at__lt=end, org_id__in=org_ids
        )
        .values("org_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {r["org_id"]: r["n"] for r in rows}


def _new_obligation(org_id: int, path: str, rule: MeetingRule, span: calendar.Span, held: int) -> Obligation:
    tz = timezone.get_current_timezone()
    return Obligation(
        org_id=org_id,
        area_path=path,
        kind=rule.kind,
        period_start=span.start,
        period_end=span.end,
        cohort_at=datetime.datetime.combine(span.start, datetime.time.min, tzinfo=tz),
        due=rule.times,
        held=held,
        due_on=calendar.due_on(span, rule.fixed_day),
    )


def record_new(rows: list[Obligation]) -> None:
    """The facts of obligations written by bulk_create (no signals): one upsert, the marks in bulk."""
    from ..facts import OBLIGATIONS

    deltas: dict[Any, list[int]] = {}
    marks = []
    now = timezone.now()
    for row in rows:
        part = OBLIGATIONS.part({f: getattr(row, f) for f in OBLIGATIONS.fields}, None, now)
        encoded = facts.encode(OBLIGATIONS, part)
        if encoded is None or part is None:
            continue
        facts.spread(OBLIGATIONS, encoded, 1, deltas)
        marks.append(FactMark(subject=OBLIGATIONS.name, object_id=row.pk, day=part.day, applied=encoded))
    facts.upsert(OBLIGATIONS.name, deltas)
    FactMark.objects.bulk_create(marks, batch_size=2000)


def ensure(org_rows: list[dict[str, Any]], rules_of: dict[int | None, dict[str, MeetingRule]], spans_of: Any) -> int:
    """Write the missing obligations of `org_rows` (pk, path, district_id, created_at) for the periods
    `spans_of(rule)` gives; the held count of a late row is read from the records. Returns rows written."""
    founded = _founded_map(org_rows)
    grouped = has_groups([r["pk"] for r in org_rows])
    wanted: dict[tuple[str, calendar.Span], list[dict[str, Any]]] = defaultdict(list)
    rules_seen: dict[tuple[str, calendar.Span], MeetingRule] = {}
    for row in org_rows:
        for rule in rules_of.get(row["district_id"], rules_of[None]).values():
            if not owes_kind(rule, row["pk"], grouped):
                continue
            for span in spans_of(rule):
                if calendar.owes(span, founded[row["pk"]]):
                    key = (rule.kind, span)
                    wanted[key].append(row)
                    rules_seen.setdefault(key, rule)
    written = 0
    for (kind, span), rows in wanted.items():
        ids = [r["pk"] for r in rows]
        have = set(
            Obligation.objects.filter(kind=kind, period_start=span.start, org_id__in=ids).values_list(
                "org_id", flat=True
            )
        )
        missing = [r for r in rows if r["pk"] not in have]
        if not missing:
            continue
        held = _held_counts(kind, span, [r["pk"] for r in missing])
        new = [
            _new_obligation(r["pk"], r["path"], rules_seen[(kind, span)], span, held.get(r["pk"], 0)) for r in missing
        ]
        Obligation.objects.bulk_create(new, batch_size=2000, ignore_conflicts=True)
        made = list(
            Obligation.objects.filter(kind=kind, period_start=span.start, org_id__in=[r["pk"] for r in missing])
        )
        marked = set(
            FactMark.objects.filter(subject=OBLIGATIONS_NAME, object_id__in=[o.pk for o in made]).values_list(
                "object_id", flat=True
            )
        )
        made = [o for o in made if o.pk not in marked]  # a record held meanwhile wrote its own row and facts
        record_new(made)
        written += len(made)
    return written


def branch_rows(qs: Any) -> list[dict[str, Any]]:
    rows = list(qs.values("pk", "created_at", area_path=F("area__path")))
    districts = {}
    from dangjian.territory.models import Area, Level

    for area_id, path in Area.objects.filter(level=Level.DISTRICT).values_list("pk", "path"):
        districts[path] = area_id
    for r in rows:
        r["path"] = r.pop("area_path")
        r["district_id"] = districts.get(r["path"][:STEP])
    return rows


@dataclass
class ScanResult:
    written: int = 0
    overdue: int = 0
    told: int = 0


@transaction.atomic
def obligations_ensure(*, org: PartyOrg, start: datetime.date, end: datetime.date) -> int:
    """A branch's obligations of every period overlapping [start, end] (the demo, a re-founded branch)."""
    rows = branch_rows(PartyOrg.objects.filter(pk=org.pk))
    rules_of = rules_by_district({r["district_id"] for r in rows})
    return ensure(rows, rules_of, lambda rule: calendar.periods_between(rule.frequency, start, end))


def obligations_scan(*, today: datetime.date | None = None, tell: bool = True) -> ScanResult:
    """The daily scan: this period's and the last period's obligations of every branch, then the overdue."""
    today = today or timezone.localdate()
    result = ScanResult()

    def spans(rule: MeetingRule) -> list[calendar.Span]:
        current = calendar.period_of(rule.frequency, today)
        return [calendar.period_of(rule.frequency, current.start - datetime.timedelta(days=1)), current]

    last = 0
    while True:  # branches in chunks of CHUNK, each chunk its own transaction
        chunk = branch_rows(PartyOrg.objects.filter(org_type__in=sorted(BRANCHES), pk__gt=last).order_by("pk")[:CHUNK])
        if not chunk:
            break
        last = chunk[-1]["pk"]
        with transaction.atomic():
            rules_of = rules_by_district({r["district_id"] for r in chunk})
            result.written += ensure(chunk, rules_of, spans)
    if tell:
        result.overdue, result.told = overdue_tell(today=today)
    return result


def overdue_q(today: datetime.date) -> Q:
    """Obligations past their period (or their fixed day) and not met."""
    return Q(held__lt=F("due")) & (Q(period_end__lt=today) | Q(due_on__lt=today))


@transaction.atomic
def overdue_tell(*, today: datetime.date) -> tuple[int, int]:
    """Tell each branch's secretaries once of the obligations newly overdue; mark them told."""
    late = list(
        Obligation.objects.filter(overdue_q(today), notified_at__isnull=True)
        .select_for_update(skip_locked=True)
        .values_list("pk", "org_id", "kind")[:20000]
    )
    if not late:
        return 0, 0
    by_org: dict[int, list[str]] = defaultdict(list)
    for _pk, org_id, kind in late:
        by_org[org_id].append(str(Kind(kind).label))
    officers: dict[int, set[int]] = defaultdict(set)
    for org_id, user_id in OrgOfficer.objects.filter(
        org_id__in=list(by_org), post__in=TOLD_POSTS, user__isnull=False, ended_on__isnull=True
    ).values_list("org_id", "user_id"):
        officers[org_id].add(user_id)
    names = dict(PartyOrg.objects.filter(pk__in=list(by_org)).values_list("pk", "name"))
    public_ids = dict(PartyOrg.objects.filter(pk__in=list(by_org)).values_list("pk", "public_id"))
    told = 0
    for org_id, kinds in by_org.items():
        if not officers.get(org_id):
            continue
        told += notify(
            recipients=sorted(officers[org_id]),
            event="orglife.overdue",
            title=_("%(o)s组织生活逾期未开") % {"o": names.get(org_id, "")},
            body=_("逾期未开：%(k)s。请尽快安排并登记。") % {"k": "、".join(sorted(set(kinds)))},
            url=reverse("orglife:branch", args=[public_ids[org_id]]),
            object_key=f"orglife.branch:{org_id}",
        )
    Obligation.objects.filter(pk__in=[pk for pk, _o, _k in late]).update(notified_at=timezone.now())
    return len(late), told


def count_held(record: MeetingRecord) -> None:
    """Count a record held in the obligation of its period (made now when the scan has not yet)."""
    from ..facts import OBLIGATIONS

    rule = rules_for(district_of_path(record.area_path)).get(record.kind)
    if rule is None:
        return
    day = timezone.localtime(record.starts_at).date()
    span = calendar.period_of(rule.frequency, day)
    rows = Obligation.objects.filter(org_id=record.org_id, kind=record.kind, period_start=span.start)
    if rows.update(held=F("held") + 1):
        facts.record(OBLIGATIONS, rows.get())
        return
    if not calendar.owes(span, founded_on(record.org)) or not rule.is_active:
        return
    try:
        with transaction.atomic():
            # post_save records its facts; held is 1: this record (no other was held in a missing row)
            Obligation.objects.create(
                **{
                    f: getattr(_new_obligation(record.org_id, record.area_path, rule, span, 1), f)
                    for f in (
                        "org_id",
                        "area_path",
                        "kind",
                        "period_start",
                        "period_end",
                        "cohort_at",
                        "due",
                        "held",
                        "due_on",
                    )
                }
            )
    except IntegrityError:  # the scan wrote it a moment ago
        rows.update(held=F("held") + 1)
        facts.record(OBLIGATIONS, rows.get())
