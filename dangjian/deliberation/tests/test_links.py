"""A passed resolution makes a case or a demand once, through their own intake; an outsider gets
404; the case and demand pages name the resolution they came from."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from dangjian.cases.models import Case, CaseCategory, Channel
from dangjian.deliberation.models import ResolutionLink, TopicStatus
from dangjian.deliberation.services import councils, topics
from dangjian.deliberation.workflow import TopicStep
from dangjian.demands.models import Demand, DemandKind
from dangjian.meetings import services as meeting_services

pytestmark = pytest.mark.django_db


@pytest.fixture
def decided_topic(world, council):
    worker = world.users.community_worker
    topic = topics.topic_submit(actor=world.users.resident, community=world.c1, title="小区东门加装路灯")
    topics.topic_step(actor=worker, topic=topic, step=TopicStep.ACCEPT)
    meeting = councils.council_meeting_call(
        actor=worker, council=council, title="三月议事会", starts_at=timezone.now() + datetime.timedelta(days=1)
    )
    meeting = meeting_services.meeting_step(actor=worker, meeting=meeting, step="open")
    for a in meeting.attendees.filter(due=True)[:3]:
        meeting_services.sign_in(actor=worker, meeting=meeting, attendee=a)
    meeting_services.hands_record(actor=worker, item=meeting.items.get(), votes_for=3, against=0, abstain=0)
    meeting_services.meeting_step(actor=worker, meeting=meeting, step="close")
    topic.refresh_from_db()
    topic = topics.topic_step(actor=worker, topic=topic, step=TopicStep.DECIDE, note="同意加装 4 盏路灯")
    assert topic.status == TopicStatus.DECIDED
    return topic


def test_a_decided_matter_makes_one_case_and_one_demand(world, published, client):
    u = world.users
    matter = published.matters.get()
    category = CaseCategory.objects.get(code="garbage")
    client.force_login(u.community_worker)
    run_page = client.get(reverse("deliberation:run", args=[published.public_id])).content.decode()
    assert "转为接诉即办事件" in run_page and "转为群众点单需求" in run_page
    url = reverse("deliberation:run_link", args=[published.public_id, matter.pk, "case"])
    confirm = client.get(url)
    assert confirm.status_code == 200 and "确认创建" in confirm.content.decode()
    assert Case.objects.count() == 0  # the button only opens the confirmation
    first = client.post(url, {"category": category.pk, "description": ""})
    again = client.post(url, {"category": category.pk, "description": "再点一次"})
    case = Case.objects.get()
    assert first.url == again.url == case.get_absolute_url()
    assert (case.channel, case.community_id, case.category_id) == (Channel.WALK_IN, world.c1.pk, category.pk)
    assert "加装电梯筹资方案" in case.description
    assert client.get(url).url == case.get_absolute_url()  # the page sends a later visitor to the case

    demand_url = reverse("deliberation:run_link", args=[published.public_id, matter.pk, "demand"])
    client.post(demand_url, {"description": ""})
    client.post(demand_url, {"description": ""})
    demand = Demand.objects.get()
    assert (demand.kind, demand.community_id, demand.title) == (DemandKind.PUBLIC_NEED, world.c1.pk, "加装电梯筹资方案")
    links = ResolutionLink.objects.filter(matter=matter)
    assert sorted(links.values_list("target_kind", "target_id")) == [
        ("case", case.public_id),
        ("demand", demand.public_id),
    ]
    run_page = client.get(reverse("deliberation:run", args=[published.public_id])).content.decode()
    assert "查看事件" in run_page and "查看需求" in run_page and "转为接诉即办事件" not in run_page


def test_a_case_needs_a_category_and_an_undecided_run_makes_nothing(world, published, start_run, client):
    u = world.users
    matter = published.matters.get()
    client.force_login(u.community_worker)
    url = reverse("deliberation:run_link", args=[published.public_id, matter.pk, "case"])
    assert "请选择事件类别" in client.post(url, {"category": ""}, follow=True).content.decode()
    fresh = start_run(title="未决议的事项")
    url = reverse("deliberation:run_link", args=[fresh.public_id, fresh.matters.get().pk, "demand"])
    page = client.post(url, follow=True).content.decode()
    assert "尚未经居民代表会议决议" in page
    assert (Case.objects.count(), Demand.objects.count(), ResolutionLink.objects.count()) == (0, 0, 0)


def test_an_outsider_gets_404_on_the_create_post(world, published, decided_topic, client):
    u = world.users
    matter = published.matters.get()
    category = CaseCategory.objects.get(code="garbage")
    for user in (u.community_worker_outsider, u.resident):
        client.force_login(user)
        for url in (
            reverse("deliberation:run_link", args=[published.public_id, matter.pk, "case"]),
            reverse("deliberation:topic_link", args=[decided_topic.public_id, "demand"]),
        ):
            assert client.post(url, {"category": category.pk}).status_code == 404, (user.username, url)
            assert client.get(url).status_code == 404
    other = reverse("deliberation:run_link", args=[published.public_id, matter.pk + 999, "case"])
    client.force_login(u.community_worker)
    assert client.post(other, {"category": category.pk}).status_code == 404  # a matter of no such run
    assert (Case.objects.count(), Demand.objects.count()) == (0, 0)


def test_the_case_and_demand_pages_name_the_resolution(world, published, decided_topic, client):
    u = world.users
    matter = published.matters.get()
    client.force_login(u.community_worker)
    category = CaseCategory.objects.get(code="garbage")
    client.post(
        reverse("deliberation:run_link", args=[published.public_id, matter.pk, "case"]), {"category": category.pk}
    )
    client.post(reverse("deliberation:topic_link", args=[decided_topic.public_id, "demand"]))
    case, demand = Case.objects.get(), Demand.objects.get()
    assert demand.title == "小区东门加装路灯" and "同意加装 4 盏路灯" in demand.description

    case_page = client.get(case.get_absolute_url()).content.decode()
    assert "来自议事决议：" in case_page
    assert reverse("deliberation:run", args=[published.public_id]) in case_page
    assert "中珠新村加装电梯 · 加装电梯筹资方案" in case_page
    demand_page = client.get(demand.get_absolute_url()).content.decode()
    assert "来自议事决议：" in demand_page
    assert reverse("deliberation:topic", args=[decided_topic.public_id]) in demand_page
    topic_page = client.get(reverse("deliberation:topic", args=[decided_topic.public_id])).content.decode()
    assert "查看需求" in topic_page and "转为接诉即办事件" in topic_page

    # A case made any other way names no resolution.
    client.post(reverse("deliberation:topic_link", args=[decided_topic.public_id, "case"]), {"category": category.pk})
    plain = Case.objects.exclude(pk=case.pk).get()
    ResolutionLink.objects.filter(target_id=plain.public_id).delete()
    assert "来自议事决议" not in client.get(plain.get_absolute_url()).content.decode()
