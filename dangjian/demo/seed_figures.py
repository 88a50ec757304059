"""What the cockpit's seed figures need that the other demo steps leave at nothing: a whistle whose case
was then closed (吹哨解决, 001: 2100 多项) and a liaison's problem seen through to its close (挂点问题解决,
003: 300 / 240). Both go through the ordinary services (cases, whistles), as people would, so the
figures store is kept by the writers themselves. Draws nothing from the shared random generator."""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import Exists, OuterRef
from django.utils import timezone

from dangjian.accounts.models import RoleAssignment, User
from dangjian.accounts.roles import Role
from dangjian.cases import services
from dangjian.cases.models import AssigneeKind, Case, CaseStatus, Channel, Summons, Whistle
from dangjian.cases.whistle import services as whistle_services
from dangjian.cases.workflow import CASE_FLOW, Step

HOME_COMMUNITY = "婆石社区"
RESULT = "已协调相关部门现场处置完毕，居民认可"


def _may(actor: User, case: Case, step: str) -> bool:
    move = CASE_FLOW.move(case.status, step)
    return move is not None and bool(CASE_FLOW.parties_for(actor, case) & move.parties)


def _first_who_may(people: list[User], case: Case, step: str) -> User | None:
    return next((u for u in people if _may(u, case, step)), None)


def _staff_of(department_id: int) -> User | None:
    found = RoleAssignment.objects.filter(role=Role.DEPARTMENT_STAFF, department_id=department_id).order_by("pk")
    assignment = found.select_related("user").first()
    return assignment.user if assignment is not None else None


def _see_through(case: Case, people: list[User]) -> Case | None:
    """Accept, dispatch to its community and close the case, each step by the first who may take it."""
    for _round in range(4):
        case = Case.objects.get(pk=case.pk)
        if case.status in (CaseStatus.DISPATCHED, CaseStatus.HANDLING):
            actor = _first_who_may(people, case, Step.CLOSE) or (
                _first_who_may(people, case, Step.TAKE) if case.status == CaseStatus.DISPATCHED else None
            )
            if actor is None:
                return None
            if _may(actor, case, Step.CLOSE):
                return services.case_close(actor=actor, case=case, result=RESULT)
            services.case_take(actor=actor, case=case)
        elif case.status == CaseStatus.SUBMITTED:
            actor = _first_who_may(people, case, Step.ACCEPT)
            if actor is None:
                return None
            services.case_accept(actor=actor, case=case)
        elif case.status == CaseStatus.ACCEPTED:
            actor = _first_who_may(people, case, Step.DISPATCH)
            if actor is None or case.community is None:
                return None
            services.case_dispatch(actor=actor, case=case, kind=AssigneeKind.COMMUNITY, area=case.community)
        else:
            return None
    return None


def _whistle_solved(people: list[User], worker: User) -> None:
    """吹哨 on an open case of the home community; every summoned department acts; the case is closed."""
    unwhistled = ~Exists(Whistle.objects.filter(case=OuterRef("pk")))
    cases = Case.objects.filter(unwhistled, community__name=HOME_COMMUNITY, status=CaseStatus.HANDLING)
    for case in cases.order_by("received_at", "pk")[:20]:
        if not whistle_services.may_blow(worker, case):
            continue
        departments = list(whistle_services.departments_for_case(case)[:2])
        staff = {d.pk: _staff_of(d.pk) for d in departments}
        if not departments or None in staff.values():
            continue
        whistle = whistle_services.whistle_blow(
            actor=worker,
            case=case,
            departments=departments,
            report_by=timezone.now() + datetime.timedelta(hours=8),
            reason="楼下商铺占道经营、油烟扰民，社区多次劝导未果，召集部门联合处置。",
        )
        for summons in Summons.objects.filter(whistle=whistle).order_by("pk"):
            for what in ("acknowledge", "attend", "act"):
                whistle_services.summons_report(actor=staff[summons.department_id], summons=summons, what=what)
        if _see_through(case, people) is not None:
            return


def _liaison_solved(people: list[User]) -> None:
    """A problem a liaison collected, accepted, dispatched to its community and closed."""
    cases = Case.objects.filter(channel=Channel.LIAISON).exclude(status__in=[CaseStatus.MERGED, CaseStatus.REJECTED])
    for case in cases.order_by("received_at", "pk")[:20]:
        if _see_through(case, people) is not None:
            return


def build(rng: Any, built: Any) -> None:
    names = ("sq_worker", "wg_worker", "jd_admin", "qu_admin")
    by_name = {u.username: u for u in User.objects.filter(username__in=names)}
    people = [by_name[n] for n in names if n in by_name]
    _whistle_solved(people, by_name["sq_worker"])
    _liaison_solved(people)
