"""Matters raised at a co-building meeting or on a covenant visit, and where each one goes: a case or a
demand (through their own intake services), a 民生微实事 proposal, a task for a named member unit, or
closed with a reason. A matter is routed once: the row is locked and must still be open."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.audit.services import Action, audit_record
from dangjian.cases.intake.services import case_submit
from dangjian.cases.models import Case, CaseCategory, Channel
from dangjian.core.figures import facts
from dangjian.core.scoping import acting_user
from dangjian.demands.models import Demand, DemandKind
from dangjian.demands.services import demand_submit
from dangjian.microprojects.models import Project
from dangjian.microprojects.services import project_propose
from dangjian.notifications.services import notify
from dangjian.territory.models import Area, Level
from dangjian.units.models import ResidentUnit

from .. import permissions
from ..facts import MATTERS
from ..models import MATTER_KEY, CoMeeting, Matter, Outcome, UnitTask, Visit
from ..workflow import CREATE, FLOW


def _source_name(matter: Matter) -> str:
    if matter.comeeting is not None:
        return matter.comeeting.meeting.title
    if matter.visit is not None:
        return _("共建走访（%(v)s）") % {"v": matter.visit.visitor}
    return _("共建事项")


@transaction.atomic
def matter_raise(
    *,
    actor: Any,
    title: str,
    description: str = "",
    comeeting: CoMeeting | None = None,
    visit: Visit | None = None,
    raised_at: datetime.datetime | None = None,
) -> Matter:
    """Record a matter raised at a meeting or on a visit (exactly one source)."""
    if (comeeting is None) == (visit is None):
        raise ValueError("one of comeeting or visit")
    area: Area = comeeting.area if comeeting is not None else visit.area  # type: ignore[union-attr]
    permissions.require_manager(actor, area.path, _("登记议定事项"))
    title = (title or "").strip()
    if not title:
        raise ValidationError({"title": _("请填写事项。")})
    matter = Matter.objects.create(
        area=area,
        title=title[:200],
        description=(description or "").strip(),
        comeeting=comeeting,
        visit=visit,
        raised_at=raised_at or timezone.now(),
        raised_by=acting_user(actor) if getattr(actor, "is_authenticated", False) else None,
    )
    audit_record(actor=acting_user(actor), action=Action.CREATE, obj=matter, area_path=matter.area_path)
    return matter


def _lock_open(actor: Any, matter: Matter, what: str) -> Matter:
    locked = Matter.objects.select_for_update().select_related("area").get(pk=matter.pk)
    permissions.require_manager(actor, locked.area_path, what)
    if locked.outcome != Outcome.OPEN:
        raise ValidationError(
            _("事项「%(t)s」已%(o)s，不能重复转办。") % {"t": locked.title, "o": locked.get_outcome_display()}
        )
    return locked


def _route(actor: Any, matter: Matter, outcome: str, target_id: Any = None, reason: str = "") -> Matter:
    now = timezone.now()
    Matter.objects.filter(pk=matter.pk).update(outcome=outcome, target_id=target_id, reason=reason, routed_at=now)
    matter.outcome, matter.target_id, matter.reason, matter.routed_at = outcome, target_id, reason, now
    facts.record_rows(MATTERS, [matter.pk])
    audit_record(
        actor=acting_user(actor),
        action=Action.UPDATE,
        obj=matter,
        changes={"outcome": [str(Outcome.OPEN.label), str(matter.get_outcome_display())]},
        area_path=matter.area_path,
    )
    return matter


@transaction.atomic
def matter_to_case(
    *, actor: Any, matter: Matter, category: CaseCategory | str | None, description: str = ""
) -> tuple[Matter, Case]:
    """The matter becomes a governance case (accepted at once where the actor may dispatch it)."""
    locked = _lock_open(actor, matter, _("将事项转为事件"))
    case = case_submit(
        actor=actor,
        channel=Channel.WALK_IN,
        category=category or "",
        description=description.strip() or f"{locked.title}\n{locked.description}".strip(),
        area=locked.area,
        reporter_name=_source_name(locked)[:50],
        accept=True,
    )
    # Marked so the step receiver knows this case can concern a matter (intake keeps only the category's
    # own answers, so the mark is written after it).
    case.attributes = {**(case.attributes or {}), MATTER_KEY: str(locked.public_id)}
    Case.objects.filter(pk=case.pk).update(attributes=case.attributes)
    return _route(actor, locked, Outcome.CASE, case.public_id), case


@transaction.atomic
def matter_to_demand(*, actor: Any, matter: Matter, description: str = "") -> tuple[Matter, Demand]:
    """The matter becomes a public need (公共需求) of its community."""
    locked = _lock_open(actor, matter, _("将事项转为需求"))
    if locked.area.level != Level.COMMUNITY:
        raise ValidationError(_("群众需求须落到社区，请转为事件或交办成员单位。"))
    demand = demand_submit(
        actor=actor,
        kind=DemandKind.PUBLIC_NEED,
        title=locked.title,
        description=description.strip() or locked.description or locked.title,
        community=locked.area,
        requester_name=_source_name(locked)[:50],
    )
    return _route(actor, locked, Outcome.DEMAND, demand.public_id), demand


@transaction.atomic
def matter_to_project(
    *, actor: Any, matter: Matter, kind: str = "services", estimated_amount: Any = None
) -> tuple[Matter, Project]:
    """The matter becomes a 民生微实事 proposal through microprojects' own service."""
    locked = _lock_open(actor, matter, _("将事项转为微实事项目"))
    if locked.area.level != Level.COMMUNITY:
        raise ValidationError(_("微实事项目须落到社区。"))
    project = project_propose(
        actor=actor,
        community=locked.area,
        title=locked.title,
        description=locked.description or locked.title,
        kind=kind,
        source="joint",
        source_ref=str(locked.public_id),
        estimated_amount=estimated_amount,
    )
    return _route(actor, locked, Outcome.PROJECT, project.public_id), project


