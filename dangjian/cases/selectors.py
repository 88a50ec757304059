"""Reads of cases for the workbench: the scoped list with its filters, and the case page's context."""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import Case as When_
from django.db.models import F, IntegerField, Prefetch, Q, QuerySet, Value, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dangjian.accounts.roles import Role
from dangjian.core.scoping import Scope, active_role, prefix_q, scope_for

from .models import (
    Case,
    CaseDepartment,
    CaseLog,
    CasePhoto,
    CasePolicy,
    CaseStatus,
    Extension,
    ExtensionStatus,
)
from .workflow import OPEN_STATUSES

# The workbench's quick tabs: a department's inbox is the first three on its own cases.
TABS = ("todo", "accepted", "dispatched", "handling", "closed", "overdue", "supervised", "mine")
# The 今日待办 queues: each is also a tab of the list (not shown among the quick tabs), so the count on
# the home page and the list it opens are one queryset (case_list with tab=<queue>).
QUEUES = {
    "late": _("我负责的超期事件"),
    "due_soon": _("我负责的即将到期事件"),
    "late_accept": _("超时未受理的事件"),
    "to_accept": _("待受理的事件"),
    "to_sign": _("派给我的待签收事件"),
    "my_handling": _("我正在办理的事件"),
    "extensions": _("延期申请待审批的事件"),
}


# --- Who reads which cases: the three rules, side by side ----------------------------------------
# 1. cases_in_scope: the user's scope only (territory, department, unit, own reports and assignments;
#    Case.scope_q). What is counted for a place and what a scope "has": figures, patrol reports.
# 2. workbench_cases: the scope, plus every case the user owns wherever it went (首问负责制). What the
#    workbench lists and opens; a case routed out of the owner's area stays theirs.
# 3. open311_readable: what an Open311 client reads: the public reports, plus every report of its own
#    district for a staff-grant key. No user: the key decides.


def cases_in_scope(user: Any) -> QuerySet[Case]:
    """The cases of the user's scope (Case.scope_q), without the ones they merely own elsewhere."""
    return Case.objects.visible_to(user)


def workbench_cases(user: Any) -> QuerySet[Case]:
    """Cases in the user's scope, and the cases they own wherever the case went (首问负责制)."""
    scope = scope_for(user)
    if scope.everything:
        return Case.objects.all()
    q = Case.scope_q(scope)
    if getattr(user, "is_authenticated", False):
        q |= Q(owner_id=user.pk)
    return Case.objects.filter(q)


def open311_readable(qs: QuerySet[Case], client: Any) -> QuerySet[Case]:
    """Public reports, plus every report of its own district for a staff-grant key (`client`: an ApiClient)."""
    if client is not None and client.staff_grant:
        return qs.filter(Q(is_public=True) | Q(district_id=client.district_id))
    return qs.filter(is_public=True)


def get_case_for_user(user: Any, public_id: Any) -> Case:
    """One case in scope, or 404 (for missing and out of scope alike)."""
    from django.core.exceptions import ValidationError
    from django.http import Http404

    try:
        return workbench_cases(user).select_related(*DETAIL_RELATED).get(public_id=public_id)
    except (Case.DoesNotExist, ValidationError, ValueError, TypeError) as exc:
        raise Http404 from exc


def overdue_q(now: datetime.datetime | None = None) -> Q:
    """Open and past the deadline (live, without waiting for the deadline scan)."""
    return Q(status__in=OPEN_STATUSES, deadline__lt=now or timezone.now())


LIST_RELATED = (
    "category",
    "grid",
    "community",
    "assigned_department",
    "assigned_area",
    "assigned_unit",
    "assigned_user",
    "owner",
)
DETAIL_RELATED = (
    *LIST_RELATED,
    "subdistrict",
    "district",
    "duty_item__lead_department",
    "reporter",
    "merged_into",
    "possible_duplicate_of",
)


