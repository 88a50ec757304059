"""Writes of volunteering: teams and members, team activities, check-in/out by QR, corrections,
service posts and their shifts. Every write is atomic and audited.

Activities are centers.Activity rows (kind volunteer) with centers' sign-up and waiting list; this app
adds the team link and the attendance (check-in, check-out, hours). Verified hours are credited to the
time bank and to points once, keyed by the attendance row (see `_credit`).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.accounts.roles import Role, acting_user, active_assignment
from dangjian.audit.services import Action, audit_record, diff, snapshot
from dangjian.centers import services as center_services
from dangjian.centers.models import MANAGE_ROLES, Activity, ActivityKind, ActivityStatus, SignUp, SignUpStatus
from dangjian.core.scoping import scope_for
from dangjian.core.tree import STEP
from dangjian.territory.models import Area, Level

from . import tokens
from .models import (
    Attendance,
    AttendanceMethod,
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

ONE_PLACE = Decimal("0.1")
ZERO = Decimal("0.0")
# People who may join teams and serve at posts.
VOLUNTEER_ROLES = frozenset({Role.PARTY_MEMBER, Role.RESIDENT, Role.GRID_WORKER, Role.COMMUNITY_WORKER})


# --- rules and scope helpers ---------------------------------------------------------------------


def settings_for(area: Area) -> VolunteerSettings:
    """The district's check-in rules; the defaults (unsaved) when the district has not set its own."""
    district_path = area.path[:STEP]
    found = VolunteerSettings.objects.filter(district__path=district_path).first()
    return found or VolunteerSettings()


def manages(actor: Any, area: Area) -> bool:
    scope = scope_for(actor)
    if scope.everything:
        return True
    path = scope.area_path or ""
    return scope.role in MANAGE_ROLES and bool(path) and area.path.startswith(path)


def _require_manager(actor: Any, area: Area) -> None:
    if actor is not None and not manages(actor, area):
        raise ValidationError(_("只有「%(a)s」所在辖区的社区工作者或管理员可以办理。") % {"a": area.name})


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
    _require_manager(actor, community)
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
        _require_manager(actor, team.area)
    elif not (getattr(actor, "is_superuser", False) or scope_for(actor).role in VOLUNTEER_ROLES):
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
        _require_manager(actor, team.area)
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
    _require_manager(actor, team.area)
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
    _require_manager(actor, community)
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
    _require_manager(actor, post.area)
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
    if not (getattr(actor, "is_superuser", False) or scope_for(actor).role in VOLUNTEER_ROLES):
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


# --- check-in and check-out ----------------------------------------------------------------------


@dataclass
class Target:
    """What a scan is about, resolved: the window, the community, and the person's sign-up (if any)."""

    kind: str  # "activity" or "post"
    title: str
    community: Area
    start: datetime.datetime
    end: datetime.datetime
    activity: Activity | None = None
    post: ServicePost | None = None
    shift: Shift | None = None
    signup: SignUp | None = None
    shift_signup: ShiftSignUp | None = None
    attendance: Attendance | None = None
    can_sign_up: bool = False


