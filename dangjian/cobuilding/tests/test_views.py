"""Every page: the owner and a colleague in scope see it, an outsider gets 404; lists cost a bounded
number of queries whatever their length; the forms write through the services."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from dangjian.cases.models import Case, CaseCategory, Channel
from dangjian.cobuilding.models import LiaisonVisit, Matter, Outcome, UnitTask, Visit
from dangjian.cobuilding.services import covenants, estates
from dangjian.cobuilding.services import matters as matter_services
from dangjian.conftest import make_user
from dangjian.units.models import AdjunctMember, ResidentUnit

pytestmark = pytest.mark.django_db


@pytest.fixture
def governance(world):
    return estates.governance_save(
        actor=None, estate=world.estate, mode="residents", branch=world.eb, owners_committee="中珠新村业委会",
        committee_has_org=True, haves={"has_cleaning"},
    )  # fmt: skip


@pytest.fixture
def task(world, matter):
    return matter_services.matter_to_task(
        actor=None, matter=matter, unit=world.unit, due_on=timezone.localdate() + datetime.timedelta(days=5)
    )[1]


def test_desk_pages_are_scoped(world, board, joint, matter, covenant, liaison, governance, assert_scoped):
    u = world.users
    for url in (
        reverse("cobuilding:board", args=[board.public_id]),
        reverse("cobuilding:meeting", args=[joint.public_id]),
        reverse("cobuilding:matter", args=[matter.public_id]),
        reverse("cobuilding:covenant", args=[covenant.public_id]),
        reverse("cobuilding:estate", args=[world.estate.public_id]),
        reverse("cobuilding:committee", args=[world.cc1.public_id]),
    ):
        assert_scoped(
            url, owner=u.community_worker, colleague=u.subdistrict_admin, outsider=u.community_worker_outsider
        )
    assert_scoped(
        reverse("cobuilding:liaison", args=[liaison.public_id]),
        owner=u.subdistrict_admin,
        colleague=u.community_worker,
        outsider=u.community_worker_outsider,
    )


def test_list_pages_show_only_what_is_in_scope(world, board, covenant, governance, liaison, client):
    u = world.users
    for name, text in (
        ("cobuilding:home", board.name),
        ("cobuilding:covenants", "拱北口岸中心"),
        ("cobuilding:estates", "中珠新村"),
        ("cobuilding:liaisons", "王副区长"),
        ("cobuilding:committees", "婆石社区大党委"),
    ):
        client.force_login(u.community_worker)
        assert text in client.get(reverse(name)).content.decode(), name
        client.force_login(u.community_worker_outsider)
        assert text not in client.get(reverse(name)).content.decode(), name


def test_a_unit_sees_its_own_tasks_only(world, task, unit2, assert_scoped, client):
    other = make_user("dw2", "unit_contact", unit=unit2)
    assert_scoped(reverse("cobuilding:task", args=[task.public_id]), owner=world.users.unit_contact,
                  colleague=world.users.community_worker, outsider=other)  # fmt: skip
    client.force_login(world.users.unit_contact)
    assert task.title in client.get(reverse("cobuilding:tasks")).content.decode()
    client.force_login(other)
    assert task.title not in client.get(reverse("cobuilding:tasks")).content.decode()


def test_the_unit_takes_its_steps_on_the_page(world, task, client):
    client.force_login(world.users.unit_contact)
    url = reverse("cobuilding:task_act", args=[task.public_id, "accept"])
    assert client.post(url, {"version": task.version}).status_code == 302
    task.refresh_from_db()
    assert task.status == "accepted"
    client.force_login(world.users.community_worker_outsider)
    assert (
        client.post(reverse("cobuilding:task_act", args=[task.public_id, "cancel"]), {"note": "x"}).status_code == 404
    )


def test_a_matter_is_routed_to_a_unit_from_the_meeting_page(world, joint, matter, client):
    client.force_login(world.users.community_worker)
    page = client.get(reverse("cobuilding:meeting", args=[joint.public_id])).content.decode()
    assert "口岸周边停车难" in page and "拱北口岸中心" in page
    due = (timezone.localdate() + datetime.timedelta(days=7)).isoformat()
    client.post(
        reverse("cobuilding:matter_route", args=[matter.public_id, "task"]),
        {"unit": world.unit.public_id, "due_on": due},
    )
    matter.refresh_from_db()
    assert matter.outcome == Outcome.TASK and UnitTask.objects.get(matter=matter).unit == world.unit


def test_list_pages_cost_the_same_for_many_rows(world, count_queries):
    worker = world.users.community_worker

    def make(n, start):
        for i in range(start, start + n):
            unit = ResidentUnit.objects.create(name=f"单位{i}", kind="agency", community=world.c1)
            covenants.covenant_save(actor=None, area=world.c1, unit=unit, starts_on=datetime.date(2026, 1, 1),
                                    ends_on=datetime.date(2026, 12, 31), unit_visits=1)  # fmt: skip

    pages = [
        reverse(n)
        for n in (
            "cobuilding:home",
            "cobuilding:covenants",
            "cobuilding:estates",
            "cobuilding:liaisons",
            "cobuilding:tasks",
        )
    ]
    make(2, 0)
    few = [count_queries(worker, url) for url in pages]
    make(25, 2)
    many = [count_queries(worker, url) for url in pages]
    assert few == many and max(many) <= 20, (few, many)


def test_the_phone_writes_are_idempotent(world, covenant, liaison, client):
    from dangjian.cobuilding.views import boards
    from dangjian.cobuilding.views import committees as cm
    from dangjian.cobuilding.views import covenants as cv
    from dangjian.cobuilding.views import estates as ev
    from dangjian.cobuilding.views import liaisons as lv

    for view in (
        boards.meeting_call,
        boards.matter_raise,
        cv.visit_new,
        lv.checkin,
        lv.problem,
        ev.estate_meeting,
        cm.committee_meeting,
    ):
        assert getattr(view, "idempotent", False) is True, view.__name__
    client.force_login(world.users.subdistrict_admin)
    url = reverse("cobuilding:checkin", args=[liaison.public_id])
    page = client.get(reverse("cobuilding:liaison", args=[liaison.public_id])).content.decode()
    assert 'name="idempotency_key"' in page
    data = {"lat": "22.2051", "lng": "113.5052", "notes": "网格走访", "idempotency_key": "checkin-1"}
    first, retry = client.post(url, data), client.post(url, data)
    assert first["Location"] == retry["Location"] and retry["Idempotent-Replayed"] == "true"
    assert LiaisonVisit.objects.filter(liaison=liaison).count() == 1
    visit = LiaisonVisit.objects.get()
    assert (visit.lat, visit.lng) == (22.2051, 113.5052)
    category = CaseCategory.objects.filter(is_active=True).first()
    problem = {
        "visit": visit.public_id,
        "category": category.pk,
        "description": "井盖缺失",
        "idempotency_key": "problem-key-1",
    }
    client.post(reverse("cobuilding:problem", args=[liaison.public_id]), problem)
    client.post(reverse("cobuilding:problem", args=[liaison.public_id]), problem)
    assert Case.objects.filter(channel=Channel.LIAISON).count() == 1 == Matter.objects.filter(liaison=liaison).count()
    client.force_login(world.users.community_worker)
    vdata = {"direction": "in", "visited_on": "2026-03-01", "visitor": "张主任", "idempotency_key": "visit-key-1"}
    client.post(reverse("cobuilding:visit_new", args=[covenant.public_id]), vdata)
    client.post(reverse("cobuilding:visit_new", args=[covenant.public_id]), vdata)
    assert Visit.objects.count() == 1


def test_committee_page_shows_adjunct_attendance_and_contributions(world, client):
    from dangjian.cobuilding.services import meetings

    from .conftest import hold

    member = AdjunctMember.objects.create(committee=world.cc1, unit=world.unit, name="赵书记", post="党委书记")
    estates.adjunct_duty_add(actor=None, member=member, text="每季度参加大党委会议")
    estates.adjunct_contribution_add(actor=None, member=member, year=timezone.localdate().year, kind="room",
                                     description="提供会议室", amount=1)  # fmt: skip
    co = meetings.committee_meeting_call(actor=None, committee=world.cc1, starts_at=timezone.now())
    hold(co, present=1)
    client.force_login(world.users.community_worker)
    page = client.get(reverse("cobuilding:committee", args=[world.cc1.public_id])).content.decode()
    assert "赵书记" in page and "每季度参加大党委会议" in page and "提供会议室" in page
    assert "参加大党委会议 1 / 1 次" in page
