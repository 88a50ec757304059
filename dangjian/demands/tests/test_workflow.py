"""The demand lifecycle: the whole (status, step, party) matrix generated from the workflow's declaration
(workflow.DEMAND_FLOW) and DemandStatus, then the rules of each step (reasons, dispatch targets, deadlines,
versions, the log)."""

from __future__ import annotations

import datetime
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from dangjian.audit.models import AuditEvent
from dangjian.conftest import make_user
from dangjian.core.workflow import StaleObject, TransitionRefused, take_step
from dangjian.demands import services
from dangjian.demands.models import AssigneeKind, Demand, DemandLog, DemandPhoto, DemandPolicy, DemandStatus
from dangjian.demands.workflow import DEMAND_FLOW, Party, Step
from dangjian.people.models import Member
from dangjian.volunteering.models import Team

S = DemandStatus


def submit(world, *, actor=None, title="帮忙更换厨房灯泡", **kw) -> Demand:
    kw.setdefault("kind", "family_help")
    return services.demand_submit(actor=actor or world.users.resident, title=title, **kw)


def accepted(world, **kw) -> Demand:
    demand = submit(world, **kw)
    return services.demand_accept(actor=world.users.community_worker, demand=demand, version=demand.version)


def published(world, **kw) -> Demand:
    demand = accepted(world, **kw)
    return services.demand_publish(actor=world.users.community_worker, demand=demand, version=demand.version)


def fresh(demand: Demand) -> Demand:
    return Demand.objects.get(pk=demand.pk)


# --- the matrix ---------------------------------------------------------------------------

# Statuses in which the matrix demand carries an assignee (the member `dy`).
WITH_ASSIGNEE = {S.DISPATCHED, S.TAKEN, S.DONE, S.RATED, S.CLOSED}


@pytest.fixture
def cast(world):
    u = world.users
    return SimpleNamespace(
        worker=u.community_worker,
        requester=u.resident,
        assignee=u.member,  # the assignee in WITH_ASSIGNEE, a claimant when published
        claimant=u.unit_contact,  # a contact of a unit in the demand's community
        outsider=u.community_worker_outsider,
    )


def expected_parties(who: str, status: str) -> set[str]:
    """The parties each cast member plays on a matrix demand, written out independently of parties_for."""
    return {
        "worker": {Party.WORKER},
        "requester": {Party.REQUESTER},
        "assignee": {Party.ASSIGNEE}
        if status in WITH_ASSIGNEE
        else ({Party.CLAIMANT} if status == S.PUBLISHED else set()),
        "claimant": {Party.CLAIMANT} if status == S.PUBLISHED else set(),
        "outsider": set(),
        "system": {Party.SYSTEM},
    }[who]


def put_in_status(world, cast, status: str) -> Demand:
    demand = submit(world)
    fields: dict = {"status": status}
    if status not in (S.SUBMITTED, S.DECLINED):
        fields.update(accepted_by=cast.worker, accepted_at=timezone.now())
    if status in WITH_ASSIGNEE:
        fields.update(assignee_kind=AssigneeKind.MEMBER, assigned_user=cast.assignee, assigned_at=timezone.now())
    if status in (S.DONE, S.RATED, S.CLOSED):
        fields.update(done_note="已更换", hours=Decimal("1.5"), done_at=timezone.now())
    if status == S.RATED:
        fields.update(rating=5, rated_at=timezone.now())
    if status == S.DECLINED:
        fields.update(decline_reason="不属于服务范围")
    Demand.objects.filter(pk=demand.pk).update(**fields)
    return fresh(demand)


def step_arguments(world) -> dict[str, dict]:
    """What each declared step's service is called with in the matrix (besides actor and demand)."""
    return {
        Step.ACCEPT: {},
        Step.DECLINE: {"reason": "不属于服务范围"},
        Step.WITHDRAW: {"note": "居民来电撤回"},
        Step.PUBLISH: {},
        Step.DISPATCH: {"kind": "unit", "unit": world.unit},
        Step.CLAIM: {},
        Step.TAKE: {},
        Step.REFUSE: {"reason": "本周出差"},
        Step.RECALL: {},
        Step.GIVE_UP: {"reason": "需要专业电工"},
        Step.DONE: {"note": "已更换灯泡", "hours": "1.5"},
        Step.RATE: {"rating": 5, "note": "很及时"},
        Step.CLOSE: {},
    }


