"""The case lifecycle: the whole (status, step) matrix generated from the declaration (workflow.CASE_FLOW),
then the rules of each step (dispatch targets, return, callback, merge, route, supervise, extensions,
stale versions, first-contact responsibility)."""

from __future__ import annotations

import datetime
from types import SimpleNamespace

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from dangjian.audit.models import AuditEvent
from dangjian.cases import services, supervision
from dangjian.cases.intake.services import case_submit
from dangjian.cases.models import (
    AssigneeKind,
    Case,
    CaseCategory,
    CaseDepartment,
    CaseLog,
    CasePhoto,
    CaseStatus,
    DutyItem,
    Extension,
    ExtensionStatus,
    LimitUnit,
    Placement,
)
from dangjian.cases.workdays import deadline_after
from dangjian.cases.workflow import CASE_FLOW, Party, Step
from dangjian.conftest import make_user
from dangjian.core.workflow import StaleObject, TransitionRefused, take_step

# A point inside grid g1a (community c1, subdistrict s1) of the `world` fixture.
G1A_POINT = {"lat": 22.205, "lng": 113.505}


def submit(world, *, actor=None, description="小区门口垃圾堆放三天无人清运，气味很大", category="garbage", **kw):
    """A case filed from a resident's phone in g1a, through intake's own service."""
    place = kw.pop("place", G1A_POINT)
    return case_submit(
        actor=actor or world.users.resident,
        channel="phone",
        category=category,
        description=description,
        **place,
        **kw,
    )


def accepted(world, **kw) -> Case:
    case = submit(world, **kw)
    return services.case_accept(actor=world.users.community_worker, case=case, version=case.version)


def fresh(case: Case) -> Case:
    return Case.objects.get(pk=case.pk)


# --- the matrix ---------------------------------------------------------------------------

# The status a case is put in for the matrix, and whether it carries a department assignee then.
WITH_DEPARTMENT = {CaseStatus.DISPATCHED, CaseStatus.HANDLING, CaseStatus.CLOSED, CaseStatus.CALLED_BACK}


@pytest.fixture
def cast(world):
    """One user per party. The owner is a grid worker of the case's own grid: owner and nothing else."""
    u = world.users
    return SimpleNamespace(
        dispatcher=u.community_worker,  # dispatcher only
        chief=u.subdistrict_admin,  # dispatcher and supervisor (the level above the community)
        owner=u.grid_worker,
        receiver=u.department_staff,
        claimant=u.member,
        resident=u.resident,
        outsider=u.community_worker_outsider,
    )


def expected_parties(who: str, status: str) -> set[str]:
    """The parties each cast member plays on a matrix case, written out independently of parties_for."""
    return {
        "dispatcher": {Party.DISPATCHER},
        "chief": {Party.DISPATCHER, Party.SUPERVISOR},
        "owner": {Party.OWNER} if status != CaseStatus.SUBMITTED else set(),
        "receiver": {Party.RECEIVER} if status in WITH_DEPARTMENT else set(),
        "claimant": {Party.CLAIMANT} if status == CaseStatus.PUBLISHED else set(),
        "resident": {Party.RESIDENT},
        "outsider": set(),
        "system": {Party.SYSTEM},
    }[who]


PARTY_CAST = {
    Party.DISPATCHER: "dispatcher",
    Party.SUPERVISOR: "chief",
    Party.OWNER: "owner",
    Party.RECEIVER: "receiver",
    Party.CLAIMANT: "claimant",
    Party.RESIDENT: "resident",
    Party.SYSTEM: "system",
}


def put_in_status(world, cast, status: str) -> Case:
    case = submit(world)
    other = submit(world, description="另一处问题", place={"lat": 22.202, "lng": 113.502}, actor=cast.resident)
    fields: dict = {"status": status}
    if status != CaseStatus.SUBMITTED:
        fields.update(
            owner=cast.owner, accepted_at=timezone.now(), deadline=timezone.now() + datetime.timedelta(days=3)
        )
    if status in WITH_DEPARTMENT:
        fields.update(assignee_kind=AssigneeKind.DEPARTMENT, assigned_department=world.dept)
        CaseDepartment.objects.create(case=case, department=world.dept)
    if status in (CaseStatus.CLOSED, CaseStatus.CALLED_BACK, CaseStatus.ARCHIVED):
        fields.update(result="已清运", closed_at=timezone.now())
    if status == CaseStatus.MERGED:
        fields.update(merged_into=other)
    if status == CaseStatus.REJECTED:
        fields.update(reject_reason="不属于受理范围")
    Case.objects.filter(pk=case.pk).update(**fields)
    Case.objects.filter(pk=other.pk).update(status=CaseStatus.ACCEPTED, owner=cast.dispatcher)
    case = fresh(case)
    case.main_for_merge = fresh(other)
    return case


