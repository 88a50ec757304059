"""Reads of cases for the workbench: the scoped list with its filters, and the case page's context."""

from __future__ import annotations

import datetime
from typing import Any, cast

from django.db.models import F, ForeignKey, Prefetch, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dangjian.accounts.roles import Role
from dangjian.core.keyset import CappedCount, KeysetPage, capped_counts, capped_sum, keyset_page
from dangjian.core.periods import days_q
from dangjian.core.scoping import Scope, active_role, prefix_q, scope_for
from dangjian.core.tree import path_upper_bound
from dangjian.territory.models import Area

from .models import (
    FINISHED_KEY_START,
    OPEN_KEY_END,
    SATISFIED_RATINGS,
    Case,
    CaseDepartment,
    CaseLog,
    CasePhoto,
    CasePolicy,
    CaseStatus,
    Channel,
    Extension,
    ExtensionStatus,
    epoch_micros,
)
from .workflow import CLOSED_STATUSES, DONE_STATUSES, OPEN_STATUSES

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
    """Open and past the deadline (live, without waiting for the deadline scan). An open case's due_key
    is its deadline in µs, so this is the index range due_key < now, and exact."""
    now = now or timezone.now()
    return Q(due_key__lt=epoch_micros(now), status__in=OPEN_STATUSES, deadline__lt=now)


def _status_band_q(statuses: Any) -> Q:
    """The due_key band the statuses lie in (open or finished), so a status filter is an index range."""
    values = {str(s) for s in statuses}
    opened = {str(s) for s in OPEN_STATUSES}
    if values <= opened:
        return Q(due_key__lt=OPEN_KEY_END)
    if not values & opened:
        return Q(due_key__gte=FINISHED_KEY_START)
    return Q()


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
# A page of the workbench joins only these; its places come in one query (attach_related): with all
# eight joins PostgreSQL spends longer planning the rows query than running it.
PAGE_RELATED = ("category", "assigned_department", "assigned_unit", "assigned_user", "owner")
PAGE_ATTACHED = ("grid", "community", "assigned_area")
# The columns a workbench page shows (cases/desk/list.html, the cursor's due_key): a case row has 52
# columns and its five joined rows 64 more, most of them text the page never prints.
PAGE_FIELDS = (
    "public_id",
    "number",
    "channel",
    "category__name",
    "description",
    "grid",
    "community",
    "assigned_area",
    "status",
    "owner__username",
    "owner__full_name",
    "assignee_kind",
    "assigned_department__name",
    "assigned_unit__name",
    "assigned_user__username",
    "assigned_user__full_name",
    "received_at",
    "deadline",
    "supervised",
    "due_key",
)
# The attached places: their names (an area's boundary is a large JSON document).
PAGE_AREA_FIELDS = ("public_id", "name", "path", "level")
DETAIL_RELATED = (
    *LIST_RELATED,
    "subdistrict",
    "district",
    "duty_item__lead_department",
    "reporter",
    "merged_into",
    "possible_duplicate_of",
)


