"""Answering a call and placing people: the answer from the phone, the commander's placement (confirming a
proposal or choosing a grid), moving someone to another grid.

Nobody is placed twice in overlapping time, whichever call-up and whichever commander: a placement locks
the person's account row first (select_for_update; on SQLite the IMMEDIATE transaction serializes the
writers), then reads their live placements; a second commander placing the same person at once waits on
the lock and then finds the first placement. One live placement per call is also a unique constraint."""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.audit.services import Action, audit_record
from dangjian.core.figures import facts
from dangjian.core.scoping import acting_user
from dangjian.core.tree import ancestor_paths
from dangjian.territory.models import Area, Level

from ..facts import CALLS
from ..models import Call, CallStatus, CallUp, CallUpStatus, Placement, PlacementStatus, Quota, TempOrgMember
from ..permissions import commands

MAX_TEXT = 200


def _require_active(callup: CallUp) -> None:
    if callup.status != CallUpStatus.ACTIVE:
        raise ValidationError(_("该动员已结束。"))


@transaction.atomic
def call_answer(
    *,
    actor: Any,
    callup: CallUp,
    available: bool,
    available_from: datetime.datetime | None = None,
    available_to: datetime.datetime | None = None,
    skills: str = "",
    limits: str = "",
) -> Call:
    """答复召集 from the phone: available (from–to, skills, limits) or not. A placed person's answer
    stands until the commander releases them."""
    user = acting_user(actor)
    call = Call.objects.select_for_update().filter(callup=callup, user=user).first() if user else None
    if call is None:
        raise ValidationError(_("您不在这次动员的召集名单中。"))
    callup = call.callup  # read now, not as the page had it
    _require_active(callup)
    if call.status == CallStatus.PLACED:
        raise ValidationError(_("您已被安排到网格，如需调整请联系街道指挥部。"))
    now = timezone.now()
    if available:
        available_from = available_from or max(now, callup.starts_at)
        available_to = available_to or callup.ends_at
        if available_to <= available_from:
            raise ValidationError({"available_to": _("结束时间须晚于开始时间。")})
        if available_to <= now:
            raise ValidationError({"available_to": _("可参加的时间已经过去。")})
    else:
        available_from = available_to = None
    before = call.status
    call.status = CallStatus.AVAILABLE if available else CallStatus.DECLINED
    call.answered_at = call.answered_at or now
    call.available_from, call.available_to = available_from, available_to
    call.skills, call.limits = (skills or "").strip()[:MAX_TEXT], (limits or "").strip()[:MAX_TEXT]
    call.save()
    facts.record(CALLS, call)
    audit_record(
        actor=actor,
        action=Action.UPDATE,
        obj=call,
        changes={"status": [before, call.status]},
        area_path=call.home_path,
    )
    return call


def _covering(callup: CallUp, grid: Area) -> list[int]:
    return list(
        Quota.objects.filter(callup=callup, area_path__in=[*ancestor_paths(grid.path), grid.path]).values_list(
            "pk", flat=True
        )
    )