@transaction.atomic
def matter_to_task(
    *, actor: Any, matter: Matter, unit: ResidentUnit, due_on: datetime.date, title: str = ""
) -> tuple[Matter, UnitTask]:
    """Hand the matter to a named member unit with a deadline (the unit's contacts are told)."""
    locked = _lock_open(actor, matter, _("交办成员单位"))
    if due_on < timezone.localdate():
        raise ValidationError({"due_on": _("办理时限不能早于今天。")})
    task = UnitTask.objects.create(
        matter=locked,
        unit=unit,
        area_path=locked.area_path,
        title=(title or locked.title).strip()[:200],
        due_on=due_on,
    )
    FLOW.log(task, actor=acting_user(actor), step=CREATE, from_status="", to_status=task.status)
    notify(
        recipients=permissions.unit_contacts(unit.pk),
        event="cobuilding.task.create",
        title=_("新的交办任务：%(t)s") % {"t": task.title},
        body=_("办理时限 %(d)s") % {"d": due_on.isoformat()},
        url=FLOW.object_url(task),
        object_key=FLOW.object_key(task),
        actor=actor,
    )
    return _route(actor, locked, Outcome.TASK, task.public_id), task


@transaction.atomic
def matter_close(*, actor: Any, matter: Matter, reason: str) -> Matter:
    """Close the matter with a reason (answered on the spot, not a matter for anyone, …)."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("请填写办结理由。")})
    locked = _lock_open(actor, matter, _("办结事项"))
    return _route(actor, locked, Outcome.CLOSED, None, reason[:300])


def target_of(matter: Matter) -> Any:
    """Where the matter went: its case, demand, task or project (None while open or closed)."""
    if matter.target_id is None:
        return None
    if matter.outcome == Outcome.CASE:
        return Case.objects.filter(public_id=matter.target_id).first()
    if matter.outcome == Outcome.DEMAND:
        return Demand.objects.filter(public_id=matter.target_id).first()
    if matter.outcome == Outcome.TASK:
        return UnitTask.objects.filter(public_id=matter.target_id).first()
    if matter.outcome == Outcome.PROJECT:
        return Project.objects.filter(public_id=matter.target_id).first()
    return None
