"""Two commanders place the same person at the same moment: one placement stands (real threads, real
connections: on PostgreSQL the person's row lock makes the second wait and find the first placement; on
SQLite the IMMEDIATE transactions serialize the writers the same way)."""

import pytest

from dangjian.core.testing import run_at_once
from dangjian.mobilization import services
from dangjian.mobilization.models import Placement

from .conftest import issue

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_commanders_placing_the_same_person_at_once_leave_one_placement(world, mob):
    callup = issue(world, quotas=[(world.g1a, 2), (world.g1b, 2)])
    call = services.call_answer(actor=mob.near.user, callup=callup, available=True)
    results = run_at_once(
        lambda: services.placement_confirm(actor=world.users.subdistrict_admin, call=call, grid=world.g1a),
        lambda: services.placement_confirm(actor=world.users.subdistrict_admin_colleague, call=call, grid=world.g1b),
    )
    assert sorted(kind for kind, _v in results) == ["error", "ok"], results
    assert Placement.objects.filter(user=mob.near.user, status="active").count() == 1
    callup.quotas.get(area=world.g1a).refresh_from_db()
    assert sum(q.placed for q in callup.quotas.all()) == 1