def _place(
    *,
    actor: Any,
    call: Call,
    grid: Area,
    starts_at: datetime.datetime,
    ends_at: datetime.datetime,
    reason: str,
    replacing: Placement | None = None,
) -> Placement:
    """Lock the person, check their other live placements, write the placement and what it moves."""
    get_user_model().objects.select_for_update().filter(pk=call.user_id).first()
    call = Call.objects.select_for_update().select_related("callup").get(pk=call.pk)
    callup = call.callup
    _require_active(callup)
    if grid.level != Level.GRID or not _covering(callup, grid):
        raise ValidationError({"grid": _("「%(g)s」不在这次动员需要人手的范围内。") % {"g": grid.name}})
    if ends_at <= starts_at:
        raise ValidationError({"ends_at": _("结束时间须晚于开始时间。")})
    live = Placement.objects.filter(user_id=call.user_id, status=PlacementStatus.ACTIVE)
    if replacing is not None:
        live = live.exclude(pk=replacing.pk)
    elif call.status == CallStatus.PLACED:
        raise ValidationError(_("%(n)s 已被安排，请用“调整网格”。") % {"n": call.name})
    clash = live.filter(starts_at__lt=ends_at, ends_at__gt=starts_at).select_related("grid", "callup").first()
    if clash is not None:
        raise ValidationError(
            _("%(n)s 在 %(f)s 至 %(t)s 已安排在「%(g)s」（%(c)s），同一时间不能重复安排。")
            % {
                "n": call.name,
                "f": timezone.localtime(clash.starts_at).strftime("%m-%d %H:%M"),
                "t": timezone.localtime(clash.ends_at).strftime("%m-%d %H:%M"),
                "g": clash.grid.name,
                "c": clash.callup.title,
            }
        )
    if replacing is not None:
        Placement.objects.filter(pk=replacing.pk).update(status=PlacementStatus.MOVED)
        Quota.objects.filter(pk__in=_covering(callup, replacing.grid)).update(placed=F("placed") - 1)
    placement = Placement.objects.create(
        call=call,
        callup=callup,
        user_id=call.user_id,
        grid=grid,
        grid_path=grid.path,
        starts_at=starts_at,
        ends_at=ends_at,
        reason=(reason or "").strip()[:MAX_TEXT],
        placed_by=acting_user(actor),
    )
    Quota.objects.filter(pk__in=_covering(callup, grid)).update(placed=F("placed") + 1)
    Call.objects.filter(pk=call.pk).update(status=CallStatus.PLACED, place_path=grid.path)
    call.refresh_from_db()
    facts.record(CALLS, call)
    if callup.temp_org_id is not None and call.member_id is not None:
        _join_temp_org(callup, call)
    return placement


def _join_temp_org(callup: CallUp, call: Call) -> None:
    from dangjian.people.models import Member

    assert call.member_id is not None
    member = Member.objects.select_related("org").get(pk=call.member_id)
    TempOrgMember.objects.get_or_create(
        callup=callup,
        member=member,
        defaults={"user_id": call.user_id, "home_org_name": member.org.name if member.org else ""},
    )


@transaction.atomic
def placement_confirm(
    *,
    actor: Any,
    call: Call,
    grid: Area,
    starts_at: datetime.datetime | None = None,
    ends_at: datetime.datetime | None = None,
    reason: str = "",
) -> Placement:
    """安排: place an answer in a grid for the time they are available (or the times given)."""
    if actor is not None and not commands(actor, grid.path):
        raise ValidationError({"grid": _("「%(g)s」不在您的指挥范围内。") % {"g": grid.name}})
    if call.status not in (CallStatus.AVAILABLE, CallStatus.PLACED):
        raise ValidationError(_("%(n)s 尚未答复可以参加。") % {"n": call.name})
    starts_at = starts_at or call.available_from or call.callup.starts_at
    ends_at = ends_at or call.available_to or call.callup.ends_at
    placement = _place(actor=actor, call=call, grid=grid, starts_at=starts_at, ends_at=ends_at, reason=reason)
    audit_record(
        actor=actor,
        action=Action.CREATE,
        obj=placement,
        changes={"grid": [None, grid.name], "person": [None, call.name]},
        area_path=grid.path,
    )
    return placement


@transaction.atomic
def placement_move(*, actor: Any, placement: Placement, grid: Area, reason: str = "") -> Placement:
    """调整网格: the person goes to another grid for the rest of their time; the old placement is kept as
    moved. The commander must hold both grids."""
    placement = Placement.objects.select_related("call", "grid").get(pk=placement.pk)
    if actor is not None and not (commands(actor, grid.path) and commands(actor, placement.grid_path)):
        raise ValidationError({"grid": _("「%(g)s」不在您的指挥范围内。") % {"g": grid.name}})
    if placement.status != PlacementStatus.ACTIVE:
        raise ValidationError(_("该安排已调整或撤回。"))
    if placement.grid_id == grid.pk:
        raise ValidationError({"grid": _("已在「%(g)s」。") % {"g": grid.name}})
    now = timezone.now()
    moved = _place(
        actor=actor,
        call=placement.call,
        grid=grid,
        starts_at=max(now, placement.starts_at),
        ends_at=placement.ends_at if placement.ends_at > now else now + datetime.timedelta(hours=1),
        reason=reason,
        replacing=placement,
    )
    audit_record(
        actor=actor,
        action=Action.UPDATE,
        obj=moved,
        changes={"grid": [placement.grid.name, grid.name]},
        area_path=grid.path,
    )
    return moved