def resolve(*, user: Any, scanned: tokens.Scanned, now: datetime.datetime) -> Target:
    """Find what was scanned and this person's place in it; refuse with a Chinese message otherwise."""
    if scanned.kind == "activity":
        activity = (
            Activity.objects.select_related("area", "team_link__team__area")
            .filter(public_id=scanned.public_id, kind=ActivityKind.VOLUNTEER)
            .first()
        )
        if activity is None or not hasattr(activity, "team_link"):
            raise ValidationError(_("二维码无效，请扫描现场屏幕上的二维码。"))
        tokens.check_fresh(scanned, rotate_minutes=settings_for(activity.area).rotate_minutes, now=now)
        if activity.status != ActivityStatus.PUBLISHED:
            raise ValidationError(_("活动「%(t)s」已取消。") % {"t": activity.title})
        target = Target(
            kind="activity",
            title=activity.title,
            community=activity.team_link.team.area,
            start=activity.start,
            end=activity.end,
            activity=activity,
        )
        target.signup = (
            SignUp.objects.filter(activity=activity, user=user).exclude(status=SignUpStatus.CANCELLED).first()
        )
        if target.signup is not None:
            target.attendance = Attendance.objects.filter(signup=target.signup).first()
        else:
            taken = SignUp.objects.filter(
                activity=activity, status__in=[SignUpStatus.CONFIRMED, SignUpStatus.ATTENDED]
            ).count()
            target.can_sign_up = activity.start > now and (activity.capacity is None or taken < activity.capacity)
        return target
    post = ServicePost.objects.select_related("area").filter(public_id=scanned.public_id).first()
    if post is None:
        raise ValidationError(_("二维码无效，请扫描现场屏幕上的二维码。"))
    if not post.active:
        raise ValidationError(_("服务岗「%(p)s」已停用。") % {"p": post.name})
    rules = settings_for(post.area)
    tokens.check_fresh(scanned, rotate_minutes=rules.rotate_minutes, now=now)
    early, late = datetime.timedelta(minutes=rules.early_minutes), datetime.timedelta(minutes=rules.late_minutes)
    mine = list(
        ShiftSignUp.objects.filter(
            shift__post=post,
            user=user,
            status=ShiftSignUpStatus.CONFIRMED,
            shift__start__lte=now + early,
            shift__end__gte=now - late,
        )
        .select_related("shift")
        .order_by("shift__start")
    )
    target = Target(kind="post", title=post.name, community=post.area, start=now, end=now, post=post)
    if not mine:
        return target
    by_signup = {a.shift_signup_id: a for a in Attendance.objects.filter(shift_signup__in=mine)}
    # An open check-in first (to check out), else the earliest shift not yet done.
    chosen = next((s for s in mine if (a := by_signup.get(s.pk)) and a.checked_out_at is None), None)
    chosen = chosen or next((s for s in mine if s.pk not in by_signup), None) or mine[-1]
    target.shift, target.shift_signup = chosen.shift, chosen
    target.start, target.end = chosen.shift.start, chosen.shift.end
    target.attendance = by_signup.get(chosen.pk)
    return target


def next_step(target: Target) -> str:
    """What a scan does now for this person: check_in, check_out or done."""
    if target.attendance is None or target.attendance.checked_in_at is None:
        return "check_in"
    if target.attendance.checked_out_at is None and not target.attendance.absent:
        return "check_out"
    return "done"


def _check_window(target: Target, step: str, now: datetime.datetime) -> None:
    rules = settings_for(target.community)
    opens = target.start - datetime.timedelta(minutes=rules.early_minutes)
    closes = target.end + datetime.timedelta(minutes=rules.late_minutes)
    if now < opens:
        raise ValidationError(
            _("还没到签到时间：%(t)s 起可以签到。") % {"t": timezone.localtime(opens).strftime("%m-%d %H:%M")}
        )
    if step == "check_in" and now > target.end:
        raise ValidationError(
            _("「%(t)s」已经结束，不能再签到；如确实参加，请联系社区工作者补录。") % {"t": target.title}
        )
    if now > closes:
        raise ValidationError(_("已过签退时间；如确实参加，请联系社区工作者补录。"))


@dataclass
class ScanResult:
    step: str  # what was done: check_in, check_out, or nothing (already done)
    attendance: Attendance
    message: str


@transaction.atomic
def scan(*, actor: Any, token: str, expected: str, now: datetime.datetime | None = None) -> ScanResult:
    """The volunteer's scan: check in, or check out when checked in. `expected` is the step the page offered,
    so a double tap (or a retried request) does not check out right after checking in."""
    now = now or timezone.now()
    if actor is None or not getattr(actor, "is_authenticated", False):
        raise ValidationError(_("请先登录。"))
    target = resolve(user=actor, scanned=tokens.read_token(token), now=now)
    if target.kind == "activity":
        if target.signup is None:
            raise ValidationError(_("您没有报名「%(t)s」。") % {"t": target.title})
        if target.signup.status == SignUpStatus.WAITLISTED:
            raise ValidationError(_("您在「%(t)s」的候补名单中，未获得名额，不能签到。") % {"t": target.title})
        # Lock the sign-up: two scans at once by one person are serialized here.
        target.signup = SignUp.objects.select_for_update().get(pk=target.signup.pk)
        attendance = Attendance.objects.filter(signup=target.signup).first()
    else:
        if target.shift_signup is None:
            raise ValidationError(_("您在「%(p)s」现在没有报名的班次。") % {"p": target.title})
        target.shift_signup = ShiftSignUp.objects.select_for_update().get(pk=target.shift_signup.pk)
        attendance = Attendance.objects.filter(shift_signup=target.shift_signup).first()
    target.attendance = attendance
    step = next_step(target)
    if step != expected:
        if attendance is None:
            raise ValidationError(_("请重新扫码签到。"))
        # The person already did this step (double tap, retried request): nothing more is written.
        return ScanResult("nothing", attendance, _already_message(attendance))
    _check_window(target, step, now)
    if step == "check_in":
        attendance = _check_in(actor=actor, target=target, now=now)
        return ScanResult(step, attendance, _("签到成功：%(t)s。") % {"t": timezone.localtime(now).strftime("%H:%M")})
    assert attendance is not None
    attendance = _check_out(actor=actor, attendance=attendance, target=target, now=now)
    return ScanResult(
        step,
        attendance,
        _("签退成功，本次服务 %(h)s 小时，已记入时间银行和积分。") % {"h": attendance.hours}
        if attendance.hours > 0
        else _("签退成功。签到签退都在活动时间以外，本次不计服务时长。"),
    )