def run_step(world, step: str, actor, case: Case) -> Case:
    """Take `step` on `case` through its service (the table's own check for the steps other helpers own)."""
    s = services
    calls = {
        Step.ACCEPT: lambda: s.case_accept(actor=actor, case=case),
        Step.REJECT: lambda: s.case_reject(actor=actor, case=case, reason="不属于受理范围"),
        Step.DISPATCH: lambda: s.case_dispatch(actor=actor, case=case, kind="department", department=world.dept),
        Step.PUBLISH: lambda: s.case_publish(actor=actor, case=case),
        Step.CLAIM: lambda: s.case_claim(actor=actor, case=case),
        Step.TAKE: lambda: s.case_take(actor=actor, case=case),
        Step.RECALL: lambda: s.case_recall(actor=actor, case=case),
        Step.RETURN: lambda: s.case_return(actor=actor, case=case, reason="不属于本部门职责"),
        Step.NOTE: lambda: s.case_note(actor=actor, case=case, text="已到现场查看"),
        Step.CLOSE: lambda: s.case_close(actor=actor, case=case, result="已清运完毕"),
        Step.CALLBACK: lambda: s.case_callback(actor=actor, case=case, rating="satisfied"),
        Step.REOPEN: lambda: s.case_callback(actor=actor, case=case, rating="unsatisfied", note="还有垃圾"),
        Step.ARCHIVE: lambda: s.case_archive(actor=actor, case=case),
        Step.MERGE: lambda: s.case_merge(actor=actor, case=case, main=case.main_for_merge),
        Step.ROUTE: lambda: s.case_route(actor=actor, case=case, grid=world.g1b),
        Step.SUPERVISE: lambda: supervision.case_supervise(actor=actor, case=case, note="请三日内办结"),
        Step.EXTEND_ASK: lambda: supervision.extension_ask(
            actor=actor, case=case, amount=2, unit=LimitUnit.WORKDAYS, reason="需协调物业"
        ),
        Step.EXTEND_DECIDE: lambda: supervision.extension_decide(
            actor=actor,
            extension=Extension.objects.create(case=case, requested_by=world.users.nobody, amount=1, reason="等配件"),
            approve=True,
        ),
    }
    if step in calls:
        result = calls[step]()
        return result if isinstance(result, Case) else fresh(case)
    # submit, whistle, report, escalate, warn, overdue: other services; the declaration's check is the engine's.
    return take_step(CASE_FLOW, actor=actor, obj=case, step=step)


def rule_for(status: str, step: str) -> tuple[str, frozenset[str]] | None:
    """The declared move of `step` in `status`: the status it leads to, and who may take it."""
    move = CASE_FLOW.move(status, step)
    if move is not None:
        return move.target or status, move.parties
    # A receiver closing a case it has not signed for signs for it first (case_close): TAKE then CLOSE.
    take = CASE_FLOW.move(status, Step.TAKE)
    if step == Step.CLOSE and take is not None:
        closed, closers = rule_for(take.target, Step.CLOSE) or (None, frozenset())
        if closed is not None:
            return closed, take.parties & closers
    return None


def test_the_matrix_covers_every_declared_move():
    declared = {(source, move.step) for move in CASE_FLOW.moves for source in move.sources}
    assert declared <= {(status, step) for status in CASE_FLOW.states for step in CASE_FLOW.step_choices.values}
    assert set(CASE_FLOW.states) == set(CaseStatus.values)


