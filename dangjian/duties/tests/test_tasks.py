"""Tasks sent down: refused (and recorded) without an admitted item or on an item communities may not be
responsible for; admitted, then sent; replies checked by type; the sender sees who has replied; figures."""

import datetime
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from dangjian.core.figures import facts
from dangjian.core.periods import Period
from dangjian.duties.facts import ADMISSIONS, REFUSALS, REPLIES, TASKS
from dangjian.duties.models import SendRefusal, TaskReply
from dangjian.duties.services import admission, lists, tasks
from dangjian.notifications.models import Message

from .conftest import entry

ALL = Period("all", datetime.date(2000, 1, 1), datetime.date(2100, 1, 1))


def test_an_unadmitted_task_is_refused_at_sending_with_the_reason_and_the_attempt_is_kept(world, make_task):
    task = make_task()
    with pytest.raises(ValidationError) as refused:
        tasks.task_send(actor=world.users.department_staff, task=task)
    assert refused.value.messages == [
        "该事项未列入社区工作事项清单，也未经准入审批，不得下派到社区。请先提交准入申请。"
    ]
    task.refresh_from_db()
    assert task.status == "draft" and not TaskReply.objects.exists()
    refusal = SendRefusal.objects.get()
    assert (refusal.actor, refusal.reason, refusal.communities) == (world.users.department_staff, "unadmitted", 3)
    assert facts.total(REFUSALS, world.district.path, ALL)["refused"] == 1
    assert facts.total(TASKS, world.district.path, ALL)["sent"] == 0


def test_an_item_communities_may_not_be_responsible_for_is_refused_naming_it(world, community_list, make_task):
    task = make_task(entry=entry(community_list, "占道经营执法检查"))
    with pytest.raises(ValidationError, match="「占道经营执法检查」属于行政执法事项，社区不得作为责任主体"):
        tasks.task_send(actor=world.users.department_staff, task=task)
    assert SendRefusal.objects.get().reason == "not_for_community"


def test_an_item_of_a_superseded_version_is_refused(world, community_list, make_task):
    cited = entry(community_list, "居家养老服务")
    task = make_task(entry=cited)
    draft = lists.draft_create(actor=None, duty_list=community_list)
    lists.version_enact(actor=None, list_version=draft, effective_on=datetime.date(2020, 1, 1), basis="x")
    with pytest.raises(ValidationError, match="不在现行的社区工作事项清单中"):
        tasks.task_send(actor=world.users.department_staff, task=task)


def test_an_item_in_force_is_sent_and_each_community_gets_a_reply_and_a_message(world, community_list, make_task):
    worker = world.users.community_worker
    task = make_task(entry=entry(community_list, "居家养老服务"))
    tasks.task_send(actor=world.users.department_staff, task=task)
    task.refresh_from_db()
    assert task.status == "sent"
    assert sorted(task.replies.values_list("community__name", flat=True)) == ["婆石社区", "海虹社区", "茂盛社区"]
    assert Message.objects.filter(recipient=worker).count() == 1
    assert facts.total(REPLIES, world.c1.path, ALL)["owed"] == 1


def test_refused_then_admitted_then_sent(world, make_task):
    u = world.users
    task = make_task()
    with pytest.raises(ValidationError):
        tasks.task_send(actor=u.department_staff, task=task)
    req = admission.admission_submit(actor=u.department_staff, title="入户宣传", reason="需要社区协助", money="1500.50")
    assert req.applicant == "香洲区城管局" and req.district == world.district
    with pytest.raises(ValidationError):  # only the district records the decision
        admission.admission_decide(
            actor=u.subdistrict_admin, request=req, step="admit", decision_body="district", decision_basis="x"
        )
    with pytest.raises(ValidationError):  # a refusal needs its reason
        admission.admission_decide(
            actor=u.district_admin,
            request=req,
            step="refuse",
            decision_body="district",
            decision_basis="区政府常务会议",
        )
    admission.admission_decide(
        actor=u.district_admin, request=req, step="admit", decision_body="joint_meeting", decision_basis="联席会议纪要"
    )
    task.admission = req
    task.save(update_fields=["admission"])
    tasks.task_send(actor=u.department_staff, task=task)
    assert task.replies.count() == 3
    m = facts.total(ADMISSIONS, world.district.path, ALL)
    assert (m["submitted"], m["admitted"], m.amount) == (1, 1, 150050)
    assert facts.total(TASKS, world.district.path, ALL)["sent"] == 1
    assert facts.total(REFUSALS, world.district.path, ALL)["refused"] == 1