def case_filter_q(
    user: Any,
    *,
    status: str = "",
    q: str = "",
    category: Any = None,
    channel: str = "",
    overdue: bool = False,
    supervised: bool = False,
    mine: bool = False,
    unmerged: bool = False,
    closed: bool = False,
    on_time: bool = False,
    rated: bool = False,
    satisfied: bool = False,
    area: Any = None,
    department: Any = None,
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
    tab: str = "",
    now: datetime.datetime | None = None,
) -> Q:
    """The list's filters and tab as one Q (the scope apart; see case_list and list_parts)."""
    now = now or timezone.now()
    f = Q()
    if tab == "todo":
        todo = (CaseStatus.SUBMITTED, CaseStatus.ACCEPTED, CaseStatus.CLOSED)
        f &= Q(status__in=todo) & _status_band_q(todo)
    elif tab == "overdue":
        overdue = True
    elif tab == "supervised":
        supervised = True
    elif tab == "mine":
        mine = True
    elif tab in QUEUES:
        f &= queue_q(user, tab, now)
    elif tab in CaseStatus.values:
        status = tab
    if status:
        f &= Q(status=status) & _status_band_q([status])
    if q:
        q = q.strip()[:50]
        f &= Q(number__icontains=q) | Q(description__icontains=q) | Q(address__icontains=q) | Q(reporter_name=q)
    if category is not None:
        f &= Q(category=category)
    if channel:
        f &= Q(channel=channel)
    if overdue:
        f &= overdue_q(now)
    if supervised:
        f &= Q(supervised=True)
    if unmerged:
        f &= ~Q(status=CaseStatus.MERGED)
    f &= figure_part_q(closed=closed, on_time=on_time, rated=rated, satisfied=satisfied)
    if mine:
        f &= _mine_q(user)
    if area is not None:
        f &= prefix_q("area_path", area.path)
    if department is not None:
        f &= Q(pk__in=CaseDepartment.objects.filter(department=department).values("case_id"))
    # Ranges on the aware datetime (not __date), so the received_at index serves them.
    return f & days_q("received_at", date_from, date_to)


def figure_part_q(*, closed: bool = False, on_time: bool = False, rated: bool = False, satisfied: bool = False) -> Q:
    """The parts of the case figures as cases/facts.py counts them (the cockpit links the list to
    each): 办结 is a status that counts as closed (办结, 回访, 归档); 按时办结 closed no later than its
    deadline; 已评价 any rating; 满意 satisfied or basically satisfied."""
    f = Q()
    if closed or on_time:
        f &= Q(status__in=sorted(CLOSED_STATUSES)) & _status_band_q(CLOSED_STATUSES)
    if on_time:
        f &= Q(closed_at__isnull=False, deadline__isnull=False, closed_at__lte=F("deadline"))
    if rated:
        f &= ~Q(rating="")
    if satisfied:
        f &= Q(rating__in=sorted(SATISFIED_RATINGS))
    return f


LIST_ORDER = ("due_key", "pk")


def case_list(user: Any, **filters: Any) -> QuerySet[Case]:
    """The scoped, filtered list: overdue first, then by deadline (soonest first), then open cases
    without a deadline, then finished ones, newest first (Case.due_key, then pk).

    `category`, `area` and `department` are model instances the caller has already resolved in scope.
    One queryset (exports, tests); the workbench pages it through list_parts, which an index serves."""
    return (
        workbench_cases(user).filter(case_filter_q(user, **filters)).select_related(*LIST_RELATED).order_by(*LIST_ORDER)
    )


# The column that holds the node of each level: equality on it (plus due_key) is an ordered index range.
LEVEL_COLUMNS = {"district": "district", "subdistrict": "subdistrict", "community": "community", "grid": "grid"}


def _scope_index_q(user: Any, scope: Scope) -> Q:
    """The scope as the list reads it: for a territorial scope at a level with its own column (district,
    subdistrict, community, grid), equality on that column, so the (level, due_key, id) index serves the
    list in order. It selects the same rows as the area_path range of Case.scope_q: every write places a
    case with its whole chain (intake and relocation set grid, community, subdistrict, district and
    area_path together), and test_list_parts_are_the_list checks it. Other scopes: Case.scope_q."""
    column = LEVEL_COLUMNS.get(scope.area_level or "")
    if scope.area_path and column:
        # A literal, not a subquery: the planner then knows the node's row count (its statistics).
        node = _scope_area_id(user, scope)
        return Q(**{f"{column}_id": node}) if node is not None else NOTHING
    return Case.scope_q(scope)


def _scope_area_id(user: Any, scope: Scope) -> int | None:
    """The id of the scope's area: the active role's own area (already loaded with the role), else looked up."""
    from dangjian.accounts.roles import active_assignment

    assignment = active_assignment(user)
    area = getattr(assignment, "area", None) if assignment is not None else None
    if area is not None and area.path == scope.area_path:
        return area.pk
    return Area.objects.filter(path=scope.area_path).values_list("pk", flat=True).first()


