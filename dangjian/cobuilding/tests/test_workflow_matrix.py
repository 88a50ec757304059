"""The whole (status, step, party) matrix of the unit task workflow: the hander's desk and the unit's
contact may take exactly their declared moves; an outsider and another unit's contact none."""

import datetime

import pytest
from django.utils import timezone

from dangjian.cobuilding.models import TaskStatus, UnitTask
from dangjian.cobuilding.services import matters as services
from dangjian.cobuilding.workflow import FLOW, Party, Step
from dangjian.conftest import make_user
from dangjian.core.workflow import TransitionRefused

pytestmark = pytest.mark.django_db


def test_only_the_declared_moves_are_open(world, matter, unit2):
    _m, task = services.matter_to_task(
        actor=world.users.community_worker,
        matter=matter,
        unit=world.unit,
        due_on=timezone.localdate() + datetime.timedelta(days=3),
    )
    u = world.users
    other_contact = make_user("dw2", "unit_contact", unit=unit2)
    for status in TaskStatus.values:
        UnitTask.objects.filter(pk=task.pk).update(status=status)
        task.refresh_from_db()
        for step in Step.values:
            move = FLOW.move(status, step)
            for actor, party in (
                (u.community_worker, Party.HANDER),
                (u.subdistrict_admin, Party.HANDER),
                (u.unit_contact, Party.UNIT),
                (u.community_worker_outsider, None),
                (other_contact, None),
                (u.resident, None),
            ):
                may = move is not None and party in move.parties
                try:
                    FLOW.check(task, actor=actor, step=step)
                    allowed = True
                except TransitionRefused:
                    allowed = False
                assert allowed is may, (status, step, actor.username)
