"""The whole (status, step, party) matrix: the community's worker, the subdistrict's admin, the proposer,
the system, an outsider and a unit contact may take exactly the declared moves, in any status."""

import pytest

from dangjian.core.workflow import TransitionRefused, check_declaration
from dangjian.microprojects.models import Project, Status
from dangjian.microprojects.workflow import PROJECT_FLOW, Party, Step

pytestmark = pytest.mark.django_db


def test_the_declaration_is_sound():
    assert check_declaration(PROJECT_FLOW) == []


def test_only_the_declared_moves_are_open(world, propose):
    u = world.users
    project = propose()
    actors = {
        "worker": (u.community_worker, {Party.COMMUNITY}),
        "subdistrict": (u.subdistrict_admin, {Party.COMMUNITY, Party.SUBDISTRICT}),
        "proposer": (u.resident, {Party.PROPOSER}),
        "system": (None, {Party.COMMUNITY, Party.SUBDISTRICT, Party.PROPOSER}),
        "outsider": (u.community_worker_outsider, set()),
        "outsider_sub": (u.subdistrict_admin_outsider, set()),
        "member": (u.member, set()),
    }
    for status in Status.values:
        Project.objects.filter(pk=project.pk).update(status=status)
        project.refresh_from_db()
        for step in Step.values:
            move = PROJECT_FLOW.move(status, step)
            for name, (actor, parties) in actors.items():
                may = move is not None and (actor is None or bool(move.parties & parties))
                try:
                    PROJECT_FLOW.check(project, actor=actor, step=step)
                    allowed = True
                except TransitionRefused:
                    allowed = False
                assert allowed is may, (status, step, name)