def _outside_scope_q(scope: Scope) -> Q:
    """Not in the scope, written as two ranges of area_path for a territorial scope (the owner index)."""
    if scope.area_path:
        upper = path_upper_bound(scope.area_path)
        outside = Q(area_path__lt=scope.area_path)
        return outside | Q(area_path__gte=upper) if upper else outside
    return ~Case.scope_q(scope)


def list_scopes(user: Any, *, check_owned: bool = True) -> list[Q]:
    """The workbench's rows as disjoint filters, each served in (due_key, id) order by an index: the
    scope (through the level column) and the cases the user owns outside it (首问负责制). With
    `check_owned` the second is left out when there are none (one small query); case_page instead
    counts every part in its counts query and reads only the parts that hold rows."""
    scope = scope_for(user)
    if scope.everything:
        return [Q()]
    scopes = [_scope_index_q(user, scope)]
    if getattr(user, "is_authenticated", False):
        owned_outside = Q(owner_id=user.pk) & _outside_scope_q(scope)
        if not check_owned or Case.objects.filter(owned_outside).exists():
            scopes.append(owned_outside)
    return scopes


def list_parts(user: Any, scopes: list[Q] | None = None, **filters: Any) -> list[QuerySet[Case]]:
    """case_list as disjoint querysets (one per list_scopes filter), each an ordered index range; their
    union is case_list(user, **filters)."""
    f = case_filter_q(user, **filters)
    base = Case.objects.select_related(*PAGE_RELATED)
    return [base.filter(scope & f) for scope in (list_scopes(user) if scopes is None else scopes)]


def attach_related(cases: list[Case]) -> list[Case]:
    """Give a page of list_parts rows their places (grid, community, assigned area) in one query."""
    ids = {getattr(case, f"{name}_id") for case in cases for name in PAGE_ATTACHED} - {None}
    areas = Area.objects.only(*PAGE_AREA_FIELDS).in_bulk(ids) if ids else {}
    for case in cases:
        for name in PAGE_ATTACHED:
            value = getattr(case, f"{name}_id")
            field = cast(ForeignKey, Case._meta.get_field(name))
            field.set_cached_value(case, areas.get(value) if value is not None else None)
    return cases


def case_page(
    user: Any,
    *,
    page: str | None = None,
    after: str | None = None,
    before: str | None = None,
    per_page: int = 20,
    scopes: list[Q] | None = None,
    with_tab_counts: bool = False,
    **filters: Any,
) -> KeysetPage:
    """One page of the workbench list: numbered for the first pages, by cursor deeper; the count capped.
    `with_tab_counts`: the quick tabs' counts come in the same query as the page's (page.tab_counts).
    The rows hold the columns the list shows (PAGE_FIELDS); a page reading others would query per row."""
    parts = list_parts(user, scopes, **filters)
    groups = _tab_groups(user, scopes) if with_tab_counts else {}
    counts = capped_counts({**groups, **{f"__part{k}": [part] for k, part in enumerate(parts)}})
    part_counts = [counts.pop(f"__part{k}") for k in range(len(parts))]
    count = capped_sum(part_counts)
    # Only the parts that hold rows are read (an owner with nothing outside the scope reads one part).
    holding = [part.only(*PAGE_FIELDS) for part, n in zip(parts, part_counts, strict=True) if n]
    result = keyset_page(holding, LIST_ORDER, page=page, after=after, before=before, per_page=per_page, count=count)
    result.tab_counts = counts
    attach_related(result.rows)
    return result


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
        band = Q(due_key__gte=epoch_micros(now), due_key__lte=epoch_micros(horizon))  # open, due in the window
        return responsible & band & Q(status__in=OPEN_STATUSES, deadline__gte=now, deadline__lte=horizon)
    if key in ("late_accept", "to_accept"):
        accept = _acceptance_q(role, scope)
        if accept is None:
            return NOTHING
        late = Q(unaccepted_warned_q())
        submitted = Q(status=CaseStatus.SUBMITTED) & _status_band_q([CaseStatus.SUBMITTED])
        return accept & submitted & (late if key == "late_accept" else ~late)
    if key == "to_sign":
        return receiver & Q(status=CaseStatus.DISPATCHED) & _status_band_q([CaseStatus.DISPATCHED])
    if key == "my_handling":
        return receiver & Q(status=CaseStatus.HANDLING) & _status_band_q([CaseStatus.HANDLING])
    if key == "extensions":
        if role not in (Role.SUBDISTRICT_ADMIN, Role.DISTRICT_ADMIN) or not scope.area_path:
            return NOTHING
        pending = Extension.objects.filter(status=ExtensionStatus.PENDING).values("case_id")
        band = Q(due_key__lt=OPEN_KEY_END)
        return prefix_q("area_path", scope.area_path) & band & Q(status__in=OPEN_STATUSES, pk__in=pending)
    return NOTHING


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