def _already_message(attendance: Attendance) -> str:
    if attendance.checked_out_at is not None:
        return _("您已签退，本次服务 %(h)s 小时。") % {"h": attendance.hours}
    return _("您已签到（%(t)s），活动结束时请再次扫码签退。") % {
        "t": timezone.localtime(attendance.checked_in_at).strftime("%H:%M")
    }


def _check_in(*, actor: Any, target: Target, now: datetime.datetime) -> Attendance:
    if target.signup is not None and target.signup.status == SignUpStatus.CONFIRMED:
        # centers marks the sign-up attended (the system checks it in; the audit below names the person).
        center_services.signup_check_in(actor=None, signup=target.signup, now=now)
    attendance = Attendance.objects.create(
        signup=target.signup,
        shift_signup=target.shift_signup,
        user=actor,
        community=target.community,
        area_path=target.community.path,
        checked_in_at=now,
        method=AttendanceMethod.SCAN,
    )
    audit_record(
        actor=actor,
        action=Action.CREATE,
        obj=attendance,
        changes={"checked_in_at": [None, str(now)], "of": [None, target.title]},
        area_path=target.community.path,
    )
    return attendance


def _check_out(*, actor: Any, attendance: Attendance, target: Target, now: datetime.datetime) -> Attendance:
    attendance = Attendance.objects.select_for_update().get(pk=attendance.pk)
    assert attendance.checked_in_at is not None
    attendance.checked_out_at = max(now, attendance.checked_in_at)
    attendance.hours = hours_between(attendance.checked_in_at, attendance.checked_out_at, target.start, target.end)
    attendance.verified = True  # both scans present
    attendance.save(update_fields=["checked_out_at", "hours", "verified", "updated_at"])
    audit_record(
        actor=actor,
        action=Action.UPDATE,
        obj=attendance,
        changes={"checked_out_at": [None, str(now)], "hours": [None, str(attendance.hours)], "verified": [False, True]},
        area_path=attendance.area_path,
    )
    _credit(attendance, actor=actor, title=target.title)
    return attendance


# --- corrections ---------------------------------------------------------------------------------


def window_of(attendance_source: SignUp | ShiftSignUp) -> tuple[str, Area, datetime.datetime, datetime.datetime]:
    """Title, community, start and end of what a sign-up is for."""
    if isinstance(attendance_source, SignUp):
        activity = Activity.objects.select_related("team_link__team__area").get(pk=attendance_source.activity_id)
        return activity.title, activity.team_link.team.area, activity.start, activity.end
    shift = Shift.objects.select_related("post__area").get(pk=attendance_source.shift_id)
    return shift.post.name, shift.post.area, shift.start, shift.end


