"""Pages: scope for every view, role gating, the public finder, query counts on lists."""

import json

import pytest
from django.urls import reverse

from dangjian.centers.models import Booking, SignUp
from dangjian.centers.services import activities, bookings, centres

from .conftest import at, next_weekday

NOT_MANAGERS = ("grid_worker", "member", "resident", "unit_contact", "department_staff", "nobody")


@pytest.fixture
def booking(world, net):
    day = next_weekday(1)
    return bookings.booking_create(
        actor=world.users.resident, room=net.hall, start=at(day, 9), end=at(day, 10), purpose="兴趣小组"
    )


@pytest.fixture
def activity(world, net):
    day = next_weekday(2)
    return activities.activity_create(
        actor=None, kind="party_lecture", title="党课", center=net.c1, start=at(day, 9), end=at(day, 10), capacity=30
    )


def manager_urls(net, activity):
    c = net.c1.public_id
    return [
        reverse("centers:edit", args=[c]),
        reverse("centers:hours", args=[c]),
        reverse("centers:room_add", args=[c]),
        reverse("centers:room_edit", args=[c, net.hall.public_id]),
        reverse("centers:activity_create", args=[c]),
    ]


def test_management_pages_are_scoped(world, net, activity, assert_scoped):
    u = world.users
    for url in manager_urls(net, activity):
        assert_scoped(
            url, owner=u.community_worker, colleague=u.subdistrict_admin, outsider=u.community_worker_outsider
        )
        assert_scoped(
            url, owner=u.district_admin, colleague=u.community_worker_colleague, outsider=u.subdistrict_admin_outsider
        )


def test_management_pages_are_hidden_from_other_roles(world, net, activity, login):
    urls = [
        reverse("centers:list"),
        reverse("centers:create"),
        reverse("centers:circle"),
        reverse("centers:circle_data"),
        reverse("centers:approvals"),
        *manager_urls(net, activity),
    ]
    for name in NOT_MANAGERS:
        client = login(getattr(world.users, name))
        for url in urls:
            assert client.get(url).status_code == 404, (name, url)


def test_the_centre_list_shows_the_centres_in_scope_with_their_gaps(world, net, login):
    body = login(world.users.community_worker).get(reverse("centers:list")).content.decode()
    assert "婆石社区党群服务中心" in body and "海虹社区党群服务中心" not in body
    assert "3 项不足" in body  # 420 m² < 500, missing functions, unmet norms
    body = login(world.users.district_admin).get(reverse("centers:list") + "?q=hh").content.decode()
    assert "海虹社区党群服务中心" in body and "婆石社区党群服务中心" not in body  # pinyin initials


def test_the_centre_page_shows_gaps_to_managers_and_the_listing_to_everyone(world, net, login):
    url = net.c1.get_absolute_url()
    body = login(world.users.community_worker).get(url).content.decode()
    assert "低于社区级标准 500 平方米" in body and "缺少功能区" in body
    for name in ("resident", "member", "unit_contact", "grid_worker"):
        body = login(getattr(world.users, name)).get(url).content.decode()
        assert "周二" in body and "09:00–12:00、14:30–17:30" in body and "低于" not in body
    assert login(world.users.community_worker_outsider).get(url).status_code == 404  # outside their territory


def test_the_booking_page_is_for_people_who_book(world, net, login, client):
    url = reverse("centers:book", args=[net.meeting.public_id])
    assert login(world.users.resident).get(url).status_code == 200
    assert login(world.users.department_staff).get(url).status_code == 404
    day = next_weekday(1)
    response = login(world.users.resident).post(
        url, {"date": day.isoformat(), "start": "12:00", "end": "13:00", "purpose": "读书会", "attendees": 5}
    )
    assert response.status_code == 200
    assert "不在开放时间内" in response.content.decode() and "09:00–12:00、14:30–17:30" in response.content.decode()
    response = client.post(
        url, {"date": day.isoformat(), "start": "09:00", "end": "10:00", "purpose": "读书会", "attendees": 5}
    )
    made = Booking.objects.get(purpose="读书会")
    assert response.status_code == 302 and response["Location"] == made.get_absolute_url()


