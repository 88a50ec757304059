"""Every page: the owner and a colleague in scope see it, an outsider gets 404; lists cost a bounded number
of queries however many rows; the pages drive the services (refusal shown with its reason)."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from dangjian.duties.models import AdmissionRequest, DownTask, ListKind
from dangjian.duties.services import admission, lists, tasks


@pytest.fixture
def setup(world, community_list, admitted, make_task):
    u = world.users
    street = lists.list_create(actor=u.subdistrict_admin, owner=world.s1, kind=ListKind.SUBDISTRICT_DUTIES)
    task = make_task(admission=admitted, communities=[world.c1, world.c2])
    tasks.task_send(actor=u.department_staff, task=task)
    reply = task.replies.get(community=world.c1)
    return street, task, reply


def test_pages_are_scoped(world, setup, community_list, admitted, assert_scoped):
    street, task, reply = setup
    u = world.users
    v1 = community_list.versions.get()
    draft = street.versions.get()
    assert_scoped(
        reverse("duties:list", args=[street.public_id]),
        owner=u.subdistrict_admin,
        colleague=u.community_worker,
        outsider=u.subdistrict_admin_outsider,
    )
    for url in (
        reverse("duties:version", args=[draft.public_id]),
        reverse("duties:version_pdf", args=[draft.public_id]),
    ):
        assert_scoped(url, owner=u.subdistrict_admin, colleague=u.district_admin, outsider=u.subdistrict_admin_outsider)
    assert_scoped(
        reverse("duties:list", args=[community_list.public_id]),
        owner=u.district_admin,
        colleague=u.community_worker,
        outsider=u.resident,
    )
    assert_scoped(
        reverse("duties:version", args=[v1.public_id]),
        owner=u.district_admin,
        colleague=u.department_staff,
        outsider=u.unit_contact,
    )
    e = draft.entries.create(name="x", kind=v1.entries.first().kind)
    assert_scoped(
        reverse("duties:entry_edit", args=[e.public_id]),
        owner=u.subdistrict_admin,
        colleague=u.subdistrict_admin_colleague,
        outsider=u.subdistrict_admin_outsider,
    )
    assert_scoped(
        reverse("duties:admission", args=[admitted.public_id]),
        owner=u.department_staff,
        colleague=u.district_admin,
        outsider=u.department_staff_outsider,
    )
    assert_scoped(
        reverse("duties:task", args=[task.public_id]),
        owner=u.department_staff,
        colleague=u.subdistrict_admin,
        outsider=u.department_staff_outsider,
    )
    assert_scoped(
        reverse("duties:task", args=[task.public_id]), owner=u.district_admin, outsider=u.subdistrict_admin_outsider
    )
    assert_scoped(
        reverse("duties:reply", args=[reply.public_id]),
        owner=u.community_worker,
        colleague=u.community_worker_colleague,
        outsider=u.community_worker_outsider,
    )
    # Posts out of scope are 404 as well.
    for user, url in (
        (u.department_staff_outsider, reverse("duties:task_act", args=[task.public_id, "close"])),
        (u.subdistrict_admin_outsider, reverse("duties:draft_new", args=[street.public_id])),
        (u.subdistrict_admin_outsider, reverse("duties:version_enact", args=[draft.public_id])),
        (u.community_worker_outsider, reverse("duties:reply", args=[reply.public_id])),
        (u.subdistrict_admin_outsider, reverse("duties:admission_decide", args=[admitted.public_id, "admit"])),
    ):
        from django.test import Client

        c = Client()
        c.force_login(user)
        assert c.post(url).status_code == 404, (user.username, url)


def test_lists_show_only_what_is_in_scope(world, setup, login):
    u = world.users
    for user, name in (
        (u.district_admin, "duties:home"),
        (u.department_staff, "duties:admissions"),
        (u.department_staff, "duties:tasks"),
        (u.community_worker, "duties:inbox"),
        (u.subdistrict_admin, "duties:tasks"),
    ):
        assert login(user).get(reverse(name)).status_code == 200, (user.username, name)
    assert "入户宣传情况" not in login(u.department_staff_outsider).get(reverse("duties:tasks")).content.decode()
    assert "入户宣传情况" not in login(u.community_worker_outsider).get(reverse("duties:inbox")).content.decode()
    assert "入户宣传情况" in login(u.community_worker).get(reverse("duties:inbox")).content.decode()
    assert login(u.resident).get(reverse("duties:home")).status_code == 404
    assert login(u.community_worker).get(reverse("duties:tasks")).status_code == 404
    # A community worker reads the lists; their tabs lead to the community's tasks, not the senders' page.
    home = login(u.community_worker).get(reverse("duties:home")).content.decode()
    assert reverse("duties:tasks") not in home and reverse("duties:inbox") in home


def test_list_pages_cost_a_bounded_number_of_queries(
    world, setup, admitted, make_task, login, django_assert_max_num_queries
):
    u = world.users
    client = login(u.department_staff)
    pages = (reverse("duties:tasks"), reverse("duties:admissions"), reverse("duties:home"))
    counts = {}
    for url in pages:
        with django_assert_max_num_queries(30) as ctx:
            assert client.get(url).status_code == 200
        counts[url] = len(ctx.captured_queries)
    for i in range(6):
        t = make_task(admission=admitted, title=f"任务{i}")
        tasks.task_send(actor=u.department_staff, task=t)
        admission.admission_submit(actor=u.department_staff, title=f"申请{i}", reason="x")
    for url in pages:
        with django_assert_max_num_queries(counts[url]):
            assert client.get(url).status_code == 200
    worker = login(u.community_worker)
    with django_assert_max_num_queries(25) as ctx:
        worker.get(reverse("duties:inbox"))
    few = len(ctx.captured_queries)
    for i in range(4):
        t = make_task(admission=admitted, title=f"再任务{i}")
        tasks.task_send(actor=u.department_staff, task=t)
    with django_assert_max_num_queries(few):
        assert worker.get(reverse("duties:inbox")).status_code == 200


def test_the_sender_is_refused_on_the_page_then_the_district_admits_and_the_task_goes(world, community_list, login):
    u = world.users
    client = login(u.department_staff)
    data = {
        "title": "门前三包排查",
        "body": "",
        "deadline": (timezone.localdate() + datetime.timedelta(days=3)).isoformat(),
        "communities": [str(world.c1.public_id), str(world.c2.public_id)],
        "label_1": "排查户数",
        "kind_1": "number",
        "required_1": "on",
    }
    response = client.post(reverse("duties:task_new"), data)
    task = DownTask.objects.get()
    assert response.status_code == 302 and task.fields.get().label == "排查户数"
    response = client.post(
        reverse("duties:task_act", args=[task.public_id, "send"]), {"version": task.version}, follow=True
    )
    assert "也未经准入审批，不得下派到社区" in response.content.decode()
    assert "下派被拒绝" in response.content.decode()
    response = client.post(
        reverse("duties:admission_new"),
        {"title": "门前三包排查", "reason": "需社区协助排查", "entry": "", "money": "5000", "people": "0"},
    )
    req = AdmissionRequest.objects.get()
    assert response.status_code == 302 and req.money == 5000
    admin = login(u.district_admin)
    response = admin.post(
        reverse("duties:admission_decide", args=[req.public_id, "admit"]),
        {
            "admit-decided_on": timezone.localdate().isoformat(),
            "admit-decision_body": "joint_meeting",
            "admit-decision_basis": "联席会议纪要",
            "version": req.version,
        },
        follow=True,
    )
    req.refresh_from_db()
    assert req.status == "admitted" and "已准予准入" in response.content.decode()
    # Put into the next draft of the community list.
    kind = community_list.versions.get().entries.first().kind
    admin.post(
        reverse("duties:admission_to_draft", args=[req.public_id]),
        {"duty_list": str(community_list.public_id), "kind": kind.pk},
    )
    req.refresh_from_db()
    assert req.added_entry.list_version.number == 2 and req.added_entry.list_version.entry_count == 4
    client = login(u.department_staff)
    client.post(
        reverse("duties:task_act", args=[task.public_id, "cite"]), {"entry": "", "admission": str(req.public_id)}
    )
    task.refresh_from_db()
    assert task.admission == req
    client.post(reverse("duties:task_act", args=[task.public_id, "send"]), {"version": task.version})
    task.refresh_from_db()
    assert task.status == "sent" and task.replies.count() == 2
    page = client.get(reverse("duties:task", args=[task.public_id])).content.decode()
    assert "0/2" in page
