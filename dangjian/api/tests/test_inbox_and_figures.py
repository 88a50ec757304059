"""Messages and notices through the API change what the pages show (the same services); figures are
the store's rows for the node and period, scoped like the figures pages."""

from __future__ import annotations

from dangjian.cases.tests.test_workflow import submit as case_submit
from dangjian.notices.models import Notice, NoticeReceipt
from dangjian.notifications.models import Message

from .conftest import body


def test_marking_a_message_read(world, things, api):
    caller = api(world.users.community_worker)
    assert body(caller.get("/messages/unread")) == {"count": 1, "count_capped": False}
    listed = body(caller.get("/messages", {"unread": True}))["items"]
    assert [m["title"] for m in listed] == ["有新派单"] and listed[0]["read"] is False
    answer = body(caller.post(f"/messages/{things.message.public_id}/read"))
    assert answer == {"id": str(things.message.public_id), "read": True, "changed": True}
    assert Message.objects.get(pk=things.message.pk).read_at is not None
    assert body(caller.post(f"/messages/{things.message.public_id}/read"))["changed"] is False
    assert body(caller.get("/messages", {"unread": True}))["items"] == []
    assert body(caller.post("/messages/read-all", {}))["count"] == 0
    assert caller.get("/messages", {"kind": "nothing"}).status_code == 422


def test_signing_a_notice(world, things, api):
    member = things.members.c1[0]
    caller = api(member)
    received = body(caller.get("/notices-received"))["items"]
    assert [n["id"] for n in received] == [str(things.notice.public_id)] and received[0]["signed"] is False
    read = body(caller.get(f"/notices-received/{things.notice.public_id}"))
    assert read["read"] is True and read["signed"] is False
    signed = caller.post(f"/notices-received/{things.notice.public_id}/sign")
    assert body(signed) == {"id": str(things.notice.public_id), "signed": True, "changed": True}
    assert NoticeReceipt.objects.get(notice=things.notice, user=member).signed_at is not None
    assert Notice.objects.get(pk=things.notice.pk).signed_count == 1
    assert body(caller.post(f"/notices-received/{things.notice.public_id}/sign"))["changed"] is False
    issuer = body(api(world.users.community_worker).get(f"/notices/{things.notice.public_id}"))
    assert issuer["signed"] == 1 and issuer["recipients"] == 3


def test_figures_are_the_stores_rows_for_the_node(world, api):
    for _ in range(2):
        case_submit(world)
    caller = api(world.users.subdistrict_admin)
    subjects = {s["name"]: s for s in body(caller.get("/figures"))}
    assert {"cases", "demands", "members", "units"} <= set(subjects) and subjects["members"]["tree"] == "org"
    figure = body(caller.get("/figures/cases", {"period": "this_month"}))
    assert figure["node"]["id"] == str(world.s1.public_id) and figure["total"]["values"]["received"] == 2
    by_child = {row["node"]["name"]: row["values"]["received"] for row in figure["children"]}
    assert by_child == {world.c1.name: 2}
    community = body(caller.get("/figures/cases", {"node": str(world.c1.public_id)}))
    assert {row["node"]["name"] for row in community["children"]} == {world.g1a.name}
    # Out of the role's reach: 404, as the figures pages.
    assert caller.get("/figures/cases", {"node": str(world.s2.public_id)}).status_code == 404
    assert caller.get("/figures/nothing").status_code == 404
    bad = caller.get("/figures/cases", {"period": "custom", "date_from": "2026-02-01", "date_to": "2026-01-01"})
    assert bad.status_code == 422 and body(bad)["error"]["message"]
    stock = body(caller.get("/figures/units"))
    assert stock["total"]["values"]["units"] == 1 and stock["date_from"] is None
