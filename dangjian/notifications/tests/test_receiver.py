"""Every workflow step that declares who is told writes exactly one message to each of them, in the
step's own transaction, never to the actor: walked generically over every registered declaration, then
with the real people of each workflow (cases and demands by their whole matrices)."""

from __future__ import annotations

import datetime
import uuid
from collections import Counter
from types import SimpleNamespace

import pytest
from django.db import transaction
from django.utils import timezone

from dangjian.cases.models import CaseStatus
from dangjian.cases.tests.test_workflow import PARTY_CAST, WITH_DEPARTMENT, put_in_status, run_step
from dangjian.cases.tests.test_workflow import cast as cast  # noqa: F401  (the fixture)
from dangjian.cases.workflow import CASE_FLOW, Party, Step
from dangjian.conftest import make_user
from dangjian.core.workflow import REGISTRY
from dangjian.notifications.models import Message
from dangjian.notifications.receivers import step_taken_notify

pytestmark = pytest.mark.django_db

DECLARATIONS = [
    (name, source, step, names)
    for name, flow in sorted(REGISTRY.items())
    for source, step, names in flow.notify_declarations()
]


def test_every_present_workflow_tells_someone():
    assert {"cases.case", "demands.demand", "registration.registration", "orgs.weak_case", "centers.booking"} <= {
        d[0] for d in DECLARATIONS
    }


class Loose(SimpleNamespace):
    """A stand-in whose unnamed attributes are stand-ins too, printed as a short Chinese name: enough for
    any declaration's describe and notice wording (a worker's name, a grade, an allocation's kind)."""

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        return Loose()

    def __str__(self):
        return "示例"


def fake_object(world):
    """Enough of any declared workflow's object for its describe, notice text, url and area hooks."""
    area = Loose(path=world.c1.path, name=world.c1.name, pk=world.c1.pk)
    return Loose(
        pk=1,
        public_id=uuid.uuid4(),
        number="C20260001",
        title="帮忙更换厨房灯泡",
        get_absolute_url=lambda: "/somewhere/",
        area_path=world.c1.path,
        community=area,
        org=Loose(name="中珠新村小区党支部", area=area),
        room=Loose(name="议事厅", center=Loose(area=area)),
        start=timezone.now(),
    )


@pytest.mark.parametrize(("flow_name", "source", "step", "names"), DECLARATIONS, ids=lambda v: str(v))
def test_each_declared_step_writes_one_message_per_person_in_its_transaction(
    world, monkeypatch, flow_name, source, step, names
):
    flow = REGISTRY[flow_name]
    people = [make_user(f"n{i}") for i in range(len(names) + 1)]
    actor = world.users.community_worker
    # Each name means two people, overlapping the next name's, and the actor: one message each, none to the actor.
    monkeypatch.setattr(
        flow, "recipients", lambda obj, name, who: [people[names.index(name)], people[names.index(name) + 1], who]
    )
    obj = fake_object(world)
    kwargs = {"sender": flow.model, "workflow": flow, "actor": actor, "obj": obj, "step": step}

    def step_then_fail():
        with transaction.atomic():
            step_taken_notify(**kwargs, from_status=source, to_status=source, note="", changes={})
            assert Message.objects.count() == len(people)
            raise RuntimeError("the step failed after its receivers ran")

    with pytest.raises(RuntimeError):
        step_then_fail()
    assert not Message.objects.exists()  # the messages went with the step
    step_taken_notify(**kwargs, from_status=source, to_status=source, note="说明", changes={})
    counts = Counter(Message.objects.values_list("recipient_id", flat=True))
    assert counts == Counter({p.pk: 1 for p in people})
    assert set(Message.objects.values_list("event", "object_key")) == {(f"{flow_name}.{step}", flow.object_key(obj))}


# --- cases: the whole matrix with its real people ---------------------------------------------------


def case_expected(world, cast, name: str, source: str, step: str) -> set:
    u = world.users
    owner = {cast.owner} if source != CaseStatus.SUBMITTED else set()
    department = {u.department_staff} if source in WITH_DEPARTMENT or step == Step.DISPATCH else set()
    return {
        "resident": {u.resident},
        "owner": owner,
        "receiver": department,
        "desk": owner or {u.community_worker, u.community_worker_colleague},
        "supervisors": {u.district_admin, u.subdistrict_admin, u.subdistrict_admin_colleague},
        "summoned": set(),  # the engine alone summons no department: see the whistle test
    }[name]


CASE_DECLARATIONS = CASE_FLOW.notify_declarations()


@pytest.mark.parametrize(("source", "step", "names"), CASE_DECLARATIONS, ids=lambda v: str(v))
def test_a_case_step_tells_exactly_its_people(world, cast, source, step, names):  # noqa: F811
    case = put_in_status(world, cast, source)
    move = CASE_FLOW.move(source, step)
    takers = [None if p == Party.SYSTEM else getattr(cast, PARTY_CAST[p]) for p in sorted(move.parties)]
    takers = [a for a in takers if CASE_FLOW.parties_for(a, case) & move.parties]
    if not takers:  # a department reports on a case it does not hold only once a whistle summoned it
        pytest.skip("taken through another service (see the whistle test)")
    actor = takers[0]
    Message.objects.all().delete()
    run_step(world, step, actor, case)
    expected = set().union(*(case_expected(world, cast, n, source, step) for n in names)) - {actor}
    got = Counter(Message.objects.filter(event=f"cases.case.{step}").values_list("recipient_id", flat=True))
    assert got == Counter({p.pk: 1 for p in expected}), (source, step)


def test_a_whistle_tells_the_staff_of_each_called_department(world):
    from dangjian.cases.tests.test_workflow import accepted
    from dangjian.cases.whistle.services import whistle_blow

    u = world.users
    case = accepted(world)
    whistle_blow(
        actor=u.community_worker,
        case=case,
        departments=[world.dept, world.dept2],
        report_by=timezone.now() + datetime.timedelta(hours=4),
        reason="占道经营需多部门联合执法",
    )
    told = set(Message.objects.filter(event="cases.case.whistle").values_list("recipient_id", flat=True))
    assert told == {u.department_staff.pk, u.department_staff_outsider.pk}
    message = Message.objects.get(recipient=u.department_staff, event="cases.case.whistle")
    assert case.number in message.title and message.url == case.get_absolute_url()


def test_the_resident_is_linked_to_their_own_case_page(world, cast):  # noqa: F811
    case = put_in_status(world, cast, CaseStatus.SUBMITTED)
    run_step(world, Step.ACCEPT, world.users.community_worker, case)
    message = Message.objects.get(recipient=world.users.resident)
    assert message.url == f"/cases/mine/{case.public_id}/"
    assert message.title == f"事件 {case.number}：受理"
