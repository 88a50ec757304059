"""The workbench list at scale: the stored order (Case.due_key) kept by every write, the list read as
index-served parts (the scope, and what the user owns outside it), keyset pages that walk the whole list
both ways, and counts exact up to a cap ("1000+" above it)."""

from __future__ import annotations

import datetime
import re

from django.urls import reverse
from django.utils import timezone

from dangjian.cases import selectors, services
from dangjian.cases.models import (
    FINISHED_KEY_START,
    OPEN_KEY_END,
    Case,
    CaseStatus,
    due_key_expression,
    due_key_value,
    epoch_micros,
)
from dangjian.cases.tests.test_workflow import accepted, submit
from dangjian.core import keyset
from dangjian.demo.bulk_cases import make_case

LIST = reverse("cases:list")
HOUR = datetime.timedelta(hours=1)


def stored_key_is_current(case: Case) -> bool:
    case.refresh_from_db()
    return case.due_key == due_key_value(case.status, case.deadline, case.received_at)


def test_every_write_keeps_the_stored_order_current(world):
    case = submit(world)
    assert stored_key_is_current(case) and OPEN_KEY_END - 10**17 < case.due_key < OPEN_KEY_END  # open, no deadline
    case = accepted(world)  # take_step sets the deadline: the key is the deadline in µs
    assert case.deadline is not None and case.due_key == epoch_micros(case.deadline)
    late = timezone.now() - 5 * HOUR
    Case.objects.filter(pk=case.pk).update(deadline=late)  # a queryset update moves the key in the same statement
    assert stored_key_is_current(case) and case.due_key == epoch_micros(late)
    case.status = CaseStatus.REJECTED
    case.save(update_fields=["status"])  # a partial save that touches the status writes the key too
    assert stored_key_is_current(case) and case.due_key >= FINISHED_KEY_START
    Case.objects.filter(pk=case.pk).update(status=CaseStatus.ACCEPTED, deadline=None)
    assert stored_key_is_current(case) and case.due_key < OPEN_KEY_END
    other = accepted(world)  # a step through the engine (take_step with fields): dispatch
    other = services.case_dispatch(
        actor=world.users.community_worker, case=other, kind="department", department=world.dept
    )
    assert other.status == CaseStatus.DISPATCHED and stored_key_is_current(other)
    closed = services.case_close(actor=world.users.department_staff, case=other, result="已处置")
    assert closed.status == CaseStatus.CLOSED and stored_key_is_current(closed) and closed.due_key >= FINISHED_KEY_START


def test_the_migration_expression_agrees_with_python_on_every_row(world):
    now = timezone.now()
    rows = [
        make_case(area=world.g1a, received_at=now - 3 * HOUR),
        make_case(area=world.g1a, received_at=now - 2 * HOUR, status=CaseStatus.ACCEPTED, deadline=now + HOUR),
        make_case(area=world.c3, received_at=now - HOUR, status=CaseStatus.ARCHIVED, deadline=now - HOUR),
        make_case(
            area=world.g2,
            received_at=now.replace(microsecond=0),
            status=CaseStatus.HANDLING,
            deadline=now.replace(microsecond=0),
        ),
    ]
    before = {c.pk: Case.objects.get(pk=c.pk).due_key for c in rows}
    Case.objects.update(due_key=0)
    Case.objects.update(due_key=due_key_expression())  # what 0007_case_due_key runs, in the database
    assert {c.pk: Case.objects.get(pk=c.pk).due_key for c in rows} == before
    assert all(stored_key_is_current(c) for c in rows)


def test_overdue_is_a_range_of_the_key_and_exact(world):
    now = timezone.now()
    late = make_case(area=world.g1a, received_at=now - 9 * HOUR, status=CaseStatus.HANDLING, deadline=now - HOUR)
    soon = make_case(area=world.g1a, received_at=now - 9 * HOUR, status=CaseStatus.HANDLING, deadline=now + HOUR)
    done = make_case(area=world.g1a, received_at=now - 9 * HOUR, status=CaseStatus.CLOSED, deadline=now - HOUR)
    fresh = make_case(area=world.g1a, received_at=now - HOUR)  # submitted, no deadline yet
    overdue = set(Case.objects.filter(selectors.overdue_q(now)).values_list("pk", flat=True))
    assert overdue == {late.pk}
    # Time passing needs no write: an hour on, "soon" is overdue by the same key.
    later = set(Case.objects.filter(selectors.overdue_q(now + 2 * HOUR)).values_list("pk", flat=True))
    assert later == {late.pk, soon.pk}
    ordered = list(selectors.case_list(world.users.community_worker).values_list("pk", flat=True))
    assert ordered == [late.pk, soon.pk, fresh.pk, done.pk]  # overdue, due soon, no deadline, finished


