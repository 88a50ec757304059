"""The weak-organization workflow: its transition table, its guards, the one open case, the audit."""

import datetime
import itertools

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from dangjian.audit.models import AuditEvent
from dangjian.orgs.models import RectificationStep, WeakCaseLog, WeakCaseStatus, WeakOrgCase
from dangjian.orgs.weak import services
from dangjian.orgs.weak.workflow import FLOW
from dangjian.orgs.weak.workflow import action as step_action

S = WeakCaseStatus
ALL_STATUSES = list(S)


@pytest.mark.parametrize(("status", "action"), list(itertools.product(ALL_STATUSES, sorted(FLOW.steps))), ids=str)
def test_it_allows_exactly_the_steps_of_the_transition_table(world, make_case, status, action):
    case = make_case(world.eb, status)
    # Past the guards: every step done, so only the table decides.
    for step in case.steps.filter(done_at__isnull=True):
        RectificationStep.objects.filter(pk=step.pk).update(done_at=timezone.now(), done_note="已完成")
    transition = step_action(action)
    admin = world.users.subdistrict_admin
    logs = WeakCaseLog.objects.filter(case=case).count()
    if transition.source == status:
        services.weak_case_transition(actor=admin, case=case, action=action, note="说明")
        case.refresh_from_db()
        assert case.status == transition.target
        last = WeakCaseLog.objects.filter(case=case).latest("pk")
        assert (last.from_status, last.to_status, last.actor, last.note) == (status, transition.target, admin, "说明")
    else:
        with pytest.raises(ValidationError, match=f"当前为「{S(status).label}」，不能") as exc:
            services.weak_case_transition(actor=admin, case=case, action=action, note="说明")
        assert f"只有「{S(transition.source).label}」时可以" in exc.value.messages[0]
        case.refresh_from_db()
        assert case.status == status
        assert WeakCaseLog.objects.filter(case=case).count() == logs


def test_the_table_is_the_documented_workflow(db):
    table = {(source, m.target) for m in FLOW.moves for source in m.sources}
    assert table == {
        (S.FLAGGED, S.RECTIFYING),
        (S.RECTIFYING, S.APPLIED),
        (S.APPLIED, S.RECTIFYING),
        (S.APPLIED, S.DELISTED),
    }
    with pytest.raises(ValidationError, match="未知的操作"):
        services.weak_case_transition(actor=None, case=WeakOrgCase(), action="reopen")


def test_it_refuses_a_step_to_roles_that_may_not_take_it(world, make_case):
    u = world.users
    case = make_case(world.eb, S.FLAGGED)
    with pytest.raises(ValidationError, match="社区工作者.*不能批准整改方案.*区级或街道管理员"):
        services.weak_case_transition(actor=u.community_worker, case=case, action="approve_plan")
    for outsider in (u.subdistrict_admin_outsider,):
        with pytest.raises(ValidationError, match="不在您的管辖范围内"):
            services.weak_case_transition(actor=outsider, case=case, action="approve_plan")
    services.weak_case_transition(actor=u.district_admin, case=case, action="approve_plan")
    case = make_case(world.ub, S.APPLIED)
    for action in ("send_back", "delist"):
        with pytest.raises(ValidationError, match="需由区级或街道管理员操作"):
            services.weak_case_transition(actor=u.community_worker, case=case, action=action, note="x")
    with pytest.raises(ValidationError, match="网格员"):
        services.weak_case_transition(actor=u.grid_worker, case=case, action="delist", note="x")


def test_a_community_worker_applies_for_delisting_and_an_admin_sends_it_back_with_a_reason(world, make_case):
    u = world.users
    case = make_case(world.eb, S.RECTIFYING)
    services.weak_step_done(actor=u.community_worker, step=case.steps.get(), note="已完成")
    services.weak_case_transition(actor=u.community_worker_colleague, case=case, action="apply")
    with pytest.raises(ValidationError) as exc:
        services.weak_case_transition(actor=u.subdistrict_admin, case=case, action="send_back", note="  ")
    assert exc.value.message_dict == {"note": ["请填写退回原因。"]}
    services.weak_case_transition(actor=u.subdistrict_admin, case=case, action="send_back", note="台账不全")
    case.refresh_from_db()
    assert case.status == S.RECTIFYING
    assert WeakCaseLog.objects.filter(case=case).latest("pk").note == "台账不全"


