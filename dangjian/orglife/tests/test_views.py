"""Every page: scope (owner, colleague in scope, outsider 404), what it shows, list query counts, the
idempotent writes a phone could retry, the yearly register, the export."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from dangjian.meetings.services import sign_in
from dangjian.orglife.models import MeetingRecord
from dangjian.orglife.services import compliance, guidance, records

pytestmark = pytest.mark.django_db
REPLAYED = "这次提交已处理，未重复提交。"


@pytest.fixture
def held(world, branch, plan):
    record = plan(kind="committee", topic="研究发展党员工作")
    sign_in(actor=branch.secretary, meeting=record.meeting, attendee=record.meeting.attendees.first())
    return records.record_hold(actor=branch.secretary, record=record)


def test_branch_and_record_pages_are_scoped(world, branch, held, assert_scoped):
    u = world.users
    url = reverse("orglife:branch", args=[world.eb.public_id])
    assert_scoped(url, owner=branch.secretary, colleague=u.community_worker, outsider=u.community_worker_outsider)
    assert_scoped(url, owner=u.subdistrict_admin, outsider=branch.outsider, expect_text="中珠新村小区党支部")
    url = reverse("orglife:record", args=[held.public_id])
    assert_scoped(
        url,
        owner=branch.secretary,
        colleague=u.community_worker,
        outsider=branch.outsider,
        expect_text="研究发展党员工作",
    )
    url = reverse("orglife:plan", args=[world.eb.public_id])
    assert_scoped(url, owner=branch.officer, colleague=u.community_worker, outsider=u.community_worker_outsider)
    url = reverse("orglife:register", args=[world.eb.public_id, timezone.localdate().year])
    assert_scoped(url, owner=branch.secretary, colleague=u.community_worker, outsider=branch.outsider)
    photo = held.files.create(kind="attachment", file="orglife/x.pdf", name="x.pdf")
    url = reverse("orglife:record_file", args=[held.public_id, photo.pk])
    for user in (branch.outsider, u.community_worker_outsider):
        assert_scoped(url, owner=None, outsider=user)


def test_a_plain_member_sees_no_branch(world, branch, login):
    client = login(branch.member)
    page = client.get(reverse("orglife:home")).content.decode()
    assert 'data-testid="no-branches"' in page
    assert client.get(reverse("orglife:branch", args=[world.eb.public_id])).status_code == 404
    assert client.get(reverse("orglife:behind")).status_code == 404
    assert client.get(reverse("orglife:figures")).status_code == 404


def test_the_branches_behind_are_the_community_committees_own(world, branch, login):
    compliance.obligations_scan(today=timezone.localdate(), tell=False)
    page = login(world.users.community_worker).get(reverse("orglife:behind")).content.decode()
    assert "中珠新村小区党支部" in page and "海虹花园小区党支部" not in page
    page = login(world.users.community_worker_outsider).get(reverse("orglife:behind") + "?kind=committee").content
    assert "海虹花园小区党支部" in page.decode() and "中珠新村小区党支部" not in page.decode()


def test_lists_cost_a_bounded_number_of_queries(world, branch, plan, count_queries):
    compliance.obligations_scan(today=timezone.localdate(), tell=False)
    for i in range(3):
        plan(kind="committee", topic=f"第{i}次", send_notice=False)
    home = count_queries(branch.secretary, reverse("orglife:home"))
    behind = count_queries(world.users.community_worker, reverse("orglife:behind"))
    branch_page = count_queries(branch.secretary, reverse("orglife:branch", args=[world.eb.public_id]))
    for i in range(3, 15):
        plan(kind="committee", topic=f"第{i}次", send_notice=False)
    assert count_queries(branch.secretary, reverse("orglife:home")) == home
    assert count_queries(world.users.community_worker, reverse("orglife:behind")) == behind
    assert count_queries(branch.secretary, reverse("orglife:branch", args=[world.eb.public_id])) == branch_page
    assert branch_page <= 20


def test_planning_on_the_phone_is_idempotent(world, branch, login):
    client = login(branch.secretary)
    url = reverse("orglife:plan", args=[world.eb.public_id])
    form = client.get(url).content.decode()
    assert 'name="idempotency_key"' in form
    when = timezone.localdate() + datetime.timedelta(days=2)
    data = {
        "kind": "committee",
        "topic": "研究季度工作",
        "day": when.isoformat(),
        "time": "19:30",
        "place": "党群服务中心",
        "send_notice": "on",
        "idempotency_key": "plan-key-1",
    }
    first = client.post(url, data)
    retry = client.post(url, data)
    assert first.status_code == 302
    assert first["Location"] == retry["Location"]
    assert retry["Idempotent-Replayed"] == "true"
    assert MeetingRecord.objects.filter(topic="研究季度工作").count() == 1
    bad = client.post(url, {**data, "topic": "", "idempotency_key": "plan-key-2"})
    assert bad.status_code == 200 and 'class="errorlist' in bad.content.decode()


def test_the_hold_step_from_the_page(world, branch, plan, login):
    record = plan(kind="committee")
    client = login(branch.secretary)
    url = reverse("orglife:record_step", args=[record.public_id])
    response = client.post(url, {"step": "hold", "version": record.version}, follow=True)
    assert "还没有人签到" in response.content.decode()
    sign_in(actor=branch.secretary, meeting=record.meeting, attendee=record.meeting.attendees.first())
    response = client.post(url, {"step": "hold", "version": record.version}, follow=True)
    assert "已登记召开" in response.content.decode()
    assert client.post(url, {"step": "nonsense"}).status_code == 404


def test_the_register_prints_the_year(world, branch, held, login):
    response = login(branch.secretary).get(reverse("orglife:register", args=[world.eb.public_id, held.starts_at.year]))
    assert response.status_code == 200
    if response["Content-Type"] == "application/pdf":
        assert response.content.startswith(b"%PDF")
    else:
        assert "研究发展党员工作" in response.content.decode()


def test_figures_and_exports_read_the_scope(world, branch, held, login):
    compliance.obligations_scan(today=timezone.localdate(), tell=False)
    client = login(world.users.community_worker)
    page = client.get(reverse("orglife:figures") + "?period=this_year").content.decode()
    assert 'data-testid="total-due"' in page and 'data-testid="by-kind"' in page
    response = client.get(reverse("imports:export_orglife_obligations"))
    assert response.status_code == 200
    response = client.get(reverse("imports:export_orglife_records"))
    assert response.status_code == 200


def test_guidance_pages(world, branch, login):
    admin = world.users.district_admin
    client = login(admin)
    response = client.post(
        reverse("orglife:guidance_new"),
        {"year": 2026, "quarter": "3", "title": "第三季度指引", "topics": "学习贯彻", "readings": "", "activities": ""},
    )
    assert response.status_code == 302
    g = guidance.Guidance.objects.get()
    secretary = login(branch.secretary)
    assert secretary.get(reverse("orglife:guidance", args=[g.public_id])).status_code == 404  # a draft
    client = login(admin)
    client.post(reverse("orglife:guidance_publish", args=[g.public_id]))
    page = login(branch.secretary).get(reverse("orglife:guidance_list")).content.decode()
    assert "第三季度指引" in page
    assert login(world.users.community_worker).get(reverse("orglife:guidance_new")).status_code == 404


@pytest.mark.parametrize("name", ["orglife:plan", "orglife:record_files"])
def test_phone_writes_carry_the_idempotency_decorator(name):
    import uuid

    from django.urls import resolve

    assert getattr(resolve(reverse(name, args=[uuid.uuid4()])).func, "idempotent", False)
