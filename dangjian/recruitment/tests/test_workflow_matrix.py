"""The whole (stage, step, party) matrix: the branch (its secretary, the community's worker) takes
exactly the branch's declared moves, the higher committee (the subdistrict) exactly its own; an
officer of another branch, a community worker elsewhere and the applicant take none."""

import pytest

from dangjian.core.workflow import TransitionRefused
from dangjian.recruitment.models import Recruit, Stage
from dangjian.recruitment.workflow import RECRUIT_FLOW, Party, Step


def test_only_the_declared_moves_are_open_to_each_party(world, cast, apply):
    r = apply()
    u = world.users
    for status in Stage.values:
        Recruit.objects.filter(pk=r.pk).update(status=status)
        r.refresh_from_db()
        for step in Step.values:
            move = RECRUIT_FLOW.move(status, step)
            branch = move is not None and Party.BRANCH in move.parties
            committee = move is not None and Party.COMMITTEE in move.parties
            for actor, may in (
                (cast.secretary, branch),
                (u.community_worker, branch),
                (u.subdistrict_admin, committee),
                (u.district_admin, committee),
                (None, move is not None),
                (cast.other, False),
                (u.community_worker_outsider, False),
                (u.subdistrict_admin_outsider, False),
                (cast.applicant, False),
            ):
                try:
                    RECRUIT_FLOW.check(r, actor=actor, step=step)
                    allowed = True
                except TransitionRefused:
                    allowed = False
                assert allowed is may, (status, step, getattr(actor, "username", "system"))


@pytest.mark.parametrize("step", [Step.APPROVE, Step.CONVERT_APPROVE])
def test_the_branch_cannot_approve_its_own(world, cast, apply, step):
    r = apply()
    status = Stage.PENDING_APPROVAL if step == Step.APPROVE else Stage.PENDING_CONVERSION
    Recruit.objects.filter(pk=r.pk).update(status=status)
    r.refresh_from_db()
    with pytest.raises(TransitionRefused, match="上级党委"):
        RECRUIT_FLOW.check(r, actor=cast.secretary, step=step)
