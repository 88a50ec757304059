"""Quorum and majority as data, at the boundary values."""

import pytest

from dangjian.meetings import counting, services
from dangjian.meetings.models import Base, Rule


@pytest.mark.parametrize(
    ("rule", "count", "base", "met"),
    [
        (Rule(2, 3, False, Base.DUE), 12, 18, True),  # at least 2/3: exactly 2/3 is enough
        (Rule(2, 3, False, Base.DUE), 11, 18, False),
        (Rule(1, 2, True, Base.DUE), 9, 18, False),  # more than half: exactly half is not
        (Rule(1, 2, True, Base.DUE), 10, 18, True),
        (Rule(1, 2, True, Base.PRESENT), 1, 0, False),  # nobody present passes nothing
    ],
)
def test_it_meets_a_rule_at_its_boundary(rule, count, base, met):
    assert rule.met(count, base) is met


def test_it_names_the_least_count_that_meets_a_rule():
    assert Rule(2, 3, False, Base.DUE).needed(18) == 12
    assert Rule(1, 2, True, Base.DUE).needed(18) == 10
    assert str(Rule(2, 3, False, Base.DUE)) == "不少于应到人数的2/3"


def _sign_in(meeting, n, world):
    for a in meeting.attendees.filter(due=True).order_by("pk")[:n]:
        services.sign_in(actor=world.users.community_worker, meeting=meeting, attendee=a)


@pytest.mark.django_db
def test_it_counts_quorum_and_majority_at_the_boundary(world, make_meeting):
    meeting = make_meeting(due=6)
    services.meeting_step(actor=None, meeting=meeting, step="notify", now=meeting.starts_at.replace(year=2020))
    meeting.refresh_from_db()
    services.meeting_step(actor=world.users.community_worker, meeting=meeting, step="open")
    _sign_in(meeting, 3, world)
    counted = counting.tally(meeting)
    assert (counted.due, counted.present_due, counted.quorum_needed, counted.quorum_met) == (6, 3, 4, False)
    _sign_in(meeting, 4, world)  # 4 of 6 is exactly 2/3
    assert counting.tally(meeting).quorum_met is True
    item = meeting.items.get()
    services.hands_record(actor=world.users.community_worker, item=item, votes_for=3, against=1, abstain=0)
    result = counting.results(meeting)[0]
    assert (result.votes_for, result.needed, result.passed) == (3, 4, False)  # 3 of 6 due is not more than half
    item.hands_for = None
    item.save()
    services.hands_record(actor=world.users.community_worker, item=item, votes_for=4, against=0, abstain=0)
    assert counting.results(meeting)[0].passed is True


@pytest.mark.django_db
def test_it_refuses_hands_beyond_those_present(world, make_meeting):
    meeting = make_meeting(due=3, notice_days=0)
    services.meeting_step(actor=None, meeting=meeting, step="open")
    _sign_in(meeting, 2, world)
    with pytest.raises(Exception, match="超过了实到表决人数 2 人"):
        services.hands_record(
            actor=world.users.community_worker, item=meeting.items.get(), votes_for=3, against=0, abstain=0
        )


@pytest.mark.django_db
def test_it_counts_a_villagers_meeting_by_households(world, make_meeting):
    meeting = make_meeting(
        due=10,
        quorum={"num": 1, "den": 2, "strict": True, "base": Base.DUE},
        households_quorum=(2, 3),
        households_total=30,
    )
    assert counting.tally(meeting).quorum_met is False
    meeting.households_present = 20  # 2/3 of the households came, though few adults signed in
    assert counting.tally(meeting).quorum_met is True
