"""Writes for liaisons (包联 / 挂点): a leader responsible for a community, a grid or an estate."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.audit.services import Action, audit_record
from dangjian.territory.models import Area, Estate, Level

from ..models import (
    Liaison,
    LiaisonLevel,
)
from .common import visible_to_actor

# --- liaisons (包联 / 挂点) ------------------------------------------------------------------


@transaction.atomic
def liaison_assign(
    *,
    actor: Any,
    leader_name: str,
    post: str,
    level: str,
    area: Area | None = None,
    estate: Estate | None = None,
    since: datetime.date | None = None,
    user: Any = None,
) -> Liaison:
    """Make a leader responsible for a community, a grid or an estate."""
    errors: dict[str, list[str]] = {}
    leader_name, post = (leader_name or "").strip(), (post or "").strip()
    if not leader_name:
        errors["leader_name"] = [_("请填写包联领导的姓名。")]
    if not post:
        errors["post"] = [_("请填写包联领导的职务。")]
    if level not in LiaisonLevel.values:
        errors["level"] = [_("请选择包联领导的层级。")]
    if (area is None) == (estate is None):
        errors["area"] = [_("请选择一个包联对象：社区、网格或小区（只选一个）。")]
    elif area is not None and area.level not in {Level.COMMUNITY, Level.GRID}:
        errors["area"] = [_("包联对象应为社区或网格。")]
    elif not visible_to_actor(actor, Area, area) or not visible_to_actor(actor, Estate, estate):
        errors["area"] = [_("所选包联对象不在您的管理范围内。")]
    if since and since > timezone.localdate():
        errors["since"] = [_("起始日期不能晚于今天。")]
    try:
        _check_liaison_account(user)
    except ValidationError as exc:
        errors["account"] = exc.messages
    if errors:
        raise ValidationError(errors)
    target = area or estate
    duplicate = Liaison.objects.filter(leader_name=leader_name, area=area, estate=estate, is_active=True)
    if duplicate.exists():
        raise ValidationError({"leader_name": _("%(name)s已在包联「%(t)s」。") % {"name": leader_name, "t": target}})
    try:
        with transaction.atomic():
            liaison = Liaison.objects.create(
                leader_name=leader_name, post=post, level=level, area=area, estate=estate, since=since, user=user
            )
    except IntegrityError as exc:
        raise ValidationError(
            {"leader_name": _("%(name)s已在包联「%(t)s」。") % {"name": leader_name, "t": target}}
        ) from exc
    audit_record(
        actor=actor,
        action=Action.CREATE,
        obj=liaison,
        changes={
            "leader_name": [None, leader_name],
            "post": [None, post],
            "level": [None, level],
            "target": [None, str(target)],
            "since": [None, since.isoformat() if since else None],
            "user": [None, user.username if user is not None else None],
        },
        area_path=liaison.area_path(),
    )
    return liaison


def _check_liaison_account(user: Any) -> None:
    if user is not None and (not user.is_active or user.is_superuser):
        raise ValidationError(_("账号「%(u)s」不能用作包联领导的账号。") % {"u": user.username})


@transaction.atomic
def liaison_set_account(*, actor: Any, liaison: Liaison, user: Any) -> Liaison:
    """Set (or, with None, clear) the account the leader signs in with."""
    liaison = Liaison.objects.select_for_update(of=("self",)).select_related("user").get(pk=liaison.pk)
    try:
        _check_liaison_account(user)
    except ValidationError as exc:
        raise ValidationError({"account": exc.messages}) from exc
    if not liaison.is_active:
        raise ValidationError(_("该包联已经结束，不能再修改账号。"))
    before = liaison.user.username if liaison.user is not None else None
    after = user.username if user is not None else None
    if before != after:
        liaison.user = user
        liaison.save(update_fields=["user"])
        audit_record(
            actor=actor,
            action=Action.UPDATE,
            obj=liaison,
            changes={"user": [before, after]},
            area_path=liaison.area_path(),
        )
    return liaison


@transaction.atomic
def liaison_end(*, actor: Any, liaison: Liaison, ended_on: datetime.date | None = None) -> Liaison:
    """End an assignment; it stays on record with its end date."""
    ended_on = ended_on or timezone.localdate()
    if liaison.since and ended_on < liaison.since:
        raise ValidationError({"ended_on": _("结束日期不能早于起始日期。")})
    # Conditional update: of two people ending the same assignment, one wins, the other is told.
    updated = Liaison.objects.filter(pk=liaison.pk, is_active=True).update(is_active=False, ended_on=ended_on)
    if not updated:
        raise ValidationError(_("该包联已经结束。"))
    liaison.refresh_from_db()
    audit_record(
        actor=actor,
        action=Action.UPDATE,
        obj=liaison,
        changes={"is_active": [True, False], "ended_on": [None, ended_on.isoformat()]},
        area_path=liaison.area_path(),
    )
    return liaison