@pytest.mark.parametrize("status", sorted(CASE_FLOW.states))
def test_it_allows_exactly_the_table_for_every_step_and_party(world, cast, status):
    case = put_in_status(world, cast, status)
    people = {**vars(cast), "system": None}
    for who, user in people.items():
        if user is not None:
            assert CASE_FLOW.parties_for(user, case) == expected_parties(who, status), (who, status)
    failures = []
    for step in CASE_FLOW.step_choices.values:
        rule = rule_for(status, step)
        for who, user in people.items():
            allowed = rule is not None and bool(expected_parties(who, status) & rule[1])
            if rule is not None and who == "system" and not allowed:
                continue  # the system (actor None) passes the party check: CASE_FLOW.system_takes_any_step
            sid = transaction.savepoint()
            try:
                moved = run_step(world, step, user, case)
            except TransitionRefused as exc:
                outcome = ("refused", " ".join(exc.messages))
            except ValidationError as exc:
                outcome = ("invalid", " ".join(exc.messages))
            else:
                outcome = ("ok", moved.status)
            finally:
                transaction.savepoint_rollback(sid)
            if allowed and outcome != ("ok", rule[0]):
                failures.append((status, step, who, "should succeed", outcome))
            if not allowed and outcome[0] != "refused":
                failures.append((status, step, who, "should be refused", outcome))
    assert not failures, "\n".join(map(str, failures))


def test_it_refuses_with_a_message_naming_the_status_and_the_step(world, cast):
    case = put_in_status(world, cast, CaseStatus.ARCHIVED)
    with pytest.raises(TransitionRefused) as exc:
        services.case_dispatch(actor=cast.dispatcher, case=case, kind="department", department=world.dept)
    assert "已归档" in exc.value.messages[0] and "派单" in exc.value.messages[0]
    case = put_in_status(world, cast, CaseStatus.HANDLING)
    with pytest.raises(TransitionRefused) as exc:
        supervision.case_supervise(actor=cast.dispatcher, case=case, note="快")
    assert "上级" in exc.value.messages[0]


# --- the steps ----------------------------------------------------------------------------


def test_it_runs_a_case_from_phone_to_archive_and_logs_every_step(world):
    u = world.users
    case = accepted(world)
    assert case.owner == u.community_worker and case.deadline is not None
    case = services.case_dispatch(
        actor=u.community_worker, case=case, kind="department", department=world.dept, version=case.version
    )
    assert case.status == CaseStatus.DISPATCHED and case.assigned_department == world.dept
    assert CaseDepartment.objects.filter(case=case, department=world.dept).exists()
    case = services.case_take(actor=u.department_staff, case=case, version=case.version)
    photo = SimpleUploadedFile("after.jpg", b"\xff\xd8\xff\xe0jpegdata", content_type="image/jpeg")
    case = services.case_note(actor=u.department_staff, case=case, text="已安排清运车", photos=[photo], public=True)
    case = services.case_close(actor=u.department_staff, case=case, result="垃圾已清运，并增设垃圾桶")
    assert case.status == CaseStatus.CLOSED and case.closed_at is not None
    assert case.owner == u.community_worker  # closing by the receiver does not change the owner
    case = services.case_callback(actor=u.community_worker, case=case, rating="satisfied", note="居民表示满意")
    assert case.status == CaseStatus.CALLED_BACK and case.rating == "satisfied"
    case = services.case_archive(actor=u.community_worker, case=case)
    assert case.status == CaseStatus.ARCHIVED
    steps = list(CaseLog.objects.filter(case=case).exclude(step=Step.SUBMIT).values_list("step", flat=True))
    assert steps == ["accept", "dispatch", "take", "note", "close", "callback", "archive"]
    assert CasePhoto.objects.filter(case=case, stage=CasePhoto.Stage.HANDLING).count() == 1
    assert AuditEvent.objects.filter(object_id=str(case.public_id)).count() >= 7