def test_the_parts_are_the_list_for_every_role_and_tab(world):
    now = timezone.now()
    for k, area in enumerate((world.g1a, world.g1b, world.g2, world.g3, world.c1, world.s1)):
        for status, deadline in (
            (CaseStatus.SUBMITTED, None),
            (CaseStatus.DISPATCHED, now + HOUR),
            (CaseStatus.HANDLING, now - HOUR),
            (CaseStatus.CLOSED, now - HOUR),
            (CaseStatus.ARCHIVED, now - 9 * HOUR),
        ):
            make_case(
                area=area,
                received_at=now - (k + 2) * HOUR,
                status=status,
                deadline=deadline,
                supervised=k % 2 == 0,
                departments=(world.dept,) if status == CaseStatus.DISPATCHED else (),
            )
    # The community worker owns a case that was moved out of the community (首问负责制): a second part.
    away = make_case(area=world.g3, received_at=now - HOUR, status=CaseStatus.HANDLING, deadline=now + 2 * HOUR)
    Case.objects.filter(pk=away.pk).update(owner=world.users.community_worker)
    u = world.users
    assert len(selectors.list_scopes(u.community_worker)) == 2
    assert len(selectors.list_scopes(u.community_worker_colleague)) == 1
    users = (u.community_worker, u.district_admin, u.subdistrict_admin, u.grid_worker, u.department_staff)
    tabs = ("", "todo", "dispatched", "handling", "overdue", "supervised", "mine", *selectors.QUEUES)
    for user in users:
        for tab in tabs:
            listed = list(selectors.case_list(user, tab=tab).values_list("pk", flat=True))
            parts = [pk for part in selectors.list_parts(user, tab=tab) for pk in part.values_list("pk", flat=True)]
            assert sorted(parts) == sorted(listed) and len(parts) == len(set(parts)), (user.username, tab)
            page = selectors.case_page(user, tab=tab, per_page=100)
            assert [c.pk for c in page.rows] == listed, (user.username, tab)  # the merge keeps the order
            assert int(page.count) == len(listed)
    counts = selectors.tab_counts(u.community_worker)
    for tab in ("todo", "dispatched", "handling", "overdue"):
        assert counts[tab] == selectors.case_list(u.community_worker, tab=tab).count(), tab
    open_supervised = selectors.case_list(u.community_worker, supervised=True).filter(status__in=keyset_open())
    assert counts["supervised"] == open_supervised.count()
    assert away.number in _html(world, u.community_worker, {"tab": "handling"})


def keyset_open():
    from dangjian.cases.workflow import OPEN_STATUSES

    return OPEN_STATUSES


def _html(world, user, params=None):
    from django.test import Client

    client = Client()
    client.force_login(user)
    response = client.get(LIST, params or {})
    assert response.status_code == 200
    return response.content.decode()


def test_keyset_pages_walk_the_whole_list_both_ways(world):
    now = timezone.now()
    for k in range(23):
        status = (CaseStatus.HANDLING, CaseStatus.SUBMITTED, CaseStatus.ARCHIVED)[k % 3]
        deadline = now + (k - 8) * HOUR if status == CaseStatus.HANDLING else None
        make_case(area=world.g1a, received_at=now - k * HOUR, status=status, deadline=deadline)
    user = world.users.community_worker
    expected = list(selectors.case_list(user).values_list("pk", flat=True))
    page = selectors.case_page(user, per_page=4)
    seen, pages = [c.pk for c in page.rows], [page]
    while page.has_next:
        kind, _, value = page.next_query.partition("=")
        page = selectors.case_page(user, per_page=4, **{kind: value})
        seen += [c.pk for c in page.rows]
        pages.append(page)
    assert seen == expected and len(pages) == 6
    assert [p.number for p in pages] == [1, 2, 3, 4, 5, None]  # numbered first pages, then a cursor
    assert pages[4].next_query.startswith("after=") and pages[3].next_query == "page=5"
    back = []
    while page.has_previous:
        back = [c.pk for c in page.rows] + back
        kind, _, value = page.previous_query.partition("=")
        page = selectors.case_page(user, per_page=4, **{kind: value})
    assert [c.pk for c in page.rows] + back == expected and page.number == 1
    # Out of range and malformed: like Paginator.get_page, the last page or the first.
    assert [c.pk for c in selectors.case_page(user, per_page=4, page="99").rows] == expected[20:]
    assert [c.pk for c in selectors.case_page(user, per_page=4, after="x.y").rows] == expected[:4]


def test_the_page_links_continue_by_cursor_and_keep_the_filters(world):
    now = timezone.now()
    for k in range(130):
        make_case(area=world.g1a, received_at=now - k * HOUR, status=CaseStatus.ARCHIVED)
    html = _html(world, world.users.community_worker, {"page": "5", "status": "archived"})
    assert "第 5 / 7 页，共 130 条" in html
    after = re.search(r'href="\?([^"]*after=[A-Za-z0-9_-]+)" rel="next"', html).group(1).replace("&amp;", "&")
    assert "status=archived" in after
    params = dict(p.split("=", 1) for p in after.split("&"))
    html = _html(world, world.users.community_worker, params)
    assert "共 130 条" in html and 'rel="prev"' in html and "before=" in html
    expected = list(selectors.case_list(world.users.community_worker, status="archived")[100:120])
    assert all(c.number in html for c in expected)


def test_counts_are_exact_below_the_cap_and_never_wrong_above_it(world):
    now = timezone.now()
    for k in range(5):
        make_case(area=world.g1a, received_at=now - k * HOUR, status=CaseStatus.HANDLING, deadline=now + HOUR)
    parts = selectors.list_parts(world.users.community_worker, tab="handling")
    assert str(keyset.capped_counts({"h": parts}, cap=10)["h"]) == "5"
    capped = keyset.capped_counts({"h": parts}, cap=3)["h"]
    assert capped.capped and int(capped) == 3 and str(capped) == "3+"
    assert str(keyset.capped_counts({"h": parts}, cap=5)["h"]) == "5"  # exact up to the cap
