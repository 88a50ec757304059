"""Writes of volunteering: teams and members, team activities, service posts and their shifts. Every
write is atomic and audited. The attendance (check-in/out by QR, corrections, crediting hours and points)
is attendance.py.

Activities are centers.Activity rows (kind volunteer) with centers' sign-up and waiting list; this app
adds the team link and the attendance.
"""

from __future__ import annotations

import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.accounts.roles import active_assignment
from dangjian.audit.services import Action, audit_record, diff, snapshot
from dangjian.centers.models import ActivityKind
from dangjian.centers.services import activities as center_services
from dangjian.core.scoping import acting_user
from dangjian.core.tree import STEP
from dangjian.territory.models import Area, Level

from .models import (
    Attendance,
    FixedGroup,
    ServicePost,
    Shift,
    ShiftSignUp,
    ShiftSignUpStatus,
    Team,
    TeamActivity,
    TeamMember,
    VolunteerSettings,
)
from .permissions import may_volunteer, require_manager

ONE_PLACE = Decimal("0.1")
ZERO = Decimal("0.0")


# --- rules and scope helpers ---------------------------------------------------------------------


def settings_for(area: Area) -> VolunteerSettings:
    """The district's check-in rules; the defaults (unsaved) when the district has not set its own."""
    district_path = area.path[:STEP]
    found = VolunteerSettings.objects.filter(district__path=district_path).first()
    return found or VolunteerSettings()


def home_community(user: Any) -> Area | None:
    """Where a member or resident lives (their role's community); a worker's own community."""
    assignment = active_assignment(user)
    if assignment is None:
        return None
    if assignment.home_community_id:
        return assignment.home_community
    if assignment.area is not None and assignment.area.level == Level.COMMUNITY:
        return assignment.area
    if assignment.area is not None and assignment.area.level == Level.GRID:
        parent = assignment.area.parent
        return parent if isinstance(parent, Area) else None
    return None


def round_hours(seconds: float) -> Decimal:
    return (Decimal(max(0, int(seconds))) / Decimal(3600)).quantize(ONE_PLACE, rounding=ROUND_HALF_UP)


def hours_between(
    checked_in: datetime.datetime, checked_out: datetime.datetime, start: datetime.datetime, end: datetime.datetime
) -> Decimal:
    """Service time: from check-in to check-out, clipped to the activity's (or shift's) own time."""
    begin, finish = max(checked_in, start), min(checked_out, end)
    return round_hours((finish - begin).total_seconds()) if finish > begin else ZERO


# --- teams ---------------------------------------------------------------------------------------


@transaction.atomic
def fixed_teams_ensure(community: Area, *, actor: Any = None) -> list[Team]:
    """The five fixed service groups of a community, creating the missing ones (safe to call often)."""
    if community.level != Level.COMMUNITY:
        return []
    have = {t.fixed_group: t for t in Team.objects.filter(area=community).exclude(fixed_group="")}
    for group in FixedGroup:
        if group.value in have:
            continue
        name = _("%(g)s服务队") % {"g": group.label}
        try:
            with transaction.atomic():
                team, _created = Team.objects.get_or_create(
                    area=community, fixed_group=group.value, defaults={"name": name}
                )
        except IntegrityError:
            # A free team already has the name, or another request made it first.
            existing = Team.objects.filter(area=community, fixed_group=group.value).first()
            team = existing or Team.objects.create(
                area=community, fixed_group=group.value, name=f"{name}（{group.value}）"
            )
        else:
            if _created:
                audit_record(
                    actor=actor,
                    action=Action.CREATE,
                    obj=team,
                    changes={"name": [None, team.name], "fixed_group": [None, group.value]},
                    area_path=community.path,
                )
        have[group.value] = team
    return [have[g.value] for g in FixedGroup]


@transaction.atomic
def team_create(*, actor: Any, community: Area, name: str, description: str = "", leader: Any = None) -> Team:
    require_manager(actor, community)
    if community.level != Level.COMMUNITY:
        raise ValidationError(_("服务队须建在社区。"))
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("请填写服务队名称。")})
    if Team.objects.filter(area=community, name=name).exists():
        raise ValidationError({"name": _("本社区已有名为「%(n)s」的服务队。") % {"n": name}})
    team = Team.objects.create(area=community, name=name, description=(description or "").strip()[:300], leader=leader)
    audit_record(
        actor=actor,
        action=Action.CREATE,
        obj=team,
        changes=diff({}, snapshot(team, ["name", "description", "leader"])),
        area_path=community.path,
    )
    return team


