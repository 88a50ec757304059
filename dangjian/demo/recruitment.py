"""Demo 发展党员 (a DEMO_EXTENSIONS step, after the organizations and people steps).

In each of the first demo branches with two full members to introduce, one person stands in every
stage of the pipeline (and one file was ended), each step taken through the services by the system on
the earliest day the district's rules allow from an application date in the past, so every interval
holds and the figures store has stages and times.
"""

from __future__ import annotations

import datetime
import random
from typing import Any

from django.utils import timezone

from dangjian.orgs.models import BRANCHES, PartyOrg
from dangjian.people.models import ACTIVE_STATUSES, Member, MemberCategory
from dangjian.recruitment import rules as R
from dangjian.recruitment import services
from dangjian.recruitment.models import Stage
from dangjian.recruitment.workflow import Step

from .names import person_name
from .people import _id_number

DAY = datetime.timedelta(days=1)
BRANCH_LIMIT = 4
ORDER = [
    Stage.APPLICANT,
    Stage.ACTIVIST,
    Stage.CANDIDATE,
    Stage.PLANNED,
    Stage.PENDING_APPROVAL,
    Stage.PROBATIONARY,
    Stage.PENDING_CONVERSION,
    Stage.FULL,
]
# How long ago each stage's person applied: long enough for every interval on the way (at most
# about 1,100 days from application to full membership), short enough that the last step is recent.
BACK_DAYS = {
    Stage.APPLICANT: 10,
    Stage.ACTIVIST: 200,
    Stage.CANDIDATE: 560,
    Stage.PLANNED: 620,
    Stage.PENDING_APPROVAL: 650,
    Stage.PROBATIONARY: 800,
    Stage.PENDING_CONVERSION: 1100,
    Stage.FULL: 1400,
    Stage.ENDED: 300,
}


def _walk(r: Any, to: str, intro: list[Member], rng: random.Random) -> Any:
    rules = R.rules_for(r.area_path)

    def step(name: str, on: datetime.date, **kw: Any) -> None:
        nonlocal r
        r = services.recruit_step(actor=None, recruit=r, step=name, on=on, **kw)

    def gap(lo: int, hi: int) -> datetime.timedelta:
        return rng.randint(lo, hi) * DAY

    vote = {"due": 12, "present": 10, "votes_for": 9, "against": 0, "abstain": 1}
    for stage in ORDER[1 : ORDER.index(to) + 1]:
        if stage == Stage.ACTIVIST:
            step(Step.TALK, r.applied_on + gap(5, 25))
            step(Step.MAKE_ACTIVIST, r.talked_on + gap(20, 90))
        elif stage == Stage.CANDIDATE:
            year = R.add_months(r.activist_on, rules.activist_months)
            step(Step.NOTICE, year - 10 * DAY)
            step(Step.MAKE_CANDIDATE, max(year, r.notice_until + DAY) + gap(0, 40))
        elif stage == Stage.PLANNED:
            step(Step.INTRODUCERS, r.candidate_on, introducer_1=intro[0], introducer_2=intro[1])
            step(Step.REVIEW, r.candidate_on + gap(10, 40), result="政治审查合格")
            step(Step.TRAIN, r.candidate_on + gap(20, 50), hours=24 + rng.randint(0, 8))
            step(Step.PLAN, max(r.reviewed_on, r.trained_on) + gap(1, 20))
        elif stage == Stage.PENDING_APPROVAL:
            step(Step.NOTICE, r.planned_on + gap(5, 20))
            step(Step.ADMIT_VOTE, r.notice_until + gap(1, 10), **vote)
        elif stage == Stage.PROBATIONARY:
            step(Step.APPROVE, r.admitted_on + gap(10, 60))
        elif stage == Stage.PENDING_CONVERSION:
            step(Step.NOTICE, r.probation_ends_on - 10 * DAY)
            step(Step.CONVERT_VOTE, r.probation_ends_on + gap(0, 15), **vote)
        elif stage == Stage.FULL:
            step(Step.CONVERT_APPROVE, r.conversion_voted_on + gap(10, 40))
    return r


def build(rng: random.Random, built: Any) -> None:
    today = timezone.localdate()
    branches = PartyOrg.objects.filter(org_type__in=sorted(BRANCHES)).select_related("area").order_by("path")
    done = 0
    for branch in branches:
        intro = list(
            Member.objects.filter(org=branch, category=MemberCategory.FULL, status__in=ACTIVE_STATUSES).order_by("pk")[
                :2
            ]
        )
        if len(intro) < 2:
            continue
        for stage in [*ORDER, Stage.ENDED]:
            back = BACK_DAYS[stage]
            applied = today - (back + rng.randint(0, 20)) * DAY
            birth = datetime.date(1985 + rng.randint(0, 18), rng.randint(1, 12), rng.randint(1, 28))
            # A Party member's file always carries the citizen ID (the member record made at probation copies it).
            id_number = _id_number(rng, birth, rng.choice(("male", "female")))
            r = services.recruit_create(
                actor=None, org=branch, name=person_name(rng), applied_on=applied, id_number=id_number
            )
            if stage == Stage.ENDED:
                services.recruit_step(
                    actor=None, recruit=r, step=Step.END, on=applied + 60 * DAY, note="本人申请暂缓，终止培养"
                )
                continue
            _walk(r, stage, intro, rng)
        done += 1
        if done >= BRANCH_LIMIT:
            break
