"""Training: the course catalogue (a district's, or a subdistrict's branch school), sessions, and
attendance — by the worker scanning the session's rotating QR code on the phone, or recorded by the
organizer. One attendance per worker and session (a unique constraint decides two scans racing); the
worker's hours of the year (TrainingYear) and the session's head count move in the same transaction."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.audit.services import Action, audit_record
from dangjian.core.qrtokens import QrCodec
from dangjian.territory.models import Area, Level

from ..models import Attendance, AttendanceMethod, Course, CourseKind, Session, TrainingYear, Worker
from ..permissions import require_manager

CHECKIN = QrCodec(salt="dangjian.workforce.checkin", kinds={"s": "session"})
# How often the session's code turns, and the window around a session a check-in is taken in.
ROTATE_MINUTES = 5
OPENS_BEFORE = datetime.timedelta(hours=1)
CLOSES_AFTER = datetime.timedelta(hours=2)


@transaction.atomic
def course_save(
    *, actor: Any, area: Area, name: str, kind: str, year: int, organizer: str = "", description: str = ""
) -> Course:
    require_manager(actor, area.path)
    if area.level not in (Level.DISTRICT, Level.SUBDISTRICT):
        raise ValidationError(_("课程由区或街道（分校）开设。"))
    if not name.strip():
        raise ValidationError({"name": _("请填写课程名称。")})
    if kind not in CourseKind.values:
        raise ValidationError({"kind": _("请选择课程类型。")})
    course = Course.objects.create(
        area=area, name=name.strip()[:100], kind=kind, year=year, organizer=organizer.strip()[:100],
        description=description.strip(),
    )  # fmt: skip
    audit_record(actor=actor, action=Action.CREATE, obj=course, area_path=course.area_path)
    return course


def _hours(value: Any) -> Decimal:
    try:
        hours = Decimal(str(value)).quantize(Decimal("0.1"))
    except (InvalidOperation, ValueError):
        raise ValidationError({"hours": _("学时应为数字。")}) from None
    if not Decimal("0.5") <= hours <= Decimal("24"):
        raise ValidationError({"hours": _("学时应在 0.5 到 24 之间。")})
    return hours


@transaction.atomic
def session_save(
    *, actor: Any, course: Course, title: str, starts_at: datetime.datetime, hours: Any, place: str = ""
) -> Session:
    require_manager(actor, course.area_path)
    if not title.strip():
        raise ValidationError({"title": _("请填写本次内容。")})
    session = Session.objects.create(
        course=course, title=title.strip()[:100], starts_at=starts_at, hours=_hours(hours), place=place.strip()[:100]
    )
    audit_record(actor=actor, action=Action.CREATE, obj=course, changes={"session": [None, session.title]},
                 area_path=course.area_path)  # fmt: skip
    return session


@dataclass(frozen=True)
class Recorded:
    attendance: Attendance
    created: bool


def _record(*, session: Session, worker: Worker, method: str, actor: Any, now: datetime.datetime) -> Recorded:
    # The session row lock orders attendances of one session; the worker row lock those of one worker
    # (their year's hours); the unique constraint is the last word on a duplicate.
    Session.objects.select_for_update().get(pk=session.pk)
    Worker.objects.select_for_update().get(pk=worker.pk)
    existing = Attendance.objects.filter(session=session, worker=worker).first()
    if existing is not None:
        return Recorded(existing, False)
    try:
        with transaction.atomic():
            attendance = Attendance.objects.create(
                session=session, worker=worker, area_path=worker.area_path, method=method, hours=session.hours,
                at=now, recorded_by=actor if getattr(actor, "pk", None) else None,
            )  # fmt: skip
    except IntegrityError:  # pragma: no cover - the row locks above make this unreachable
        return Recorded(Attendance.objects.get(session=session, worker=worker), False)
    Session.objects.filter(pk=session.pk).update(attended=F("attended") + 1)
    year = timezone.localtime(session.starts_at).year
    row, _created = TrainingYear.objects.get_or_create(
        worker=worker, year=year, defaults={"area_path": worker.area_path}
    )
    TrainingYear.objects.filter(pk=row.pk).update(
        sessions=F("sessions") + 1, hours=F("hours") + session.hours, area_path=worker.area_path
    )
    return Recorded(attendance, True)


@transaction.atomic
def attendance_record(
    *, actor: Any, session: Session, worker: Worker, now: datetime.datetime | None = None
) -> Recorded:
    """The organizer records a worker as present (a worker in the organizer's territory)."""
    require_manager(actor, session.course.area_path)
    require_manager(actor, worker.area_path)
    if not worker.active:
        raise ValidationError(_("%(w)s已离岗。") % {"w": worker.name})
    recorded = _record(session=session, worker=worker, method=AttendanceMethod.ORGANIZER, actor=actor,
                       now=now or timezone.now())  # fmt: skip
    if recorded.created:
        audit_record(actor=actor, action=Action.CREATE, obj=worker, changes={"training": [None, session.title]},
                     area_path=worker.area_path)  # fmt: skip
    return recorded


def session_for_token(token: str, *, now: datetime.datetime | None = None) -> Session:
    scanned = CHECKIN.read_fresh(token, rotate_minutes=ROTATE_MINUTES, now=now)
    session = Session.objects.select_related("course").filter(public_id=scanned.public_id).first()
    if session is None:
        raise ValidationError(str(CHECKIN.invalid))
    return session


def worker_of(user: Any) -> Worker | None:
    return Worker.objects.filter(user=user, active=True).first() if getattr(user, "pk", None) else None


@transaction.atomic
def checkin_scan(*, actor: Any, token: str, now: datetime.datetime | None = None) -> Recorded:
    """The worker scanned the session's code on their phone: present once, within the session's window."""
    now = now or timezone.now()
    session = session_for_token(token, now=now)
    worker = worker_of(actor)
    if worker is None:
        raise ValidationError(_("您的账号没有关联社区工作者档案，请联系组织者登记签到。"))
    ends = session.starts_at + datetime.timedelta(hours=float(session.hours))
    if now < session.starts_at - OPENS_BEFORE:
        raise ValidationError(_("培训尚未开始签到（开课前 1 小时开放）。"))
    if now > ends + CLOSES_AFTER:
        raise ValidationError(_("本场培训签到已结束。"))
    return _record(session=session, worker=worker, method=AttendanceMethod.QR, actor=actor, now=now)