def _live_membership(team: Team, user: Any) -> TeamMember | None:
    return TeamMember.objects.select_for_update().filter(team=team, user=user, left_at__isnull=True).first()


@transaction.atomic
def team_join(*, actor: Any, team: Team, user: Any = None) -> TeamMember:
    """A member or resident joins; a worker of the team's territory may add someone (`user`)."""
    team = Team.objects.select_for_update().select_related("area").get(pk=team.pk)
    user = user or actor
    if user != actor:
        require_manager(actor, team.area)
    elif not may_volunteer(actor):
        raise ValidationError(_("您当前的角色不能加入服务队。"))
    if not team.is_active:
        raise ValidationError(_("服务队「%(t)s」已停用。") % {"t": team.name})
    if _live_membership(team, user) is not None:
        raise ValidationError(_("%(u)s 已是「%(t)s」的队员。") % {"u": user, "t": team.name})
    try:
        with transaction.atomic():
            membership = TeamMember.objects.create(team=team, user=user)
    except IntegrityError as exc:
        raise ValidationError(_("%(u)s 已是「%(t)s」的队员。") % {"u": user, "t": team.name}) from exc
    audit_record(
        actor=actor,
        action=Action.CREATE,
        obj=membership,
        object_id=str(team.public_id),
        changes={"member": [None, str(user)]},
        area_path=team.area.path,
    )
    return membership


@transaction.atomic
def team_leave(*, actor: Any, team: Team, user: Any = None, now: datetime.datetime | None = None) -> TeamMember:
    """A member leaves; a worker may remove someone. The row stays, with the day they left."""
    team = Team.objects.select_for_update().select_related("area").get(pk=team.pk)
    user = user or actor
    if user != actor:
        require_manager(actor, team.area)
    membership = _live_membership(team, user)
    if membership is None:
        raise ValidationError(_("%(u)s 不是「%(t)s」的队员。") % {"u": user, "t": team.name})
    membership.left_at = now or timezone.now()
    membership.save(update_fields=["left_at"])
    if team.leader_id == user.pk:
        team.leader = None
        team.save(update_fields=["leader"])
    audit_record(
        actor=actor,
        action=Action.UPDATE,
        obj=membership,
        object_id=str(team.public_id),
        changes={"member": [str(user), None]},
        area_path=team.area.path,
    )
    return membership


# --- team activities -----------------------------------------------------------------------------


@transaction.atomic
def team_activity_create(
    *,
    actor: Any,
    team: Team,
    title: str,
    start: datetime.datetime,
    end: datetime.datetime,
    place: str = "",
    capacity: int | None = None,
    description: str = "",
) -> TeamActivity:
    """A volunteer activity of a team: the activity (and its sign-ups) is centers'; the team link is ours."""
    team = Team.objects.select_related("area").get(pk=team.pk)
    require_manager(actor, team.area)
    activity = center_services.activity_create(
        actor=actor,
        kind=ActivityKind.VOLUNTEER,
        title=title,
        start=start,
        end=end,
        area=team.area,
        place=place,
        capacity=capacity,
        description=description,
    )
    link = TeamActivity.objects.create(activity=activity, team=team)
    audit_record(
        actor=actor, action=Action.CREATE, obj=link, object_id=str(activity.public_id),
        changes={"team": [None, team.name], "activity": [None, activity.title]}, area_path=team.area.path,
    )  # fmt: skip
    return link


# --- service posts and shifts --------------------------------------------------------------------


@transaction.atomic
def post_create(*, actor: Any, community: Area, name: str, place: str = "", description: str = "") -> ServicePost:
    require_manager(actor, community)
    if community.level != Level.COMMUNITY:
        raise ValidationError(_("服务岗须设在社区。"))
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("请填写岗位名称。")})
    if ServicePost.objects.filter(area=community, name=name).exists():
        raise ValidationError({"name": _("本社区已有名为「%(n)s」的服务岗。") % {"n": name}})
    post = ServicePost.objects.create(
        area=community,
        name=name,
        place=(place or "").strip()[:200],
        description=(description or "").strip()[:500],
        created_by=acting_user(actor),
    )
    audit_record(
        actor=actor,
        action=Action.CREATE,
        obj=post,
        changes=diff({}, snapshot(post, ["name", "place", "description"])),
        area_path=community.path,
    )
    return post