_ANY_ID = "00000000-0000-4000-8000-000000000000"


def list_page_rows(cases: list[Case]) -> list[Case]:
    """Decorate a page of cases with what the list shows: time left or overdue by, the case page's URL
    and the status and channel labels. The labels and URL once a page, not once a row (get_X_display
    translates every choice of the field on each call; reverse() walks the URL patterns each time)."""
    now = timezone.now()
    statuses = {value: str(label) for value, label in CaseStatus.choices}
    channels = {value: str(label) for value, label in Channel.choices}
    detail = reverse("cases:detail", args=[_ANY_ID])
    for case in cases:
        case.time_left = (case.deadline - now) if case.deadline else None  # type: ignore[attr-defined]
        case.status_label = statuses.get(case.status, case.status)  # type: ignore[attr-defined]
        case.channel_label = channels.get(case.channel, case.channel)  # type: ignore[attr-defined]
        case.url = detail.replace(_ANY_ID, str(case.public_id))  # type: ignore[attr-defined]
    return cases


TAB_COUNTED = ("todo", "dispatched", "handling", "overdue", "supervised")


def _tab_groups(user: Any, scopes: list[Q] | None) -> dict[str, list[QuerySet[Case]]]:
    now = timezone.now()
    scopes = list_scopes(user) if scopes is None else scopes
    groups = {tab: list_parts(user, scopes, tab=tab, now=now) for tab in ("todo", "dispatched", "handling", "overdue")}
    supervised = list_parts(user, scopes, supervised=True, now=now)
    groups["supervised"] = [p.filter(status__in=OPEN_STATUSES, due_key__lt=OPEN_KEY_END) for p in supervised]
    return groups


def tab_counts(user: Any, scopes: list[Q] | None = None) -> dict[str, CappedCount]:
    """How many cases wait in each quick tab, exact up to core.keyset.COUNT_CAP ("1000+" above): one query of
    capped subqueries, each an index range of the scope (supervised: the open ones)."""
    return capped_counts(_tab_groups(user, scopes))


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


MINE_ORDER = ("-received_at", "-pk")  # 我的诉求: the reporter's own cases (reporter_id index), newest first


def reporter_cases(user: Any, *, q: str = "", state: str = "") -> QuerySet[Case]:
    """我的诉求: the cases `user` reported, searched by number, description or address; state "open" or
    "done" narrows them. Paged by core.keyset in MINE_ORDER."""
    cases = Case.objects.filter(reporter=user).select_related("category")
    if q:
        cases = cases.filter(Q(number__icontains=q) | Q(description__icontains=q) | Q(address__icontains=q))
    if state == "open":
        cases = cases.exclude(status__in=DONE_STATUSES)
    elif state == "done":
        cases = cases.filter(status__in=DONE_STATUSES)
    return cases.order_by(*MINE_ORDER)


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
