"""The demo step on the demo district: thirty projects in every state and of every kind, their money
committed and paid through the funds API so the ledger reconciles, and the figures equal a hand count."""

import random
import time

from django.utils import timezone

from dangjian.core.figures import facts
from dangjian.core.integrity import run as integrity_run
from dangjian.core.periods import period_for
from dangjian.demo import microprojects as demo_data
from dangjian.demo.builder import Built
from dangjian.funds.selectors import commitment_summary
from dangjian.microprojects.facts import BUDGET, PROJECTS
from dangjian.microprojects.models import Claim, Kind, Project, SatisfactionVote, Source, Status


def ours() -> list[str]:
    """The titles of this demo step's projects (co-building's demo step proposes more through
    `project_propose` from its joint meetings' matters)."""
    return [title for title, *_rest in demo_data.PROJECTS]


def test_the_demo_has_thirty_projects_in_every_state_that_reconcile(demo):
    assert Project.objects.filter(title__in=ours()).count() == len(demo_data.PROJECTS) == 30
    assert not Project.objects.exclude(title__in=ours()).exclude(source=Source.JOINT).exists()
    assert set(Project.objects.values_list("status", flat=True)) == set(Status.values)
    assert set(Project.objects.values_list("kind", flat=True)) == set(Kind.values)
    assert Claim.objects.exists() and SatisfactionVote.objects.exists()
    for p in Project.objects.filter(budget_committed__gt=0):
        s = commitment_summary(p.holder)
        assert (s.committed, s.spent) == (p.budget_committed, p.amount_paid), p.title
        if p.status == Status.CLOSED:
            assert s.remaining == 0 and s.released == p.amount_released > 0
    found = integrity_run(["microprojects.counts", "microprojects.procedure", "microprojects.money"])
    assert all(not r.findings for r in found), [f.message for r in found for f in r.findings]

    days = [timezone.localdate(m) for m in Project.objects.values_list("proposed_at", flat=True)]
    period = period_for("custom", min(days), max(days))
    total = facts.total(PROJECTS, "", period)
    counted = Project.objects.exclude(status=Status.WITHDRAWN)
    assert counted.filter(title__in=ours()).count() == 29
    assert total["projects"] == counted.count()
    assert total.amount == sum(int(p.amount_paid * 100) for p in counted)
    assert facts.total(BUDGET, "", period).amount == sum(int(p.budget_committed * 100) for p in counted)
    assert total["from_residents"] == counted.filter(source="resident").count()


def test_the_demo_step_is_fast_and_runs_once(demo):
    before = Project.objects.count()
    started = time.monotonic()
    demo_data.build(random.Random(0), Built())  # a second run finds the projects and writes nothing
    assert Project.objects.count() == before and time.monotonic() - started < 1
