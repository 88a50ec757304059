"""Joint meetings on the engine, matters raised and where each goes: never lost, routed once."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from dangjian.cases.models import Case, CaseCategory
from dangjian.cobuilding import integrity
from dangjian.cobuilding.models import Matter, MeetingKind, Outcome, Seat, TaskStatus
from dangjian.cobuilding.services import matters as services
from dangjian.cobuilding.services.tasks import task_step
from dangjian.core.integrity import Options
from dangjian.demands.models import Demand
from dangjian.notifications.models import Message

from .conftest import hold

pytestmark = pytest.mark.django_db


def test_a_joint_meeting_runs_on_the_engine_with_a_seat_per_member_unit(world, board, joint):
    m = joint.meeting
    assert m.owner_key == f"cobuilding.joint:{board.pk}" and joint.kind == MeetingKind.JOINT
    names = set(m.attendees.filter(due=True).values_list("name", flat=True))
    assert names == {"张主任", "李科长"}
    assert set(Seat.objects.filter(comeeting=joint).values_list("unit__name", flat=True)) == {
        "拱北口岸中心",
        "拱北海关",
    }
    assert list(m.items.values_list("title", flat=True)) == ["通报共建项目"]
    held = hold(joint, present=1)
    assert held.status == "closed"
    assert Seat.objects.filter(comeeting=joint, attendee__signed_in_at__isnull=False).count() == 1


def test_a_matter_becomes_a_task_for_a_unit_and_is_followed_to_its_end(world, matter):
    due = timezone.localdate() + datetime.timedelta(days=10)
    matter, task = services.matter_to_task(
        actor=world.users.community_worker, matter=matter, unit=world.unit, due_on=due
    )
    assert matter.outcome == Outcome.TASK and matter.target_id == task.public_id
    assert Message.objects.filter(recipient=world.users.unit_contact, event="cobuilding.task.create").exists()
    contact = world.users.unit_contact
    task = task_step(actor=contact, task=task, step="accept")
    task = task_step(actor=contact, task=task, step="report", note="已协调停车位 40 个")
    assert task.report == "已协调停车位 40 个"
    task = task_step(actor=world.users.community_worker, task=task, step="confirm")
    assert task.status == TaskStatus.DONE and task.finished_at is not None
    assert [r.step for r in task.log.order_by("pk")] == ["create", "accept", "report", "confirm"]


def test_a_matter_is_routed_once(world, matter):
    services.matter_close(actor=world.users.community_worker, matter=matter, reason="会上已答复")
    with pytest.raises(ValidationError, match="不能重复转办"):
        services.matter_to_demand(actor=world.users.community_worker, matter=matter)
    with pytest.raises(ValidationError):
        services.matter_close(actor=world.users.community_worker, matter=matter, reason="")


def test_a_matter_becomes_a_case_or_a_demand_through_their_own_services(world, joint):
    worker = world.users.community_worker
    a = services.matter_raise(actor=worker, comeeting=joint, title="路灯损坏", description="口岸广场三盏路灯不亮")
    b = services.matter_raise(actor=worker, comeeting=joint, title="老人助餐点")
    a, case = services.matter_to_case(
        actor=worker, matter=a, category=CaseCategory.objects.filter(is_active=True).first()
    )
    b, demand = services.matter_to_demand(actor=worker, matter=b)
    assert Case.objects.get(public_id=a.target_id) == case and "路灯" in case.description
    assert Demand.objects.get(public_id=b.target_id) == demand and demand.community_id == world.c1.pk
    assert services.target_of(a) == case and services.target_of(b) == demand


def test_an_outsider_cannot_raise_or_route(world, joint, matter):
    with pytest.raises(ValidationError):
        services.matter_raise(actor=world.users.community_worker_outsider, comeeting=joint, title="x")
    with pytest.raises(ValidationError):
        services.matter_close(actor=world.users.community_worker_outsider, matter=matter, reason="x")


def test_a_project_refused_by_microprojects_leaves_the_matter_open(world, matter):
    """microprojects' own rules refuse (an unknown kind); the matter is not routed and can be routed again."""
    with pytest.raises(ValidationError):
        services.matter_to_project(actor=world.users.community_worker, matter=matter, kind="no-such-kind")
    assert Matter.objects.get(pk=matter.pk).outcome == Outcome.OPEN


def test_no_matter_is_lost(world, joint, matter):
    """An open matter past the district's days, or one whose target is gone, is a finding; a routed or
    closed one is not."""
    worker = world.users.community_worker
    later = Options(now=timezone.now() + datetime.timedelta(days=16))
    found = list(integrity.matters_followed(later))
    assert [(f.code, f.pk) for f in found] == [("matter_not_routed", matter.pk)]
    assert not list(integrity.matters_followed(Options(now=timezone.now() + datetime.timedelta(days=14))))
    services.matter_close(actor=worker, matter=matter, reason="会上已答复")
    other = services.matter_raise(actor=worker, comeeting=joint, title="助老")
    services.matter_to_demand(actor=worker, matter=other)
    assert not list(integrity.matters_followed(later))
    Matter.objects.filter(pk=other.pk).update(target_id="00000000-0000-0000-0000-000000000001")
    assert [f.code for f in integrity.matters_followed(later)] == ["matter_target_missing"]
    # Every outcome is one of the five ends, or open: the database refuses anything else.
    assert set(Outcome.values) == {"open", "case", "demand", "project", "task", "closed"}


def test_a_matter_without_a_reason_cannot_be_closed_in_the_database(world, matter):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        Matter.objects.filter(pk=matter.pk).update(outcome=Outcome.CLOSED, reason="")
    with pytest.raises(IntegrityError), transaction.atomic():
        Matter.objects.filter(pk=matter.pk).update(outcome=Outcome.TASK)


def test_the_meeting_owner_check(world, joint):
    assert not list(integrity.meeting_owner(Options()))
    joint.meeting.__class__.objects.filter(pk=joint.meeting_id).update(owner_key="cobuilding.joint:999")
    assert [f.code for f in integrity.meeting_owner(Options())] == ["owner_key"]


def test_a_matter_becomes_a_microproject_proposal(world, matter):
    matter, project = services.matter_to_project(actor=world.users.community_worker, matter=matter, kind="services")
    assert matter.outcome == Outcome.PROJECT and project.public_id == matter.target_id
    assert project.source == "joint" and project.source_ref == str(matter.public_id)
    assert services.target_of(matter) == project
