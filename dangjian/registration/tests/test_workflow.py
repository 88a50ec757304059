"""The declared workflow, step by step: every allowed step and every refused one (generated from FLOW)."""

import pytest
from django.core.exceptions import ValidationError

from dangjian.audit.models import AuditEvent
from dangjian.core.workflow import TransitionRefused
from dangjian.people.models import Member
from dangjian.registration import services
from dangjian.registration.models import Registration, RegistrationLog, RegistrationStatus
from dangjian.registration.workflow import FLOW, Party, Step

S = RegistrationStatus
ALL_STEPS = list(Step)
ALL_PARTIES = list(Party)


def put_in_status(reg_world, submit, status):
    """A registration of 张三 at 婆石社区, moved into `status` through the services."""
    worker = reg_world.users.community_worker
    reg = submit(reg_world.people.zhang)
    if status == S.CONFIRMED:
        services.registration_confirm(actor=worker, registration=reg)
    elif status == S.REJECTED:
        services.registration_reject(actor=worker, registration=reg, reason="信息不符")
    elif status == S.WITHDRAWN:
        services.registration_withdraw(actor=None, registration=reg, party=Party.REGISTRANT)
    reg.refresh_from_db()
    assert reg.status == status
    return reg


def actor_for(reg_world, party):
    # The registrant acts through their own account; the community through its worker.
    return reg_world.users.community_worker if party == Party.COMMUNITY else reg_world.users.member


@pytest.mark.parametrize("status", list(S))
@pytest.mark.parametrize("step", ALL_STEPS)
@pytest.mark.parametrize("party", ALL_PARTIES)
def test_it_follows_the_transition_table_for_every_status_step_and_party(reg_world, submit, status, step, party):
    # 王建国 holds the member account: register him (not 张三) when the registrant acts by account.
    reg = put_in_status(reg_world, submit, status)
    if party == Party.REGISTRANT:
        reg.member = reg_world.people.wang
        reg.save(update_fields=["member"])
    actor = actor_for(reg_world, party)
    logs_before = RegistrationLog.objects.filter(registration=reg).count()
    move = FLOW.move(status, step)
    entry = (move.target, move.parties) if move is not None else None
    allowed = entry is not None and party in entry[1]
    if allowed:
        result = services.registration_step(actor=actor, registration=reg, step=step, party=party, note="说明")
        assert result.status == entry[0]
        log = RegistrationLog.objects.filter(registration=reg).order_by("-pk").first()
        assert (log.from_status, log.to_status, log.actor) == (status, entry[0], actor)
        assert RegistrationLog.objects.filter(registration=reg).count() == logs_before + 1
        event = AuditEvent.objects.filter(object_id=str(reg.public_id), action="update").order_by("-pk").first()
        assert event.changes["status"] == [str(S(status).label), str(S(entry[0]).label)]
    else:
        with pytest.raises(TransitionRefused) as refused:
            services.registration_step(actor=actor, registration=reg, step=step, party=party, note="说明")
        message = " ".join(refused.value.messages)
        if entry is None:
            assert "该报到已由" in message and "处理" in message, message
        else:
            assert "不能" in message, message
        reg.refresh_from_db()
        assert reg.status == status
        assert RegistrationLog.objects.filter(registration=reg).count() == logs_before


def test_the_table_is_the_documented_workflow():
    table = {(f, m.step): m.target for m in FLOW.moves for f in m.sources}
    assert table == {
        (S.SUBMITTED, Step.CONFIRM): S.CONFIRMED,
        (S.SUBMITTED, Step.REJECT): S.REJECTED,
        (S.SUBMITTED, Step.WITHDRAW): S.WITHDRAWN,
        (S.CONFIRMED, Step.WITHDRAW): S.WITHDRAWN,
    }
    assert FLOW.move(S.SUBMITTED, Step.CONFIRM).parties == {Party.COMMUNITY}
    assert FLOW.move(S.CONFIRMED, Step.WITHDRAW).parties == {Party.COMMUNITY, Party.REGISTRANT}


def test_it_says_who_decided_first(reg_world, submit):
    reg = submit(reg_world.people.zhang)
    services.registration_confirm(actor=reg_world.users.community_worker, registration=reg)
    with pytest.raises(TransitionRefused, match="该报到已由 sq1 处理（当前状态：已报到），不能再驳回"):
        services.registration_reject(actor=reg_world.users.community_worker_colleague, registration=reg, reason="x")


def test_a_rejection_needs_a_reason_the_registrant_sees(reg_world, submit):
    reg = submit(reg_world.people.zhang)
    with pytest.raises(ValidationError, match="请填写驳回原因"):
        services.registration_reject(actor=reg_world.users.community_worker, registration=reg, reason="  ")
    services.registration_reject(actor=reg_world.users.community_worker, registration=reg, reason="不在本社区居住")
    reg.refresh_from_db()
    assert (reg.status, reg.decision_note, reg.decided_by) == (
        S.REJECTED,
        "不在本社区居住",
        reg_world.users.community_worker,
    )


def test_the_community_withdraws_only_with_a_note(reg_world, submit):
    reg = put_in_status(reg_world, submit, S.CONFIRMED)
    with pytest.raises(ValidationError, match="请填写撤回说明"):
        services.registration_withdraw(actor=reg_world.users.community_worker, registration=reg, party=Party.COMMUNITY)
    services.registration_withdraw(
        actor=reg_world.users.community_worker, registration=reg, party=Party.COMMUNITY, note="已搬离"
    )
    reg.refresh_from_db()
    assert reg.status == S.WITHDRAWN and reg.decision_note == "已搬离"


