"""Lists in the one convention: {items, next, count}, walked by cursor (every row once), a bounded
number of queries whatever the page size, personal data masked as on the pages, filters and
orderings checked with a clear Chinese error."""

from __future__ import annotations

import re

from django.db import connection
from django.test.utils import CaptureQueriesContext

from dangjian.cases.tests.test_workflow import submit as case_submit
from dangjian.people.models import Member
from dangjian.people.services import members as members_services

from .conftest import body

CHINESE = re.compile(r"[\u4e00-\u9fff]")


def walk(caller, path: str, params: dict) -> tuple[list[str], int]:
    """Every id of a list, following `next`; and how many pages it took."""
    ids: list[str] = []
    cursor, pages = None, 0
    while True:
        answer = body(caller.get(path, {**params, **({"cursor": cursor} if cursor else {})}))
        ids += [item["id"] for item in answer["items"]]
        pages += 1
        cursor = answer["next"]
        if cursor is None:
            return ids, pages
        assert pages < 100


def add_members(world, n: int) -> None:
    for i in range(n):
        members_services.member_create(
            actor=None, name=f"测试党员{i:03d}", mobile=f"1390000{i:04d}", org=world.eb, home_community=world.c1
        )


def test_the_member_list_masks_mobiles_and_id_numbers(world, things, api):
    answer = body(api(world.users.community_worker).get("/members"))
    own = next(item for item in answer["items"] if item["id"] == str(things.member.public_id))
    assert own["mobile"] == "139****5678"
    assert own["id_number"].startswith("440402") and "*" in own["id_number"]
    raw = api(world.users.community_worker).get("/members").content.decode()
    assert "13912345678" not in raw and things.member.id_number not in raw
    detail = body(api(world.users.community_worker).get(f"/members/{things.member.public_id}"))
    assert detail["mobile"] == "139****5678" and things.member.id_number not in str(detail)


def test_the_case_page_masks_the_reporters_phone(world, things, api):
    detail = body(api(world.users.community_worker).get(f"/cases/{things.case.public_id}"))
    assert detail["reporter_phone"] == "138****5678"
    assert (
        "13812345678" not in api(world.users.community_worker).get(f"/cases/{things.case.public_id}").content.decode()
    )


def test_walking_a_list_by_cursor_reads_every_row_once(world, things, api):
    add_members(world, 33)
    caller = api(world.users.community_worker)
    expected = {str(m.public_id) for m in Member.objects.visible_to(world.users.community_worker).exclude(
        status__in=["moved_out", "deceased"])}  # fmt: skip
    ids, pages = walk(caller, "/members", {"limit": 7})
    assert len(ids) == len(set(ids)) == len(expected) and set(ids) == expected
    assert pages == -(-len(expected) // 7)
    assert body(caller.get("/members", {"limit": 7}))["count"] == len(expected)
    for _ in range(11):
        case_submit(world, description="楼道灯坏了很久没人修")
    case_ids, _pages = walk(caller, "/cases", {"limit": 4})
    assert len(case_ids) == len(set(case_ids)) == 12


def test_a_page_costs_the_same_queries_whatever_its_size(world, things, api):
    add_members(world, 30)
    for _ in range(6):
        case_submit(world, description="楼道灯坏了很久没人修")
    caller = api(world.users.community_worker)
    caller.get("/members")  # the token's first use writes last_used_at
    for path in ("/members", "/cases", "/units", "/demands", "/bookings", "/centers", "/messages", "/notices"):
        counts = []
        for limit in (2, 30):
            with CaptureQueriesContext(connection) as ctx:
                assert caller.get(path, {"limit": limit}).status_code == 200
            counts.append(len(ctx.captured_queries))
        assert counts[0] == counts[1], (path, counts)
        assert counts[1] <= 12, (path, counts)


def test_bad_list_parameters_get_a_clear_chinese_error(world, things, api):
    caller = api(world.users.community_worker)
    for params, field in (
        ({"limit": 101}, "limit"),
        ({"limit": 0}, "limit"),
        ({"ordering": "mobile"}, "ordering"),
        ({"org": str(world.eb3.public_id)}, "org"),  # an organization out of the worker's scope
        ({"status": "nonsense"}, "status"),
    ):
        response = caller.get("/members", params)
        assert response.status_code == 422, params
        error = body(response)["error"]
        assert error["code"] == "invalid" and CHINESE.search(error["message"]) and field in error["fields"], error
    assert "可选" in body(caller.get("/members", {"ordering": "mobile"}))["error"]["fields"]["ordering"]
    assert body(caller.get("/cases", {"date_from": "明天"}))["error"]["fields"]["date_from"]
    assert "tab" in body(caller.get("/cases", {"tab": "nothing"}))["error"]["fields"]
    # A bad or stale cursor opens the first page, as on the pages.
    first = body(caller.get("/members"))
    assert body(caller.get("/members", {"cursor": "not-a-cursor"}))["items"] == first["items"]


def test_filters_are_the_pages_filters(world, things, api):
    caller = api(world.users.community_worker)
    lamp = case_submit(world, description="路灯不亮已经一周", category="street_light")
    found = {item["id"] for item in body(caller.get("/cases", {"category": "street_light"}))["items"]}
    assert found == {str(lamp.public_id)}
    found = {item["id"] for item in body(caller.get("/cases", {"q": "路灯"}))["items"]}
    assert found == {str(lamp.public_id)}
    named = body(caller.get("/members", {"q": things.member.name}))["items"]
    assert [m["id"] for m in named] == [str(things.member.public_id)]


def test_an_ordering_from_the_allowed_list(world, things, api):
    from dangjian.centers.services import bookings
    from dangjian.centers.tests.conftest import at, next_weekday

    later = bookings.booking_create(
        actor=world.users.resident,
        room=things.net.meeting,
        start=at(next_weekday(1, weeks=2), 9),
        end=at(next_weekday(1, weeks=2), 10),
        purpose="读书会",
        attendees=5,
    )
    caller = api(world.users.resident)
    newest_first = [b["id"] for b in body(caller.get("/bookings"))["items"]]
    oldest_first = [b["id"] for b in body(caller.get("/bookings", {"ordering": "start"}))["items"]]
    assert newest_first == [str(later.public_id), str(things.booking.public_id)]
    assert oldest_first == list(reversed(newest_first))
