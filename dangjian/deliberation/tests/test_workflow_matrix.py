"""The whole (status, step, party) matrix of both declarations: the community's worker may take
exactly the declared moves; an outsider and a resident may take none, in any status."""

import pytest

from dangjian.core.workflow import TransitionRefused
from dangjian.deliberation.models import Run, RunStatus, Topic, TopicStatus
from dangjian.deliberation.services import topics
from dangjian.deliberation.workflow import RUN_FLOW, TOPIC_FLOW, RunStep, TopicStep

pytestmark = pytest.mark.django_db

CASES = [
    (RUN_FLOW, Run, RunStatus, RunStep),
    (TOPIC_FLOW, Topic, TopicStatus, TopicStep),
]


@pytest.mark.parametrize(("flow", "model", "statuses", "steps"), CASES, ids=["run", "topic"])
def test_only_the_declared_moves_are_open_to_the_community(world, start_run, flow, model, statuses, steps):
    obj = (
        start_run()
        if model is Run
        else topics.topic_submit(actor=world.users.resident, community=world.c1, title="议题")
    )
    u = world.users
    for status in statuses.values:
        model.objects.filter(pk=obj.pk).update(status=status)
        obj.refresh_from_db()
        for step in steps.values:
            declared = flow.move(status, step) is not None
            for actor, may in (
                (u.community_worker, declared),
                (None, declared),
                (u.community_worker_outsider, False),
                (u.member, False),
            ):
                try:
                    flow.check(obj, actor=actor, step=step)
                    allowed = True
                except TransitionRefused:
                    allowed = False
                assert allowed is may, (status, step, getattr(actor, "username", "system"))