@pytest.mark.parametrize(
    "who", ["community_worker_outsider", "subdistrict_admin", "district_admin", "member", "unit_contact", "nobody"]
)
def test_only_a_worker_of_the_community_decides(reg_world, submit, who):
    reg = submit(reg_world.people.zhang)
    with pytest.raises(TransitionRefused, match="只有「婆石社区」的社区工作者可以处理该报到"):
        services.registration_confirm(actor=getattr(reg_world.users, who), registration=reg)
    reg.refresh_from_db()
    assert reg.status == S.SUBMITTED


def test_only_the_registrant_withdraws_as_registrant(reg_world, submit):
    reg = submit(reg_world.people.zhang)  # 张三 has no account; world.users.member is 王建国
    with pytest.raises(TransitionRefused, match="只有报到人本人可以撤回"):
        services.registration_withdraw(actor=reg_world.users.member, registration=reg, party=Party.REGISTRANT)


def test_a_unit_contact_withdraws_their_units_registration(reg_world):
    reg = services.registration_submit_unit(
        actor=None, unit=reg_world.unit, community=reg_world.c1, contact_name="刘洋", contact_mobile="13800000006"
    )
    services.registration_withdraw(actor=reg_world.users.unit_contact, registration=reg, party=Party.REGISTRANT)
    reg.refresh_from_db()
    assert reg.status == S.WITHDRAWN


def test_a_duplicate_submission_gets_a_clear_message(reg_world, submit):
    submit(reg_world.people.zhang)
    duplicate = "您已于 .* 向「婆石社区」提交报到（待确认），请勿重复提交"
    with pytest.raises(services.DuplicateRegistration, match=duplicate):
        submit(reg_world.people.zhang)
    with pytest.raises(services.DuplicateRegistration, match="请勿重复提交"):
        submit(reg_world.people.zhang, reg_world.c3)  # one open registration per member, anywhere
    unit = reg_world.unit
    services.registration_submit_unit(
        actor=None, unit=unit, community=reg_world.c1, contact_name="刘洋", contact_mobile="13800000006"
    )
    with pytest.raises(services.DuplicateRegistration, match="「口岸中心党支部」已于 .* 向「婆石社区」提交报到"):
        services.registration_submit_unit(
            actor=None, unit=unit, community=reg_world.c1, contact_name="刘洋", contact_mobile="13800000006"
        )
    assert Registration.objects.count() == 2


def test_a_racing_duplicate_hits_the_constraint_and_gets_the_same_message(reg_world, submit, monkeypatch):
    first = submit(reg_world.people.zhang)
    real = services._open_member_registration
    calls = []

    def stale_then_real(member):
        # The first look happens before the other submission commits; the second after it.
        calls.append(member)
        return None if len(calls) == 1 else real(member)

    monkeypatch.setattr(services, "_open_member_registration", stale_then_real)
    with pytest.raises(services.DuplicateRegistration, match="请勿重复提交"):
        submit(reg_world.people.zhang)
    assert list(Registration.objects.values_list("pk", flat=True)) == [first.pk]


def test_after_rejection_or_withdrawal_a_member_may_register_again(reg_world, submit):
    reg = put_in_status(reg_world, submit, S.REJECTED)
    again = submit(reg_world.people.zhang)
    assert again.pk != reg.pk and again.status == S.SUBMITTED


def test_only_in_service_members_register(reg_world, submit):
    with pytest.raises(ValidationError, match="双报到面向在职党员；您的党员状态为「退休」"):
        submit(reg_world.people.retired)


def test_a_unit_without_a_party_organization_cannot_register(reg_world):
    reg_world.unit.party_org = None
    reg_world.unit.save(update_fields=["party_org"])
    with pytest.raises(ValidationError, match="尚未登记所属党组织"):
        services.registration_submit_unit(
            actor=None, unit=reg_world.unit, community=reg_world.c1, contact_name="刘洋", contact_mobile="13800000006"
        )


def test_confirming_elsewhere_moves_the_members_home_community(reg_world, submit):
    member = reg_world.people.hai  # lives in 海虹社区, registers at 婆石社区
    member.home_estate = reg_world.estate3
    member.save(update_fields=["home_estate"])
    reg = submit(member, reg_world.c1)
    services.registration_confirm(actor=reg_world.users.community_worker, registration=reg)
    member = Member.objects.get(pk=member.pk)
    assert member.home_community == reg_world.c1 and member.home_estate is None
    log = reg.log.order_by("-pk").first()
    assert "居住社区由「海虹社区」更新为「婆石社区」" in log.note
    event = AuditEvent.objects.get(object_id=str(member.public_id), action="update")
    assert event.changes["home_community"] == ["海虹社区", "婆石社区"]


def test_submission_is_logged_and_audited_without_the_id_number(reg_world, submit):
    reg = submit(reg_world.people.zhang)
    log = reg.log.get()
    assert (log.from_status, log.to_status) == ("", S.SUBMITTED)
    event = AuditEvent.objects.get(object_id=str(reg.public_id), action="create")
    assert event.changes["member"] == [None, "张三"] and event.area_path == reg_world.c1.path
    assert reg_world.people.zhang.id_number not in str(event.changes)
