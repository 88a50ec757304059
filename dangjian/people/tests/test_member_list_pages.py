"""The member lists cost a page: keyset pages (numbered first, by cursor deeper) that keep the filters,
a count capped at core.keyset.COUNT_CAP, a deep page in as many queries as the first, and on PostgreSQL
an index walk in the list's order at 100,000 members (no sequential scan of people_member)."""

from __future__ import annotations

import re
from html import unescape

import pytest
from django.db import connection
from django.urls import reverse

from dangjian.core.keyset import COUNT_CAP
from dangjian.core.testing import query_plan as plan
from dangjian.core.testing import walk_pages
from dangjian.people import selectors
from dangjian.people.models import Member, MemberTransfer


def bulk_members(n: int, *, org, home_community, status: str = "in_service", prefix: str = "批量党员") -> None:
    Member.objects.bulk_create(
        [
            Member(name=f"{prefix}{k:05d}", pinyin="pl", status=status, org=org, home_community=home_community)
            for k in range(n)
        ],
        batch_size=2000,
    )


def walk(client, url: str, params: str = "") -> tuple[list[str], list[str]]:
    """Follow the 下一页 links from the first page: the names of every row, and each link's query."""
    rows, links = walk_pages(client, url, params)
    return [m.name for m in rows], links


def test_every_member_is_reached_once_in_order_through_numbered_and_cursor_pages(people, world, login):
    bulk_members(180, org=world.eb, home_community=world.c1)
    client = login(world.users.district_admin)
    url = reverse("people:member_list")
    names, links = walk(client, url)
    expected = list(
        Member.objects.visible_to(world.users.district_admin)
        .exclude(status__in=selectors.OFF_BOOKS_STATUSES)
        .order_by(*selectors.MEMBER_ORDER)
        .values_list("name", flat=True)
    )
    assert names == expected and len(expected) > 180
    assert any(link.startswith("page=") for link in links)
    assert any(link.startswith("after=") for link in links)  # past the numbered pages, by cursor
    # 上一页 from a cursor page goes back by cursor, to the rows just before it.
    deep = client.get(f"{url}?{links[-1]}")
    previous = re.search(r'<a href="\?([^"]*)" rel="prev">', deep.content.decode())
    assert previous is not None
    back = client.get(f"{url}?{unescape(previous.group(1))}").context["page"].object_list
    first_deep = deep.context["page"].object_list[0].name
    assert [m.name for m in back][-1] == expected[expected.index(first_deep) - 1]


def test_the_filters_stay_in_every_page_link(people, world, login):
    bulk_members(160, org=world.eb, home_community=world.c1, status="retired")
    bulk_members(40, org=world.eb, home_community=world.c1, prefix="在职党员")
    client = login(world.users.district_admin)
    url = reverse("people:member_list")
    names, links = walk(client, url, "status=retired&q=pl")
    assert len(names) == 160 and all(name.startswith("批量党员") for name in names)
    assert links and all("status=retired" in link and "q=pl" in link for link in links)
    # The floating list pages too, by (status, name).
    bulk_members(90, org=world.eb, home_community=world.c1, status="floating", prefix="流动")
    floating, _ = walk(client, reverse("people:member_floating"))
    assert len(floating) == len(set(floating))
    assert set(floating) >= {f"流动{k:05d}" for k in range(90)} | {"赵流动", "钱口袋"}


def test_the_count_is_exact_up_to_the_cap_then_reads_cap_plus(people, world, login):
    client = login(world.users.district_admin)
    url = reverse("people:member_list")
    visible = client.get(url).context["page"].count
    assert visible.exact and int(visible) == selectors.member_list(world.users.district_admin).count()
    bulk_members(COUNT_CAP, org=world.eb, home_community=world.c1)
    page = client.get(url).context["page"]
    assert page.count.capped and str(page.count) == f"{COUNT_CAP}+"
    assert f"共 {COUNT_CAP}+ 条" in client.get(url).content.decode()


def test_a_deep_page_costs_what_the_first_does(people, world, login, count_queries):
    bulk_members(400, org=world.eb, home_community=world.c1)
    client = login(world.users.district_admin)
    url = reverse("people:member_list")
    _names, links = walk(client, url)
    deep = [link for link in links if link.startswith("after=")][-1]
    first = count_queries(world.users.district_admin, url)
    assert count_queries(world.users.district_admin, f"{url}?{deep}") == first
    assert count_queries(world.users.district_admin, f"{url}?{deep}&q=pl") == first


