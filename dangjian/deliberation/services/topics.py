"""Topics: raised by a resident on the phone, from a recurring demand or case, by a grid worker or by
the Party committee; screened by the committee (accepted into an agenda, answered, referred), and
decided once the council's vote on it passed."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.audit.services import audit_record
from dangjian.core.scoping import acting_user
from dangjian.core.workflow import take_step
from dangjian.meetings import counting
from dangjian.meetings.models import MeetingStatus

from ..models import Council, Topic, TopicSource
from ..workflow import CREATE, TOPIC_FLOW, TopicStep


@transaction.atomic
def topic_submit(
    *,
    actor: Any,
    community: Any,
    title: str,
    body: str = "",
    source: str = TopicSource.RESIDENT,
    source_ref: str = "",
    council: Council | None = None,
    now: Any = None,
) -> Topic:
    if not title.strip():
        raise ValidationError({"title": _("请用一句话写明要议的事。")})
    if len(title.strip()) > 100:
        raise ValidationError({"title": _("议题不能超过 100 个字，详细情况请写在具体内容里。")})
    if source not in TopicSource.values:
        raise ValidationError({"source": _("议题来源不正确。")})
    if source == TopicSource.RECURRING and not source_ref.strip():
        raise ValidationError({"source_ref": _("来自高频诉求的议题须注明关联的诉求或事件。")})
    if council is not None and council.community_id != community.pk:
        raise ValidationError({"council": _("议事会不属于该社区。")})
    topic = Topic.objects.create(
        community=community,
        council=council,
        title=title.strip(),
        body=body.strip(),
        source=source,
        source_ref=source_ref.strip(),
        submitted_by=acting_user(actor),
        submitted_at=now or timezone.now(),
    )
    TOPIC_FLOW.log(topic, actor=actor, step=CREATE, from_status="", to_status=topic.status)
    audit_record(actor=acting_user(actor), action="create", obj=topic, area_path=topic.area_path)
    return topic


def _decided(topic: Topic) -> None:
    item = topic.agenda_item
    if item is None:
        raise ValidationError(_("议题「%(t)s」还没有上议事会，不能记录议定结果。") % {"t": topic.title})
    meeting = item.meeting
    if meeting.status not in (MeetingStatus.CLOSED, MeetingStatus.FROZEN):
        raise ValidationError(_("议事会「%(m)s」还没有散会。") % {"m": meeting.title})
    result = next(r for r in counting.results(meeting) if r.item.pk == item.pk)
    if not result.passed:
        raise ValidationError(_("议题「%(t)s」在议事会上未获通过（%(r)s）。") % {"t": topic.title, "r": result.text})


@transaction.atomic
def topic_step(
    *, actor: Any, topic: Topic, step: str, note: str = "", version: int | None = None, council: Council | None = None
) -> Topic:
    def prepare(locked: Topic, parties: set[str]) -> dict[str, Any]:
        if step == TopicStep.ACCEPT:
            chosen = council or locked.council
            if chosen is None:
                chosen = Council.objects.filter(community_id=locked.community_id).order_by("pk").first()
            if chosen is None:
                raise ValidationError(_("%(c)s还没有议事会，不能列入议程。") % {"c": locked.community.name})
            if chosen.community_id != locked.community_id:
                raise ValidationError(_("议事会不属于该社区。"))
            return {"council": chosen}
        if step == TopicStep.DECIDE:
            _decided(locked)
        if step in (TopicStep.ANSWER, TopicStep.REFER, TopicStep.DECIDE):
            return {"answer": note.strip()}
        return {}

    return take_step(TOPIC_FLOW, actor=actor, obj=topic, step=step, version=version, note=note, prepare=prepare)
