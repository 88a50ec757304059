"""Commanding the deployed: a grid's duty shifts (volunteering's posts and shifts, so QR check-in/out and
the crediting of verified hours are volunteering's own), tasks assigned to persons with progress reported
from the phone, and the hours each person has served, kept on their call for the figures."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.audit.services import Action, audit_record
from dangjian.core.figures import facts
from dangjian.core.photos import check_photos
from dangjian.core.scoping import acting_user
from dangjian.territory.models import Area, Level
from dangjian.volunteering import services as volunteering
from dangjian.volunteering.models import Attendance, ServicePost

from ..facts import CALLS, TASKS
from ..models import (
    Call,
    CallUp,
    CallUpStatus,
    DutyShift,
    Placement,
    PlacementStatus,
    Task,
    TaskKind,
    TaskReport,
)
from ..permissions import commands


def _require_command(actor: Any, callup: CallUp, grid: Area) -> None:
    if callup.status != CallUpStatus.ACTIVE:
        raise ValidationError(_("该动员已结束。"))
    if grid.level != Level.GRID:
        raise ValidationError({"grid": _("请选择网格。")})
    if actor is not None and not commands(actor, grid.path):
        raise ValidationError({"grid": _("「%(g)s」不在您的指挥范围内。") % {"g": grid.name}})


def deployed_in(callup: CallUp, grid: Area, *, at: datetime.datetime | None = None) -> list[Placement]:
    """The live placements in a grid (at a moment, when given)."""
    live = Placement.objects.filter(callup=callup, grid=grid, status=PlacementStatus.ACTIVE)
    if at is not None:
        live = live.filter(starts_at__lt=at, ends_at__gt=at) | live.filter(starts_at__gte=at)
    return list(live.select_related("call", "user").order_by("placed_at", "pk"))


def post_name(grid: Area) -> str:
    return _("应急值守·%(g)s") % {"g": grid.name}


@transaction.atomic
def duty_shift_create(
    *,
    actor: Any,
    callup: CallUp,
    grid: Area,
    start: datetime.datetime,
    end: datetime.datetime,
    capacity: int = 1,
    assign: bool = True,
) -> DutyShift:
    """A duty shift in a grid: the grid's post (made once, in its community) gets a shift, and (with
    `assign`) the people placed there for that time are put on it, up to its places."""
    _require_command(actor, callup, grid)
    community = Area.objects.get(pk=grid.parent_id or 0)
    post = ServicePost.objects.filter(area=community, name=post_name(grid)).first()
    if post is None:
        post = volunteering.post_create(
            actor=actor, community=community, name=post_name(grid), place=grid.name, description=callup.title
        )
    shift = volunteering.shift_create(actor=actor, post=post, start=start, end=end, capacity=capacity)
    duty = DutyShift.objects.create(callup=callup, grid=grid, grid_path=grid.path, shift=shift)
    if assign:
        for placement in deployed_in(callup, grid):
            if placement.starts_at < end and placement.ends_at > start and shift.signups.count() < capacity:
                volunteering.shift_assign(actor=actor, shift=shift, user=placement.user)
    return duty


@transaction.atomic
def duty_assign(*, actor: Any, duty: DutyShift, placement: Placement) -> None:
    """Put a placed person on one of their grid's shifts."""
    _require_command(actor, duty.callup, duty.grid)
    if placement.grid_id != duty.grid_id or placement.status != PlacementStatus.ACTIVE:
        raise ValidationError(_("%(n)s 不在本网格。") % {"n": placement.call.name})
    volunteering.shift_assign(actor=actor, shift=duty.shift, user=placement.user)


