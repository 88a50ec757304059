import datetime

import pytest
from django.utils import timezone

from dangjian.conftest import make_user
from dangjian.orgs.models import OrgOfficer
from dangjian.people.services.members import member_create
from dangjian.recruitment import rules as R
from dangjian.recruitment import services
from dangjian.recruitment.models import Stage
from dangjian.recruitment.workflow import Step

DAY = datetime.timedelta(days=1)


@pytest.fixture
def cast(world):
    """The branch 中珠新村小区党支部 (婆石社区): its secretary (a member with an account), two full members
    to introduce, an applicant with an account; an officer of another branch."""
    secretary = make_user("zb_shuji", "party_member", home_community=world.c1)
    OrgOfficer.objects.create(org=world.eb, user=secretary, name="支部书记", post="secretary")
    other = make_user("zb_other", "party_member", home_community=world.c3)
    OrgOfficer.objects.create(org=world.eb3, user=other, name="海虹书记", post="secretary")
    applicant = make_user("sqr", "resident", home_community=world.c1)
    intro = [
        member_create(actor=None, name=f"介绍人{i}", org=world.eb, joined_on=datetime.date(2000, 7, 1)) for i in (1, 2)
    ]
    return type("Cast", (), {"secretary": secretary, "other": other, "applicant": applicant, "intro": intro})


@pytest.fixture
def base():
    """The application date of a file walked through every stage by today."""
    return R.add_years(timezone.localdate(), -4)


@pytest.fixture
def apply(world, cast, base):
    def make(name="李青", applied_on=None, **kwargs):
        return services.recruit_create(
            actor=kwargs.pop("actor", world.users.community_worker),
            org=kwargs.pop("org", world.eb),
            name=name,
            applied_on=applied_on or base,
            birth_date=kwargs.pop("birth_date", datetime.date(1995, 3, 1)),
            user=kwargs.pop("user", cast.applicant),
            **kwargs,
        )

    return make


VOTE = {"due": 9, "present": 8, "votes_for": 7, "against": 1, "abstain": 0}


def walk(recruit, to: str, cast, *, actor=None):
    """Take the steps that bring `recruit` to stage `to`, each on the earliest day it is allowed."""
    r = recruit
    rules = R.rules_for(r.area_path)

    def step(name, on, **kw):
        nonlocal r
        r = services.recruit_step(actor=actor, recruit=r, step=name, on=on, **kw)

    plan = [
        (
            Stage.ACTIVIST,
            lambda: (step(Step.TALK, r.applied_on + 10 * DAY), step(Step.MAKE_ACTIVIST, r.talked_on + 5 * DAY)),
        ),
        (
            Stage.CANDIDATE,
            lambda: (
                step(Step.NOTICE, R.add_months(r.activist_on, rules.activist_months) - 10 * DAY),
                step(
                    Step.MAKE_CANDIDATE, max(R.add_months(r.activist_on, rules.activist_months), r.notice_until + DAY)
                ),
            ),
        ),
        (
            Stage.PLANNED,
            lambda: (
                step(Step.INTRODUCERS, r.candidate_on, introducer_1=cast.intro[0], introducer_2=cast.intro[1]),
                step(Step.REVIEW, r.candidate_on + 20 * DAY, result="政治审查合格"),
                step(Step.TRAIN, r.candidate_on + 30 * DAY, hours=24),
                step(Step.PLAN, r.candidate_on + 40 * DAY),
            ),
        ),
        (
            Stage.PENDING_APPROVAL,
            lambda: (step(Step.NOTICE, r.planned_on + DAY), step(Step.ADMIT_VOTE, r.notice_until + DAY, **VOTE)),
        ),
        (Stage.PROBATIONARY, lambda: step(Step.APPROVE, r.admitted_on + 20 * DAY)),
        (
            Stage.PENDING_CONVERSION,
            lambda: (
                step(Step.NOTICE, r.probation_ends_on - 10 * DAY),
                step(Step.CONVERT_VOTE, r.probation_ends_on, **VOTE),
            ),
        ),
        (Stage.FULL, lambda: step(Step.CONVERT_APPROVE, r.conversion_voted_on + 10 * DAY)),
    ]
    order = [Stage.APPLICANT] + [stage for stage, _go in plan]
    for stage, go in plan:
        if r.status == to:
            break
        if order.index(stage) <= order.index(r.status):
            continue
        go()
        assert r.status == stage, (r.status, stage)
    return r
