"""The step receiver: a matter's facts follow its case, demand or task, and a step of any other case or
demand costs no query at all (every case and demand step of the district reaches the receiver)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dangjian.cases.intake.services import case_submit
from dangjian.cases.models import Case, CaseCategory, Channel
from dangjian.cobuilding.facts import CASE_DONE, MATTERS
from dangjian.cobuilding.models import MATTER_KEY
from dangjian.cobuilding.receivers import matters_follow_targets, may_concern_a_matter
from dangjian.cobuilding.services import matters as services
from dangjian.core.figures import facts
from dangjian.demands.models import Demand, DemandKind

pytestmark = pytest.mark.django_db


def _solved(area_path: str) -> int:
    """The matters solved at `area_path` itself (no dimension), as the store holds them."""
    slot = facts.MEASURE_SLOTS.index(MATTERS.slot("solved"))
    stored = facts.stored(MATTERS, None, None)
    return sum(values[slot] for (_day, path, dim), values in stored.items() if path == area_path and not dim)


def test_a_case_from_a_matter_is_marked_and_its_steps_re_record_the_matter(world, matter):
    category = CaseCategory.objects.filter(is_active=True).first()
    matter, case = services.matter_to_case(actor=world.users.community_worker, matter=matter, category=category)
    case.refresh_from_db()
    assert case.attributes[MATTER_KEY] == str(matter.public_id) and may_concern_a_matter(Case, case)
    assert _solved(matter.area_path) == 0
    Case.objects.filter(pk=case.pk).update(status=sorted(CASE_DONE)[0])
    case.refresh_from_db()
    with CaptureQueriesContext(connection) as ctx:
        matters_follow_targets(sender=Case, obj=case)
    assert len(ctx.captured_queries) > 0 and _solved(matter.area_path) == 1


def test_a_step_of_any_other_case_or_demand_costs_no_query(world):
    category = CaseCategory.objects.filter(is_active=True).first()
    case = case_submit(
        actor=world.users.community_worker,
        channel=Channel.WALK_IN,
        category=category,
        description="楼道堆物",
        area=world.c1,
    )
    with CaptureQueriesContext(connection) as ctx:
        matters_follow_targets(sender=Case, obj=case)
        matters_follow_targets(sender=Demand, obj=Demand(kind=DemandKind.MICRO_WISH))
    assert ctx.captured_queries == []
    assert not may_concern_a_matter(Case, case)
    assert may_concern_a_matter(Case, Case(channel=Channel.LIAISON, attributes={}))
    assert may_concern_a_matter(Demand, Demand(kind=DemandKind.PUBLIC_NEED))
    others = [k for k in DemandKind.values if k != DemandKind.PUBLIC_NEED]
    assert others and not any(may_concern_a_matter(Demand, Demand(kind=k)) for k in others)


def test_every_subject_rebuilds_to_what_the_writers_kept(world, matter, covenant):
    """`facts --rebuild` pages each subject by its cohort field, then finds what the writers wrote."""
    import datetime

    from dangjian.cobuilding.services.covenants import visit_log

    visit_log(
        actor=world.users.community_worker, direction="in", unit=world.unit, area=world.c1,
        visited_on=datetime.date(2025, 3, 4), visitor="单位书记", covenant=covenant,
    )  # fmt: skip
    names = sorted(name for name in facts.SUBJECTS if name.startswith("cobuilding."))
    kept = {name: facts.stored(facts.SUBJECTS[name], None, None) for name in names}
    written = facts.rebuild(names)
    assert set(written) == set(names)
    for name in names:
        assert facts.stored(facts.SUBJECTS[name], None, None) == kept[name], name
