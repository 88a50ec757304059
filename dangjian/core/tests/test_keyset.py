"""core.keyset on a model of its own layer's reach (the user model): keyset pages over one queryset or
several disjoint parts walk every row once both ways in any ordering (descending, datetimes, ties on
the first column), a bad cursor or page number opens a page (never an error), and counts are exact up
to a cap, say "cap+" above it, and come several in one query."""

from __future__ import annotations

import base64
import datetime
import json

import pytest
from django.contrib.auth import get_user_model
from django.template import engines
from django.utils import timezone

from dangjian.core.keyset import (
    CappedCount,
    capped_count,
    capped_counts,
    capped_sum,
    cursor_of,
    decode_cursor,
    encode_cursor,
    first_rows,
    keyset_page,
)
from dangjian.core.todo import TodoItem

pytestmark = pytest.mark.django_db
NEWEST = ("-date_joined", "-pk")


@pytest.fixture
def users():
    """47 users, one an hour back from now, every third staff; nine share one date_joined (ties)."""
    User = get_user_model()
    now = timezone.now().replace(microsecond=123456)
    User.objects.bulk_create(
        User(username=f"ks{k:02}", date_joined=now - datetime.timedelta(hours=k), is_staff=k % 3 == 0)
        for k in range(47)
    )
    qs = User.objects.filter(username__startswith="ks")
    tied = list(qs.order_by("pk").values_list("pk", flat=True)[10:19])
    qs.filter(pk__in=tied).update(date_joined=now - datetime.timedelta(days=3))
    return qs


def _walk(parts, ordering, per_page):
    """Every page forward from page 1, then every page back; the rows seen each way and the pages."""
    page = keyset_page(parts, ordering, per_page=per_page)
    seen, pages = [u.pk for u in page.rows], [page]
    while page.has_next:
        kind, _, value = page.next_query.partition("=")
        page = keyset_page(parts, ordering, per_page=per_page, **{kind: value})
        seen += [u.pk for u in page.rows]
        pages.append(page)
    back = [u.pk for u in page.rows]
    while page.has_previous:
        kind, _, value = page.previous_query.partition("=")
        page = keyset_page(parts, ordering, per_page=per_page, **{kind: value})
        back = [u.pk for u in page.rows] + back
    return seen, back, pages, page


def test_pages_walk_every_row_once_both_ways_numbered_then_by_cursor(users):
    expected = list(users.order_by(*NEWEST).values_list("pk", flat=True))
    seen, back, pages, first = _walk(users, NEWEST, 5)
    assert seen == expected and back == expected
    assert [p.number for p in pages] == [1, 2, 3, 4, 5, None, None, None, None, None]
    assert pages[3].next_query == "page=5" and pages[4].next_query.startswith("after=")
    assert pages[5].previous_query.startswith("before=") and pages[1].previous_query == "page=1"
    assert first.number == 1 and first.numbers == [1, 2, 3, 4, 5] and not first.has_previous
    assert pages[0].num_pages == 10 and str(pages[0].paginator.count) == "47" and pages[0].count.exact
    # An old link to a deep numbered page still opens; past the end, the last page (Paginator.get_page).
    assert [u.pk for u in keyset_page(users, NEWEST, page="7", per_page=5).rows] == expected[30:35]
    assert [u.pk for u in keyset_page(users, NEWEST, page="99", per_page=5).rows] == expected[45:]


def test_disjoint_parts_are_merged_in_any_ordering(users):
    parts = [users.filter(is_staff=True), users.filter(is_staff=False)]
    for ordering in (NEWEST, ("date_joined", "-pk"), ("is_staff", "-date_joined", "pk")):
        expected = list(users.order_by(*ordering).values_list("pk", flat=True))
        seen, back, pages, _first = _walk(parts, ordering, 4)
        assert seen == expected and back == expected, ordering
        assert int(pages[0].count) == 47 and len(pages) == 12
        assert [u.pk for u in first_rows(parts, ordering, 6)] == expected[:6]
        assert [u.pk for u in keyset_page(parts, ordering, page=3, per_page=4).rows] == expected[8:12]
    # A part that can hold nothing is skipped, and no parts at all is an empty page.
    assert [u.pk for u in keyset_page([users.none(), users], NEWEST, per_page=50).rows] == list(
        users.order_by(*NEWEST).values_list("pk", flat=True)
    )
    empty = keyset_page([], NEWEST, after="x")
    assert empty.rows == [] and int(empty.count) == 0 and not empty.has_other_pages()


