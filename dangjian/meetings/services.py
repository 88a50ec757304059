"""Every write of the meeting engine: keyword-only, atomic, audited. Owners (deliberation, org life,
co-building) call `meeting_create` with their rules and roster, and read the outcome through
`counting`; a meeting never knows what owns it."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dangjian.audit.services import audit_record
from dangjian.core.qrtokens import QrCodec
from dangjian.core.scoping import acting_user
from dangjian.core.workflow import take_step
from dangjian.notifications.services import notify

from . import counting
from .models import AgendaItem, Attendee, AttendeeRole, Choice, Meeting, MeetingStatus, MinutesComment, SignInHow, Vote
from .permissions import runs
from .workflow import CREATE, FLOW, Step

S = MeetingStatus
RULE_KEYS = ("num", "den", "strict", "base")

# The sign-in code on the secretary's screen names the meeting; it turns every two hours and a code
# is good for two turns (a meeting's length): a photo of it passed around the next day is worthless.
SIGNIN = QrCodec(
    salt="dangjian.meetings.signin",
    kinds={"m": "meeting"},
    invalid=gettext_lazy("签到二维码无效，请扫描会场屏幕上的二维码。"),
    expired=gettext_lazy("签到二维码已过期，请扫描会场屏幕上最新的二维码。"),
)
SIGNIN_ROTATE_MINUTES = 120


def signin_token(meeting: Meeting, *, now: datetime.datetime | None = None) -> str:
    return SIGNIN.make(kind="meeting", public_id=meeting.public_id, rotate_minutes=SIGNIN_ROTATE_MINUTES, now=now)


def signin_token_read(token: str, *, now: datetime.datetime | None = None) -> str:
    """The public id of the meeting a genuine, fresh sign-in code names (TokenError otherwise)."""
    return SIGNIN.read_fresh(token, rotate_minutes=SIGNIN_ROTATE_MINUTES, now=now).public_id


def _require_runs(actor: Any, meeting: Meeting) -> None:
    if not runs(actor, meeting):
        raise ValidationError(_("只有会议主持人、记录人或本社区工作者可以办理「%(m)s」。") % {"m": meeting.title})


@transaction.atomic
def meeting_create(
    *,
    actor: Any,
    owner_key: str,
    area: Any,
    kind: str,
    kind_label: str,
    title: str,
    starts_at: datetime.datetime,
    place: str = "",
    chair: Any = None,
    recorder: Any = None,
    quorum: dict[str, Any] | None = None,
    majority: dict[str, Any] | None = None,
    households_quorum: tuple[int, int] | None = None,
    households_total: int | None = None,
    notice_days: int = 0,
    comment_hours: int = 48,
    agenda: Iterable[str | tuple[str, str]] = (),
    roster: Iterable[dict[str, Any]] = (),
) -> Meeting:
    """Call a meeting. `quorum`/`majority` are {"num", "den", "strict", "base"}; `agenda` titles (or
    (title, owner_key)); `roster` dicts of user / name / role / due."""
    if not title.strip():
        raise ValidationError({"title": _("请填写会议名称。")})
    fields: dict[str, Any] = {}
    for prefix, rule in (("quorum", quorum), ("majority", majority)):
        for key in RULE_KEYS:
            if rule and key in rule:
                fields[f"{prefix}_{key}"] = rule[key]
    if households_quorum:
        fields["households_quorum_num"], fields["households_quorum_den"] = households_quorum
    meeting = Meeting.objects.create(
        owner_key=owner_key,
        area=area,
        kind=kind,
        kind_label=kind_label,
        title=title.strip(),
        starts_at=starts_at,
        place=place,
        chair=chair,
        recorder=recorder,
        notice_days=notice_days,
        comment_hours=comment_hours,
        households_total=households_total,
        **fields,
    )
    for position, entry in enumerate(agenda, start=1):
        item_title, key = (entry, "") if isinstance(entry, str) else entry
        AgendaItem.objects.create(meeting=meeting, position=position, title=item_title, owner_key=key)
    people = list(roster)
    listed = {user.pk for p in people if (user := p.get("user")) is not None}
    for user, role in ((chair, AttendeeRole.CHAIR), (recorder, AttendeeRole.RECORDER)):
        if user is not None and user.pk not in listed:
            people.append({"user": user, "role": role, "due": False})
            listed.add(user.pk)
    Attendee.objects.bulk_create(
        [
            Attendee(
                meeting=meeting,
                user=p.get("user"),
                name=(p.get("name") or getattr(p.get("user"), "full_name", "") or str(p.get("user")))[:50],
                role=p.get("role", AttendeeRole.MEMBER),
                due=p.get("due", True),
            )
            for p in people
        ]
    )
    FLOW.log(meeting, actor=actor, step=CREATE, from_status="", to_status=meeting.status)
    audit_record(actor=acting_user(actor), action="create", obj=meeting, area_path=meeting.area_path)
    return meeting


@transaction.atomic
def attendee_add(
    *, actor: Any, meeting: Meeting, user: Any = None, name: str = "", role: str = AttendeeRole.MEMBER, due: bool = True
) -> Attendee:
    _require_runs(actor, meeting)
    if meeting.status == S.FROZEN:
        raise ValidationError(_("纪要已定稿，不能再修改参会名单。"))
    name = (name or getattr(user, "full_name", "") or "").strip()
    if not name:
        raise ValidationError({"name": _("请填写参会人员姓名。")})
    if user is not None and Attendee.objects.filter(meeting=meeting, user=user).exists():
        raise ValidationError(_("「%(n)s」已在参会名单中。") % {"n": name})
    return Attendee.objects.create(meeting=meeting, user=user, name=name[:50], role=role, due=due)


def _notify(meeting: Meeting, actor: Any) -> None:
    """Tell the roster's account holders (a message each, in this transaction)."""
    users = [a.user for a in meeting.attendees.select_related("user") if a.user is not None]
    if users:
        notify(
            recipients=users,
            event="meetings.notice",
            title=_("会议通知：%(t)s") % {"t": meeting.title},
            body=_("%(when)s 在%(place)s召开，请准时参加。")
            % {"when": timezone.localtime(meeting.starts_at).strftime("%Y-%m-%d %H:%M"), "place": meeting.place or "—"},
            url=reverse("meetings:attend", args=[meeting.public_id]),
            object_key=f"meetings.meeting:{meeting.pk}",
            actor=acting_user(actor),
        )


