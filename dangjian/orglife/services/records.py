"""Meeting records: a branch plans a meeting (a `meetings.Meeting` with the rule's quorum and roster,
notice to the roster), runs it on the meeting engine (QR sign-in, absentees with reasons, minutes), adds
photos and attachments, and records it held: the obligation of its period counts it, each member who
signed in earns the 学习 points of the kind's points rule (once: the record is held once and the award
is keyed by the record), and the guidance it followed counts the branch."""

from __future__ import annotations

import datetime
import uuid
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.audit.services import audit_record
from dangjian.core.photos import check_photos
from dangjian.core.scoping import acting_user
from dangjian.core.workflow import take_step
from dangjian.meetings import counting
from dangjian.meetings import services as meetings
from dangjian.meetings.models import AttendeeRole, MeetingStatus
from dangjian.meetings.workflow import Step as MeetingStep
from dangjian.orgs.models import OfficerPost, OrgOfficer, PartyOrg
from dangjian.people.models import OFF_BOOKS_STATUSES, Member, MemberStatus
from dangjian.points import services as points

from ..models import Attendees, FileKind, Guidance, GuidanceUptake, Kind, MeetingRecord, RecordFile, RecordStatus
from ..permissions import may_run
from ..rules import district_of_path, quorum_of, rules_for
from ..workflow import CREATE, FLOW, Step
from . import compliance

ACTIVE = [s for s in MemberStatus.values if s not in OFF_BOOKS_STATUSES]
ATTACHMENT_TYPES = {".pdf", ".doc", ".docx", ".xls", ".xlsx", ".ppt", ".pptx", ".jpg", ".jpeg", ".png"}
ATTACHMENT_MAX_BYTES = 20 * 1024 * 1024


def roster_of(org: PartyOrg, attendees: str) -> list[dict[str, Any]]:
    """Who is due at a meeting of the branch: its committee, or every member of it and its groups."""
    if attendees == Attendees.COMMITTEE:
        today = timezone.localdate()
        officers = OrgOfficer.objects.filter(org=org, started_on__lte=today).exclude(ended_on__lt=today)
        seen: set[Any] = set()
        out = []
        for o in officers.select_related("user").order_by("post", "pk"):
            key = o.user_id or o.name
            if key not in seen:
                seen.add(key)
                out.append({"user": o.user, "name": o.name})
        return out
    members = Member.objects.filter(org__path__startswith=org.path, status__in=ACTIVE).select_related("user")
    return [{"user": m.user, "name": m.name} for m in members.order_by("pk")]


def _secretary_user(org: PartyOrg) -> Any:
    officer = (
        OrgOfficer.objects.filter(org=org, post=OfficerPost.SECRETARY, user__isnull=False, ended_on__isnull=True)
        .select_related("user")
        .first()
    )
    return officer.user if officer is not None else None


@transaction.atomic
def record_plan(
    *,
    actor: Any,
    org: PartyOrg,
    kind: str,
    topic: str,
    starts_at: datetime.datetime,
    place: str,
    chair: Any = None,
    recorder: Any = None,
    guidance: Guidance | None = None,
    linked_key: str = "",
    linked_label: str = "",
    visit: str = "",
    send_notice: bool = True,
) -> MeetingRecord:
    """Plan a meeting of the branch: the record, its meeting on the engine (roster and quorum from the
    district's rule), and the notice to the roster."""
    if not may_run(actor, org):
        raise ValidationError(_("您不能为「%(o)s」安排组织生活。") % {"o": org.name})
    rule = rules_for(district_of_path(org.area.path)).get(kind)
    if rule is None or not rule.is_active:
        raise ValidationError({"kind": _("本区未启用这种会议类型。")})
    topic, place = topic.strip(), place.strip()
    if not topic:
        raise ValidationError({"topic": _("请填写会议主题。")})
    if not place:
        raise ValidationError({"place": _("请填写会议地点。")})
    if guidance is not None and (guidance.published_at is None or not org.area.path.startswith(guidance.area_path)):
        raise ValidationError({"guidance": _("只能选择本区已发布的指引。")})
    if kind != Kind.THEME_DAY and visit:
        raise ValidationError({"visit": _("参观地点只适用于主题党日。")})
    user = acting_user(actor)
    record = MeetingRecord.objects.create(
        org=org,
        area_path=org.area.path,
        kind=kind,
        topic=topic[:200],
        starts_at=starts_at,
        place=place[:120],
        guidance=guidance,
        linked_key=linked_key[:80],
        linked_label=linked_label[:150],
        visit=visit.strip()[:150],
        created_by=user,
    )
    label = str(Kind(kind).label)
    chair = chair or _secretary_user(org) or user
    recorder = recorder or user
    roster = roster_of(org, rule.attendees)
    for person in roster:  # the chair and recorder sit in their own roles when they are due anyway
        if person["user"] is not None and person["user"] == chair:
            person["role"] = AttendeeRole.CHAIR
        elif person["user"] is not None and person["user"] == recorder:
            person["role"] = AttendeeRole.RECORDER
    meeting = meetings.meeting_create(
        actor=actor,
        owner_key=record.owner_key,
        area=org.area,
        kind=kind,
        kind_label=label,
        title=f"{org.name}{label}：{topic}"[:120],
        starts_at=starts_at,
        place=place,
        chair=chair,
        recorder=recorder,
        quorum=quorum_of(rule),
        notice_days=0,
        agenda=[topic],
        roster=roster,
    )
    MeetingRecord.objects.filter(pk=record.pk).update(meeting=meeting)
    record.meeting = meeting
    FLOW.log(record, actor=actor, step=CREATE, from_status="", to_status=record.status)
    audit_record(actor=user, action="create", obj=record, area_path=record.area_path)
    if send_notice:
        record.meeting = meetings.meeting_step(actor=None, meeting=meeting, step=MeetingStep.NOTIFY)
    return record


