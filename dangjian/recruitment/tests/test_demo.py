"""The demo district's pipeline: someone in every stage, every interval kept (the integrity checks pass)."""

from dangjian.core import integrity
from dangjian.recruitment.models import Recruit, Stage


def test_the_demo_has_someone_in_every_stage(demo):
    stages = set(Recruit.objects.values_list("status", flat=True))
    assert stages == set(Stage.values)
    assert Recruit.objects.filter(status=Stage.FULL, member__category="full").exists()
    results = integrity.run(["recruitment.member_record", "recruitment.dates", "workflow.recruitment.recruit"])
    assert [(r.check.name, r.count, r.error) for r in results if not r.ok] == []


def test_the_demo_step_alone_fills_every_stage_of_a_branch(world, cast):
    import random

    from dangjian.demo import recruitment as demo_step

    demo_step.build(random.Random(7), None)
    assert set(Recruit.objects.filter(org=world.eb).values_list("status", flat=True)) == set(Stage.values)
    results = integrity.run(["recruitment.member_record", "recruitment.dates"])
    assert [(r.check.name, r.count, r.error) for r in results if not r.ok] == []
