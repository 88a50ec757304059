"""四议两公开: the workflow table, its rules at the boundaries, merges only where allowed, the
procedure required for listed kinds, and both disclosures before the close."""

import pytest
from django.core.exceptions import ValidationError

from dangjian.deliberation.models import DisclosureKind, DistrictRules, RunStatus
from dangjian.deliberation.services import runs
from dangjian.deliberation.tests.conftest import hold
from dangjian.deliberation.workflow import RunStep

pytestmark = pytest.mark.django_db


def test_it_walks_a_run_to_its_result_disclosure(world, start_run):
    run = start_run()
    assert (run.matter_count, str(run.amount_total)) == (1, "360000.00")
    for step, due in (
        (RunStep.PASS_PROPOSE, 5),
        (RunStep.PASS_CONSULT, 7),
        (RunStep.PASS_REVIEW, 18),
        (RunStep.PASS_RESOLVE, 30),
    ):
        hold(run, present=due, due=due)
        run = runs.run_step(actor=world.users.community_worker, run=run, step=step)
    assert run.status == RunStatus.RESOLVED
    run = runs.run_step(
        actor=world.users.community_worker, run=run, step=RunStep.PUBLISH_RESOLUTION, text="同意加装电梯。"
    )
    with pytest.raises(ValidationError, match="不能办结"):  # the result is not published yet
        runs.run_step(actor=None, run=run, step=RunStep.CLOSE)
    run = runs.run_step(
        actor=world.users.community_worker, run=run, step=RunStep.PUBLISH_RESULT, text="电梯已投入使用。"
    )
    run = runs.run_step(actor=world.users.community_worker, run=run, step=RunStep.CLOSE)
    assert run.status == RunStatus.CLOSED
    assert set(run.disclosures.values_list("kind", "on_time")) == {
        (DisclosureKind.RESOLUTION, True),
        (DisclosureKind.RESULT, True),
    }


def test_it_refuses_a_step_before_the_previous_passed(world, start_run):
    run = start_run()
    with pytest.raises(ValidationError, match="上一步「党组织提议」尚未通过"):
        runs.run_step(actor=world.users.community_worker, run=run, step=RunStep.PASS_REVIEW)
    with pytest.raises(ValidationError, match="上一步「党组织提议」尚未通过，不能召开党员大会"):
        runs.stage_meeting_call(actor=None, run=run, starts_at=run.started_at, roster=[{"name": "甲"}], stage="review")
    with pytest.raises(ValidationError, match="还没有召开并散会"):
        runs.run_step(actor=world.users.community_worker, run=run, step=RunStep.PASS_PROPOSE)


def test_the_members_meeting_needs_two_thirds_present_and_more_than_half_of_those_due(world, start_run):
    run = start_run()
    hold(run, present=3)
    run = runs.run_step(actor=None, run=run, step=RunStep.PASS_PROPOSE)
    hold(run, present=3)
    run = runs.run_step(actor=None, run=run, step=RunStep.PASS_CONSULT)
    hold(run, present=11, due=18)  # 11 of 18 is under 2/3
    with pytest.raises(ValidationError, match="未达到法定人数.*应到 18 人，实到 11 人"):
        runs.run_step(actor=None, run=run, step=RunStep.PASS_REVIEW)
    hold(run, present=12, due=18, votes_for=9)  # quorum exactly 2/3; 9 of 18 due is not more than half
    with pytest.raises(ValidationError, match="表决未通过"):
        runs.run_step(actor=None, run=run, step=RunStep.PASS_REVIEW)
    hold(run, present=12, due=18, votes_for=10)
    assert runs.run_step(actor=None, run=run, step=RunStep.PASS_REVIEW).status == RunStatus.RESOLVING


def test_the_representatives_pass_with_more_than_half_of_those_present(world, start_run):
    run = start_run()
    for step in (RunStep.PASS_PROPOSE, RunStep.PASS_CONSULT, RunStep.PASS_REVIEW):
        hold(run, present=3)
        run = runs.run_step(actor=None, run=run, step=step)
    hold(run, present=20, due=30, votes_for=10)  # 10 of 20 present is only half
    with pytest.raises(ValidationError, match="表决未通过"):
        runs.run_step(actor=None, run=run, step=RunStep.PASS_RESOLVE)
    hold(run, present=20, due=30, votes_for=11)
    assert runs.run_step(actor=None, run=run, step=RunStep.PASS_RESOLVE).status == RunStatus.RESOLVED


def test_it_merges_the_first_two_steps_only_where_the_district_allows(world, start_run):
    with pytest.raises(ValidationError, match="本区未允许"):
        start_run(merged=True)
    run = start_run()
    hold(run, present=3)
    with pytest.raises(ValidationError, match="本区未允许一肩挑合并前两议"):
        runs.run_step(actor=None, run=run, step=RunStep.PASS_MERGED)
    DistrictRules.objects.create(district=world.district, merge_allowed=True)
    with pytest.raises(ValidationError, match="未登记为一肩挑"):
        runs.run_step(actor=None, run=run, step=RunStep.PASS_MERGED)
    merged = start_run(merged=True, title="合并办理")
    hold(merged, present=3)
    assert runs.run_step(actor=None, run=merged, step=RunStep.PASS_MERGED).status == RunStatus.REVIEWING


def test_a_listed_kind_cannot_be_decided_without_the_procedure(world, start_run, kinds):
    run = start_run()
    with pytest.raises(ValidationError, match="必须经过四议两公开"):
        runs.run_step(actor=None, run=run, step=RunStep.DECIDE_DIRECTLY, note="书记办公会决定")
    everyday = next(k for k in kinds if not k.must_go_through)
    small = start_run(title="更换宣传栏", matters=[{"kind": everyday, "title": "更换宣传栏", "amount": "800"}])
    assert (
        runs.run_step(actor=None, run=small, step=RunStep.DECIDE_DIRECTLY, note="日常事务").status == RunStatus.RESOLVED
    )


def test_it_refuses_a_bad_amount_in_chinese(world, start_run, kinds):
    with pytest.raises(ValidationError, match="不是数字"):
        start_run(matters=[{"kind": kinds[0], "title": "补贴", "amount": "十万"}])
    with pytest.raises(ValidationError, match="不小于 0"):
        start_run(matters=[{"kind": kinds[0], "title": "补贴", "amount": "-1"}])


def test_a_villagers_meeting_may_count_households(world, start_run):
    run = start_run()
    for step in (RunStep.PASS_PROPOSE, RunStep.PASS_CONSULT, RunStep.PASS_REVIEW):
        hold(run, present=3)
        run = runs.run_step(actor=None, run=run, step=step)
    meeting = hold(run, present=40, due=100, assembly=True, households_total=60)  # 40 of 100 adults: no quorum
    with pytest.raises(ValidationError, match="未达到法定人数"):
        runs.run_step(actor=None, run=run, step=RunStep.PASS_RESOLVE)
    meeting.households_present = 40  # but 40 of 60 households is 2/3
    meeting.save(update_fields=["households_present"])
    assert runs.run_step(actor=None, run=run, step=RunStep.PASS_RESOLVE).status == RunStatus.RESOLVED
