"""Member counts of an organization's subtree come from the figures store (people/facts.py): they follow
each write, equal the counts from the members table, and can be read as of a past date."""

from __future__ import annotations

import datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from dangjian.core.figures import facts
from dangjian.core.models import DailyFact
from dangjian.people.facts import MEMBERS
from dangjian.people.models import Member
from dangjian.people.selectors import member_counts, member_counts_from_rows


def test_member_counts_follow_every_write_and_read_in_two_queries(world):
    w = world
    a = Member.objects.create(name="甲", org=w.eb, status="in_service")
    b = Member.objects.create(name="乙", org=w.eb3, status="retired")
    Member.objects.create(name="丙", org=w.ub, status="floating")
    with CaptureQueriesContext(connection) as ctx:
        district = member_counts(w.dc)
    assert len(ctx.captured_queries) == 2
    assert (district["members"], district["active"], district["in_service"], district["retired"]) == (3, 3, 1, 1)
    assert member_counts(w.cc1)["members"] == 2  # 甲 and 丙: their branches are under 婆石社区大党委
    a.status = "moved_out"
    a.save()
    b.org = w.eb
    b.save()
    assert member_counts(w.cc1) == member_counts_from_rows(w.cc1)
    assert (member_counts(w.cc1)["members"], member_counts(w.cc1)["active"]) == (3, 2)  # 甲 moved out
    b.delete()
    for org in (w.dc, w.wc1, w.cc1, w.cc3, None):
        assert member_counts(org) == member_counts_from_rows(org)


def test_member_counts_of_a_past_date(world):
    w = world
    Member.objects.create(name="甲", org=w.eb, status="in_service")
    Member.objects.create(name="乙", org=w.eb, status="in_service")
    today = timezone.localdate()
    DailyFact.objects.filter(subject="members").update(day=today - datetime.timedelta(days=40))
    Member.objects.filter(name="乙").update(status="moved_out")
    facts.record_rows(MEMBERS, Member.objects.filter(name="乙").values_list("pk", flat=True))  # today
    assert member_counts(w.cc1, on=today - datetime.timedelta(days=41))["members"] == 0
    assert member_counts(w.cc1, on=today - datetime.timedelta(days=1))["active"] == 2
    assert member_counts(w.cc1)["active"] == 1
    facts.snapshot(MEMBERS)
    assert member_counts(w.cc1, on=today - datetime.timedelta(days=1))["active"] == 2
    assert member_counts(w.cc1) == member_counts_from_rows(w.cc1)


def test_after_a_move_the_members_count_at_their_new_place(world):
    from dangjian.orgs.services import org_move

    w = world
    Member.objects.create(name="甲", org=w.eb, status="in_service")
    Member.objects.create(name="乙", org=w.bg, status="retired")
    # The paths are rewritten by update() (no signal); org_move records the moved subtree itself.
    moved = org_move(actor=None, org=w.cc1, new_parent=w.wc2)
    for org in (w.dc, w.wc1, w.wc2, moved, None):
        assert member_counts(org) == member_counts_from_rows(org)