def _count_held(record: MeetingRecord, actor: Any) -> None:
    """What a record held moves besides itself: its period's obligation, the points, the guidance."""
    compliance.count_held(record)
    rule = rules_for(district_of_path(record.area_path)).get(record.kind)
    code = rule.points_rule_code if rule is not None else ""
    assert record.meeting is not None
    if code:
        signed = record.meeting.attendees.filter(due=True, signed_in_at__isnull=False, user__isnull=False)
        for attendee in signed.select_related("user"):
            points.award(
                user=attendee.user,
                rule_code=code,
                event_key=f"orglife.record:{record.public_id}",
                occurred_at=record.starts_at,
                note=_("参加%(k)s：%(t)s") % {"k": record.get_kind_display(), "t": record.topic},
                actor=actor,
            )
    if record.guidance_id is not None:
        try:
            with transaction.atomic():
                GuidanceUptake.objects.create(guidance_id=record.guidance_id, org_id=record.org_id, first_record=record)
        except IntegrityError:  # the branch followed this guidance before
            return
        Guidance.objects.filter(pk=record.guidance_id).update(uptake_count=F("uptake_count") + 1)


@transaction.atomic
def record_hold(
    *, actor: Any, record: MeetingRecord, version: int | None = None, note: str = "", now: Any = None
) -> MeetingRecord:
    """Record the meeting held (once): the engine's meeting is closed if it is still running, the
    attendance read from its roster."""
    now = now or timezone.now()
    meeting = record.meeting
    if meeting is None:
        raise ValidationError(_("这条记录没有对应的会议。"))
    if timezone.localtime(record.starts_at).date() > timezone.localdate(now):
        raise ValidationError(
            _("会议计划在 %(d)s 召开，届时才能登记召开。") % {"d": f"{timezone.localtime(record.starts_at):%Y-%m-%d}"}
        )
    if not meeting.attendees.filter(signed_in_at__isnull=False).exists():
        raise ValidationError(_("还没有人签到：请先扫码签到或由记录人代签，再登记召开。"))
    if meeting.status == MeetingStatus.PLANNED:
        meeting = meetings.meeting_step(actor=None, meeting=meeting, step=MeetingStep.OPEN, now=now)
    if meeting.status == MeetingStatus.OPEN:
        meeting = meetings.meeting_step(actor=None, meeting=meeting, step=MeetingStep.CLOSE, now=now)

    def prepare(locked: MeetingRecord, parties: set[str]) -> dict[str, Any]:
        counted = counting.tally(meeting)
        return {"held_at": now, "due_count": counted.due, "present_count": min(counted.present_due, counted.due)}

    def after(done: MeetingRecord, from_status: str) -> None:
        done.meeting = meeting
        _count_held(done, actor)

    return take_step(
        FLOW, actor=actor, obj=record, step=Step.HOLD, version=version, note=note, prepare=prepare, after=after
    )


@transaction.atomic
def record_cancel(*, actor: Any, record: MeetingRecord, version: int | None = None, note: str = "") -> MeetingRecord:
    if record.status != RecordStatus.PLANNED:
        raise ValidationError(_("只有尚未召开的会议可以取消。"))
    return take_step(FLOW, actor=actor, obj=record, step=Step.CANCEL, version=version, note=note)


def _attachment_name(upload: Any) -> tuple[str, str]:
    name = (getattr(upload, "name", "") or "").rsplit("/", 1)[-1]
    ext = ("." + name.rsplit(".", 1)[-1].lower()) if "." in name else ""
    return name[:150], ext


@transaction.atomic
def record_files_add(*, actor: Any, record: MeetingRecord, kind: str, uploads: list[Any]) -> list[RecordFile]:
    """Photos (checked by their bytes) or attachments (by type and size) of a record."""
    if not may_run(actor, record.org):
        raise ValidationError(_("只有本支部的书记、支委或社区党委可以上传。"))
    if record.status == RecordStatus.CANCELLED:
        raise ValidationError(_("会议已取消，不能再上传。"))
    uploads = [u for u in uploads if u]
    if not uploads:
        raise ValidationError({"files": _("请选择要上传的文件。")})
    user = acting_user(actor)
    made: list[RecordFile] = []
    if kind == FileKind.PHOTO:
        for photo in check_photos(uploads):
            made.append(
                RecordFile(record=record, kind=kind, file=photo.as_file(), name=_("现场照片"), uploaded_by=user)
            )
    elif kind == FileKind.ATTACHMENT:
        for upload in uploads:
            name, ext = _attachment_name(upload)
            if ext not in ATTACHMENT_TYPES:
                raise ValidationError(
                    {"files": _("「%(n)s」的格式不支持（可上传 PDF、Word、Excel、PPT 或图片）。") % {"n": name}}
                )
            if (getattr(upload, "size", 0) or 0) > ATTACHMENT_MAX_BYTES:
                raise ValidationError({"files": _("「%(n)s」超过 20 MB。") % {"n": name}})
            upload.seek(0)
            content = ContentFile(upload.read(), name=f"{uuid.uuid4().hex}{ext}")
            made.append(RecordFile(record=record, kind=kind, file=content, name=name, uploaded_by=user))
    else:
        raise ValidationError({"kind": _("未知的文件类型。")})
    for row in made:
        row.save()
    audit_record(
        actor=user, action="update", obj=record, changes={"files": [None, len(made)]}, area_path=record.area_path
    )
    return made