@transaction.atomic
def attendance_correct(
    *,
    actor: Any,
    source: SignUp | ShiftSignUp,
    note: str,
    checked_in_at: datetime.datetime | None = None,
    checked_out_at: datetime.datetime | None = None,
    absent: bool = False,
) -> Attendance:
    """A worker sets the in/out times (or marks absent), with the reason. The correction verifies the
    attendance; hours already credited are reversed and the new hours credited (a new round)."""
    title, community, start, end = window_of(source)
    _require_manager(actor, community)
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": _("请填写更正原因。")})
    if isinstance(source, SignUp):
        source = SignUp.objects.select_for_update().get(pk=source.pk)
        if source.status in (SignUpStatus.CANCELLED, SignUpStatus.WAITLISTED):
            raise ValidationError(_("报名当前为「%(s)s」，不能补录签到。") % {"s": source.get_status_display()})
        attendance = Attendance.objects.select_for_update().filter(signup=source).first()
    else:
        source = ShiftSignUp.objects.select_for_update().get(pk=source.pk)
        if source.status != ShiftSignUpStatus.CONFIRMED:
            raise ValidationError(_("报名已取消，不能补录签到。"))
        attendance = Attendance.objects.select_for_update().filter(shift_signup=source).first()
    if not absent:
        if checked_in_at is None or checked_out_at is None:
            raise ValidationError(_("请填写签到和签退时间，或标记为缺席。"))
        times = (checked_in_at, checked_out_at)
        if checked_out_at <= checked_in_at:
            raise ValidationError(_("签退时间须晚于签到时间。"))
        if checked_out_at > timezone.now() + datetime.timedelta(minutes=5):
            raise ValidationError(_("签退时间不能晚于现在。"))
    fields = ["checked_in_at", "checked_out_at", "absent", "hours", "verified", "method", "correction_note"]
    if attendance is None:
        attendance = Attendance(
            signup=source if isinstance(source, SignUp) else None,
            shift_signup=source if isinstance(source, ShiftSignUp) else None,
            user_id=source.user_id,
            community=community,
            area_path=community.path,
        )
        before: dict = {}
    else:
        before = snapshot(attendance, fields)
    if absent:
        attendance.checked_in_at = attendance.checked_out_at = None
        attendance.hours, attendance.verified, attendance.absent = ZERO, False, True
    else:
        attendance.checked_in_at, attendance.checked_out_at, attendance.absent = checked_in_at, checked_out_at, False
        attendance.hours = hours_between(*times, start, end)
        attendance.verified = True
    attendance.method = AttendanceMethod.MANUAL
    attendance.corrected_by = acting_user(actor)
    attendance.corrected_at = timezone.now()
    attendance.correction_note = note[:300]
    attendance.save()
    if isinstance(source, SignUp) and not absent and source.status == SignUpStatus.CONFIRMED:
        center_services.signup_check_in(actor=actor, signup=source, now=checked_in_at)
    audit_record(
        actor=actor,
        action=Action.UPDATE if before else Action.CREATE,
        obj=attendance,
        changes={**diff(before, snapshot(attendance, fields)), "reason": [None, note]},
        area_path=community.path,
    )
    _credit(attendance, actor=actor, title=title, reason=note)
    return attendance


# --- crediting hours and points ------------------------------------------------------------------


def credit_key(attendance: Attendance, round_no: int) -> str:
    return f"volunteering:attendance:{attendance.public_id}:{round_no}"


def _credit(attendance: Attendance, *, actor: Any, title: str, reason: str = "") -> None:
    """Bring what is credited in line with the verified hours, exactly once per round.

    Round n deposits the hours (time bank key and points event `credit_key(n)`); a correction that changes
    the hours reverses round n (time bank `correct`, points `correct`) and credits round n+1. A retry finds
    the hours already credited and does nothing; the ledgers' own keys make even a lost row harmless.
    """
    from dangjian.points import services as points
    from dangjian.points.models import PointEntry
    from dangjian.timebank import services as timebank
    from dangjian.timebank.models import Journal

    attendance = Attendance.objects.select_for_update().select_related("user").get(pk=attendance.pk)
    target = attendance.hours if attendance.verified else ZERO
    if attendance.credit_round and attendance.credited_hours == target:
        return
    if not attendance.credit_round and target == 0:
        return
    is_activity = attendance.signup_id is not None
    if attendance.credit_round and attendance.credited_hours > 0:
        old = credit_key(attendance, attendance.credit_round)
        journal = Journal.objects.filter(key=old).first()
        if journal is not None:
            timebank.correct(journal=journal, reason=reason or _("签到更正"), actor=actor, key=f"{old}:reverse")
        # The attendance correction is authorized and audited above; the points reversal runs as the system,
        # since a volunteer from another community may be outside the worker's member scope.
        for entry in PointEntry.objects.filter(event_key=old, reverses__isnull=True, reversed_by__isnull=True):
            points.correct(actor=None, entry=entry, reason=reason or _("签到更正"))
    round_no = attendance.credit_round + 1 if target > 0 else attendance.credit_round
    if target > 0:
        key = credit_key(attendance, round_no)
        memo = _("志愿服务：%(t)s") % {"t": title}
        timebank.service_deposit(
            user=attendance.user, hours=target, community=attendance.community, key=key, memo=memo, actor=actor
        )
        occurred = attendance.checked_out_at
        points.award(
            user=attendance.user, rule_code="service_hour", event_key=key, quantity=target,
            occurred_at=occurred, note=memo, actor=actor,
        )  # fmt: skip
        if is_activity:
            points.award(
                user=attendance.user, rule_code="activity_attendance", event_key=key,
                occurred_at=occurred, note=memo, actor=actor,
            )  # fmt: skip
    attendance.credit_round, attendance.credited_hours = round_no, target
    attendance.save(update_fields=["credit_round", "credited_hours", "updated_at"])