def test_a_cursor_is_opaque_and_a_bad_one_opens_page_one(users):
    row = users.order_by(*NEWEST)[7]
    cursor = cursor_of(row, NEWEST)
    assert str(row.pk) not in cursor and decode_cursor(cursor, users.model, NEWEST) == [row.date_joined, row.pk]
    assert decode_cursor(cursor_of(row, ("username",)), users.model, NEWEST) is None  # another ordering's
    first = [u.pk for u in keyset_page(users, NEWEST, per_page=5).rows]

    def raw(value) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")

    bad = [
        "not-base64!",
        "x.y",
        raw([]),
        raw({"a": 1}),
        raw([row.date_joined.isoformat(), "abc"]),  # not an id
        raw([row.date_joined.isoformat(), 10**30]),  # out of the column's range
        raw(["2026-13-45T00:00:00", row.pk]),  # not a date
        raw(["2026-01-01T00:00:00", row.pk]),  # naive: not one of ours
        raw([None, row.pk]),
        raw([[1], row.pk]),
        raw(["\x00", row.pk]),
        "A" * 5000,
        base64.urlsafe_b64encode(b"\xff\xfe").decode(),  # not text
    ]
    for text in bad:
        assert decode_cursor(text, users.model, NEWEST) is None, text
        for direction in ("after", "before"):
            page = keyset_page(users, NEWEST, per_page=5, **{direction: text})
            assert [u.pk for u in page.rows] == first and page.number == 1, (direction, text)
    # A stale cursor (past every row): page 1 again, not an empty page.
    past = encode_cursor([row.date_joined - datetime.timedelta(days=999), 1])
    assert [u.pk for u in keyset_page(users, NEWEST, per_page=5, after=past).rows] == first
    for number in ("abc", "-3", "0", "10" * 20, None):
        assert keyset_page(users, NEWEST, page=number, per_page=5).number in (1, 10)


def test_counts_are_exact_up_to_the_cap_and_several_come_in_one_query(users, django_assert_num_queries):
    staff, others = users.filter(is_staff=True), users.filter(is_staff=False)
    with django_assert_num_queries(1):
        counts = capped_counts({"staff": staff, "both": [staff, others], "none": users.none()}, cap=20)
    assert counts["staff"] == 16 and counts["staff"].exact and str(counts["staff"]) == "16"
    assert counts["both"] == 20 and counts["both"].capped and str(counts["both"]) == "20+"
    assert counts["none"] == 0 and str(counts["none"]) == "0"
    assert str(capped_count(staff, 16)) == "16" and str(capped_count(staff, 15)) == "15+"
    assert str(capped_count(users, 1000, NEWEST)) == "47"
    assert str(CappedCount(1000, 1000)) == "1000" and str(CappedCount(1001, 1000)) == "1000+"
    assert str(capped_sum([CappedCount(4, 3), CappedCount(0, 3)], 3)) == "3+"
    assert str(capped_sum([CappedCount(2, 3), CappedCount(1, 3)], 3)) == "3"
    # A capped count's page offers the first numbered pages and no total of pages.
    page = keyset_page(users, NEWEST, per_page=5, count=capped_count(users, 20))
    assert page.num_pages is None and page.numbers == [1, 2, 3, 4, 5] and page.count_label == "20+"
    assert [u.pk for u in keyset_page(users, NEWEST, page=9, per_page=5, count=capped_count(users, 20)).rows] == [
        u.pk for u in users.order_by(*NEWEST)[15:20]
    ]  # an offset never reads past the cap


def test_a_capped_count_shows_its_plus_where_it_is_printed():
    item = TodoItem("全部超期事件", "/cases/?tab=late", CappedCount(1500, 1000))
    template = engines["django"].from_string(
        "{% load i18n %}<b>{{ item.count }}</b>"
        "{% blocktranslate with n=item.count %}共 {{ n }} 件{% endblocktranslate %}"
    )
    assert template.render({"item": item}) == "<b>1000+</b>共 1000+ 件"
    assert item.count == 1000 and isinstance(item.count, int)