def test_delisting_is_refused_while_steps_are_not_done_and_says_which(world, make_case):
    u = world.users
    case = make_case(world.eb, S.RECTIFYING, steps=3)
    first, second, third = case.steps.order_by("pk")
    services.weak_step_done(actor=u.community_worker, step=first, note="已完成")
    with pytest.raises(ValidationError) as exc:
        services.weak_case_transition(actor=u.community_worker, case=case, action="apply")
    assert exc.value.messages == ["还有 2 项整改措施未完成：「整改措施2」、「整改措施3」。全部完成后才能申请摘帽。"]
    # Even a case that reached the application cannot be delisted with an open step.
    services.weak_step_done(actor=u.community_worker, step=second, note="已完成")
    services.weak_step_done(actor=u.community_worker, step=third, note="已完成")
    services.weak_case_transition(actor=u.community_worker, case=case, action="apply")
    RectificationStep.objects.filter(pk=third.pk).update(done_at=None, done_note="")
    with pytest.raises(ValidationError, match="还有 1 项整改措施未完成：「整改措施3」。全部完成后才能批准摘帽"):
        services.weak_case_transition(actor=u.subdistrict_admin, case=case, action="delist", note="同意")
    case.refresh_from_db()
    assert case.status == S.APPLIED and case.delisted_at is None


def test_delisting_records_who_approved_when_and_why(world, make_case):
    case = make_case(world.eb, S.APPLIED)
    with pytest.raises(ValidationError) as exc:
        services.weak_case_transition(actor=world.users.district_admin, case=case, action="delist")
    assert exc.value.message_dict == {"note": ["请填写审批意见。"]}
    with pytest.raises(ValidationError, match="系统不能代为批准"):
        services.weak_case_transition(actor=None, case=case, action="delist", note="同意")
    services.weak_case_transition(actor=world.users.district_admin, case=case, action="delist", note="验收合格")
    case.refresh_from_db()
    assert case.status == S.DELISTED
    assert case.delisted_by == world.users.district_admin and case.delisted_at is not None
    assert case.delisting_note == "验收合格"
    event = AuditEvent.objects.filter(object_id=str(case.public_id)).latest("pk")
    assert event.changes["status"] == [S.APPLIED, S.DELISTED] and event.actor == world.users.district_admin


def test_approving_a_plan_needs_a_step(world, reasons):
    case = services.weak_case_flag(actor=world.users.district_admin, org=world.eb, reasons=[reasons["members_lax"]])
    with pytest.raises(ValidationError, match="请先添加至少一项整改措施"):
        services.weak_case_transition(actor=world.users.district_admin, case=case, action="approve_plan")


def test_an_org_has_at_most_one_open_case_and_can_be_flagged_again_after_delisting(world, make_case, reasons):
    admin = world.users.subdistrict_admin
    make_case(world.eb, S.FLAGGED)
    with pytest.raises(ValidationError, match="已在整顿中（已列入整顿），摘帽前不能重复列入"):
        services.weak_case_flag(actor=admin, org=world.eb, reasons=[reasons["members_lax"]])
    # The database refuses it too, whatever a writer does.
    with pytest.raises(IntegrityError), transaction.atomic():
        WeakOrgCase.objects.create(org=world.eb, status=S.RECTIFYING)
    make_case(world.ub, S.DELISTED)
    again = services.weak_case_flag(actor=admin, org=world.ub, reasons=[reasons["members_lax"]])
    assert again.status == S.FLAGGED
    assert list(WeakOrgCase.objects.filter(org=world.ub).values_list("status", flat=True)) == [S.FLAGGED, S.DELISTED]


def test_the_database_requires_an_approver_for_a_delisted_case(world):
    with pytest.raises(IntegrityError), transaction.atomic():
        WeakOrgCase.objects.create(org=world.eb, status=S.DELISTED, delisted_at=timezone.now())


def test_flagging_needs_a_reason_an_admin_and_an_org_in_scope(world, reasons):
    u = world.users
    with pytest.raises(ValidationError) as exc:
        services.weak_case_flag(actor=u.subdistrict_admin, org=world.eb, reasons=[], other_reason=" ")
    assert exc.value.message_dict == {"reasons": ["请至少选择一项列入原因，或填写其他原因。"]}
    with pytest.raises(ValidationError, match="社区工作者.*不能把组织列为软弱涣散"):
        services.weak_case_flag(actor=u.community_worker, org=world.eb, reasons=[reasons["members_lax"]])
    with pytest.raises(ValidationError, match="不在您的管辖范围内"):
        services.weak_case_flag(actor=u.subdistrict_admin_outsider, org=world.eb, reasons=[reasons["members_lax"]])
    case = services.weak_case_flag(actor=u.subdistrict_admin, org=world.eb, reasons=[], other_reason="换届后班子空缺")
    assert case.other_reason == "换届后班子空缺"
    log = WeakCaseLog.objects.get(case=case)
    assert (log.from_status, log.to_status, log.actor) == ("", S.FLAGGED, u.subdistrict_admin)
    event = AuditEvent.objects.get(object_id=str(case.public_id))
    assert event.action == "create" and event.area_path == world.c1.path


