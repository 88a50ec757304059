"""Councils, their representatives (elected by the election committee at a recorded meeting) and
council meetings on the topics accepted into the agenda."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.utils.translation import gettext as _

from dangjian.audit.services import audit_record
from dangjian.core.scoping import acting_user
from dangjian.meetings import services as meeting_services
from dangjian.meetings.models import Base, Meeting
from dangjian.territory.models import Level

from ..models import Council, CouncilKind, Representative, Topic, TopicStatus
from ..permissions import require_manager
from ..rules import district_rules


def below_target(council: Council, target: Decimal | None = None) -> bool:
    """The Party share of the council's representatives is under the district's target."""
    target = district_rules(council.community).party_share_target if target is None else target
    return council.reps_count > 0 and Decimal(council.party_count * 100) < target * council.reps_count


@transaction.atomic
def council_save(
    *,
    actor: Any,
    community: Any,
    name: str,
    term_start: datetime.date,
    term_end: datetime.date,
    kind: str = CouncilKind.RED,
    charter: str = "",
    charter_file: Any = None,
    estate: Any = None,
    election_committee: str = "",
    council: Council | None = None,
) -> Council:
    require_manager(actor, community.path, _("设立议事会"))
    if community.level != Level.COMMUNITY:
        raise ValidationError({"community": _("议事会须设在社区。")})
    if estate is not None and estate.community_id != community.pk:
        raise ValidationError({"estate": _("小区「%(e)s」不属于%(c)s。") % {"e": estate.name, "c": community.name}})
    if not name.strip():
        raise ValidationError({"name": _("请填写议事会名称。")})
    if term_end < term_start:
        raise ValidationError({"term_end": _("任期结束日期不能早于开始日期。")})
    if kind == CouncilKind.NEIGHBOUR and estate is None:
        raise ValidationError({"estate": _("邻里议事厅须选择所在小区。")})
    created = council is None
    council = council or Council(community=community)
    council.name, council.kind, council.estate = name.strip(), kind, estate
    council.term_start, council.term_end = term_start, term_end
    council.charter, council.election_committee = charter.strip(), election_committee.strip()
    if charter_file is not None:
        council.charter_file = charter_file
    council.save()
    audit_record(
        actor=acting_user(actor), action="create" if created else "update", obj=council, area_path=council.area_path
    )
    return council


def _recount(council: Council) -> None:
    counts = Representative.objects.filter(council=council, active=True).aggregate(
        n_reps=Count("pk"), n_party=Count("pk", filter=Q(is_party_member=True))
    )
    council.reps_count, council.party_count = counts["n_reps"], counts["n_party"]
    council.save(update_fields=["reps_count", "party_count", "updated_at"])


@transaction.atomic
def representative_elect(
    *,
    actor: Any,
    council: Council,
    name: str,
    household: str = "",
    estate: Any = None,
    is_party_member: bool = False,
    member: Any = None,
    user: Any = None,
    term_start: datetime.date | None = None,
    term_end: datetime.date | None = None,
    election_meeting: Meeting | None = None,
) -> Representative:
    council = Council.objects.select_for_update().select_related("community").get(pk=council.pk)
    require_manager(actor, council.area_path, _("登记议事代表"))
    if not name.strip():
        raise ValidationError({"name": _("请填写代表姓名。")})
    if member is not None:
        is_party_member = True
    if election_meeting is not None and not election_meeting.area_path.startswith(council.area_path):
        raise ValidationError({"election_meeting": _("选举会议须是本社区的会议。")})
    rep = Representative.objects.create(
        council=council,
        name=name.strip(),
        household=household.strip(),
        estate=estate,
        is_party_member=is_party_member,
        member=member,
        user=user,
        term_start=term_start or council.term_start,
        term_end=term_end or council.term_end,
        election_meeting=election_meeting,
    )
    _recount(council)
    audit_record(actor=acting_user(actor), action="create", obj=rep, area_path=council.area_path)
    return rep


@transaction.atomic
def representative_retire(*, actor: Any, representative: Representative) -> Representative:
    council = Council.objects.select_for_update().get(pk=representative.council_id)
    require_manager(actor, council.area_path, _("调整议事代表"))
    Representative.objects.filter(pk=representative.pk).update(active=False)
    _recount(council)
    representative.refresh_from_db()
    audit_record(
        actor=acting_user(actor),
        action="update",
        obj=representative,
        changes={"active": [True, False]},
        area_path=council.area_path,
    )
    return representative


@transaction.atomic
def council_meeting_call(
    *, actor: Any, council: Council, title: str, starts_at: datetime.datetime, place: str = "", recorder: Any = None
) -> Meeting:
    """Call the council on every topic accepted and not yet on an agenda; the active representatives are the roster."""
    council = Council.objects.select_for_update().select_related("community").get(pk=council.pk)
    require_manager(actor, council.area_path, _("召集议事会"))
    topics = list(
        Topic.objects.select_for_update()
        .filter(council=council, status=TopicStatus.ACCEPTED, agenda_item__isnull=True)
        .order_by("submitted_at", "pk")
    )
    if not topics:
        raise ValidationError(_("「%(c)s」没有待议的议题，请先把议题列入议程。") % {"c": council.name})
    reps = council.representatives.filter(active=True).order_by("pk")
    meeting = meeting_services.meeting_create(
        actor=actor,
        owner_key=f"deliberation.council:{council.pk}",
        area=council.community,
        kind="council_meeting",
        kind_label=str(_("议事会议")),
        title=title,
        starts_at=starts_at,
        place=place,
        recorder=recorder or acting_user(actor),
        quorum={"num": 1, "den": 2, "strict": True, "base": Base.DUE},
        majority={"num": 1, "den": 2, "strict": True, "base": Base.PRESENT},
        comment_hours=district_rules(council.community).comment_hours,
        agenda=[(t.title, f"deliberation.topic:{t.pk}") for t in topics],
        roster=[{"user": r.user, "name": r.name} for r in reps],
    )
    for topic, item in zip(topics, meeting.items.order_by("position"), strict=True):
        Topic.objects.filter(pk=topic.pk).update(agenda_item=item)
    return meeting
