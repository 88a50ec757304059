"""Joint boards (联席会议) and every co-building meeting: joint, three-party estate coordination and the
expanded committee's, all called on the meetings engine (owner_key "cobuilding.<kind>:<owner id>")."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from dangjian.audit.services import Action, audit_record
from dangjian.core.scoping import acting_user
from dangjian.meetings import services as engine
from dangjian.orgs.models import PartyOrg
from dangjian.territory.models import Area, Level
from dangjian.units.models import AdjunctMember, Department, ResidentUnit

from ..models import BoardMember, CoMeeting, EstateGovernance, JointBoard, MeetingKind, Seat
from ..permissions import require_manager

BOARD_LEVELS = {Level.DISTRICT, Level.SUBDISTRICT, Level.COMMUNITY}
KIND_LABELS = {k.value: k.label for k in MeetingKind}
SeatSpec = tuple[dict[str, Any], ResidentUnit | None, AdjunctMember | None]


@transaction.atomic
def board_save(*, actor: Any, area: Area, name: str, convener: str = "") -> JointBoard:
    """Set up (or rename) the joint board of a district, subdistrict or community."""
    if area.level not in BOARD_LEVELS:
        raise ValidationError({"area": _("联席会议设在区、街道或社区。")})
    require_manager(actor, area.path, _("设立联席会议"))
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("请填写联席会议名称。")})
    board = JointBoard.objects.select_for_update().filter(area=area).first()
    created = board is None
    if board is None:
        try:
            with transaction.atomic():
                board = JointBoard.objects.create(area=area, name=name[:150], convener=convener.strip()[:100])
        except IntegrityError:
            raise ValidationError({"area": _("该属地已设立联席会议。")}) from None
    else:
        board.name, board.convener = name[:150], convener.strip()[:100]
        board.save(update_fields=["name", "convener"])
    audit_record(
        actor=acting_user(actor),
        action=Action.CREATE if created else Action.UPDATE,
        obj=board,
        area_path=board.area_path,
    )
    return board


@transaction.atomic
def board_member_add(
    *,
    actor: Any,
    board: JointBoard,
    representative: str,
    unit: ResidentUnit | None = None,
    department: Department | None = None,
    org_name: str = "",
    user: Any = None,
) -> BoardMember:
    """A member unit (or a department, or an office by name) and its representative."""
    require_manager(actor, board.area_path, _("调整联席会议成员单位"))
    representative = (representative or "").strip()[:50]
    name = unit.name if unit is not None else department.name if department is not None else (org_name or "").strip()
    if not representative or not name:
        raise ValidationError({"representative": _("请填写成员单位及其代表。")})
    try:
        with transaction.atomic():
            member = BoardMember.objects.create(
                board=board,
                unit=unit,
                department=department,
                org_name=name[:150],
                representative=representative,
                user=user,
            )
    except IntegrityError:
        raise ValidationError({"unit": _("「%(u)s」已是成员单位。") % {"u": name}}) from None
    audit_record(actor=acting_user(actor), action=Action.CREATE, obj=member, area_path=board.area_path)
    return member


@transaction.atomic
def board_member_retire(*, actor: Any, member: BoardMember) -> BoardMember:
    require_manager(actor, member.board.area_path, _("调整联席会议成员单位"))
    BoardMember.objects.filter(pk=member.pk).update(is_active=False)
    member.is_active = False
    audit_record(actor=acting_user(actor), action=Action.UPDATE, obj=member, area_path=member.board.area_path)
    return member


def _call(
    *,
    actor: Any,
    kind: str,
    owner_id: int,
    area: Area,
    title: str,
    starts_at: datetime.datetime,
    place: str,
    agenda: Iterable[str],
    seats: list[SeatSpec],
    **owner: Any,
) -> CoMeeting:
    meeting = engine.meeting_create(
        actor=actor,
        owner_key=f"cobuilding.{kind}:{owner_id}",
        area=area,
        kind=f"cobuilding_{kind}",
        kind_label=str(KIND_LABELS[kind]),
        title=title,
        starts_at=starts_at,
        place=place,
        agenda=[a.strip()[:200] for a in agenda if a.strip()],
        roster=[entry for entry, _unit, _adjunct in seats],
        recorder=actor if getattr(actor, "is_authenticated", False) else None,
    )
    co = CoMeeting.objects.create(kind=kind, meeting=meeting, area=area, starts_at=starts_at, **owner)
    attendees = list(meeting.attendees.order_by("pk")[: len(seats)])
    Seat.objects.bulk_create(
        [
            Seat(comeeting=co, attendee=a, unit=unit, adjunct=adjunct)
            for a, (_entry, unit, adjunct) in zip(attendees, seats, strict=True)
            if unit is not None or adjunct is not None
        ]
    )
    return co


def _extra(names: Iterable[str]) -> list[SeatSpec]:
    seen: list[str] = []
    for n in names:
        n = n.strip()[:50]
        if n and n not in seen:
            seen.append(n)
    return [({"name": n}, None, None) for n in seen]


@transaction.atomic
def joint_meeting_call(
    *,
    actor: Any,
    board: JointBoard,
    starts_at: datetime.datetime,
    title: str = "",
    place: str = "",
    agenda: Iterable[str] = (),
    extra: Iterable[str] = (),
) -> CoMeeting:
    """Call a joint meeting: every active member unit's representative is due."""
    require_manager(actor, board.area_path, _("召开联席会议"))
    members = list(board.members.filter(is_active=True).select_related("unit", "user"))
    seats: list[SeatSpec] = [({"name": m.representative, "user": m.user}, m.unit, None) for m in members]
    title = title.strip() or _("%(b)s %(d)s") % {"b": board.name, "d": starts_at.strftime("%Y-%m")}
    return _call(
        actor=actor,
        kind=MeetingKind.JOINT,
        owner_id=board.pk,
        area=board.area,
        title=title,
        starts_at=starts_at,
        place=place,
        agenda=agenda,
        seats=seats + _extra(extra),
        board=board,
    )