@transaction.atomic
def shift_create(
    *, actor: Any, post: ServicePost, start: datetime.datetime, end: datetime.datetime, capacity: int = 1
) -> Shift:
    post = ServicePost.objects.select_related("area").get(pk=post.pk)
    require_manager(actor, post.area)
    if not post.active:
        raise ValidationError(_("服务岗「%(p)s」已停用。") % {"p": post.name})
    if end <= start:
        raise ValidationError(_("班次结束时间须晚于开始时间。"))
    if end - start > datetime.timedelta(hours=24):
        raise ValidationError(_("一个班次不能超过 24 小时。"))
    if capacity < 1:
        raise ValidationError({"capacity": _("人数至少为 1。")})
    shift = Shift.objects.create(post=post, start=start, end=end, capacity=capacity)
    audit_record(
        actor=actor,
        action=Action.CREATE,
        obj=shift,
        changes={"post": [None, post.name], "start": [None, str(start)], "end": [None, str(end)]},
        area_path=post.area.path,
    )
    return shift


@transaction.atomic
def shift_signup_create(*, actor: Any, shift: Shift, now: datetime.datetime | None = None) -> ShiftSignUp:
    """Sign up for a shift while places remain. The shift row is locked: two cannot take the last place."""
    now = now or timezone.now()
    shift = Shift.objects.select_for_update().select_related("post__area").get(pk=shift.pk)
    if not may_volunteer(actor):
        raise ValidationError(_("您当前的角色不能报名服务岗。"))
    if not shift.post.active:
        raise ValidationError(_("服务岗「%(p)s」已停用。") % {"p": shift.post.name})
    if shift.end <= now:
        raise ValidationError(_("该班次已经结束。"))
    live = ShiftSignUp.objects.filter(shift=shift, status=ShiftSignUpStatus.CONFIRMED)
    if live.filter(user=actor).exists():
        raise ValidationError(_("您已报名该班次。"))
    if live.count() >= shift.capacity:
        raise ValidationError(_("该班次已满，请选择其他班次。"))
    signup = ShiftSignUp.objects.create(shift=shift, user=actor)
    audit_record(
        actor=actor,
        action=Action.CREATE,
        obj=signup,
        changes={"shift": [None, str(shift)]},
        area_path=shift.post.area.path,
    )
    return signup


@transaction.atomic
def shift_signup_cancel(*, actor: Any, signup: ShiftSignUp, now: datetime.datetime | None = None) -> ShiftSignUp:
    now = now or timezone.now()
    signup = ShiftSignUp.objects.select_for_update().select_related("shift__post__area").get(pk=signup.pk)
    if signup.user_id != getattr(actor, "pk", None):
        raise ValidationError(_("只能取消自己的报名。"))
    if signup.status != ShiftSignUpStatus.CONFIRMED:
        raise ValidationError(_("报名已取消。"))
    if signup.shift.start <= now or Attendance.objects.filter(shift_signup=signup).exists():
        raise ValidationError(_("班次已经开始，不能取消报名。"))
    signup.status = ShiftSignUpStatus.CANCELLED
    signup.save(update_fields=["status"])
    audit_record(
        actor=actor,
        action=Action.UPDATE,
        obj=signup,
        changes={"status": ["confirmed", "cancelled"]},
        area_path=signup.shift.post.area.path,
    )
    return signup


@transaction.atomic
def shift_assign(*, actor: Any, shift: Shift, user: Any, now: datetime.datetime | None = None) -> ShiftSignUp:
    """Put a named person on a shift (a deployment's commander placing those sent down, 应急动员): the
    person checks in and out by the post's QR as anyone signed up does, and their verified hours are
    credited the same way. The shift row is locked: the places are counted under the lock. Assigning
    someone already on the shift returns their sign-up."""
    now = now or timezone.now()
    shift = Shift.objects.select_for_update().select_related("post__area").get(pk=shift.pk)
    require_manager(actor, shift.post.area)
    live = ShiftSignUp.objects.filter(shift=shift, status=ShiftSignUpStatus.CONFIRMED)
    mine = live.filter(user=user).first()
    if mine is not None:
        return mine
    if shift.end <= now:
        raise ValidationError(_("该班次已经结束。"))
    if live.count() >= shift.capacity:
        raise ValidationError(_("该班次已满，请选择其他班次。"))
    signup = ShiftSignUp.objects.create(shift=shift, user=user)
    audit_record(
        actor=actor,
        action=Action.CREATE,
        obj=signup,
        changes={"shift": [None, str(shift)], "assigned": [None, str(user)]},
        area_path=shift.post.area.path,
    )
    return signup
