"""Reads of org life: the branches a user runs, a branch's compliance calendar (from its rules and its
records: a handful of rows), its records, the obligations behind (a keyset list), the guidance."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import F, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.orgs.models import PartyOrg

from . import calendar
from .models import Guidance, Kind, MeetingRecord, MeetingRule, Obligation, RecordStatus
from .permissions import branches_run_by
from .rules import district_of_path, rules_for
from .services.compliance import founded_on, has_groups, overdue_q, owes_kind

BRANCH_ORDER = ("path", "id")
RECORD_ORDER = ("-starts_at", "-id")
BEHIND_ORDER = ("-period_end", "-id")


def obligations_shown(show: str, today: datetime.date) -> QuerySet[Obligation] | None:
    """The obligations a branch list is narrowed to: "late" (past their period or day and not met) or
    "open" (this period, not met, not yet late); None for every branch."""
    if show == "late":
        return Obligation.objects.filter(overdue_q(today))
    if show == "open":
        return Obligation.objects.filter(period_start__lte=today, period_end__gte=today, held__lt=F("due")).exclude(
            overdue_q(today)
        )
    return None


def branches(user: Any, query: str = "", *, show: str = "", today: datetime.date | None = None) -> QuerySet[PartyOrg]:
    """The branches `user` runs, by name, narrowed to those with late or open obligations (`show`); 今日待办
    counts the same list."""
    qs = branches_run_by(user)
    if query:
        qs = qs.filter(name__icontains=query)
    shown = obligations_shown(show, today or timezone.localdate())
    if shown is not None:
        qs = qs.filter(pk__in=shown.values("org_id"))
    return qs


def branch_get(user: Any, public_id: Any) -> PartyOrg:
    org = branches_run_by(user).select_related("area").filter(public_id=public_id).first()
    if org is None:
        raise Http404
    return org


def record_get(user: Any, public_id: Any) -> MeetingRecord:
    record = (
        MeetingRecord.objects.visible_to(user)
        .select_related("org__area", "meeting", "guidance")
        .filter(public_id=public_id)
        .first()
    )
    if record is None:
        raise Http404
    return record


def records_of(org: PartyOrg) -> QuerySet[MeetingRecord]:
    return MeetingRecord.objects.filter(org=org)


@dataclass
class Cell:
    span: calendar.Span
    label: str
    due: int
    held: int
    state: str  # met, behind, open, future, not_owed
    due_on: datetime.date | None = None

    @property
    def state_label(self) -> str:
        return {
            "met": _("已完成"),
            "behind": _("逾期未开"),
            "open": _("本期待开"),
            "future": _("未到期"),
            "not_owed": _("成立前"),
        }[self.state]


@dataclass
class KindRow:
    kind: str
    label: str
    rule: MeetingRule
    cells: list[Cell] = field(default_factory=list)

    @property
    def behind(self) -> int:
        return sum(1 for c in self.cells if c.state == "behind")


def _span_label(frequency: str, span: calendar.Span) -> str:
    months = (span.end.month - span.start.month) + 1
    if months == 1:
        return _("%(m)s月") % {"m": span.start.month}
    if months == 3:
        return _("第%(q)s季度") % {"q": (span.start.month - 1) // 3 + 1}
    if months == 6:
        return _("上半年") if span.start.month == 1 else _("下半年")
    return _("%(y)s年") % {"y": span.start.year}


def branch_calendar(org: PartyOrg, year: int, *, today: datetime.date | None = None) -> list[KindRow]:
    """Due vs held per kind and period of `year`, from the district's rules and the branch's records
    held (one query); a period is behind once it has ended (or its fixed day passed) unmet."""
    today = today or timezone.localdate()
    rules = rules_for(district_of_path(org.area.path))
    founded = founded_on(org)
    grouped = has_groups([org.pk])
    first, last = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    tz = timezone.get_current_timezone()
    held_days: dict[str, list[datetime.date]] = defaultdict(list)
    rows = MeetingRecord.objects.filter(
        org=org,
        status=RecordStatus.HELD,
        starts_at__gte=datetime.datetime.combine(first, datetime.time.min, tzinfo=tz),
        starts_at__lt=datetime.datetime.combine(last + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz),
    ).values_list("kind", "starts_at")
    for kind, starts_at in rows:
        held_days[kind].append(timezone.localtime(starts_at).date())
    out = []
    for kind, rule in rules.items():
        if not owes_kind(rule, org.pk, grouped):
            continue
        row = KindRow(kind, str(Kind(kind).label), rule)
        for span in calendar.periods_between(rule.frequency, first, last):
            held = sum(1 for d in held_days[kind] if d in span)
            fixed = calendar.due_on(span, rule.fixed_day)
            if not calendar.owes(span, founded):
                state = "not_owed"
            elif held >= rule.times:
                state = "met"
            elif span.end < today or (fixed is not None and fixed < today):
                state = "behind"
            elif span.start <= today:
                state = "open"
            else:
                state = "future"
            row.cells.append(Cell(span, _span_label(rule.frequency, span), rule.times, held, state, fixed))
        out.append(row)
    return out


def current_obligations(org_ids: list[int], today: datetime.date) -> dict[int, list[Obligation]]:
    """The obligations of the periods running today, per branch (one query for a page of branches)."""
    out: dict[int, list[Obligation]] = defaultdict(list)
    rows = Obligation.objects.filter(org_id__in=org_ids, period_start__lte=today, period_end__gte=today)
    for o in rows.order_by("kind"):
        out[o.org_id].append(o)
    return out


def behind(user: Any, *, today: datetime.date, kind: str = "") -> QuerySet[Obligation]:
    """Obligations overdue in the user's scope (the community committee's "branches behind")."""
    qs = Obligation.objects.visible_to(user).filter(overdue_q(today))
    if kind:
        qs = qs.filter(kind=kind)
    return qs


OBLIGATION_ORDER = ("-period_start", "kind", "org_id", "id")


def obligations(user: Any) -> QuerySet[Obligation]:
    """The obligation periods in the user's scope, one row per branch, kind and period (the
    orglife_compliance figure's rows), newest period first."""
    return Obligation.objects.visible_to(user).order_by(*OBLIGATION_ORDER)


def attach_orgs(rows: list[Obligation]) -> list[Obligation]:
    orgs = PartyOrg.objects.in_bulk({o.org_id for o in rows})
    for o in rows:
        o.org = orgs[o.org_id]
    return rows


def guidance_visible(user: Any) -> QuerySet[Guidance]:
    return Guidance.objects.visible_to(user)


def guidance_get(user: Any, public_id: Any) -> Guidance:
    g = guidance_visible(user).select_related("district").filter(public_id=public_id).first()
    if g is None:
        raise Http404
    return g