def test_a_foreign_or_broken_cursor_opens_the_first_page(people, world, login):
    client = login(world.users.district_admin)
    url = reverse("people:member_list")
    first = [m.name for m in client.get(url).context["page"].object_list]
    for cursor in ("not-a-cursor", "WyJ4Il0", "W1tdLDFd"):
        assert [m.name for m in client.get(url, {"after": cursor}).context["page"].object_list] == first


# -- PostgreSQL: the plans at 100,000 members ------------------------------------------------------


def fill(world, n: int) -> None:
    """`n` members in SQL, spread over the world's organizations and communities; one in fifty floating,
    one in a hundred moved out; then a transfer for one in ten."""
    orgs = [o.pk for o in (world.eb, world.eb3, world.ub) if o is not None]
    homes = [world.c1.pk, world.c3.pk]
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO people_member (public_id, name, pinyin, sex, mobile, category, status, org_id,
                home_community_id, created_at, updated_at)
            SELECT gen_random_uuid(), '党员' || lpad(g::text, 6, '0'), 'dy', '', '', 'full',
                CASE WHEN mod(g, 50) = 0 THEN 'floating' WHEN mod(g, 100) = 1 THEN 'moved_out'
                     ELSE 'in_service' END,
                (%s::bigint[])[1 + mod(g, %s)], (%s::bigint[])[1 + mod(g / 7, %s)], now(), now()
            FROM generate_series(1, %s) AS g
            """,
            [orgs, len(orgs), homes, len(homes), n],
        )
        cursor.execute(
            """
            INSERT INTO people_membertransfer (public_id, member_id, from_org_id, to_org_id, reason, at)
            SELECT gen_random_uuid(), id, org_id, org_id, '', now() - id * interval '1 minute'
            FROM people_member WHERE mod(id, 10) = 0
            """
        )
        cursor.execute("ANALYZE people_member")
        cursor.execute("ANALYZE people_membertransfer")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="query plans of PostgreSQL")
def test_member_lists_read_their_keys_from_an_index_at_100k(people, world):
    fill(world, 100_000)
    u = world.users
    for user in (u.district_admin, u.community_worker):
        lists = [
            (selectors.member_list(user), selectors.MEMBER_ORDER),
            (selectors.member_list(user, status="floating"), selectors.MEMBER_ORDER),
            (selectors.member_list(user, status="all"), selectors.MEMBER_ORDER),
            (selectors.unmanaged_members(user, notes=False), selectors.FLOATING_ORDER),
        ]
        for qs, ordering in lists:
            for keys in (
                qs.order_by(*ordering).values("pk")[:26],  # page 1
                qs.order_by(*ordering).values("pk")[: COUNT_CAP + 1],  # the capped count
            ):
                text = plan(keys)
                assert "Seq Scan on people_member " not in text + " ", (user.username, text)
    # The whole city's list walks the name index in order, however deep the cursor.
    from django.contrib.auth import get_user_model

    admin = get_user_model().objects.create_superuser("plan-admin", password="x")
    qs = selectors.member_list(admin)
    text = plan(qs.order_by(*selectors.MEMBER_ORDER).values("pk")[:26])
    assert "people_member_name_scope" in text and "Sort" not in text, text
    middle = qs.order_by(*selectors.MEMBER_ORDER).values_list("name", "pk")[50_000]
    from dangjian.core.keyset import seek_q

    deep = qs.filter(seek_q(selectors.MEMBER_ORDER, middle)).order_by(*selectors.MEMBER_ORDER).values("pk")[:26]
    text = plan(deep)
    assert "people_member_name_scope" in text and "Sort" not in text and "Seq Scan" not in text, text
    status = selectors.member_list(admin, status="floating")
    text = plan(status.order_by(*selectors.MEMBER_ORDER).values("pk")[:26])
    assert "people_member_status_name" in text and "Sort" not in text, text
    assert MemberTransfer.objects.count() >= 10_000
    transfers = selectors.transfer_list(admin).values("pk")[:26]
    text = plan(transfers)
    assert "people_transfer_at" in text and "Seq Scan on people_membertransfer" not in text, text