def run_step(world, step: str, actor, demand: Demand) -> Demand:
    """The declared step's own service; a step without one (submit) goes to the engine, which refuses it."""
    arguments = step_arguments(world)
    if step in DEMAND_FLOW.steps:
        return DEMAND_FLOW.service(step)(actor=actor, demand=demand, **arguments[step])
    return take_step(DEMAND_FLOW, actor=actor, obj=demand, step=step)  # submit: never a transition


def test_every_declared_step_has_matrix_arguments(world):
    assert set(step_arguments(world)) == set(DEMAND_FLOW.steps)


@pytest.mark.parametrize("status", S.values)
def test_it_allows_exactly_the_table_for_every_status_step_and_party(world, cast, status):
    demand = put_in_status(world, cast, status)
    people = {**vars(cast), "system": None}
    for who, user in people.items():
        if user is not None:
            assert DEMAND_FLOW.parties_for(user, demand) == expected_parties(who, status), (who, status)
    failures = []
    for step in Step.values:
        rule = DEMAND_FLOW.move(status, step)
        for who, user in people.items():
            allowed = rule is not None and bool(expected_parties(who, status) & rule.parties)
            sid = transaction.savepoint()
            try:
                moved = run_step(world, step, user, demand)
            except TransitionRefused as exc:
                outcome = ("refused", " ".join(exc.messages))
            except ValidationError as exc:
                outcome = ("invalid", " ".join(exc.messages))
            else:
                logged = DemandLog.objects.filter(demand=demand, step=step, to_status=moved.status).exists()
                outcome = ("ok", moved.status) if logged else ("no log", moved.status)
            finally:
                transaction.savepoint_rollback(sid)
            if allowed and outcome != ("ok", DEMAND_FLOW.target(status, step)):
                failures.append((status, step, who, "should succeed", outcome))
            if not allowed and outcome[0] != "refused":
                failures.append((status, step, who, "should be refused", outcome))
    assert not failures, "\n".join(map(str, failures))
    assert fresh(demand).status == status


def test_it_refuses_with_a_message_naming_the_status_and_the_step(world, cast):
    demand = put_in_status(world, cast, S.RATED)
    with pytest.raises(TransitionRefused) as exc:
        services.demand_publish(actor=cast.worker, demand=demand)
    assert "已评价" in exc.value.messages[0] and "发布认领" in exc.value.messages[0]
    demand = put_in_status(world, cast, S.DONE)
    with pytest.raises(TransitionRefused) as exc:
        services.demand_rate(actor=cast.worker, demand=demand, rating=5)
    assert "点单人" in exc.value.messages[0]


# --- the steps ----------------------------------------------------------------------------


def test_it_runs_a_demand_from_the_phone_to_rated_and_logs_every_step(world):
    u = world.users
    demand = submit(world, estate=world.estate, building=world.building, needed_by=timezone.localdate())
    assert demand.status == S.SUBMITTED and demand.community == world.c1 and demand.requester == u.resident
    assert demand.step_due_at is not None
    demand = services.demand_accept(actor=u.community_worker, demand=demand, version=demand.version)
    assert demand.accepted_by == u.community_worker
    demand = services.demand_dispatch(
        actor=u.community_worker, demand=demand, kind="unit", unit=world.unit, version=demand.version
    )
    assert demand.status == S.DISPATCHED and demand.assigned_unit == world.unit and demand.assigned_user is None
    demand = services.demand_take(actor=u.unit_contact, demand=demand, version=demand.version)
    assert demand.status == S.TAKEN and demand.assigned_user == u.unit_contact  # the contact who does it
    photo = SimpleUploadedFile("after.jpg", b"\xff\xd8\xff\xe0jpegdata", content_type="image/jpeg")
    demand = services.demand_done(
        actor=u.unit_contact, demand=demand, note="已更换灯泡", hours="1.5", photos=[photo], version=demand.version
    )
    assert demand.status == S.DONE and demand.hours == Decimal("1.5") and demand.step_due_at is None
    assert DemandPhoto.objects.filter(demand=demand, stage="done").count() == 1
    demand = services.demand_rate(actor=u.resident, demand=demand, rating=5, note="很及时", version=demand.version)
    assert demand.status == S.RATED and demand.rating == 5 and demand.rated_at is not None
    steps = list(DemandLog.objects.filter(demand=demand).values_list("step", flat=True))
    assert steps == [Step.SUBMIT, Step.ACCEPT, Step.DISPATCH, Step.TAKE, Step.DONE, Step.RATE]
    audited = AuditEvent.objects.filter(object_type="demands.demand", object_id=str(demand.public_id))
    assert audited.count() == 6
    assert DemandLog.objects.get(demand=demand, step=Step.DONE).note == "服务 1.5 小时：已更换灯泡"


