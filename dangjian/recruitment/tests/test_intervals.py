"""Every statutory interval: refused the day before it is met (naming the earliest day), accepted on it."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from dangjian.people.services.members import member_create
from dangjian.recruitment import rules as R
from dangjian.recruitment import services
from dangjian.recruitment.models import RecruitRules, Stage
from dangjian.recruitment.workflow import Step

from .conftest import VOTE, walk

DAY = datetime.timedelta(days=1)


def refused_then_accepted(r, step, earliest, **kw):
    with pytest.raises(ValidationError) as exc:
        services.recruit_step(actor=None, recruit=r, step=step, on=earliest - DAY, **kw)
    assert f"最早可在 {earliest.isoformat()} 办理" in " ".join(exc.value.messages), exc.value.messages
    return services.recruit_step(actor=None, recruit=r, step=step, on=earliest, **kw)


def test_a_talk_after_the_application(apply):
    r = apply()
    r = refused_then_accepted(r, Step.TALK, r.applied_on)
    assert r.talked_on == r.applied_on


def test_an_activist_after_the_talk(apply):
    r = apply()
    with pytest.raises(ValidationError, match="请先记录"):
        services.recruit_step(actor=None, recruit=r, step=Step.MAKE_ACTIVIST, on=r.applied_on + 30 * DAY)
    r = services.recruit_step(actor=None, recruit=r, step=Step.TALK, on=r.applied_on + 3 * DAY)
    r = refused_then_accepted(r, Step.MAKE_ACTIVIST, r.talked_on)
    assert r.status == Stage.ACTIVIST


def test_a_candidate_after_a_year_as_activist(cast, apply):
    r = walk(apply(), Stage.ACTIVIST, cast)
    r = services.recruit_step(actor=None, recruit=r, step=Step.NOTICE, on=r.activist_on + 100 * DAY)
    a_year = R.add_months(r.activist_on, 12)
    r = refused_then_accepted(r, Step.MAKE_CANDIDATE, a_year)
    assert r.status == Stage.CANDIDATE and r.candidate_on == a_year


def test_a_candidate_needs_the_notice_and_waits_for_its_end(cast, apply):
    r = walk(apply(), Stage.ACTIVIST, cast)
    a_year = R.add_months(r.activist_on, 12)
    with pytest.raises(ValidationError, match="拟确定发展对象公示"):
        services.recruit_step(actor=None, recruit=r, step=Step.MAKE_CANDIDATE, on=a_year)
    r = services.recruit_step(actor=None, recruit=r, step=Step.NOTICE, on=a_year)
    assert (r.notice_until - r.notice_from).days >= 4
    assert r.notice_until.weekday() < 5
    refused_then_accepted(r, Step.MAKE_CANDIDATE, r.notice_until + DAY)


def test_a_notice_of_five_working_days_skips_the_weekend():
    rules = RecruitRules()
    friday = datetime.date(2026, 1, 2)
    assert friday.weekday() == 4
    assert R.notice_end(friday, rules) == datetime.date(2026, 1, 8)
    rules.notice_working_days = False
    assert R.notice_end(friday, rules) == datetime.date(2026, 1, 6)


def test_a_district_sets_its_own_interval(world, cast, apply):
    RecruitRules.objects.create(district=world.district, activist_months=18)
    r = walk(apply(), Stage.ACTIVIST, cast)
    r = services.recruit_step(actor=None, recruit=r, step=Step.NOTICE, on=r.activist_on + 100 * DAY)
    refused_then_accepted(r, Step.MAKE_CANDIDATE, R.add_months(r.activist_on, 18))


def test_the_plan_needs_introducers_review_and_enough_training(cast, apply):
    r = walk(apply(), Stage.CANDIDATE, cast)
    with pytest.raises(ValidationError, match="入党介绍人"):
        services.recruit_step(actor=None, recruit=r, step=Step.PLAN, on=r.candidate_on + 50 * DAY)
    probationary = member_create(
        actor=None, name="预备党员", org=r.org, category="probationary", joined_on=datetime.date(2025, 1, 1)
    )
    with pytest.raises(ValidationError, match="须是正式党员"):
        services.recruit_step(
            actor=None,
            recruit=r,
            step=Step.INTRODUCERS,
            on=r.candidate_on,
            introducer_1=cast.intro[0],
            introducer_2=probationary,
        )
    with pytest.raises(ValidationError, match="不同的正式党员"):
        services.recruit_step(
            actor=None,
            recruit=r,
            step=Step.INTRODUCERS,
            on=r.candidate_on,
            introducer_1=cast.intro[0],
            introducer_2=cast.intro[0],
        )
    r = services.recruit_step(
        actor=None,
        recruit=r,
        step=Step.INTRODUCERS,
        on=r.candidate_on,
        introducer_1=cast.intro[0],
        introducer_2=cast.intro[1],
    )
    r = services.recruit_step(actor=None, recruit=r, step=Step.REVIEW, on=r.candidate_on + 5 * DAY, result="合格")
    r = services.recruit_step(actor=None, recruit=r, step=Step.TRAIN, on=r.candidate_on + 9 * DAY, hours=23)
    with pytest.raises(ValidationError, match="不少于 24 学时"):
        services.recruit_step(actor=None, recruit=r, step=Step.PLAN, on=r.candidate_on + 50 * DAY)
    r = services.recruit_step(actor=None, recruit=r, step=Step.TRAIN, on=r.candidate_on + 10 * DAY, hours=24)
    r = refused_then_accepted(r, Step.PLAN, r.trained_on)
    assert r.status == Stage.PLANNED


def test_the_admission_vote_after_the_notice_and_by_the_rules(cast, apply):
    r = walk(apply(), Stage.PLANNED, cast)
    r = services.recruit_step(actor=None, recruit=r, step=Step.NOTICE, on=r.planned_on)
    day = r.notice_until + DAY
    # 9 due: 5 present is more than half; 4 is not. 5 for is more than half of those due; 4 is not.
    with pytest.raises(ValidationError, match="表决未通过"):
        services.recruit_step(actor=None, recruit=r, step=Step.ADMIT_VOTE, on=day, due=9, present=4, votes_for=4)
    with pytest.raises(ValidationError, match="表决未通过"):
        services.recruit_step(
            actor=None, recruit=r, step=Step.ADMIT_VOTE, on=day, due=9, present=8, votes_for=4, against=4
        )
    with pytest.raises(ValidationError, match="超过了实到人数"):
        services.recruit_step(actor=None, recruit=r, step=Step.ADMIT_VOTE, on=day, due=9, present=5, votes_for=6)
    r = refused_then_accepted(r, Step.ADMIT_VOTE, day, due=9, present=5, votes_for=5)
    assert r.status == Stage.PENDING_APPROVAL and r.votes.get().passed


def test_the_approval_after_the_vote_and_the_probation_from_the_vote(cast, apply):
    r = walk(apply(), Stage.PENDING_APPROVAL, cast)
    r = refused_then_accepted(r, Step.APPROVE, r.admitted_on)
    assert r.probation_ends_on == R.add_months(r.admitted_on, 12)


def test_the_conversion_when_the_probation_is_over_and_after_the_notice(cast, apply):
    r = walk(apply(), Stage.PROBATIONARY, cast)
    r = services.recruit_step(actor=None, recruit=r, step=Step.NOTICE, on=r.probation_ends_on - 30 * DAY)
    refused_then_accepted(r, Step.CONVERT_VOTE, r.probation_ends_on, **VOTE)


def test_the_conversion_waits_for_a_late_notice(cast, apply):
    r = walk(apply(), Stage.PROBATIONARY, cast)
    r = services.recruit_step(actor=None, recruit=r, step=Step.NOTICE, on=r.probation_ends_on)
    refused_then_accepted(r, Step.CONVERT_VOTE, r.notice_until + DAY, **VOTE)


def test_the_conversion_approval_after_the_branch_meeting(cast, apply):
    r = walk(apply(), Stage.PENDING_CONVERSION, cast)
    r = refused_then_accepted(r, Step.CONVERT_APPROVE, r.conversion_voted_on)
    assert r.status == Stage.FULL


def test_an_extension_of_six_to_twelve_months_once(cast, apply):
    r = walk(apply(applied_on=R.add_years(datetime.date.today(), -3)), Stage.PROBATIONARY, cast)
    ends = r.probation_ends_on
    for months in (5, 13):
        with pytest.raises(ValidationError, match="不能少于 6 个月"):
            services.recruit_step(actor=None, recruit=r, step=Step.EXTEND, on=r.approved_on, months=months, note="考察")
    r = services.recruit_step(actor=None, recruit=r, step=Step.EXTEND, on=r.approved_on, months=6, note="需继续考察")
    assert r.probation_ends_on == R.add_months(ends, 6) and r.status == Stage.PROBATIONARY
    with pytest.raises(ValidationError, match="只能延长一次"):
        services.recruit_step(actor=None, recruit=r, step=Step.EXTEND, on=r.approved_on, months=6, note="再延")


def test_no_step_on_a_future_day_or_before_the_stage_began(apply):
    r = apply()
    with pytest.raises(ValidationError, match="不能晚于今天"):
        services.recruit_step(actor=None, recruit=r, step=Step.TALK, on=datetime.date.today() + DAY)
