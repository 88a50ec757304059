"""The audit page costs a page of the largest table: keyset pages newest first (numbered, then by cursor)
keeping the filters, a count capped at core.keyset.COUNT_CAP, a deep page in as many queries as the first,
and on PostgreSQL an index walk in the page's order at 100,000 events (no sequential scan, no sort)."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from dangjian.audit.models import AuditEvent
from dangjian.audit.selectors import LIST_ORDER, filter_events
from dangjian.core.keyset import COUNT_CAP, seek_q
from dangjian.core.testing import query_plan as plan
from dangjian.core.testing import walk_pages


def bulk_events(world, n: int, *, action: str = "update", path: str | None = None, label: str = "对象") -> None:
    start = timezone.now() - datetime.timedelta(days=1)
    AuditEvent.objects.bulk_create(
        [
            AuditEvent(
                actor_name="批量",
                action=action,
                object_type="territory.area",
                object_id=str(k),
                object_repr=f"{label}{k:05d}",
                area_path=world.c1.path if path is None else path,
            )
            for k in range(n)
        ],
        batch_size=2000,
    )
    # bulk_create sets `at` to now (auto_now_add): spread the events over a day, some sharing a second.
    for event in AuditEvent.objects.filter(actor_name="批量", action=action).only("pk"):
        AuditEvent.objects.filter(pk=event.pk).update(at=start + datetime.timedelta(seconds=(event.pk // 3) * 60))


def walk(client, params: str = "") -> tuple[list[int], list[str]]:
    rows, links = walk_pages(client, reverse("audit:list"), params)
    return [e.pk for e in rows], links


def test_every_event_is_reached_once_newest_first_with_the_filters_kept(world, login):
    bulk_events(world, 200)
    bulk_events(world, 40, action="reveal", label="查看")
    bulk_events(world, 30, path="ZZ01", label="区外")  # another district's
    admin = world.users.district_admin
    client = login(admin)
    ids, links = walk(client)
    expected = list(AuditEvent.objects.visible_to(admin).order_by(*LIST_ORDER).values_list("pk", flat=True))
    assert ids == expected and len(ids) >= 240
    assert any(link.startswith("after=") for link in links)
    ids, links = walk(client, "action=update&what=对象")
    assert len(ids) == 200 and all("action=update" in link and "what=" in link for link in links)
    assert ids == list(
        filter_events(AuditEvent.objects.visible_to(admin), {"action": "update", "what": "对象"})
        .order_by(*LIST_ORDER)
        .values_list("pk", flat=True)
    )


def test_the_count_is_capped_and_a_deep_page_costs_what_the_first_does(world, login, count_queries):
    bulk_events(world, COUNT_CAP + 5)
    admin = world.users.district_admin
    client = login(admin)
    page = client.get(reverse("audit:list")).context["page"]
    assert page.count.capped and str(page.count) == f"{COUNT_CAP}+"
    assert client.get(reverse("audit:list"), {"action": "reveal"}).context["page"].count.exact
    _ids, links = walk(client)
    deep = [link for link in links if link.startswith("after=")][-1]
    first = count_queries(admin, reverse("audit:list"))
    assert count_queries(admin, f"{reverse('audit:list')}?{deep}") == first


# -- PostgreSQL: the plans at 100,000 events -------------------------------------------------------


@pytest.mark.skipif(connection.vendor != "postgresql", reason="query plans of PostgreSQL")
def test_the_audit_page_reads_its_keys_from_an_index_at_100k(world):
    paths = [world.c1.path, world.c3.path, world.district.path, "ZZ01", "ZZ02", "ZZ03", "ZZ0401", ""]
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO audit_auditevent (at, actor_name, role, action, object_type, object_id, object_repr,
                changes, area_path)
            SELECT now() - g * interval '30 seconds', 'user' || mod(g, 300), 'district_admin',
                CASE WHEN mod(g, 40) = 0 THEN 'reveal' WHEN mod(g, 7) = 0 THEN 'create' ELSE 'update' END,
                'cases.case', g::text, '对象' || g, '{}'::jsonb, (%s::text[])[1 + mod(g, %s)]
            FROM generate_series(1, 100000) AS g
            """,
            [paths, len(paths)],
        )
        cursor.execute("ANALYZE audit_auditevent")
    from django.contrib.auth import get_user_model

    admin = get_user_model().objects.create_superuser("plan-admin", password="x")
    for user in (world.users.district_admin, admin):
        base = AuditEvent.objects.visible_to(user)
        # (A text filter, who= or what=, is a substring match no b-tree serves: it reads the scope.)
        for params in ({}, {"action": "reveal"}, {"since": "2000-01-01"}, {"action": "create", "until": "2100-01-01"}):
            qs = filter_events(base, params).order_by(*LIST_ORDER)
            for keys in (qs.values("pk")[:31], qs.values("pk")[: COUNT_CAP + 1]):
                text = plan(keys)
                assert "Seq Scan on audit_auditevent" not in text, (user.username, params, text)
                if not params or "since" in params:  # the whole scope (a rare action may sort its few rows)
                    assert "Sort" not in text, (user.username, params, text)
        qs = base.order_by(*LIST_ORDER)
        middle = qs.values_list("at", "pk")[5_000]
        text = plan(qs.filter(seek_q(LIST_ORDER, middle)).values("pk")[:31])
        assert "audit_event_at" in text and "Sort" not in text and "Seq Scan" not in text, text
    text = plan(filter_events(AuditEvent.objects.all(), {"action": "reveal"}).order_by(*LIST_ORDER).values("pk")[:31])
    assert "audit_event_action_at" in text, text
