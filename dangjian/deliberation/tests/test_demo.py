"""The demo step on the demo district: councils near the 40 % line (one below), topics in every
state, two complete runs with amounts, one stuck at the members' meeting; the figures match a hand
count of the demo."""

import random

from django.utils import timezone

from dangjian.core.figures import facts
from dangjian.core.periods import period_for
from dangjian.deliberation.facts import COUNCILS, RUNS, TOPICS
from dangjian.deliberation.models import Council, CouncilKind, Disclosure, Matter, Run, RunStatus, Topic, TopicStatus
from dangjian.deliberation.services.councils import below_target
from dangjian.deliberation.services.runs import stage_refusal
from dangjian.demo import deliberation as demo_data
from dangjian.demo.builder import Built
from dangjian.territory.models import Area, Level


def with_deliberation() -> None:
    if Council.objects.exists():
        return
    built = Built()
    built.areas = {a.name: a for a in Area.objects.all()}
    demo_data.build(random.Random(0), built)


def _spanning(moments):
    days = [timezone.localdate(m) for m in moments]
    return period_for("custom", min(days), max(days))


def test_the_demo_has_councils_topics_and_runs(demo):
    with_deliberation()
    communities = Area.objects.filter(level=Level.COMMUNITY)
    red = Council.objects.filter(kind=CouncilKind.RED)
    assert red.count() == communities.count()
    assert [c.name for c in red if below_target(c)] == [red.order_by("pk")[1].name]
    assert all(35 <= c.party_count * 100 / c.reps_count <= 47 for c in red)
    assert set(Topic.objects.values_list("status", flat=True)) == set(TopicStatus.values)
    closed = Run.objects.filter(status=RunStatus.CLOSED)
    assert closed.count() == 2 and all(r.disclosures.count() == 2 for r in closed)
    stuck = Run.objects.get(status=RunStatus.REVIEWING)
    refusal, _meeting = stage_refusal(stuck, "review")
    assert "未达到法定人数" in refusal and "应到 45 人，实到 26 人" in refusal


def test_the_demo_figures_match_a_hand_count(demo):
    with_deliberation()
    district = Area.objects.get(level=Level.DISTRICT)
    runs = Run.objects.exclude(status=RunStatus.WITHDRAWN)
    period = _spanning([r.started_at for r in runs])
    measured = facts.total(RUNS, district.path, period)
    assert measured["runs"] == runs.count() == 3
    assert measured["matters"] == Matter.objects.count()
    assert measured.amount == sum(int(m.amount * 100) for m in Matter.objects.all())
    assert measured["disclosures"] == Disclosure.objects.count() == 4
    assert measured["disclosures_on_time"] == Disclosure.objects.filter(on_time=True).count()
    stock = facts.stock_total(COUNCILS, district.path)
    assert stock["councils"] == Council.objects.count()
    assert stock["representatives"] == sum(c.reps_count for c in Council.objects.all())
    assert stock["party_representatives"] == sum(c.party_count for c in Council.objects.all())
    topics_period = _spanning([t.submitted_at for t in Topic.objects.all()])
    assert facts.total(TOPICS, district.path, topics_period)["received"] == Topic.objects.count()
    assert (
        facts.total(TOPICS, district.path, topics_period)["decided"]
        == Topic.objects.filter(status="decided").count()
        == 1
    )
