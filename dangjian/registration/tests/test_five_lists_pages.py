"""The five lists cost a page: each list by keyset pages (numbered first, by cursor deeper) in its own
order, the list= choice kept in every link, the five counts capped at core.keyset.COUNT_CAP in one query,
a deep page in as many queries as the first, and on PostgreSQL an index walk of a community's 报到清单
at 100,000 registrations (no sequential scan of registration_registration)."""

from __future__ import annotations

import datetime
from html import unescape

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from dangjian.core.keyset import COUNT_CAP, seek_q
from dangjian.core.testing import NEXT_LINK, walk_pages
from dangjian.core.testing import query_plan as plan
from dangjian.people.models import Member
from dangjian.registration import selectors
from dangjian.registration.models import CommunityDocument, Registration


def bulk_confirmed(world, n: int, *, community=None, unit_every: int = 0) -> list[Registration]:
    """`n` confirmed member registrations at c1 (decided two at a time: the id breaks the tie)."""
    community = community or world.c1
    members = Member.objects.bulk_create(
        [Member(name=f"清单党员{k:05d}", status="in_service", org=world.eb, home_community=community) for k in range(n)]
    )
    start = timezone.now() - datetime.timedelta(days=30)
    regs = Registration.objects.bulk_create(
        [
            Registration(
                kind="member",
                community=community,
                member=member,
                status="confirmed",
                decided_at=start + datetime.timedelta(minutes=k // 2),
            )
            for k, member in enumerate(members)
        ]
    )
    return regs


def url_of(world) -> str:
    return reverse("registration:five_lists", args=[world.c1.public_id])


def expected(community) -> list[int]:
    rows = Registration.objects.filter(community=community, status="confirmed")
    return [r.pk for r in sorted(rows, key=lambda r: (r.kind, -r.decided_at.timestamp(), -r.pk))]


def test_every_confirmed_registration_is_reached_once_in_order_keeping_the_list(reg_world, login):
    bulk_confirmed(reg_world, 230)
    bulk_confirmed(reg_world, 7, community=reg_world.c3)  # another community's: not listed
    client = login(reg_world.users.community_worker)
    rows, links = walk_pages(client, url_of(reg_world), "list=registrations")
    assert [r.pk for r in rows] == expected(reg_world.c1) and len(rows) == 230
    assert all(link.startswith("list=registrations&") for link in links)
    assert [link.split("&")[1].split("=")[0] for link in links] == ["page"] * 4 + ["after"] * 5
    # 上一页 from the last page walks back through the same rows.
    response = client.get(f"{url_of(reg_world)}?{links[-1]}")
    assert 'rel="prev"' in response.content.decode() and "上一页" in response.content.decode()


def test_the_documents_list_pages_too(reg_world, login):
    CommunityDocument.objects.bulk_create(
        [
            CommunityDocument(
                community=reg_world.c1, title=f"文件{k:03d}", published_on=datetime.date(2026, 1, 1 + k % 28)
            )
            for k in range(45)
        ]
    )
    client = login(reg_world.users.community_worker)
    rows, links = walk_pages(client, url_of(reg_world), "list=documents")
    docs = CommunityDocument.objects.filter(community=reg_world.c1)
    assert [d.pk for d in rows] == [d.pk for d in sorted(docs, key=lambda d: (d.published_on, d.pk), reverse=True)]
    assert len(rows) == docs.count() >= 45 and links


def test_the_counts_are_read_in_one_query_and_capped(reg_world, login):
    bulk_confirmed(reg_world, COUNT_CAP + 3)
    client = login(reg_world.users.community_worker)
    response = client.get(url_of(reg_world), {"list": "registrations"})
    sections = {s.key: s for s in response.context["sections"]}
    assert sections["registrations"].count.capped and str(sections["registrations"].count) == f"{COUNT_CAP}+"
    assert sections["documents"].count.exact
    assert f'<span class="count">{COUNT_CAP}+</span>' in response.content.decode()
    assert response.context["page"].count is sections["registrations"].count  # not counted twice


def test_a_deep_page_costs_what_the_first_does(reg_world, login, count_queries):
    bulk_confirmed(reg_world, 300)
    worker = reg_world.users.community_worker
    client = login(worker)
    url = url_of(reg_world)
    page5 = client.get(url, {"list": "registrations", "page": 5}).content.decode()
    deep = f"{url}?{unescape(NEXT_LINK.search(page5).group(1))}"
    assert "after=" in deep
    first = count_queries(worker, f"{url}?list=registrations")
    assert count_queries(worker, deep) == first
    bulk_confirmed(reg_world, 300)  # more rows, the same queries
    assert count_queries(worker, f"{url}?list=registrations") == first


# -- PostgreSQL: the plan at 100,000 registrations -------------------------------------------------


@pytest.mark.skipif(connection.vendor != "postgresql", reason="query plans of PostgreSQL")
def test_the_registration_list_reads_its_keys_from_an_index_at_100k(reg_world):
    homes = [reg_world.c1.pk, reg_world.c3.pk, reg_world.c2.pk]
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO people_member (public_id, name, pinyin, sex, mobile, category, status, org_id,
                home_community_id, created_at, updated_at)
            SELECT gen_random_uuid(), '报到' || lpad(g::text, 6, '0'), 'bd', '', '', 'full', 'in_service', %s,
                (%s::bigint[])[1 + mod(g, %s)], now(), now()
            FROM generate_series(1, 100000) AS g
            """,
            [reg_world.eb.pk, homes, len(homes)],
        )
        # The status cycle (5) must not share a period with the home cycle (3): with both on 3, a member
        # sequence starting at a multiple of 3 left 婆石社区 with no confirmed registrations at all.
        cursor.execute(
            """
            INSERT INTO registration_registration (public_id, kind, community_id, member_id, status, contact_name,
                contact_mobile, skills, note, submitted_at, decided_at, decision_note)
            SELECT gen_random_uuid(), 'member', home_community_id, id,
                CASE WHEN mod(id, 5) = 0 THEN 'submitted' ELSE 'confirmed' END, '', '', '[]'::jsonb, '',
                now() - id * interval '1 minute',
                CASE WHEN mod(id, 5) = 0 THEN NULL ELSE now() - id * interval '30 seconds' END, ''
            FROM people_member WHERE name LIKE '报到%%'
            """
        )
        cursor.execute("ANALYZE people_member")
        cursor.execute("ANALYZE registration_registration")
    assert Registration.objects.filter(community=reg_world.c1, status="confirmed").count() > 20_000
    qs = selectors.community_five_lists(reg_world.c1, with_counts=False)[1].items
    order = selectors.CONFIRMED_ORDER
    middle = qs.values_list("kind", "decided_at", "pk")[10_000]
    for keys in (
        qs.values("pk")[:21],  # page 1
        qs.values("pk")[: COUNT_CAP + 1],  # the capped count
        qs.filter(seek_q(order, middle)).order_by(*order).values("pk")[:21],  # a deep page by cursor
    ):
        text = plan(keys)
        assert "registration_confirmed_list" in text, text
        assert "Seq Scan on registration_registration" not in text and "Sort" not in text, text