def test_it_dispatches_to_each_kind_of_receiver_and_refuses_wrong_targets(world):
    u = world.users
    grid_worker_b = make_user("wg1b", "grid_worker", area=world.g1b)
    case = accepted(world)
    with pytest.raises(ValidationError) as exc:
        services.case_dispatch(actor=u.community_worker, case=case, kind="grid", area=world.g3)
    assert "不在本事件所在社区" in exc.value.messages[0]
    with pytest.raises(ValidationError) as exc:
        services.case_dispatch(actor=u.community_worker, case=case, kind="grid", area=world.g1a, user=grid_worker_b)
    assert "不是「婆石第一网格」的网格员" in exc.value.messages[0]
    with pytest.raises(ValidationError) as exc:
        services.case_dispatch(actor=u.community_worker, case=case, kind="member", user=u.resident)
    assert "不是本事件所在社区的党员" in exc.value.messages[0]
    outside = make_user("bm3", None)
    from dangjian.units.models import Department, ResidentUnit

    s2_dept = Department.objects.create(name="吉大街道城管中队", kind="city_management", area=world.s2)
    with pytest.raises(ValidationError) as exc:
        services.case_dispatch(actor=u.community_worker, case=case, kind="department", department=s2_dept)
    assert "服务辖区不含本事件所在地" in exc.value.messages[0]
    far_unit = ResidentUnit.objects.create(name="海虹学校", kind="agency", community=world.c3)
    with pytest.raises(ValidationError) as exc:
        services.case_dispatch(actor=u.community_worker, case=case, kind="unit", unit=far_unit)
    assert "不是本事件所在社区的驻区单位" in exc.value.messages[0]
    assert outside is not None and fresh(case).status == CaseStatus.ACCEPTED

    # Grid, with a named worker: only that worker receives it.
    case = services.case_dispatch(actor=u.community_worker, case=case, kind="grid", area=world.g1a, user=u.grid_worker)
    assert Party.RECEIVER in CASE_FLOW.parties_for(u.grid_worker, case)
    case = services.case_recall(actor=u.community_worker, case=case)
    assert case.assignee_kind == "" and case.assigned_user is None
    # Community: its workers receive it; the one who signs becomes the named handler.
    case = services.case_dispatch(actor=u.community_worker, case=case, kind="community")
    case = services.case_take(actor=u.community_worker_colleague, case=case)
    assert case.assigned_user == u.community_worker_colleague and case.assigned_area == world.c1
    case = services.case_return(actor=u.community_worker_colleague, case=case, reason="需部门执法")
    # A member of the community, then a unit there.
    case = services.case_dispatch(actor=u.community_worker, case=case, kind="member", user=u.member)
    assert Party.RECEIVER in CASE_FLOW.parties_for(u.member, case)
    case = services.case_recall(actor=u.community_worker, case=case)
    case = services.case_dispatch(actor=u.community_worker, case=case, kind="unit", unit=world.unit)
    assert Party.RECEIVER in CASE_FLOW.parties_for(u.unit_contact, case)
    assert case.owner == u.community_worker


def test_a_grid_worker_dispatches_their_own_patrol_report_only_until_it_is_accepted(world):
    u = world.users

    def patrol(actor):
        return case_submit(
            actor=actor, channel="patrol", category="garbage", description="巡查发现垃圾堆放", **G1A_POINT
        )

    own = patrol(u.grid_worker)
    assert own.status == CaseStatus.SUBMITTED and Party.DISPATCHER in CASE_FLOW.parties_for(u.grid_worker, own)
    # Not a resident's report in the same grid, nor a patrol report from a grid worker of another grid.
    assert Party.DISPATCHER not in CASE_FLOW.parties_for(u.grid_worker, submit(world))
    theirs = patrol(u.grid_worker_outsider)
    assert Party.DISPATCHER not in CASE_FLOW.parties_for(u.grid_worker_outsider, theirs)  # not in their grid
    assert Party.DISPATCHER not in CASE_FLOW.parties_for(u.grid_worker, theirs)  # not their report
    # Accepted through the one workflow step: the grid worker owns it and is no longer its dispatcher.
    own = services.case_accept(actor=u.grid_worker, case=own, version=own.version)
    assert (own.status, own.owner) == (CaseStatus.ACCEPTED, u.grid_worker)
    assert CASE_FLOW.parties_for(u.grid_worker, own) == {Party.OWNER, Party.RESIDENT}


def test_it_keeps_the_owner_and_lets_only_owner_or_dispatcher_recall(world):
    u = world.users
    case = accepted(world)
    case = services.case_dispatch(actor=u.community_worker, case=case, kind="department", department=world.dept)
    for stranger in (u.department_staff, u.grid_worker, u.member, u.community_worker_outsider):
        with pytest.raises(TransitionRefused):
            services.case_recall(actor=stranger, case=case)
    case = services.case_recall(actor=u.community_worker_colleague, case=case)  # a dispatcher of the community
    assert case.status == CaseStatus.ACCEPTED and case.owner == u.community_worker
    with pytest.raises(TransitionRefused):
        services.case_dispatch(actor=u.department_staff, case=case, kind="department", department=world.dept)


