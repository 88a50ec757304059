"""Attendance of volunteering: check-in and check-out by QR, corrections by a worker, and crediting the
verified hours to the time bank and to points once, keyed by the attendance row (see `_credit`). Every
write is atomic and audited.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.audit.services import Action, audit_record, diff, snapshot
from dangjian.centers.models import Activity, ActivityKind, ActivityStatus, SignUp, SignUpStatus
from dangjian.centers.services import activities as center_services
from dangjian.core.qrtokens import QrCodec, Scanned
from dangjian.core.scoping import acting_user
from dangjian.territory.models import Area

from .models import (
    Attendance,
    AttendanceMethod,
    ServicePost,
    Shift,
    ShiftSignUp,
    ShiftSignUpStatus,
)
from .permissions import require_manager
from .services import ZERO, hours_between, settings_for

# --- check-in and check-out ----------------------------------------------------------------------

# The check-in codes on the worker's screen: an activity ("a") or a service post ("s").
CHECKIN = QrCodec(salt="dangjian.volunteering.checkin", kinds={"a": "activity", "s": "post"})


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


def resolve(*, user: Any, scanned: Scanned, now: datetime.datetime) -> Target:
    """Find what was scanned and this person's place in it; refuse with a Chinese message otherwise."""
    if scanned.kind == "activity":
        activity = (
            Activity.objects.select_related("area", "team_link__team__area")
            .filter(public_id=scanned.public_id, kind=ActivityKind.VOLUNTEER)
            .first()
        )
        if activity is None or not hasattr(activity, "team_link"):
            raise ValidationError(_("二维码无效，请扫描现场屏幕上的二维码。"))
        CHECKIN.check_fresh(scanned, rotate_minutes=settings_for(activity.area).rotate_minutes, now=now)
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
    CHECKIN.check_fresh(scanned, rotate_minutes=rules.rotate_minutes, now=now)
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
    target = resolve(user=actor, scanned=CHECKIN.read(token), now=now)
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
    require_manager(actor, community)
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
