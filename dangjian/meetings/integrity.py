"""What must hold of meetings (core.integrity): the declared workflow, frozen minutes that are whole,
show-of-hands totals within the roster."""

from __future__ import annotations

from collections.abc import Iterator

from django.db.models import Count, F, Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dangjian.core import integrity
from dangjian.core.integrity import Finding, Options, finding, rows

from .models import AgendaItem, Meeting, MeetingStatus
from .workflow import FLOW

integrity.register_workflow(FLOW)


@integrity.register("meetings.frozen_minutes", gettext_lazy("定稿会议纪要有正文和定稿时间"))
def frozen_minutes(options: Options) -> Iterator[Finding]:
    bad = Meeting.objects.filter(status=MeetingStatus.FROZEN).filter(Q(minutes="") | Q(frozen_at__isnull=True))
    for row in rows(bad, "title"):
        yield finding(Meeting, row, "frozen_without_minutes", _("纪要已定稿但正文或定稿时间为空"), title=row["title"])


@integrity.register("meetings.hands", gettext_lazy("举手表决票数不超过参会名单人数"))
def hands_within_roster(options: Options) -> Iterator[Finding]:
    items = (
        AgendaItem.objects.filter(hands_for__isnull=False)
        .annotate(roster=Count("meeting__attendees"))
        .filter(roster__lt=F("hands_for") + F("hands_against") + F("hands_abstain"))
    )
    for row in rows(items, "title", "roster"):
        yield finding(AgendaItem, row, "hands_over_roster", _("举手票数超过名单人数 %(n)s") % {"n": row["roster"]})
