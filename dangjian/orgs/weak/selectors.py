"""Reads of weak-organization cases, all through visible_to(). `today` is an argument, so the
overdue arithmetic can be checked for any day."""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, cast

from django.db.models import Count, Exists, Min, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.core.scoping import ScopedQuerySet, scope_for
from dangjian.core.tree import STEP, ancestor_paths, subtree_q
from dangjian.territory.models import Area, Level

from ..models import (
    RectificationStep,
    WeakAspect,
    WeakCaseStatus,
    WeakOrgCase,
    WeakReason,
)
from ..permissions import ADMINS, can_mark_done, role_allows
from .workflow import FLOW, OPEN_WEAK_STATUSES, Action, Party, action

S = WeakCaseStatus
DUE_SOON_DAYS = 7


def cases_for(user: Any) -> ScopedQuerySet:
    return WeakOrgCase.objects.visible_to(user)


def steps_for(user: Any) -> ScopedQuerySet:
    return RectificationStep.objects.visible_to(user)


def overdue_q(today: datetime.date) -> Q:
    """Steps not done whose deadline has passed, in cases being rectified (a deadline runs from the
    plan's approval until the application for delisting)."""
    return Q(done_at__isnull=True, deadline__lt=today, case__status=S.RECTIFYING)


def _year_bounds(today: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    tz = timezone.get_current_timezone()
    start = datetime.datetime(today.year, 1, 1, tzinfo=tz)
    return start, datetime.datetime(today.year + 1, 1, 1, tzinfo=tz)


def figures(user: Any, today: datetime.date) -> dict[str, int]:
    """The counts at the top of the list: two queries whatever the number of cases."""
    start, end = _year_bounds(today)
    counts = cases_for(user).aggregate(
        flagged_this_year=Count("pk", filter=Q(flagged_at__gte=start, flagged_at__lt=end)),
        open=Count("pk", filter=Q(status__in=OPEN_WEAK_STATUSES)),
        rectifying=Count("pk", filter=Q(status=S.RECTIFYING)),
        applied=Count("pk", filter=Q(status=S.APPLIED)),
        delisted=Count("pk", filter=Q(status=S.DELISTED)),
        delisted_this_year=Count("pk", filter=Q(status=S.DELISTED, delisted_at__gte=start, delisted_at__lt=end)),
    )
    counts["overdue_steps"] = steps_for(user).filter(overdue_q(today)).count()
    return counts


def subdistricts_for(user: Any) -> list[Area]:
    """The subdistricts a user's cases lie in: those inside their territory, or the one above it."""
    scope = scope_for(user)
    qs = Area.objects.filter(level=Level.SUBDISTRICT)
    if not scope.everything:
        if not scope.area_path:
            return []
        qs = qs.filter(subtree_q("path", scope.area_path) | Q(path__in=ancestor_paths(scope.area_path)))
    return list(qs.order_by("path"))


class AreaIndex:
    """Which of some disjoint subtrees a path lies in: one dict look-up per ancestor of the path,
    so a chart over thousands of areas stays linear in its rows."""

    def __init__(self, areas: Iterable[Area]) -> None:
        self.by_path = {area.path: area for area in areas}

    def find(self, path: str) -> Area | None:
        for end in range(STEP, len(path) + 1, STEP):
            found = self.by_path.get(path[:end])
            if found is not None:
                return found
        return None


def case_list(
    user: Any,
    *,
    today: datetime.date,
    status: str = "",
    subdistrict: Area | None = None,
    area: Area | None = None,
    overdue: bool = False,
    mine: bool = False,
    query: str = "",
    plan: str = "",
) -> ScopedQuerySet:
    """Cases in the user's scope, filtered, newest first. Their steps' figures come from case_rows()
    for one page at a time, so counting the list never joins the steps."""
    cases = cases_for(user).select_related("org__area")
    if status in S.values:
        cases = cases.filter(status=status)
    elif status == "open":
        cases = cases.filter(status__in=OPEN_WEAK_STATUSES)
    if subdistrict is not None:
        cases = cases.filter(org__area__in=Area.objects.filter(subtree_q("path", subdistrict.path)).values("pk"))
    if area is not None:  # an organization's case lies at its area, as "orgs.weak" places it
        cases = cases.filter(org__area__in=Area.objects.filter(subtree_q("path", area.path)).values("pk"))
    query = query.strip()
    if query:
        q = Q(org__name__icontains=query)
        if query.isascii() and query.isalnum():
            q |= Q(org__pinyin__contains=query.lower())
        cases = cases.filter(q)
    if mine:
        cases = cases.filter(pk__in=RectificationStep.objects.filter(responsible=user).values("case_id"))
    if plan in ("with", "without"):  # flagged cases whose plan waits for approval, or is still to be made
        steps = Exists(RectificationStep.objects.filter(case=OuterRef("pk")))
        cases = cases.filter(steps if plan == "with" else ~steps)
    if overdue:
        late = RectificationStep.objects.filter(case=OuterRef("pk"), done_at__isnull=True, deadline__lt=today)
        cases = cases.filter(Exists(late), status=S.RECTIFYING)
    return cases.order_by("-flagged_at", "-pk")


@dataclass
class CaseRow:
    case: WeakOrgCase
    subdistrict: Area | None
    steps_total: int = 0
    steps_done: int = 0
    steps_overdue: int = 0
    next_deadline: datetime.date | None = None


def case_rows(cases: Iterable[WeakOrgCase], *, today: datetime.date, subdistricts: list[Area]) -> list[CaseRow]:
    """One page of cases with their steps' figures: one grouped query over the page's cases."""
    cases, index = list(cases), AreaIndex(subdistricts)
    stats = {
        row["case_id"]: row
        for row in RectificationStep.objects.filter(case__in=[c.pk for c in cases])
        .order_by()
        .values("case_id")
        .annotate(
            total=Count("pk"),
            done=Count("pk", filter=Q(done_at__isnull=False)),
            late=Count("pk", filter=Q(done_at__isnull=True, deadline__lt=today)),
            next=Min("deadline", filter=Q(done_at__isnull=True)),
        )
    }
    rows = []
    for case in cases:
        row = CaseRow(case, index.find(case.org.area.path))
        if case.pk in stats:
            found = stats[case.pk]
            row.steps_total, row.steps_done, row.next_deadline = found["total"], found["done"], found["next"]
            # A deadline runs only while the case is being rectified.
            row.steps_overdue = found["late"] if case.status == S.RECTIFYING else 0
        rows.append(row)
    return rows


def chart_for(user: Any, subdistricts: list[Area]) -> dict[str, Any]:
    """Cases by status per subdistrict for a user over several subdistricts; per community for a
    user inside one (their own subdistrict's picture is more use to them than one bar); per
    district for a deployment-wide view over several districts."""
    if scope_for(user).everything:
        districts = list(Area.objects.filter(level=Level.DISTRICT).order_by("path"))
        if len(districts) > 1:
            return {
                **chart_by_area(user, districts, keep_empty=True, other_label=_("其他")),
                "title": _("各区整顿情况"),
            }
    if len(subdistricts) > 1:
        chart = chart_by_area(user, subdistricts, keep_empty=True, other_label=_("区直属"))
        return {**chart, "title": _("各街道整顿情况")}
    communities = list(Area.objects.visible_to(user).filter(level=Level.COMMUNITY).order_by("path"))
    chart = chart_by_area(user, communities, keep_empty=False, other_label=_("街道直属"))
    return {**chart, "title": _("各社区整顿情况")}


def chart_by_area(user: Any, areas: list[Area], *, keep_empty: bool, other_label: str) -> dict[str, Any]:
    """Cases by status per area of `areas` (one grouped query); cases above them count as `other_label`."""
    rows = cases_for(user).order_by().values("org__area__path", "status").annotate(n=Count("pk"))
    counts: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    used: set[str] = set()
    index = AreaIndex(areas)
    for row in rows:
        area = index.find(row["org__area__path"])
        name = area.name if area else other_label
        counts[row["status"]][name] += row["n"]
        used.add(name)
    names = [a.name for a in areas if keep_empty or a.name in used]
    if other_label in used:
        names.append(other_label)
    return {
        "categories": names,
        "series": [
            {"key": status.value, "name": str(status.label), "data": [counts[status.value][n] for n in names]}
            for status in S
        ],
    }


# -- one case -------------------------------------------------------------------------------


def case_for(user: Any, public_id: Any) -> WeakOrgCase:
    """One case in the user's scope (404 for a missing or out-of-scope one)."""
    case = WeakOrgCase.objects.select_related(
        "org__area", "org__parent", "flagged_by", "plan_approved_by", "applied_by", "delisted_by"
    ).get_for_user(user, public_id)
    return cast(WeakOrgCase, case)


def step_for(user: Any, public_id: Any) -> RectificationStep:
    step = (
        RectificationStep.objects.select_related("case__org__area", "responsible")
        .visible_to(user)
        .get_for_user(user, public_id)
    )
    return cast(RectificationStep, step)


def reasons_by_aspect(case: WeakOrgCase) -> list[tuple[str, list[str]]]:
    by_aspect: dict[str, list[str]] = defaultdict(list)
    for reason in case.reasons.all():
        by_aspect[reason.aspect].append(reason.label)
    return [(str(a.label), by_aspect[a.value]) for a in WeakAspect if by_aspect.get(a.value)]


def active_reasons_by_aspect() -> list[tuple[str, list[WeakReason]]]:
    by_aspect: dict[str, list[WeakReason]] = defaultdict(list)
    for reason in WeakReason.objects.filter(is_active=True):
        by_aspect[reason.aspect].append(reason)
    return [(str(a.label), by_aspect[a.value]) for a in WeakAspect if by_aspect.get(a.value)]


@dataclass
class StepView:
    step: RectificationStep
    overdue_days: int = 0  # > 0: overdue by that many days
    days_left: int | None = None  # for open steps of a case under way
    can_done: bool = False
    can_edit: bool = False


def steps_of(case: WeakOrgCase, user: Any, today: datetime.date) -> list[StepView]:
    steps = case.steps.select_related("responsible", "done_by").order_by("deadline", "pk")
    editable = case.status in (S.FLAGGED, S.RECTIFYING) and role_allows(user, ADMINS)
    out = []
    for step in steps:
        view = StepView(step)
        if not step.is_done:
            if case.status == S.RECTIFYING:
                delta = (step.deadline - today).days
                view.overdue_days = -delta if delta < 0 else 0
                view.days_left = delta if delta >= 0 else None
                view.can_done = can_mark_done(user, step)
            view.can_edit = editable
        out.append(view)
    return out


@dataclass
class ActionView:
    transition: Action
    blocked: str | None = None


def case_actions(user: Any, case: WeakOrgCase) -> list[ActionView]:
    """The workflow steps this user may take on the case now, each with why it is blocked, if it is."""
    out = []
    for step in FLOW.allowed_steps(case.status, Party.values):
        transition = action(step)
        if transition is not None and role_allows(user, transition.roles):
            out.append(ActionView(transition, FLOW.rule_refusal(case, step)))
    return out


@dataclass
class TimelineEntry:
    at: datetime.datetime
    who: str
    kind: str  # "log" or "note"
    text: str
    from_label: str = ""
    to_label: str = ""


def timeline(case: WeakOrgCase) -> list[TimelineEntry]:
    """Workflow steps and progress notes, newest first."""
    entries = []
    for row in case.log.select_related("actor"):
        entries.append(
            TimelineEntry(
                row.at,
                str(row.actor) if row.actor else "系统",
                "log",
                row.note,
                str(S(row.from_status).label) if row.from_status else "",
                str(S(row.to_status).label),
            )
        )
    for note in case.notes.select_related("author"):
        entries.append(TimelineEntry(note.at, str(note.author) if note.author else "系统", "note", note.text))
    return sorted(entries, key=lambda e: e.at, reverse=True)


# -- for 今日待办 ----------------------------------------------


def my_open_steps(user: Any, *, today: datetime.date, days: int = DUE_SOON_DAYS) -> QuerySet[RectificationStep]:
    """The user's open steps of cases under way that are overdue or due within `days` days,
    and only in cases their active role lets them open."""
    return (
        steps_for(user)
        .filter(
            responsible=user,
            done_at__isnull=True,
            case__status=S.RECTIFYING,
            deadline__lte=today + datetime.timedelta(days=days),
        )
        .select_related("case__org")
        .order_by("deadline", "pk")
    )


def weak_status_in(org: Any, year: int) -> tuple[int, int]:
    """Of `org` and the organizations under it: how many were listed as weak during `year` (or before it
    and still listed at its start), and how many were still listed at its end (read by assessment)."""
    from ..models import PartyOrg

    tz = timezone.get_current_timezone()
    start = datetime.datetime(year, 1, 1, tzinfo=tz)
    end = datetime.datetime(year + 1, 1, 1, tzinfo=tz)
    cases = WeakOrgCase.objects.filter(
        Q(delisted_at__isnull=True) | Q(delisted_at__gte=start),
        org__in=PartyOrg.objects.filter(subtree_q("path", org.path)).values("pk"),
        flagged_at__lt=end,
    )
    listed = still = 0
    for delisted_at in cases.values_list("delisted_at", flat=True):
        listed += 1
        still += int(delisted_at is None or delisted_at >= end)
    return listed, still