def test_it_returns_with_a_reason_to_the_owner_and_counts_it(world):
    u = world.users
    case = accepted(world)
    case = services.case_dispatch(actor=u.community_worker, case=case, kind="department", department=world.dept2)
    with pytest.raises(ValidationError):
        services.case_return(actor=u.department_staff_outsider, case=case, reason="  ")
    case = services.case_return(actor=u.department_staff_outsider, case=case, reason="不属于环卫职责，应由城管处理")
    assert case.status == CaseStatus.ACCEPTED and case.return_count == 1 and case.assigned_department is None
    entry = CaseLog.objects.filter(case=case, step=Step.RETURN).get()
    assert "退回给首问负责人 sq1" in entry.note and "不属于环卫职责" in entry.note and not entry.public
    # The department keeps read access to what it was once sent; the owner can send it on.
    assert Case.objects.visible_to(u.department_staff_outsider).filter(pk=case.pk).exists()


def test_it_reopens_on_an_unsatisfied_callback_and_lets_the_resident_rate(world):
    u = world.users
    case = accepted(world)
    case = services.case_dispatch(actor=u.community_worker, case=case, kind="department", department=world.dept)
    case = services.case_close(actor=u.department_staff, case=case, result="已清运")  # signs for it on the way
    assert list(CaseLog.objects.filter(case=case).values_list("step", flat=True))[-2:] == ["take", "close"]
    with pytest.raises(ValidationError):
        services.case_callback(actor=u.resident, case=case, rating="unsatisfied", note="")
    with pytest.raises(ValidationError):
        services.case_callback(actor=u.resident, case=case, rating="great")
    case = services.case_callback(actor=u.resident, case=case, rating="unsatisfied", note="第二天又堆满了")
    assert case.status == CaseStatus.ACCEPTED and case.reopen_count == 1 and case.closed_at is None
    assert case.owner == u.community_worker and case.assignee_kind == ""
    case = services.case_dispatch(actor=u.community_worker, case=case, kind="department", department=world.dept)
    case = services.case_close(actor=u.department_staff, case=case, result="每日清运两次")
    case = services.case_callback(actor=u.resident, case=case, rating="basic")
    assert case.status == CaseStatus.CALLED_BACK and case.rating == "basic"
    with pytest.raises(TransitionRefused):
        services.case_callback(actor=u.member, case=case, rating="satisfied")  # not the reporter


def test_it_refuses_a_callback_from_whoever_handled_the_case(world):
    u = world.users
    # A grid worker's own patrol report, accepted, taken and closed by himself.
    case = case_submit(
        actor=u.grid_worker, channel="patrol", category="garbage", description="巷口垃圾堆积", accept=True, **G1A_POINT
    )
    case = services.case_dispatch(actor=u.grid_worker, case=case, kind="grid", area=world.g1a, user=u.grid_worker)
    case = services.case_take(actor=u.grid_worker, case=case)
    case = services.case_close(actor=u.grid_worker, case=case, result="已清理")
    assert services.handled_by(case, u.grid_worker) and not services.handled_by(case, u.community_worker)
    for rating, note in (("satisfied", ""), ("unsatisfied", "又堆满了")):
        with pytest.raises(TransitionRefused) as exc:
            services.case_callback(actor=u.grid_worker, case=case, rating=rating, note=note)
        assert f"事件 {case.number} 由您办理，不能由您回访" in exc.value.messages[0]
    assert fresh(case).status == CaseStatus.CLOSED
    # The community's dispatcher, who did not handle it, records the callback.
    case = services.case_callback(actor=u.community_worker, case=case, rating="satisfied")
    assert case.status == CaseStatus.CALLED_BACK
    # An owner who took and closed the case themselves is refused too; the level above may call back.
    other = accepted(world)
    other = services.case_dispatch(actor=u.community_worker, case=other, kind="community", area=world.c1)
    other = services.case_take(actor=u.community_worker, case=other)
    other = services.case_close(actor=u.community_worker, case=other, result="已清运")
    with pytest.raises(TransitionRefused):
        services.case_callback(actor=u.community_worker, case=other, rating="basic")
    other = services.case_callback(actor=u.subdistrict_admin, case=other, rating="basic")
    assert other.status == CaseStatus.CALLED_BACK and other.rating == "basic"


