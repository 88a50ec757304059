"""The temporary Party organization of a deployment (临时党委 / 临时党支部): created under the calling
node's organization, its members listed from the deployed members (their home organizations unchanged),
its meetings through the meetings engine, closed when the call-up ends (callups.callup_end)."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from dangjian.meetings.models import Meeting
from dangjian.meetings.services import meeting_create
from dangjian.orgs.models import OrgType, PartyOrg
from dangjian.orgs.services import org_create
from dangjian.people.models import Member

from ..models import CallUp, CallUpStatus, Placement, PlacementStatus, TempOrgMember
from ..permissions import may_end

MEETING_KIND = "mobilization_temp_org"


def owner_key(callup: CallUp) -> str:
    return f"mobilization:{callup.public_id}"


def calling_org(callup: CallUp) -> PartyOrg | None:
    """The organization of the calling node: the district committee or the subdistrict's working committee."""
    return (
        PartyOrg.objects.filter(
            area=callup.area,
            org_type__in=[OrgType.DISTRICT_COMMITTEE, OrgType.WORKING_COMMITTEE],
            closed_on__isnull=True,
        )
        .order_by("path")
        .first()
    )


@transaction.atomic
def temp_org_create(
    *, actor: Any, callup: CallUp, org_type: str = OrgType.TEMP_COMMITTEE, name: str = "", secretary: str = ""
) -> PartyOrg:
    """成立临时党组织 for the call-up, with every member placed so far (later placements join it)."""
    callup = CallUp.objects.select_for_update().select_related("area").get(pk=callup.pk)
    if actor is not None and not may_end(actor, callup):
        raise ValidationError(_("只有发起单位可以成立临时党组织。"))
    if callup.status != CallUpStatus.ACTIVE:
        raise ValidationError(_("该动员已结束。"))
    if callup.temp_org_id is not None:
        raise ValidationError(_("这次动员已成立临时党组织。"))
    if org_type not in (OrgType.TEMP_COMMITTEE, OrgType.TEMP_BRANCH):
        raise ValidationError({"org_type": _("请选择临时党委或临时党支部。")})
    parent = calling_org(callup)
    if parent is None:
        raise ValidationError(_("「%(a)s」还没有党组织，不能成立临时党组织。") % {"a": callup.area.name})
    name = (name or "").strip() or _("%(t)s%(k)s") % {"t": callup.title, "k": OrgType(org_type).label}
    org = org_create(
        actor=actor, org_type=org_type, name=name[:150], parent=parent, area=callup.area, secretary=secretary
    )
    CallUp.objects.filter(pk=callup.pk).update(temp_org=org)
    placed = Placement.objects.filter(callup=callup, status=PlacementStatus.ACTIVE, call__member__isnull=False)
    member_ids = set(placed.values_list("call__member_id", flat=True))
    for member in Member.objects.filter(pk__in=member_ids, user__isnull=False).select_related("org"):
        assert member.user_id is not None
        TempOrgMember.objects.get_or_create(
            callup=callup,
            member=member,
            defaults={"user_id": member.user_id, "home_org_name": member.org.name if member.org else ""},
        )
    return org


@transaction.atomic
def temp_org_meeting(
    *, actor: Any, callup: CallUp, title: str, starts_at: datetime.datetime, place: str = ""
) -> Meeting:
    """A meeting of the temporary organization, its roster the organization's members."""
    if actor is not None and not may_end(actor, callup):
        raise ValidationError(_("只有发起单位可以召开临时党组织会议。"))
    if callup.temp_org_id is None or callup.temp_org is None or callup.temp_org.closed_on is not None:
        raise ValidationError(_("临时党组织尚未成立或已撤销。"))
    roster = [
        {"user": m.user, "name": m.member.name}
        for m in TempOrgMember.objects.filter(callup=callup).select_related("user", "member")
    ]
    return meeting_create(
        actor=actor,
        owner_key=owner_key(callup),
        area=callup.area,
        kind=MEETING_KIND,
        kind_label=str(_("临时党组织会议")),
        title=title,
        starts_at=starts_at,
        place=place,
        chair=actor if actor is not None else None,
        roster=roster,
    )
