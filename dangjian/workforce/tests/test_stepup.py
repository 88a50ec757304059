"""The yearly step-up: what a run proposes, that running it twice proposes once, and the district
admin's approval (the grade moves, with its history) or rejection."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from dangjian.core.workflow import TransitionRefused
from dangjian.notifications.models import Message
from dangjian.workforce.models import GradeReason, ProposalStatus, RunStatus, StepUpLog, StepUpProposal
from dangjian.workforce.services import stepup
from dangjian.workforce.workflow import CREATE

D = datetime.date


@pytest.fixture
def cohort(placed):
    return {
        "due": placed(grade=5, since=D(2021, 1, 1), name="满三年"),
        "early": placed(grade=5, since=D(2021, 6, 1), name="未满三年"),
        "top": placed(grade=12, since=D(2010, 1, 1), name="已到顶"),
        "master": placed(grade=5, since=D(2022, 1, 1), name="研究生", education="master"),
        "head": placed(code="head", grade=17, since=D(2020, 1, 1), name="书记", kind="secretary", dual_role=True),
    }


def run_year(world, year=2024):
    run, created = stepup.stepup_run_start(actor=world.users.district_admin, district=world.district, year=year)
    return stepup.stepup_run_execute(run.pk), created


def test_the_run_proposes_who_served_the_years_below_the_top(world, cohort):
    run, created = run_year(world)
    assert created and run.status == RunStatus.DONE
    proposed = {p.worker.name: (p.from_grade, p.to_grade) for p in run.proposals.select_related("worker")}
    assert proposed == {"满三年": (5, 6), "研究生": (5, 6), "书记": (17, 18)}
    assert run.total == 5 and run.done == 5 and run.proposed == 3
    assert StepUpLog.objects.filter(step=CREATE, proposal__run=run).count() == 3


def test_running_twice_proposes_once(world, cohort):
    run, _created = run_year(world)
    again, created = stepup.stepup_run_start(actor=world.users.district_admin, district=world.district, year=2024)
    assert again.pk == run.pk and not created
    # A queue that runs the task twice (or a sweep that re-queues it) writes nothing twice.
    run.status = RunStatus.RUNNING
    run.save(update_fields=["status"])
    stepup.stepup_run_execute(run.pk)
    assert StepUpProposal.objects.filter(year=2024).count() == 3
    assert StepUpLog.objects.filter(step=CREATE).count() == 3


def test_approval_moves_the_grade_and_writes_the_history(world, cohort):
    run, _ = run_year(world)
    p = run.proposals.get(worker=cohort["due"])
    stepup.proposal_step(actor=world.users.district_admin, proposal=p, step="approve", version=p.version)
    w = cohort["due"]
    w.refresh_from_db()
    assert (w.grade, w.grade_since) == (6, D(2024, 1, 1))
    last = w.grade_history.first()
    assert (last.grade, last.reason) == (6, GradeReason.STEP_UP)
    p.refresh_from_db()
    assert p.status == ProposalStatus.APPROVED


def test_the_worker_is_told_of_the_decision(world, cohort):
    w = cohort["due"]
    w.user = world.users.community_worker
    w.save()
    run, _ = run_year(world)
    p = run.proposals.get(worker=w)
    Message.objects.all().delete()
    stepup.proposal_step(actor=world.users.district_admin, proposal=p, step="approve")
    assert list(Message.objects.values_list("recipient_id", flat=True)) == [world.users.community_worker.pk]


def test_rejection_needs_a_reason(world, cohort):
    run, _ = run_year(world)
    p = run.proposals.get(worker=cohort["due"])
    with pytest.raises(ValidationError):
        stepup.proposal_step(actor=world.users.district_admin, proposal=p, step="reject")
    stepup.proposal_step(actor=world.users.district_admin, proposal=p, step="reject", note="年度考核为基本称职")
    cohort["due"].refresh_from_db()
    assert cohort["due"].grade == 5


def test_only_the_district_approves(world, cohort):
    run, _ = run_year(world)
    p = run.proposals.get(worker=cohort["due"])
    with pytest.raises(TransitionRefused):
        stepup.proposal_step(actor=world.users.subdistrict_admin, proposal=p, step="approve")
    with pytest.raises(ValidationError):
        stepup.stepup_run_start(actor=world.users.subdistrict_admin, district=world.district, year=2025)


def test_a_proposal_whose_worker_moved_cannot_be_approved(world, cohort, ladder):
    from dangjian.workforce.services import workers

    run, _ = run_year(world)
    p = run.proposals.get(worker=cohort["due"])
    workers.worker_grade_set(actor=None, worker=cohort["due"], post=ladder.posts.get(code="deputy"), grade=6,
                             since=D(2024, 3, 1), reason=GradeReason.ADJUST)  # fmt: skip
    with pytest.raises(ValidationError):
        stepup.proposal_step(actor=world.users.district_admin, proposal=p, step="approve")