def call_hours_refresh(*, user_id: int, shift_id: int) -> None:
    """After volunteering verifies (or corrects) an attendance on a duty shift: the person's hours in
    that call-up are the sum of their verified hours on its shifts (a handful of rows), kept on their
    call and in the figures, in the attendance writer's transaction."""
    duty = DutyShift.objects.filter(shift_id=shift_id).first()
    if duty is None:
        return
    call = Call.objects.select_for_update().filter(callup_id=duty.callup_id, user_id=user_id).first()
    if call is None:
        return
    total = Attendance.objects.filter(
        user_id=user_id, verified=True, shift_signup__shift__duty__callup_id=duty.callup_id
    ).aggregate(h=Sum("hours"))["h"] or Decimal("0")
    if total != call.hours:
        Call.objects.filter(pk=call.pk).update(hours=total)
        call.refresh_from_db()
        facts.record(CALLS, call)


# --- tasks ----------------------------------------------------------------------------------------


@transaction.atomic
def task_create(
    *,
    actor: Any,
    callup: CallUp,
    grid: Area,
    title: str,
    kind: str = TaskKind.OTHER,
    assignee: Any = None,
    due_at: datetime.datetime | None = None,
) -> Task:
    """布置任务 to a person placed in the grid (or to the grid's deployed members, no assignee)."""
    _require_command(actor, callup, grid)
    title = (title or "").strip()[:100]
    if not title:
        raise ValidationError({"title": _("请填写任务内容。")})
    if kind not in TaskKind.values:
        raise ValidationError({"kind": _("请选择任务类型。")})
    if assignee is not None and not any(p.user_id == assignee.pk for p in deployed_in(callup, grid)):
        raise ValidationError({"assignee": _("%(n)s 不在本网格。") % {"n": assignee}})
    if due_at is not None and due_at <= timezone.now():
        raise ValidationError({"due_at": _("完成时限须晚于现在。")})
    task = Task.objects.create(
        callup=callup,
        grid=grid,
        grid_path=grid.path,
        kind=kind,
        title=title,
        assignee=assignee,
        due_at=due_at,
        created_by=acting_user(actor),
    )
    audit_record(actor=actor, action=Action.CREATE, obj=task, changes={"title": [None, title]}, area_path=grid.path)
    if assignee is not None:
        from dangjian.notifications.services import notify

        notify(
            recipients=[assignee],
            event="mobilization.task.assign",
            actor=actor,
            title=_("新任务：%(t)s") % {"t": title},
            body=_("%(g)s · %(c)s") % {"g": grid.name, "c": callup.title},
            url=task.callup.get_absolute_url() + "mine/",
            object_key=f"mobilization.task:{task.public_id}",
            context={"area_path": grid.path},
        )
    return task


def may_report(actor: Any, task: Task) -> bool:
    if actor is None:  # the system (demo, bench)
        return True
    user = acting_user(actor)
    if user is None:
        return False
    if task.assignee_id == user.pk or commands(actor, task.grid_path):
        return True
    return (
        task.assignee_id is None
        and Placement.objects.filter(
            callup_id=task.callup_id, grid_id=task.grid_id, user_id=user.pk, status=PlacementStatus.ACTIVE
        ).exists()
    )


@transaction.atomic
def task_report(*, actor: Any, task: Task, text: str, photos: Any = (), done: bool = False) -> TaskReport:
    """进展上报 from the phone (a photo optional); `done` finishes the task (once)."""
    task = Task.objects.select_for_update().get(pk=task.pk)
    if not may_report(actor, task):
        raise ValidationError(_("您不能上报这项任务。"))
    if task.done_at is not None:
        raise ValidationError(_("任务已完成。"))
    text = (text or "").strip()[:500]
    if not text:
        raise ValidationError({"text": _("请填写进展情况。")})
    files = check_photos(photos, max_count=1)
    report = TaskReport(task=task, author=acting_user(actor), text=text, done=done)
    if files:
        report.photo = files[0].as_file()
    report.save()
    if done:
        Task.objects.filter(pk=task.pk).update(done_at=timezone.now())
        task.refresh_from_db()
        facts.record(TASKS, task)
    audit_record(
        actor=actor,
        action=Action.UPDATE,
        obj=task,
        changes={"report": [None, text[:100]], "done": [False, done]},
        area_path=task.grid_path,
    )
    return report