def _prepare(step: str, now: datetime.datetime):
    def prepare(meeting: Meeting, parties: set[str]) -> dict[str, Any]:
        if step == Step.NOTIFY:
            return {"notice_sent_at": now}
        if step == Step.OPEN:
            if meeting.notice_days:
                latest = meeting.starts_at - datetime.timedelta(days=meeting.notice_days)
                if meeting.notice_sent_at is None or meeting.notice_sent_at > latest:
                    raise ValidationError(
                        _("「%(m)s」须在开会 %(d)s 天前发出通知（最迟 %(t)s），现在不能开会，请改期后重新通知。")
                        % {
                            "m": meeting.title,
                            "d": meeting.notice_days,
                            "t": timezone.localtime(latest).strftime("%m-%d %H:%M"),
                        }
                    )
            return {"opened_at": now}
        if step == Step.CLOSE:
            counted = counting.tally(meeting)
            return {
                "closed_at": now,
                "present_at_close": counted.present_due,
                "due_at_close": counted.due,
                "quorum_met": counted.quorum_met,
            }
        if step == Step.PUBLISH_MINUTES:
            if not meeting.minutes.strip():
                raise ValidationError(_("请先起草会议纪要，再发布征求意见。"))
            return {"comment_until": now + datetime.timedelta(hours=meeting.comment_hours)}
        if step == Step.FREEZE:
            if not meeting.minutes.strip():
                raise ValidationError(_("会议纪要还是空的，不能定稿。"))
            if meeting.comment_until is None:
                raise ValidationError(_("纪要还没有发布征求意见，不能定稿。"))
            if now < meeting.comment_until:
                raise ValidationError(
                    _("纪要意见期到 %(t)s 才结束，届时才能定稿。")
                    % {"t": timezone.localtime(meeting.comment_until).strftime("%m-%d %H:%M")}
                )
            return {"frozen_at": now}
        return {}

    return prepare