def case_list(
    user: Any,
    *,
    status: str = "",
    q: str = "",
    category: Any = None,
    channel: str = "",
    overdue: bool = False,
    supervised: bool = False,
    mine: bool = False,
    area: Any = None,
    department: Any = None,
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
    tab: str = "",
) -> QuerySet[Case]:
    """The scoped, filtered list: overdue first, then by deadline (soonest first), then newest.

    `category`, `area` and `department` are model instances the caller has already resolved in scope."""
    now = timezone.now()
    cases = workbench_cases(user)
    if tab == "todo":
        cases = cases.filter(status__in=(CaseStatus.SUBMITTED, CaseStatus.ACCEPTED, CaseStatus.CLOSED))
    elif tab == "overdue":
        overdue = True
    elif tab == "supervised":
        supervised = True
    elif tab == "mine":
        mine = True
    elif tab in QUEUES:
        cases = cases.filter(queue_q(user, tab, now))
    elif tab in CaseStatus.values:
        status = tab
    if status:
        cases = cases.filter(status=status)
    if q:
        q = q.strip()[:50]
        cases = cases.filter(
            Q(number__icontains=q) | Q(description__icontains=q) | Q(address__icontains=q) | Q(reporter_name=q)
        )
    if category is not None:
        cases = cases.filter(category=category)
    if channel:
        cases = cases.filter(channel=channel)
    if overdue:
        cases = cases.filter(overdue_q(now))
    if supervised:
        cases = cases.filter(supervised=True)
    if mine:
        cases = cases.filter(_mine_q(user))
    if area is not None:
        cases = cases.filter(prefix_q("area_path", area.path))
    if department is not None:
        cases = cases.filter(pk__in=CaseDepartment.objects.filter(department=department).values("case_id"))
    # Ranges on the aware datetime (not __date), so the received_at index serves them.
    if date_from:
        cases = cases.filter(received_at__gte=local_day_start(date_from))
    if date_to:
        cases = cases.filter(received_at__lt=local_day_start(date_to + datetime.timedelta(days=1)))
    return (
        cases.select_related(*LIST_RELATED)
        .annotate(is_overdue=When_(When(overdue_q(now), then=Value(1)), default=Value(0), output_field=IntegerField()))
        .order_by("-is_overdue", F("deadline").asc(nulls_last=True), "-received_at", "-pk")
    )


# -- the 今日待办 queues ----------------------------------------------------------------------


def receiver_q(user: Any, role: str, scope: Scope) -> Q:
    """Cases assigned to the user: by name, to their department or unit, or to their grid/community."""
    q = Q(assigned_user_id=user.pk)
    if scope.department_id:
        q |= Q(assigned_department_id=scope.department_id)
    if scope.unit_id:
        q |= Q(assigned_unit_id=scope.unit_id)
    if scope.area_path and role in (Role.GRID_WORKER, Role.COMMUNITY_WORKER):
        q |= Q(assigned_area__path=scope.area_path, assigned_user__isnull=True, assignee_kind__in=("grid", "community"))
    return q


def _escalated_q(role: str, scope: Scope) -> Q | None:
    """Overdue cases escalated to the admin's level (1 = subdistrict, 2 = district)."""
    if role == Role.SUBDISTRICT_ADMIN:
        return prefix_q("area_path", scope.area_path) & Q(escalation_level__gte=1)
    if role == Role.DISTRICT_ADMIN:
        return prefix_q("area_path", scope.area_path) & Q(escalation_level__gte=2)
    return None


def _acceptance_q(role: str, scope: Scope) -> Q | None:
    """Submitted cases each dispatching level accepts: those that landed at its own level."""
    if not scope.area_path:
        return None
    subtree = prefix_q("area_path", scope.area_path)
    if role == Role.COMMUNITY_WORKER:
        return subtree
    if role == Role.SUBDISTRICT_ADMIN:
        return subtree & Q(community__isnull=True)
    if role == Role.DISTRICT_ADMIN:
        return subtree & Q(subdistrict__isnull=True)
    return None


def warn_hours(scope: Scope) -> int:
    district_path = (scope.area_path or "")[:4]
    policy = CasePolicy.objects.filter(district__path=district_path).first() if district_path else None
    return (policy or CasePolicy()).warn_before_hours


NOTHING = Q(pk__in=[])


def queue_q(user: Any, key: str, now: datetime.datetime) -> Q:
    """The filter of one 今日待办 queue for the user in their active role (nothing if it is not theirs)."""
    from .deadlines import unaccepted_warned_q

    role = active_role(user)
    if not role or role == Role.RESIDENT or not getattr(user, "is_authenticated", False):
        return NOTHING
    scope = scope_for(user)
    receiver = receiver_q(user, role, scope)
    responsible = Q(owner_id=user.pk) | receiver
    if key == "late":
        # Admins: theirs and what was escalated to their level; a grid's or community's workers:
        # theirs and every overdue case of their grid or community (属地, they follow it up).
        extra = _escalated_q(role, scope)
        if role in (Role.GRID_WORKER, Role.COMMUNITY_WORKER) and scope.area_path:
            extra = prefix_q("area_path", scope.area_path)
        return (responsible | extra if extra is not None else responsible) & overdue_q(now)
    if key == "due_soon":
        horizon = now + datetime.timedelta(hours=warn_hours(scope))
        return responsible & Q(status__in=OPEN_STATUSES, deadline__gte=now, deadline__lte=horizon)
    if key in ("late_accept", "to_accept"):
        accept = _acceptance_q(role, scope)
        if accept is None:
            return NOTHING
        late = Q(unaccepted_warned_q())
        return accept & Q(status=CaseStatus.SUBMITTED) & (late if key == "late_accept" else ~late)
    if key == "to_sign":
        return receiver & Q(status=CaseStatus.DISPATCHED)
    if key == "my_handling":
        return receiver & Q(status=CaseStatus.HANDLING)
    if key == "extensions":
        if role not in (Role.SUBDISTRICT_ADMIN, Role.DISTRICT_ADMIN) or not scope.area_path:
            return NOTHING
        pending = Extension.objects.filter(status=ExtensionStatus.PENDING).values("case_id")
        return prefix_q("area_path", scope.area_path) & Q(status__in=OPEN_STATUSES, pk__in=pending)
    return NOTHING


