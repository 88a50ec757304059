"""The demo step builds the workforce on a district (here the test world): 60 workers on the ladder, a
draft to compare, a step-up run, a reserve pool and two courses; deterministic for a seed."""

import random

from dangjian.demo import workforce as demo
from dangjian.workforce.models import Course, ReserveCandidate, StepUpProposal, Worker


def test_the_demo_step_builds_the_workforce(world):
    world.users.community_worker.username = "sq_worker"
    world.users.community_worker.save()
    demo.build(random.Random(7), None)
    assert Worker.objects.count() == demo.WORKERS
    assert Worker.objects.filter(post__isnull=True).count() == 0
    assert Worker.objects.filter(user=world.users.community_worker).count() == 1
    assert ReserveCandidate.objects.count() == 3  # the test world has three communities
    assert Course.objects.count() == 2
    assert StepUpProposal.objects.exists()