@transaction.atomic
def meeting_step(
    *, actor: Any, meeting: Meeting, step: str, version: int | None = None, note: str = "", now: Any = None
) -> Meeting:
    """Take one step of the meeting's workflow (the page and the owners call this one service)."""
    now = now or timezone.now()
    done = take_step(FLOW, actor=actor, obj=meeting, step=step, version=version, note=note, prepare=_prepare(step, now))
    if step == Step.NOTIFY:
        _notify(done, actor)
    return done


@transaction.atomic
def sign_in(*, actor: Any, meeting: Meeting, attendee: Attendee | None = None, now: Any = None) -> Attendee:
    """Sign in: oneself by the QR code (attendee None), or someone on the roster by the secretary."""
    now = now or timezone.now()
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if meeting.status not in (S.PLANNED, S.OPEN):
        raise ValidationError(_("「%(m)s」已散会，不能再签到。") % {"m": meeting.title})
    if attendee is None:
        attendee = Attendee.objects.filter(meeting=meeting, user=acting_user(actor)).first()
        if attendee is None:
            raise ValidationError(_("您不在「%(m)s」的参会名单中，请联系会议记录人。") % {"m": meeting.title})
        how = SignInHow.QR
    else:
        if attendee.meeting_id != meeting.pk:
            raise ValidationError(_("此人不在本次会议的名单中。"))
        _require_runs(actor, meeting)
        how = SignInHow.SECRETARY
    # Conditional: a second scan (or the secretary and the person at once) keeps the first time.
    Attendee.objects.filter(pk=attendee.pk, signed_in_at__isnull=True).update(
        signed_in_at=now, signed_in_how=how, absent_reason=""
    )
    attendee.refresh_from_db()
    return attendee


@transaction.atomic
def mark_absent(*, actor: Any, attendee: Attendee, reason: str) -> Attendee:
    meeting = Meeting.objects.select_for_update().get(pk=attendee.meeting_id)
    _require_runs(actor, meeting)
    if meeting.status == S.FROZEN:
        raise ValidationError(_("纪要已定稿，不能再修改参会名单。"))
    if not reason.strip():
        raise ValidationError({"reason": _("请填写缺席原因。")})
    Attendee.objects.filter(pk=attendee.pk, signed_in_at__isnull=True).update(absent_reason=reason.strip()[:100])
    attendee.refresh_from_db()
    return attendee


def _open_item(item: AgendaItem) -> Meeting:
    meeting = Meeting.objects.select_for_update().get(pk=item.meeting_id)
    if meeting.status != S.OPEN:
        raise ValidationError(
            _("只有会议进行中才能表决（「%(m)s」当前为%(s)s）。")
            % {"m": meeting.title, "s": meeting.get_status_display()}
        )
    if not item.needs_vote:
        raise ValidationError(_("议题「%(i)s」不需要表决。") % {"i": item.title})
    return meeting


@transaction.atomic
def vote_cast(*, actor: Any, item: AgendaItem, choice: str) -> Vote:
    """One vote per person per item, on the phone; a second (or a racing duplicate) is refused."""
    if choice not in Choice.values:
        raise ValidationError({"choice": _("请选择同意、反对或弃权。")})
    meeting = _open_item(item)
    attendee = Attendee.objects.filter(meeting=meeting, user=acting_user(actor), due=True).first()
    if attendee is None:
        raise ValidationError(_("您不是「%(m)s」的表决人员。") % {"m": meeting.title})
    if attendee.signed_in_at is None:
        raise ValidationError(_("请先签到，再表决。"))
    if AgendaItem.objects.filter(pk=item.pk, hands_for__isnull=False).exists():
        raise ValidationError(_("议题「%(i)s」已按举手表决计票。") % {"i": item.title})
    try:
        with transaction.atomic():
            return Vote.objects.create(item=item, attendee=attendee, choice=choice)
    except IntegrityError as exc:
        raise ValidationError(_("您已就议题「%(i)s」表决过，每人只能投一次。") % {"i": item.title}) from exc