def test_a_booking_is_seen_by_its_booker_and_the_centres_managers_only(world, booking, assert_scoped):
    u = world.users
    url = booking.get_absolute_url()
    assert_scoped(url, owner=u.resident, colleague=u.community_worker, outsider=u.member)
    assert_scoped(url, owner=u.subdistrict_admin, outsider=u.community_worker_outsider)
    assert_scoped(
        reverse("centers:booking_action", args=[booking.public_id, "approve"]),
        owner=u.community_worker,
        outsider=u.unit_contact,
    )


def test_approve_and_cancel_through_the_pages(world, booking, login):
    response = login(world.users.community_worker).post(
        reverse("centers:booking_action", args=[booking.public_id, "approve"])
    )
    assert response.status_code == 302
    booking.refresh_from_db()
    assert booking.status == "approved"
    # The booker cannot approve (no such button) but may cancel.
    client = login(world.users.resident)
    response = client.post(reverse("centers:booking_action", args=[booking.public_id, "approve"]))
    assert "您不能对这次预约进行「批准」" in response.content.decode()
    client.post(reverse("centers:booking_action", args=[booking.public_id, "cancel"]))
    booking.refresh_from_db()
    assert booking.status == "cancelled"


def test_the_approval_list_shows_booker_and_purpose_and_the_home_counts_it(world, booking, login):
    from dangjian.core.todo import todos_for

    client = login(world.users.community_worker)
    response = client.get(reverse("centers:approvals"))
    row = response.content.decode()
    # Every width shows who booked it and what for (nothing hidden on the phone).
    assert "兴趣小组" in row and str(world.users.resident) in row and "hide-phone" not in row
    items = [i for i in todos_for(world.users.community_worker) if i.url == reverse("centers:approvals")]
    assert [(i.title, i.count) for i in items] == [("功能室预约待审批", response.context["page"].paginator.count)]
    assert items[0].count == 1
    # Out of scope: neither the list nor the home shows it.
    outsider = world.users.community_worker_outsider
    assert not [i for i in todos_for(outsider) if i.url == reverse("centers:approvals")]
    bookings.booking_transition(actor=world.users.community_worker, booking=booking, action="approve")
    assert not [i for i in todos_for(world.users.community_worker) if i.url == reverse("centers:approvals")]


def test_my_bookings_are_person_scoped(world, booking, login):
    body = login(world.users.resident).get(reverse("centers:my_bookings")).content.decode()
    assert "兴趣小组" in body
    body = login(world.users.member).get(reverse("centers:my_bookings")).content.decode()
    assert "兴趣小组" not in body


def test_sign_up_and_check_in_through_the_pages(world, activity, login):
    client = login(world.users.resident)
    assert client.post(reverse("centers:signup", args=[activity.public_id])).status_code == 302
    mine = SignUp.objects.get(user=world.users.resident)
    assert mine.status == "confirmed"
    # Someone else's sign-up cannot be cancelled by id guessing.
    assert login(world.users.member).post(reverse("centers:signup_cancel", args=[mine.public_id])).status_code == 404
    url = reverse("centers:check_in", args=[mine.public_id])
    assert login(world.users.community_worker_outsider).post(url).status_code == 404
    assert login(world.users.resident).post(url).status_code == 404
    assert login(world.users.community_worker).post(url).status_code == 302
    mine.refresh_from_db()
    assert mine.status == "attended"
    page = login(world.users.community_worker).get(activity.get_absolute_url()).content.decode()
    assert "jm" in page  # the roster, for the manager
    page = login(world.users.member).get(activity.get_absolute_url()).content.decode()
    assert 'data-testid="roster"' not in page