def test_steps_have_a_responsible_person_in_scope_and_a_deadline_not_past(world, make_case):
    u = world.users
    case = make_case(world.eb, S.FLAGGED, steps=0)
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    with pytest.raises(ValidationError, match="不能担任责任人"):
        services.weak_step_add(
            actor=u.subdistrict_admin,
            case=case,
            title="补选",
            deadline=tomorrow,
            responsible=u.community_worker_outsider,
        )
    with pytest.raises(ValidationError, match="不能担任责任人"):  # a grid worker cannot open the case
        services.weak_step_add(
            actor=u.subdistrict_admin, case=case, title="补选", deadline=tomorrow, responsible=u.grid_worker
        )
    with pytest.raises(ValidationError, match="完成时限不能早于今天"):
        services.weak_step_add(
            actor=u.subdistrict_admin,
            case=case,
            title="补选",
            deadline=timezone.localdate() - datetime.timedelta(days=1),
            responsible=u.community_worker,
        )
    with pytest.raises(ValidationError, match="社区工作者.*不能制定整改方案"):
        services.weak_step_add(
            actor=u.community_worker, case=case, title="补选", deadline=tomorrow, responsible=u.community_worker
        )
    step = services.weak_step_add(
        actor=u.subdistrict_admin, case=case, title="补选", deadline=tomorrow, responsible=u.subdistrict_admin_colleague
    )
    services.weak_step_update(actor=u.district_admin, step=step, title="补选委员", responsible=u.community_worker)
    step.refresh_from_db()
    assert (step.title, step.responsible) == ("补选委员", u.community_worker)
    event = AuditEvent.objects.filter(object_type="orgs.rectificationstep").latest("pk")
    assert event.action == "update" and event.changes["title"] == ["补选", "补选委员"]


def test_a_subdistrict_admin_chooses_responsible_people_inside_their_own_territory(world):
    people = {user for user, _label in services.responsible_candidates(world.eb, world.users.subdistrict_admin)}
    u = world.users
    assert people == {
        u.subdistrict_admin,
        u.subdistrict_admin_colleague,
        u.community_worker,
        u.community_worker_colleague,
    }
    everyone = {user for user, _label in services.responsible_candidates(world.eb, u.district_admin)}
    assert everyone == people | {u.district_admin}


def test_only_the_responsible_person_or_an_admin_marks_a_step_done_once(world, make_case):
    u = world.users
    case = make_case(world.eb, S.FLAGGED)
    step = case.steps.get()
    with pytest.raises(ValidationError, match="只有整改方案批准后（整改中）才能标记"):
        services.weak_step_done(actor=u.community_worker, step=step, note="完成")
    services.weak_case_transition(actor=u.subdistrict_admin, case=case, action="approve_plan")
    with pytest.raises(ValidationError, match="只有责任人（sq1）或区级、街道管理员可以标记"):
        services.weak_step_done(actor=u.community_worker_colleague, step=step, note="完成")
    with pytest.raises(ValidationError) as exc:
        services.weak_step_done(actor=u.community_worker, step=step, note=" ")
    assert exc.value.message_dict == {"note": ["请填写完成情况。"]}
    services.weak_step_done(actor=u.community_worker, step=step, note="已补选")
    with pytest.raises(ValidationError, match="已于 .* 标记完成"):
        services.weak_step_done(actor=u.subdistrict_admin, step=step, note="再次")
    step.refresh_from_db()
    assert step.done_by == u.community_worker and step.done_note == "已补选"
    with pytest.raises(ValidationError, match="已完成，不能再修改"):
        services.weak_step_update(actor=u.subdistrict_admin, step=step, title="改")
    with pytest.raises(ValidationError, match="已完成，不能删除"):
        services.weak_step_delete(actor=u.subdistrict_admin, step=step)


def test_steps_are_frozen_once_delisting_is_applied_for(world, make_case):
    u = world.users
    case = make_case(world.eb, S.APPLIED)
    with pytest.raises(ValidationError, match="已申请摘帽」，整改措施不能再增加或修改"):
        services.weak_step_add(
            actor=u.subdistrict_admin,
            case=case,
            title="新措施",
            deadline=timezone.localdate(),
            responsible=u.community_worker,
        )


def test_deleting_a_step_is_audited(world, make_case):
    case = make_case(world.eb, S.FLAGGED, steps=2)
    step = case.steps.first()
    services.weak_step_delete(actor=world.users.subdistrict_admin, step=step)
    assert case.steps.count() == 1
    event = AuditEvent.objects.filter(object_id=str(step.public_id)).latest("pk")
    assert event.action == "delete" and event.changes["title"] == ["整改措施1", None]


def test_progress_notes_are_kept_with_their_author_and_audited(world, make_case):
    case = make_case(world.eb, S.RECTIFYING)
    note = services.weak_note_add(actor=world.users.community_worker, case=case, text="走访党员10户")
    assert note.author == world.users.community_worker
    assert AuditEvent.objects.filter(object_type="orgs.weakcasenote", actor=world.users.community_worker).exists()
    with pytest.raises(ValidationError, match="不在您的管辖范围内"):
        services.weak_note_add(actor=world.users.community_worker_outsider, case=case, text="x")
    with pytest.raises(ValidationError, match="网格员"):
        services.weak_note_add(actor=world.users.grid_worker, case=case, text="x")
