"""Two people act on one case at the same moment: exactly one step stands, the other is told who won.

Real threads, real connections: on PostgreSQL the row lock makes the second wait and then read the
first one's change; on SQLite the IMMEDIATE transactions serialize the writers the same way."""

import pytest

from dangjian.cases import services
from dangjian.cases.models import Case, CaseLog, CaseStatus
from dangjian.cases.tests.test_workflow import accepted
from dangjian.cases.workflow import Step
from dangjian.core.testing import run_at_once
from dangjian.core.workflow import StaleObject, TransitionRefused

pytestmark = pytest.mark.django_db(transaction=True)


def test_it_gives_a_published_case_to_exactly_one_of_two_claimants(world):
    u = world.users
    case = accepted(world)
    case = services.case_publish(actor=u.community_worker, case=case)
    results = run_at_once(
        lambda: services.case_claim(actor=u.member, case=case),
        lambda: services.case_claim(actor=u.unit_contact, case=case),
    )
    assert sorted(kind for kind, _value in results) == ["error", "ok"], results
    winner = "dy" if results[0][0] == "ok" else "dw"
    error = next(value for kind, value in results if kind == "error")
    assert isinstance(error, TransitionRefused)
    assert f"已由 {winner} 认领" in " ".join(error.messages)
    case = Case.objects.get(pk=case.pk)
    assert case.status == CaseStatus.HANDLING
    assert case.assignee_kind == ("member" if winner == "dy" else "unit")
    assert CaseLog.objects.filter(case=case, step=Step.CLAIM).count() == 1


def test_it_lets_one_of_a_recall_and_a_close_at_once_stand(world):
    u = world.users
    case = accepted(world)
    case = services.case_dispatch(actor=u.community_worker, case=case, kind="department", department=world.dept)
    read = case.version  # both pages were rendered at this version
    results = run_at_once(
        lambda: services.case_recall(actor=u.community_worker, case=case, version=read),
        lambda: services.case_close(actor=u.department_staff, case=case, result="已清运", version=read),
    )
    assert sorted(kind for kind, _value in results) == ["error", "ok"], results
    error = next(value for kind, value in results if kind == "error")
    assert isinstance(error, StaleObject)
    case = Case.objects.get(pk=case.pk)
    steps = set(CaseLog.objects.filter(case=case).values_list("step", flat=True))
    if results[0][0] == "ok":  # the recall won: the department is told the dispatcher changed it
        assert case.status == CaseStatus.ACCEPTED and "sq1" in error.messages[0] and "撤回重派" in error.messages[0]
        assert Step.RECALL in steps and Step.CLOSE not in steps and Step.TAKE not in steps
    else:
        assert case.status == CaseStatus.CLOSED and "bm" in error.messages[0] and "办结" in error.messages[0]
        assert Step.CLOSE in steps and Step.RECALL not in steps
    assert case.version == read + (1 if case.status == CaseStatus.ACCEPTED else 2)
