"""The desk's reads that the page and the API share: the filter choices and the steps a person is offered."""

from __future__ import annotations

from typing import Any

from dangjian.core.scoping import scope_for
from dangjian.territory.models import Area, Level
from dangjian.units.models import Department

from .. import services
from ..models import Case, CaseStatus, ExtensionStatus
from ..workflow import CASE_FLOW, DESK_STEPS, Step


def filter_choices(user: Any) -> tuple[Any, Any]:
    scope = scope_for(user)
    levels = (Level.SUBDISTRICT, Level.COMMUNITY, Level.GRID)
    areas = Area.objects.visible_to(user).filter(level__in=levels).order_by("path")
    if scope.department_id:
        departments = Department.objects.filter(pk=scope.department_id)
    elif scope.everything:
        departments = Department.objects.order_by("name")
    elif scope.area_path:
        departments = Department.objects.filter(area__path__startswith=scope.area_path[:4]).order_by("name")
    else:
        departments = Department.objects.none()
    return areas, departments


def offered_steps(user: Any, case: Case) -> list[str]:
    parties = CASE_FLOW.parties_for(user, case)
    steps = [s for s in CASE_FLOW.allowed_steps(case.status, parties) if s in DESK_STEPS]
    # A receiver may close a case it has not signed for yet (case_close signs for it on the way).
    if case.status == CaseStatus.DISPATCHED and "receiver" in parties and Step.CLOSE not in steps:
        steps.append(Step.CLOSE)
    if Step.EXTEND_DECIDE in steps and not case.extensions.filter(status=ExtensionStatus.PENDING).exists():
        steps.remove(Step.EXTEND_DECIDE)
    if Step.EXTEND_ASK in steps and case.extensions.filter(status=ExtensionStatus.PENDING).exists():
        steps.remove(Step.EXTEND_ASK)
    if Step.CALLBACK in steps and services.handled_by(case, user):
        steps.remove(Step.CALLBACK)  # whoever handled it may not call it back
    return steps