def test_it_publishes_for_claim_and_gives_it_to_the_first_claimant(world):
    u = world.users
    case = accepted(world)
    case = services.case_publish(actor=u.community_worker, case=case)
    assert Party.CLAIMANT in CASE_FLOW.parties_for(u.member, case)
    assert Party.CLAIMANT in CASE_FLOW.parties_for(u.unit_contact, case)
    far_member = make_user("dy3", "party_member", home_community=world.c3)
    with pytest.raises(TransitionRefused):
        services.case_claim(actor=far_member, case=case)
    case = services.case_claim(actor=u.unit_contact, case=case)
    assert case.status == CaseStatus.HANDLING and case.assignee_kind == "unit" and case.assigned_unit == world.unit
    with pytest.raises(TransitionRefused) as exc:
        services.case_claim(actor=u.member, case=case)
    assert "已由 dw 认领" in exc.value.messages[0]


def test_it_refuses_a_stale_version_naming_who_changed_it(world):
    u = world.users
    case = accepted(world)
    read = case.version
    services.case_dispatch(actor=u.community_worker_colleague, case=case, kind="department", department=world.dept)
    with pytest.raises(StaleObject) as exc:
        services.case_publish(actor=u.community_worker, case=case, version=read)
    assert "sq1b" in exc.value.messages[0] and "派单" in exc.value.messages[0]
    assert fresh(case).status == CaseStatus.DISPATCHED


def test_it_merges_a_duplicate_into_an_open_main_case_only(world):
    u = world.users
    main = accepted(world)
    dup = submit(world, description="小区门口的垃圾堆了三天了")
    with pytest.raises(ValidationError) as exc:
        services.case_merge(actor=u.community_worker, case=dup, main=dup)
    assert "自己" in exc.value.messages[0]
    far = submit(world, place={"lat": 22.305, "lng": 113.605}, actor=u.resident)  # g3, other subdistrict
    with pytest.raises(ValidationError) as exc:
        services.case_merge(actor=u.community_worker, case=dup, main=far)
    assert "无权查看主事件" in exc.value.messages[0]
    from dangjian.territory import services as territory_services

    other_district = territory_services.area_create(actor=None, level="district", name="金湾区", parent=None)
    Case.objects.filter(pk=far.pk).update(district=other_district)
    with pytest.raises(ValidationError) as exc:
        services.case_merge(actor=u.district_admin, case=dup, main=fresh(far))
    assert "跨区" in exc.value.messages[0]
    done = accepted(world, description="另一处垃圾")
    Case.objects.filter(pk=done.pk).update(status=CaseStatus.CLOSED)
    with pytest.raises(ValidationError) as exc:
        services.case_merge(actor=u.community_worker, case=dup, main=done)
    assert "已办结待回访" in exc.value.messages[0]
    merged_main = accepted(world, description="第三处")
    Case.objects.filter(pk=merged_main.pk).update(status=CaseStatus.MERGED, merged_into=main)
    with pytest.raises(ValidationError) as exc:
        services.case_merge(actor=u.community_worker, case=dup, main=fresh(merged_main))
    assert "已合并到其他事件" in exc.value.messages[0]
    dup = services.case_merge(actor=u.community_worker, case=dup, main=main)
    assert dup.status == CaseStatus.MERGED and dup.merged_into == main
    assert CaseLog.objects.filter(case=main, step=Step.MERGE, note__contains=dup.number).exists()


def test_it_routes_by_hand_and_recomputes_the_place(world):
    u = world.users
    case = accepted(world)
    noise = CaseCategory.objects.get(code="noise")
    item = DutyItem.objects.create(
        subdistrict=world.s1, name="噪音扰民查处", duty_area="enforcement", lead_department=world.dept
    )
    item.categories.add(noise)
    case = services.case_route(actor=u.community_worker, case=case, category=noise, grid=world.g2)
    assert (case.grid, case.community, case.subdistrict) == (world.g2, world.c2, world.s1)
    assert case.area_path == world.g2.path and case.placement == Placement.MANUAL
    assert case.duty_item == item and case.category == noise
    note = CaseLog.objects.filter(case=case, step=Step.ROUTE).get().note
    assert "婆石第一网格 → 茂盛第一网格" in note and "垃圾清运 → 噪音扰民" in note
    # The owner still reaches the case now that it sits in another community.
    from dangjian.cases.selectors import workbench_cases

    assert workbench_cases(u.community_worker).filter(pk=case.pk).exists()
    case = services.case_route(actor=u.subdistrict_admin, case=case, grid=world.g3)  # other subdistrict
    assert case.subdistrict == world.s2 and case.duty_item is None
    with pytest.raises(ValidationError):
        services.case_route(actor=u.subdistrict_admin_outsider, case=case, duty_item=item)  # s1's item, case in s2
    with pytest.raises(ValidationError) as exc:
        services.case_route(actor=u.district_admin, case=case, grid=world.g3)
    assert "没有需要调整" in exc.value.messages[0]