def test_it_sets_the_step_deadline_from_the_district_policy_and_clears_it_when_finished(world):
    u = world.users
    DemandPolicy.objects.create(district=world.district, accept_within_hours=2, claim_within_hours=5, do_within_days=3)
    before = timezone.now()
    demand = submit(world)
    assert before + datetime.timedelta(hours=2) <= demand.step_due_at <= timezone.now() + datetime.timedelta(hours=2)
    demand = services.demand_accept(actor=u.community_worker, demand=demand)
    demand = services.demand_publish(actor=u.community_worker, demand=demand)
    assert demand.step_due_at >= before + datetime.timedelta(hours=5)
    assert demand.step_due_at <= timezone.now() + datetime.timedelta(hours=5)
    demand = services.demand_claim(actor=u.member, demand=demand)
    assert demand.step_due_at >= before + datetime.timedelta(days=3)
    demand = services.demand_done(actor=u.member, demand=demand, note="已办", hours=1)
    assert demand.step_due_at is None


def test_it_needs_reasons_for_decline_refuse_give_up_and_a_worker_withdrawal(world):
    u = world.users
    demand = submit(world)
    with pytest.raises(ValidationError) as exc:
        services.demand_decline(actor=u.community_worker, demand=demand, reason="  ")
    assert "原因" in exc.value.messages[0]
    with pytest.raises(ValidationError):
        services.demand_withdraw(actor=u.community_worker, demand=demand, note="")
    services.demand_withdraw(actor=u.resident, demand=demand)  # the requester needs none
    assert fresh(demand).status == S.WITHDRAWN
    demand = accepted(world, title="代购药品")
    demand = services.demand_dispatch(actor=u.community_worker, demand=demand, kind="unit", unit=world.unit)
    with pytest.raises(ValidationError):
        services.demand_refuse(actor=u.unit_contact, demand=demand, reason="")
    demand = services.demand_refuse(actor=u.unit_contact, demand=demand, reason="本周无人手")
    assert demand.status == S.ACCEPTED and demand.assignee_kind == "" and demand.assigned_unit is None
    declined = services.demand_decline(actor=u.community_worker, demand=submit(world), reason="请拨打物业电话")
    assert declined.decline_reason == "请拨打物业电话"
    public = DemandLog.objects.filter(demand=declined, step=Step.DECLINE, public=True).get()
    assert public.note == "请拨打物业电话"  # the resident reads it