def test_the_circle_page_data_and_plan(world, net, login):
    client = login(world.users.subdistrict_admin)
    body = client.get(reverse("centers:circle")).content.decode()
    assert "拱北街道" in body and "十分钟党群服务圈" in body
    data = client.get(reverse("centers:circle_data")).json()
    assert {f["properties"]["kind"] for f in data["features"]} == {"center", "estate"}
    assert all(f["properties"]["name"] != "海虹花园" for f in data["features"])  # not in 拱北街道
    # Another subdistrict's node is out of scope.
    assert client.get(reverse("centers:circle") + f"?area={world.s2.public_id}").status_code == 404
    plan = client.post(reverse("centers:circle_plan"), {"k": "2", "points": json.dumps([[22.21, 113.52]])})
    assert plan.status_code == 200 and "picks" in plan.json()
    assert client.post(reverse("centers:circle_plan"), {"k": "99"}).status_code == 400
    assert client.post(reverse("centers:circle_plan"), {"k": "2", "points": "[[1]]"}).status_code == 400


def test_only_the_district_admin_edits_the_circle_parameters(world, login):
    url = reverse("centers:circle_settings")
    assert login(world.users.subdistrict_admin).get(url).status_code == 404
    client = login(world.users.district_admin)
    response = client.post(url, {"minutes": 15, "detour_factor": 1.2, "walk_speed": 70, "persons_per_household": 2.8})
    assert response.status_code == 302
    assert world.district.circle_settings.minutes == 15


def test_the_public_finder_needs_no_sign_in(world, net, client):
    response = client.get(reverse("centers_public:finder") + "?lat=22.205&lng=113.505")
    body = response.content.decode()
    assert response.status_code == 200
    assert body.index("婆石社区党群服务中心") < body.index("海虹社区党群服务中心")  # nearest first
    assert "步行约 7 分钟" in body
    body = client.get(reverse("centers_public:finder") + f"?community={world.c3.public_id}").content.decode()
    assert "海虹社区党群服务中心" in body
    body = client.get(reverse("centers_public:center", args=[net.c1.public_id])).content.decode()
    assert "09:00–12:00、14:30–17:30" in body and "多功能厅" in body
    assert client.get(reverse("centers_public:center", args=[world.c1.public_id])).status_code == 404


def _more_centres(world, n, start):
    for i in range(n):
        c = centres.center_create(
            actor=None, area=world.c1, name=f"加测中心{start + i}", level="estate", lat=22.2, lng=113.5, floor_area=100
        )
        room = centres.room_save(actor=None, center=c, name="议事室", capacity=10)
        centres.hours_set(
            actor=None,
            center=c,
            week={d: [(at(next_weekday(d), 9).time(), at(next_weekday(d), 17).time())] for d in range(7)},
        )
        day = next_weekday(3)
        bookings.booking_create(actor=world.users.resident, room=room, start=at(day, 9), end=at(day, 10), purpose="测")
        activities.activity_create(
            actor=None, kind="study", title=f"学习{start + i}", center=c, start=at(day, 11), end=at(day, 12)
        )


@pytest.mark.parametrize(
    ("user", "url"),
    [
        ("district_admin", "centers:list"),
        ("district_admin", "centers:approvals"),
        ("district_admin", "centers:activity_list"),
        ("district_admin", "centers:circle"),
        ("resident", "centers:my_bookings"),
        ("resident", "centers:activity_list"),
    ],
)
def test_list_queries_do_not_grow_with_rows(world, net, count_queries, user, url):
    _more_centres(world, 2, 0)
    before = count_queries(getattr(world.users, user), reverse(url))
    _more_centres(world, 5, 10)
    assert count_queries(getattr(world.users, user), reverse(url)) == before


def test_public_finder_queries_do_not_grow(world, net, client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    url = reverse("centers_public:finder") + "?lat=22.2&lng=113.5"
    _more_centres(world, 2, 0)
    with CaptureQueriesContext(connection) as first:
        client.get(url)
    _more_centres(world, 5, 10)
    with CaptureQueriesContext(connection) as second:
        client.get(url)
    assert len(second) == len(first)