@transaction.atomic
def hands_record(*, actor: Any, item: AgendaItem, votes_for: int, against: int, abstain: int) -> AgendaItem:
    """The recorder counts a show of hands; the totals replace phone votes for the item."""
    meeting = _open_item(item)
    _require_runs(actor, meeting)
    if min(votes_for, against, abstain) < 0:
        raise ValidationError(_("票数不能为负数。"))
    present = counting.tally(meeting).present_due
    if votes_for + against + abstain > present:
        raise ValidationError(
            _("同意、反对、弃权合计 %(n)s 票，超过了实到表决人数 %(p)s 人。")
            % {"n": votes_for + against + abstain, "p": present}
        )
    if Vote.objects.filter(item=item).exists():
        raise ValidationError(_("议题「%(i)s」已有手机投票，不能再按举手计票。") % {"i": item.title})
    AgendaItem.objects.filter(pk=item.pk).update(hands_for=votes_for, hands_against=against, hands_abstain=abstain)
    item.refresh_from_db()
    audit_record(
        actor=acting_user(actor),
        action="update",
        obj=meeting,
        changes={"hands": [None, f"{item.title}: {votes_for}/{against}/{abstain}"]},
        area_path=meeting.area_path,
    )
    return item


def _editable(meeting: Meeting) -> Meeting:
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if meeting.status == S.FROZEN:
        raise ValidationError(_("「%(m)s」的纪要已定稿，不能再修改。") % {"m": meeting.title})
    return meeting


@transaction.atomic
def item_notes_save(*, actor: Any, item: AgendaItem, notes: str) -> AgendaItem:
    meeting = _editable(item.meeting)
    _require_runs(actor, meeting)
    AgendaItem.objects.filter(pk=item.pk).update(notes=notes.strip())
    item.refresh_from_db()
    return item


@transaction.atomic
def minutes_save(*, actor: Any, meeting: Meeting, text: str, file: Any = None) -> Meeting:
    """The recorder drafts the minutes (after the meeting, until they are frozen)."""
    locked = _editable(meeting)
    _require_runs(actor, locked)
    if locked.status == S.PLANNED:
        raise ValidationError(_("会议还没有召开，不能起草纪要。"))
    before = locked.minutes
    locked.minutes = text.strip()
    fields = ["minutes", "updated_at"]
    if file is not None:
        locked.minutes_file = file
        fields.append("minutes_file")
    locked.save(update_fields=fields)
    audit_record(
        actor=acting_user(actor),
        action="update",
        obj=locked,
        changes={"minutes": [before[:100], locked.minutes[:100]]},
        area_path=locked.area_path,
    )
    return locked


@transaction.atomic
def minutes_comment(*, actor: Any, meeting: Meeting, text: str, now: Any = None) -> MinutesComment:
    now = now or timezone.now()
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    attendee = Attendee.objects.filter(meeting=meeting, user=acting_user(actor)).first()
    if attendee is None:
        raise ValidationError(_("只有参会人员可以对纪要提意见。"))
    if meeting.comment_until is None or meeting.status != S.CLOSED:
        raise ValidationError(
            _("纪要还没有发布征求意见。") if meeting.status != S.FROZEN else _("纪要已定稿，不能再提意见。")
        )
    if now > meeting.comment_until:
        raise ValidationError(
            _("纪要意见期已于 %(t)s 结束。") % {"t": timezone.localtime(meeting.comment_until).strftime("%m-%d %H:%M")}
        )
    if not text.strip():
        raise ValidationError({"text": _("请填写意见。")})
    return MinutesComment.objects.create(meeting=meeting, attendee=attendee, text=text.strip()[:500])
