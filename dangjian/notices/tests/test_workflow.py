"""The declared workflow, generated from FLOW: every (status, step) for the issuer, and a colleague of
another node refused whatever the state."""

import pytest
from django.core.exceptions import ValidationError

from dangjian.audit.models import AuditEvent
from dangjian.core.workflow import check_declaration
from dangjian.notices import services
from dangjian.notices.models import NoticeLog, NoticeStatus
from dangjian.notices.workflow import FLOW, Step

pytestmark = pytest.mark.django_db
S = NoticeStatus


def put_in_status(world, draft, status):
    worker = world.users.community_worker
    if status == S.PUBLISHED:
        services.notice_publish(actor=worker, notice=draft)
    elif status == S.WITHDRAWN:
        services.notice_withdraw(actor=worker, notice=draft, note="不再需要")
    draft.refresh_from_db()
    assert draft.status == status
    return draft


def take(step, actor, notice):
    if step == Step.PUBLISH:
        return services.notice_publish(actor=actor, notice=notice)
    return services.notice_withdraw(actor=actor, notice=notice, note="撤回说明")


def test_the_declaration_is_complete():
    assert check_declaration(FLOW) == []


@pytest.mark.parametrize("status", list(S))
@pytest.mark.parametrize("step", list(Step))
def test_the_issuer_follows_the_transition_table(world, members, draft, status, step):
    notice = put_in_status(world, draft, status)
    logs = NoticeLog.objects.filter(notice=notice).count()
    target = FLOW.target(status, step)
    if target is None:
        with pytest.raises(ValidationError):
            take(step, world.users.subdistrict_admin, notice)  # a desk above the issuer may act, not here
        assert NoticeLog.objects.filter(notice=notice).count() == logs
        return
    result = take(step, world.users.subdistrict_admin, notice)
    assert result.status == target
    log = NoticeLog.objects.filter(notice=notice).order_by("-pk").first()
    assert (log.from_status, log.to_status, log.actor) == (status, target, world.users.subdistrict_admin)
    event = AuditEvent.objects.filter(object_id=str(notice.public_id), action="update").order_by("-pk").first()
    assert event.changes["status"] == [str(S(status).label), str(S(target).label)]


@pytest.mark.parametrize("who", ["community_worker_outsider", "subdistrict_admin_outsider", "member"])
def test_nobody_outside_the_issuing_node_takes_a_step(world, members, draft, who):
    for step in Step:
        with pytest.raises(ValidationError, match="不能对通知"):
            take(step, getattr(world.users, who), draft)
    draft.refresh_from_db()
    assert draft.status == S.DRAFT
