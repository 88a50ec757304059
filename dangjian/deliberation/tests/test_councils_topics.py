"""Councils and the Party share against the district target; topics screened and decided on the
council's vote; the figures match a hand count."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from dangjian.core.figures import facts
from dangjian.core.periods import period_for
from dangjian.deliberation.facts import COUNCILS, RUNS, TOPICS
from dangjian.deliberation.models import DistrictRules, TopicStatus
from dangjian.deliberation.services import councils, runs, topics
from dangjian.deliberation.tests.conftest import hold
from dangjian.deliberation.workflow import RunStep, TopicStep
from dangjian.meetings import services as meeting_services

pytestmark = pytest.mark.django_db


def test_it_flags_a_council_below_the_party_share_target(world, council):
    assert (council.reps_count, council.party_count, str(council.party_share)) == (5, 2, "40.0")
    assert councils.below_target(council) is False  # 2 of 5 is exactly 40 %
    rep = council.representatives.filter(is_party_member=True).first()
    councils.representative_retire(actor=world.users.community_worker, representative=rep)
    council.refresh_from_db()
    assert (council.reps_count, council.party_count) == (4, 1)
    assert councils.below_target(council) is True
    DistrictRules.objects.create(district=world.district, party_share_target=25)
    assert councils.below_target(council) is False


def test_an_outsider_cannot_elect_a_representative(world, council):
    with pytest.raises(ValidationError, match="只有本社区的社区工作者"):
        councils.representative_elect(actor=world.users.community_worker_outsider, council=council, name="甲")


def test_a_neighbourhood_council_needs_its_estate(world):
    with pytest.raises(ValidationError, match="邻里议事厅须选择所在小区"):
        councils.council_save(
            actor=None, community=world.c1, name="邻里议事厅", kind="neighbour",
            term_start=datetime.date(2025, 1, 1), term_end=datetime.date(2027, 12, 31),
        )  # fmt: skip


def test_a_topic_is_decided_only_on_a_passed_council_vote(world, council):
    worker = world.users.community_worker
    topic = topics.topic_submit(actor=world.users.resident, community=world.c1, title="小区东门加装路灯")
    topic = topics.topic_step(actor=worker, topic=topic, step=TopicStep.ACCEPT)
    assert (topic.status, topic.council) == (TopicStatus.ACCEPTED, council)
    with pytest.raises(ValidationError, match="还没有上议事会"):
        topics.topic_step(actor=worker, topic=topic, step=TopicStep.DECIDE, note="同意")
    meeting = councils.council_meeting_call(
        actor=worker, council=council, title="三月议事会", starts_at=timezone.now() + datetime.timedelta(days=1)
    )
    assert list(meeting.items.values_list("title", flat=True)) == ["小区东门加装路灯"]
    assert meeting.attendees.filter(due=True).count() == 5
    meeting = meeting_services.meeting_step(actor=worker, meeting=meeting, step="open")
    for a in meeting.attendees.filter(due=True)[:3]:
        meeting_services.sign_in(actor=worker, meeting=meeting, attendee=a)
    meeting_services.hands_record(actor=worker, item=meeting.items.get(), votes_for=2, against=1, abstain=0)
    meeting_services.meeting_step(actor=worker, meeting=meeting, step="close")
    topic.refresh_from_db()
    topic = topics.topic_step(actor=worker, topic=topic, step=TopicStep.DECIDE, note="同意加装 4 盏路灯")
    assert topic.status == TopicStatus.DECIDED


def test_an_outsider_cannot_screen_a_topic(world):
    topic = topics.topic_submit(actor=world.users.resident, community=world.c1, title="议题")
    with pytest.raises(ValidationError, match="不在您的管辖范围内"):
        topics.topic_step(actor=world.users.community_worker_outsider, topic=topic, step=TopicStep.ANSWER, note="x")


def test_the_figures_match_a_hand_count(world, council, start_run, kinds):
    worker = world.users.community_worker
    t1 = topics.topic_submit(actor=world.users.resident, community=world.c1, title="甲")
    topics.topic_submit(actor=world.users.resident, community=world.c3, title="乙")
    topics.topic_step(actor=worker, topic=t1, step=TopicStep.ANSWER, note="已答复")
    run = start_run(matters=[{"kind": kinds[0], "title": "补贴", "amount": "1000.50"}])
    runs.matter_add(actor=worker, run=run, kind=kinds[1], title="收益使用", amount="200")
    for step in (RunStep.PASS_PROPOSE, RunStep.PASS_CONSULT, RunStep.PASS_REVIEW, RunStep.PASS_RESOLVE):
        hold(run, present=3)
        run = runs.run_step(actor=None, run=run, step=step)
    runs.run_step(actor=None, run=run, step=RunStep.PUBLISH_RESOLUTION, text="公开")
    start_run(title="第二件")
    period = period_for("this_month")
    district = facts.total(RUNS, world.district.path, period)
    assert (
        district["runs"],
        district["matters"],
        district["resolved"],
        district["disclosures"],
        district["disclosures_on_time"],
    ) == (2, 3, 1, 1, 1)
    assert district.amount == 100050 + 20000 + 36000000
    s1 = facts.children(TOPICS, world.district.path, period)
    assert (
        s1[world.s1.path]["received"] == 1 and s1[world.s1.path]["answered"] == 1 and s1[world.s2.path]["received"] == 1
    )
    stock = facts.stock_total(COUNCILS, world.district.path)
    assert (stock["councils"], stock["representatives"], stock["party_representatives"], stock["below_target"]) == (
        1,
        5,
        2,
        0,
    )
    rebuilt_before = {k: v.values for k, v in facts.children(RUNS, world.district.path, period).items()}
    facts.rebuild([RUNS.name])
    assert {k: v.values for k, v in facts.children(RUNS, world.district.path, period).items()} == rebuilt_before
