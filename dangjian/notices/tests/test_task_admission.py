"""社区工作事项准入 on notices: a notice that sets community workers work goes out only with a task sent down
through duties (which refuses at sending what is neither on the community duty list in force nor
admitted); publishing refuses it otherwise, with the reason, and nothing is sent."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from dangjian.duties.services import tasks
from dangjian.duties.tests.conftest import admitted, kinds, make_task  # noqa: F401 (fixtures)
from dangjian.notices.models import Notice, NoticeReceipt, NoticeStatus
from dangjian.notices.services import notice_create, notice_publish

pytestmark = pytest.mark.django_db


def _notice(world, **kw):
    return notice_create(
        actor=world.users.district_admin,
        title="关于开展食品安全入户宣传的通知",
        body="请各社区按附件要求入户宣传并填报。",
        audience="community_workers",
        audience_area=world.district,
        **kw,
    )


def test_a_notice_setting_communities_work_without_a_sent_task_is_refused_at_publishing(world):
    notice = _notice(world, carries_task=True)
    with pytest.raises(ValidationError, match="未经准入的事项不得下派到社区"):
        notice_publish(actor=world.users.district_admin, notice=notice)
    notice.refresh_from_db()
    assert notice.status == NoticeStatus.DRAFT and not NoticeReceipt.objects.filter(notice=notice).exists()


def test_an_unadmitted_task_cannot_be_carried_then_admitted_and_sent_it_can(world, make_task, admitted):  # noqa: F811
    unadmitted = make_task()
    with pytest.raises(ValidationError):
        tasks.task_send(actor=world.users.department_staff, task=unadmitted)  # duties refuses it at sending
    notice = _notice(world, task=unadmitted)
    assert notice.carries_task
    with pytest.raises(ValidationError, match="尚未下派"):
        notice_publish(actor=world.users.district_admin, notice=notice)

    task = make_task(admission=admitted)
    tasks.task_send(actor=world.users.department_staff, task=task)
    notice = _notice(world, task=task)
    published = notice_publish(actor=world.users.district_admin, notice=notice)
    assert published.status == NoticeStatus.PUBLISHED and published.task == task


def test_notices_to_others_and_notices_without_work_are_not_held(world):
    plain = _notice(world)
    assert notice_publish(actor=world.users.district_admin, notice=plain).status == NoticeStatus.PUBLISHED
    to_members = notice_create(
        actor=world.users.district_admin,
        title="主题党日安排",
        body="本月主题党日安排如下。",
        audience="members",
        audience_area=world.district,
        carries_task=True,
    )
    assert notice_publish(actor=world.users.district_admin, notice=to_members).status == NoticeStatus.PUBLISHED


def test_a_subdistrict_cannot_carry_a_task_sent_from_above_it(world, make_task, admitted):  # noqa: F811
    task = make_task(admission=admitted)
    tasks.task_send(actor=world.users.department_staff, task=task)
    with pytest.raises(ValidationError) as refused:
        notice_create(
            actor=world.users.subdistrict_admin,
            title="转发",
            body="转发区里的任务",
            audience="community_workers",
            audience_area=world.s1,
            task=task,
        )
    assert "task" in refused.value.message_dict


def test_the_publish_page_names_the_task_and_the_refusal_reaches_the_issuer(world, client):
    notice = _notice(world, carries_task=True)
    client.force_login(world.users.district_admin)
    url = reverse("notices:publish", args=[notice.public_id])
    page = client.get(url).content.decode()
    assert "未关联（发给社区工作者时不能发布）" in page
    response = client.post(url, follow=True)
    assert "未经准入的事项不得下派到社区" in response.content.decode()
    assert Notice.objects.get(pk=notice.pk).status == NoticeStatus.DRAFT
