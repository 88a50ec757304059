"""The demo district's org life: every branch has a year of meetings and a true calendar, one branch
held no 支委会 for two months, dy_member runs 婆石社区's first branches, four guidance issues with
their coverage, and the store agrees with the rows."""

from django.utils import timezone

from dangjian.core.figures import facts
from dangjian.orglife import selectors
from dangjian.orglife.facts import OBLIGATIONS, RECORDS
from dangjian.orglife.models import Guidance, MeetingRecord, Obligation, RecordStatus
from dangjian.orgs.models import BRANCHES, OrgOfficer, PartyOrg
from dangjian.points.models import PointEntry


def test_the_demo_branches_have_a_true_calendar(demo):
    today = timezone.localdate()
    branches = PartyOrg.objects.filter(org_type__in=sorted(BRANCHES))
    assert branches.exists()
    for org in branches:
        assert MeetingRecord.objects.filter(org=org, status=RecordStatus.HELD).count() >= 12
        assert Obligation.objects.filter(org=org).exists()
    behind = [
        org
        for org in branches
        if sum(
            c.state == "behind"
            for row in selectors.branch_calendar(org, today.year)
            if row.kind == "committee"
            for c in row.cells
        )
        >= 2
    ]
    assert behind, "one branch held no 支委会 for two months"
    led = OrgOfficer.objects.filter(user__username="dy_member").values_list("org__name", flat=True)
    assert len(led) == 2
    held = MeetingRecord.objects.get(topic="研究本月主题党日安排")
    assert held.status == RecordStatus.HELD and held.meeting is not None
    assert PointEntry.objects.filter(event_key=f"orglife.record:{held.public_id}").exists()
    for record in MeetingRecord.objects.all():  # pages print 「支委会：topic」: the topic never repeats the kind
        assert not record.topic.startswith(str(record.get_kind_display())), record.topic
    assert Guidance.objects.filter(published_at__isnull=False).count() == 4
    assert all(g.uptake_count > 0 for g in Guidance.objects.all()[1:])  # the current quarter's may be new
    for subject in (OBLIGATIONS, RECORDS):
        assert facts.differences(subject, facts.stored(subject, None, None), facts.recompute(subject).facts) == []