def local_day_start(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def _mine_q(user: Any) -> Q:
    """Owned by me, or assigned to me (my grid, my department, my unit, or me by name)."""
    scope = scope_for(user)
    q = Q(owner_id=user.pk) | Q(assigned_user_id=user.pk)
    if scope.department_id:
        q |= Q(assigned_department_id=scope.department_id)
    if scope.unit_id:
        q |= Q(assigned_unit_id=scope.unit_id)
    if scope.area_path and scope.area_level in ("grid", "community"):
        q |= Q(assigned_area__path=scope.area_path)
    return q


def list_page_rows(cases: list[Case]) -> list[Case]:
    """Decorate a page of cases with what the list shows: time left or overdue by."""
    now = timezone.now()
    for case in cases:
        case.time_left = (case.deadline - now) if case.deadline else None  # type: ignore[attr-defined]
    return cases


def tab_counts(user: Any) -> dict[str, int]:
    """How many cases wait in each quick tab (one query)."""
    from django.db.models import Count

    now = timezone.now()
    base = workbench_cases(user)
    counts = base.aggregate(
        todo=Count("pk", filter=Q(status__in=(CaseStatus.SUBMITTED, CaseStatus.ACCEPTED, CaseStatus.CLOSED))),
        dispatched=Count("pk", filter=Q(status=CaseStatus.DISPATCHED)),
        handling=Count("pk", filter=Q(status=CaseStatus.HANDLING)),
        overdue=Count("pk", filter=overdue_q(now)),
        supervised=Count("pk", filter=Q(supervised=True, status__in=OPEN_STATUSES)),
    )
    return {k: v or 0 for k, v in counts.items()}


def case_detail(case: Case, *, internal: bool) -> dict[str, Any]:
    """What the case page shows besides the case: log (public rows only for residents), photos,
    extensions, duplicates and merged cases, departments, whistles (read-only)."""
    log = CaseLog.objects.filter(case=case).select_related("actor")
    if not internal:
        log = log.filter(public=True)
    context: dict[str, Any] = {
        "log": list(log.order_by("at", "pk")),
        "photos": list(CasePhoto.objects.filter(case=case).order_by("uploaded_at", "pk")),
    }
    if internal:
        context.update(
            extensions=list(
                Extension.objects.filter(case=case).select_related("requested_by", "decided_by").order_by("-pk")
            ),
            pending_extension=Extension.objects.filter(case=case, status=ExtensionStatus.PENDING).first(),
            merged=list(case.merged.order_by("pk").only("public_id", "number", "description")[:50]),
            departments=list(CaseDepartment.objects.filter(case=case).select_related("department")),
            whistles=_whistles(case),
        )
    return context


def _whistles(case: Case) -> list[Any]:
    """H-whistle's rows for this case, read-only (its pages act on them)."""
    from .models import Summons, Whistle

    return list(
        Whistle.objects.filter(case=case)
        .select_related("blown_by")
        .prefetch_related(Prefetch("summonses", queryset=Summons.objects.select_related("department")))
        .order_by("-blown_at", "-pk")
    )


def claim_community_id(user: Any) -> int | None:
    """The community whose published cases a member (home community) or a unit contact (the unit's) may claim."""
    from dangjian.accounts.roles import Role, active_assignment

    assignment = active_assignment(user)
    if assignment is None:
        return None
    if assignment.role == Role.PARTY_MEMBER:
        return assignment.home_community_id
    if assignment.role == Role.UNIT_CONTACT and assignment.unit is not None:
        return assignment.unit.community_id
    return None


def claimable_cases(user: Any, *, include_taken: bool = False) -> QuerySet[Case]:
    """Published cases of the claimant's community (单位和党员主动认领), soonest deadline first.

    `include_taken` adds the ones claimed meanwhile, so a late claimant is told who took it."""
    community_id = claim_community_id(user)
    if community_id is None:
        return Case.objects.none()
    statuses = [CaseStatus.PUBLISHED, CaseStatus.HANDLING] if include_taken else [CaseStatus.PUBLISHED]
    return (
        Case.objects.filter(community_id=community_id, status__in=statuses)
        .select_related("category", "grid")
        .order_by(F("deadline").asc(nulls_last=True), "-pk")
    )
