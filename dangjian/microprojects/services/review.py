"""评议: the community's deliberation council reviews a project at a meeting of the meetings engine
(owned by "microprojects.project:<pk>:review"; its roster the council's active representatives, its
rules the district's); the outcome is read through meetings.counting when the step is taken."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from dangjian.core.scoping import acting_user
from dangjian.deliberation.models import Council, CouncilKind
from dangjian.meetings import services as meeting_services
from dangjian.meetings.models import Meeting, MeetingStatus

from ..models import Project, ReviewMeeting, Status
from ..permissions import require_manager
from ..rules import district_rules, review_rules


def council_of(project: Project) -> Council | None:
    """The community's council (a 红色议事厅 before a 邻里议事厅)."""
    councils = Council.objects.filter(community_id=project.community_id).order_by("pk")
    return councils.filter(kind=CouncilKind.RED).first() or councils.first()


@transaction.atomic
def review_meeting_call(
    *,
    actor: Any,
    project: Project,
    starts_at: datetime.datetime,
    place: str = "",
    council: Council | None = None,
) -> Meeting:
    """Call the council to review the project; its active representatives are the roster."""
    project = Project.objects.select_for_update().select_related("community").get(pk=project.pk)
    require_manager(actor, project.area_path, _("召集评议会议"))
    if project.status != Status.REVIEWING:
        raise ValidationError(
            _("「%(p)s」当前为「%(s)s」，不能召开评议会议。") % {"p": project.title, "s": project.get_status_display()}
        )
    council = council or council_of(project)
    if council is None or council.community_id != project.community_id:
        raise ValidationError(_("本社区还没有议事会，请先在「议事协商」中建立议事会和议事代表名册。"))
    reps = list(council.representatives.filter(active=True).order_by("pk"))
    if not reps:
        raise ValidationError(_("「%(c)s」还没有在任的议事代表。") % {"c": council.name})
    if ReviewMeeting.objects.filter(
        project=project, meeting__status__in=[MeetingStatus.PLANNED, MeetingStatus.OPEN]
    ).exists():
        raise ValidationError(_("本项目已有一次评议会议尚未散会。"))
    rules = district_rules(project.community)
    meeting = meeting_services.meeting_create(
        actor=actor,
        owner_key=f"microprojects.project:{project.pk}:review",
        area=project.community,
        kind="project_review",
        kind_label=str(_("民生微实事评议会")),
        title=_("民生微实事评议：%(t)s") % {"t": project.title},
        starts_at=starts_at,
        place=place,
        recorder=acting_user(actor),
        agenda=[(project.title, f"microprojects.project:{project.pk}")],
        roster=[{"user": r.user, "name": r.name} for r in reps],
        **review_rules(rules),
    )
    ReviewMeeting.objects.create(project=project, meeting=meeting, council=council)
    return meeting