@transaction.atomic
def estate_meeting_call(
    *,
    actor: Any,
    governance: EstateGovernance,
    starts_at: datetime.datetime,
    title: str = "",
    place: str = "",
    agenda: Iterable[str] = (),
    extra: Iterable[str] = (),
) -> CoMeeting:
    """A three-party coordination meeting (协调共治) of the estate branch, owners' committee and property
    company (or whoever manages the estate)."""
    require_manager(actor, governance.area_path, _("召开三方协调会议"))
    estate = governance.estate
    parties = [
        governance.branch.name if governance.branch else _("%(e)s党支部") % {"e": estate.name},
        governance.owners_committee or _("%(e)s业主代表") % {"e": estate.name},
        governance.company.name if governance.company else governance.get_mode_display(),
    ]
    title = title.strip() or _("%(e)s三方协调会议 %(d)s") % {"e": estate.name, "d": starts_at.strftime("%Y-%m-%d")}
    return _call(
        actor=actor,
        kind=MeetingKind.ESTATE,
        owner_id=governance.pk,
        area=estate.community,
        title=title,
        starts_at=starts_at,
        place=place,
        agenda=agenda,
        seats=_extra([*parties, *extra]),
        estate=governance,
    )


@transaction.atomic
def committee_meeting_call(
    *,
    actor: Any,
    committee: PartyOrg,
    starts_at: datetime.datetime,
    title: str = "",
    place: str = "",
    agenda: Iterable[str] = (),
    extra: Iterable[str] = (),
) -> CoMeeting:
    """A meeting of an expanded committee (大党委/大工委): its adjunct members are due."""
    require_manager(actor, committee.area.path, _("召开大党委会议"))
    adjuncts = list(AdjunctMember.objects.filter(committee=committee, is_active=True).select_related("unit"))
    seats: list[SeatSpec] = [({"name": a.name}, a.unit, a) for a in adjuncts]
    title = title.strip() or _("%(c)s会议 %(d)s") % {"c": committee.name, "d": starts_at.strftime("%Y-%m-%d")}
    return _call(
        actor=actor,
        kind=MeetingKind.COMMITTEE,
        owner_id=committee.pk,
        area=committee.area,
        title=title,
        starts_at=starts_at,
        place=place,
        agenda=agenda,
        seats=seats + _extra(extra),
        committee=committee,
    )