def test_it_checks_dispatch_targets_belong_to_the_community(world):
    u = world.users
    demand = accepted(world)
    outsider_member = Member.objects.create(name="王五", home_community=world.c3, org=world.eb3, user=make_user("ww"))
    with pytest.raises(ValidationError) as exc:
        services.demand_dispatch(actor=u.community_worker, demand=demand, kind="member", member=outsider_member)
    assert "不是本社区的党员" in exc.value.messages[0]
    no_account = Member.objects.create(name="赵六", home_community=world.c1, org=world.eb)
    with pytest.raises(ValidationError) as exc:
        services.demand_dispatch(actor=u.community_worker, demand=demand, kind="member", member=no_account)
    assert "尚未开通账号" in exc.value.messages[0]
    far_team = Team.objects.create(name="海虹服务队", area=world.c3, leader=u.member)
    with pytest.raises(ValidationError):
        services.demand_dispatch(actor=u.community_worker, demand=demand, kind="team", team=far_team)
    member = Member.objects.create(name="党员甲", home_community=world.c1, org=world.eb, user=u.member)
    demand = services.demand_dispatch(actor=u.community_worker, demand=demand, kind="member", member=member)
    assert demand.assigned_member == member and demand.assigned_user == u.member
    team = Team.objects.create(name="婆石健康服务队", area=world.c1, leader=u.member, fixed_group="health")
    demand = services.demand_dispatch(actor=u.community_worker, demand=demand, kind="team", team=team)
    assert demand.assigned_team == team and demand.assigned_member is None and demand.assigned_user == u.member
    log = DemandLog.objects.filter(demand=demand, step=Step.DISPATCH).last()
    assert "改派" in log.note and "婆石健康服务队" in log.note


def test_it_lets_a_team_leader_claim_for_the_team(world):
    u = world.users
    leader = make_user("dz", "resident", home_community=world.c3)  # lives elsewhere, leads a team here
    team = Team.objects.create(name="婆石文体服务队", area=world.g1a, leader=leader)
    demand = published(world)
    assert Party.CLAIMANT in DEMAND_FLOW.parties_for(leader, demand)
    with pytest.raises(TransitionRefused):
        services.demand_claim(actor=leader, demand=demand)  # not for themselves
    demand = services.demand_claim(actor=leader, demand=demand, team=team)
    assert demand.status == S.TAKEN and demand.assigned_team == team and demand.assigned_user == leader
    assert Party.ASSIGNEE in DEMAND_FLOW.parties_for(leader, demand)
    assert u.member not in (demand.assigned_user,)


def test_it_refuses_a_stale_version_and_names_who_moved_it(world):
    u = world.users
    demand = accepted(world)
    read = demand.version
    services.demand_publish(actor=u.community_worker_colleague, demand=demand, version=read)
    with pytest.raises(StaleObject) as exc:
        services.demand_dispatch(actor=u.community_worker, demand=demand, kind="unit", unit=world.unit, version=read)
    assert "sq1b" in exc.value.messages[0] and "发布认领" in exc.value.messages[0]


def test_it_validates_the_submission(world):
    u = world.users
    with pytest.raises(ValidationError):
        submit(world, title=" ")
    with pytest.raises(ValidationError) as exc:
        submit(world, needed_by=timezone.localdate() - datetime.timedelta(days=1))
    assert f"应在 {timezone.localdate().isoformat()} 至" in exc.value.messages[0]
    with pytest.raises(ValidationError):
        submit(world, estate=world.estate3)  # another community's estate
    with pytest.raises(ValidationError):
        submit(world, actor=u.unit_contact)  # not a requester's role
    with pytest.raises(ValidationError) as exc:
        submit(world, bank_hours="2")  # no hours in the bank
    assert "余额" in exc.value.messages[0]


def test_it_lets_a_worker_enter_a_demand_for_someone_in_their_scope_only(world):
    u = world.users
    demand = submit(
        world, actor=u.community_worker, community=world.c1, requester_name="李阿姨", requester_phone="13800138000"
    )
    assert demand.requester is None and demand.requester_name == "李阿姨" and demand.community == world.c1
    assert DemandLog.objects.get(demand=demand).note == "社区代录"
    with pytest.raises(ValidationError):
        submit(world, actor=u.community_worker, community=world.c3, requester_name="李阿姨")
    with pytest.raises(ValidationError):
        submit(world, actor=u.community_worker, community=world.c1, requester_name="")
    with pytest.raises(ValidationError):
        submit(world, actor=u.community_worker, community=world.c1, requester_name="李", requester_phone="123")


def test_it_places_the_grid_from_the_building(world):
    world.building.grid = world.g1a
    world.building.save()
    demand = submit(world, building=world.building)
    assert demand.grid == world.g1a and demand.area_path == world.g1a.path and demand.estate == world.estate