def test_it_supervises_from_the_level_above(world):
    u = world.users
    case = accepted(world)
    with pytest.raises(TransitionRefused):
        supervision.case_supervise(actor=u.community_worker, case=case, note="快办")
    with pytest.raises(TransitionRefused):
        supervision.case_supervise(actor=u.subdistrict_admin_outsider, case=case, note="快办")
    case = supervision.case_supervise(actor=u.subdistrict_admin, case=case, note="群众反映强烈，请两日内办结")
    assert case.supervised
    assert CaseLog.objects.filter(case=case, step=Step.SUPERVISE, note__contains="两日内").exists()


def test_it_moves_the_deadline_on_an_approved_extension_only(world):
    u = world.users
    case = accepted(world)
    case = services.case_dispatch(actor=u.community_worker, case=case, kind="department", department=world.dept)
    before = case.deadline
    ext = supervision.extension_ask(
        actor=u.department_staff, case=case, amount=3, unit=LimitUnit.WORKDAYS, reason="需等待配件"
    )
    assert ext.status == ExtensionStatus.PENDING and ext.old_deadline == before
    with pytest.raises(ValidationError) as exc:
        supervision.extension_ask(actor=u.department_staff, case=case, amount=1, unit=LimitUnit.HOURS, reason="再等等")
    assert "已有待审批" in exc.value.messages[0]
    with pytest.raises(TransitionRefused):
        supervision.extension_decide(actor=u.community_worker, extension=ext, approve=True)
    ext = supervision.extension_decide(actor=u.subdistrict_admin, extension=ext, approve=True, note="同意")
    assert ext.status == ExtensionStatus.APPROVED
    assert fresh(case).deadline == deadline_after(before, 3, LimitUnit.WORKDAYS) == ext.new_deadline
    with pytest.raises(TransitionRefused) as exc:
        supervision.extension_decide(actor=u.subdistrict_admin, extension=ext, approve=False)
    assert "已批准" in exc.value.messages[0]
    moved = fresh(case).deadline
    ext2 = supervision.extension_ask(
        actor=u.department_staff, case=case, amount=5, unit=LimitUnit.HOURS, reason="又下雨"
    )
    ext2 = supervision.extension_decide(actor=u.district_admin, extension=ext2, approve=False, note="请按期办结")
    assert ext2.status == ExtensionStatus.REFUSED and fresh(case).deadline == moved


def test_it_refuses_photos_that_are_not_photos(world):
    u = world.users
    case = accepted(world)
    case = services.case_dispatch(actor=u.community_worker, case=case, kind="department", department=world.dept)
    case = services.case_take(actor=u.department_staff, case=case)
    bad = SimpleUploadedFile("report.exe", b"MZ...", content_type="application/octet-stream")
    with pytest.raises(ValidationError) as exc:
        services.case_note(actor=u.department_staff, case=case, text="进展", photos=[bad])
    assert "不是照片" in exc.value.messages[0]
    assert not CaseLog.objects.filter(case=case, step=Step.NOTE).exists()


def test_it_rejects_with_a_reason_the_resident_reads(world):
    u = world.users
    case = submit(world)
    case = services.case_reject(actor=u.community_worker, case=case, reason="属于民事纠纷，建议通过法律途径解决")
    assert case.status == CaseStatus.REJECTED and "民事纠纷" in case.reject_reason
    assert CaseLog.objects.filter(case=case, step=Step.REJECT, public=True).exists()


def test_every_step_offered_on_the_case_page_has_a_form_and_a_service_taking_its_arguments():
    # The desk dispatches every step the same way: service(actor, case, version, **form.service_kwargs()).
    import inspect

    from django.utils.module_loading import import_string

    from dangjian.cases.workflow import DESK_STEPS

    assert DESK_STEPS, "no step is offered on the case page"
    for step in DESK_STEPS:
        form_class = import_string(CASE_FLOW.steps[step].form)
        assert "service_kwargs" in vars(form_class), step  # its own, not StepForm's empty one
        params = inspect.signature(CASE_FLOW.service(step)).parameters
        assert {"actor", "case", "version"} <= set(params), step
        fields = set(form_class.base_fields) - {"version"}
        assert CASE_FLOW.steps[step].done_message, step
        assert fields, step
