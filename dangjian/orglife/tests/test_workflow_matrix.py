"""The whole (status, step, party) matrix of the record workflow: whoever runs the branch (its
secretary, the community's worker, the system) may take exactly the declared moves; an outsider, a
plain member and another community's worker none, in any status."""

import pytest

from dangjian.core.workflow import TransitionRefused
from dangjian.orglife.models import MeetingRecord, RecordStatus
from dangjian.orglife.workflow import FLOW, Step

pytestmark = pytest.mark.django_db


def test_only_the_declared_moves_are_open_to_the_branch(world, branch, plan):
    record = plan(kind="committee", send_notice=False)
    u = world.users
    for status in RecordStatus.values:
        MeetingRecord.objects.filter(pk=record.pk).update(status=status)
        record.refresh_from_db()
        for step in Step.values:
            declared = FLOW.move(status, step) is not None
            for actor, may in (
                (branch.secretary, declared),
                (u.community_worker, declared),
                (None, declared),
                (branch.member, False),
                (branch.outsider, False),
                (u.community_worker_outsider, False),
            ):
                try:
                    FLOW.check(record, actor=actor, step=step)
                    allowed = True
                except TransitionRefused:
                    allowed = False
                assert allowed is may, (status, step, getattr(actor, "username", "system"))