def test_a_refused_admission_cannot_be_cited(world, make_task):
    u = world.users
    req = admission.admission_submit(actor=u.department_staff, title="入户宣传", reason="x")
    admission.admission_decide(
        actor=u.district_admin,
        request=req,
        step="refuse",
        decision_body="district",
        decision_basis="区政府常务会议",
        note="属部门自身职责",
    )
    task = make_task(admission=req)
    with pytest.raises(ValidationError, match="未经准入审批"):
        tasks.task_send(actor=u.department_staff, task=task)


def test_only_the_sender_sends_and_only_within_its_area(world, admitted, make_task):
    u = world.users
    task = make_task(admission=admitted)
    with pytest.raises(ValidationError):
        tasks.task_send(actor=u.department_staff_outsider, task=task)
    assert not SendRefusal.objects.exists()  # not the sender: no refusal on record
    with pytest.raises(ValidationError, match="本辖区内的社区"):
        tasks.task_create(
            actor=u.subdistrict_admin, title="x", body="", deadline=timezone.localdate(), communities=[world.c3]
        )


def test_replies_are_checked_by_type_and_the_sender_sees_who_replied(world, admitted, make_task):
    u = world.users
    task = make_task(admission=admitted)
    tasks.task_send(actor=u.department_staff, task=task)
    f = {x.label: x.name for x in task.fields.all()}
    reply = task.replies.get(community=world.c1)
    with pytest.raises(ValidationError) as bad:
        tasks.reply_submit(
            actor=u.community_worker,
            reply=reply,
            values={f["入户户数"]: "十二", f["宣传日期"]: "12月1日", f["收集线索"]: "也许"},
        )
    assert bad.value.message_dict == {
        f["入户户数"]: ["「入户户数」须填写数字。"],
        f["宣传日期"]: ["「宣传日期」须填写日期（如 2026-12-31）。"],
        f["收集线索"]: ["「收集线索」请从选项中选择。"],
    }
    with pytest.raises(ValidationError):  # another community's worker
        tasks.reply_submit(
            actor=u.community_worker_outsider,
            reply=reply,
            values={f["入户户数"]: "12", f["宣传日期"]: "2026-12-01", f["收集线索"]: "无"},
        )
    good = {f["入户户数"]: "120", f["宣传日期"]: "2026-12-01", f["收集线索"]: "无"}
    reply = tasks.reply_submit(actor=u.community_worker, reply=reply, values=good)
    assert reply.status == "replied" and reply.values[f["入户户数"][1:]] == "120"
    assert facts.total(REPLIES, world.district.path, ALL)["replied"] == 1
    assert facts.total(REPLIES, world.district.path, ALL)["on_time"] == 1
    # The sender reminds the two that have not replied; then closes, after which no reply is taken.
    assert tasks.task_remind(actor=u.department_staff, task=task) == 2
    assert Message.objects.filter(recipient=u.community_worker_outsider, title__startswith="请尽快填报").count() == 1
    tasks.task_close(actor=u.department_staff, task=task)
    with pytest.raises(ValidationError, match="已结束填报"):
        tasks.reply_submit(actor=u.community_worker_colleague, reply=reply, values=good)


@pytest.mark.skipif(connection.vendor == "sqlite", reason="SQLite serialises writers; the race needs row locks")
@pytest.mark.django_db(transaction=True)
def test_two_workers_replying_at_once_one_wins_and_the_other_is_told(world, admitted, make_task):
    """Two workers of one community submit at once with the version they read: one wins, the other is
    told the reply changed (the row lock and the version), nothing is lost silently."""
    u = world.users
    task = make_task(admission=admitted)
    tasks.task_send(actor=u.department_staff, task=task)
    f = {x.label: x.name for x in task.fields.all()}
    reply = task.replies.get(community=world.c1)
    values = {f["入户户数"]: "1", f["宣传日期"]: "2026-12-01", f["收集线索"]: "无"}
    outcomes = []

    def act(user):
        try:
            tasks.reply_submit(actor=user, reply=reply, values=values, version=reply.version)
            outcomes.append("ok")
        except ValidationError as exc:
            outcomes.append(exc.messages[0])
        finally:
            connection.close()

    threads = [threading.Thread(target=act, args=(w,)) for w in (u.community_worker, u.community_worker_colleague)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert outcomes.count("ok") == 1 and any("请刷新后再操作" in o for o in outcomes)
    assert reply.log.filter(step="reply").count() == 1
