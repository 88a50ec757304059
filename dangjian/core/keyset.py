"""Lists that cost a page, not the scope: keyset (seek) pagination over one or several ordered
querysets, and counts capped by a LIMIT.

A list is given as `parts`: one queryset, or several disjoint querysets whose union is the list (e.g.
the cases of a scope and the cases its user owns outside it), each served by an index in `ordering`.
`ordering` names stored columns, any type (numbers, dates, datetimes), each ascending or descending
("-submitted_at"), the last one unique (the primary key), none nullable. A page:

- by number (?page=N, the first `numbered_pages` pages are linked): reads at most the first
  N * per_page + 1 rows of each part (one part: an OFFSET of at most a few pages);
- by cursor (?after= / ?before=, deeper pages): `WHERE (a, b) > (…) ORDER BY a, b LIMIT per_page + 1`
  on each part, which its index serves however deep the page; the parts' rows are merged.

Each read is a deferred join in ONE query: the ids by an index walk in a LIMIT subquery (no joins), then
those rows by primary key with the part's select_related (see _rows for the planner pitfalls).

Cursors are opaque (urlsafe base64 of the ordering values as JSON) and checked against the ordering's
model fields: a malformed, stale or foreign cursor opens page 1, never an error.

Counts are exact up to a cap and shown "cap+" above it (`CappedCount`): each a
`SELECT COUNT(*) FROM (… LIMIT cap + 1)` subquery, several counts in one query; no COUNT of a scope.

Generic: nothing here knows cases or demands (core imports no other app).
"""

from __future__ import annotations

import base64
import binascii
import datetime
import decimal
import functools
import heapq
import json
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import EmptyResultSet, FieldDoesNotExist, ValidationError
from django.db import connections
from django.db.models import Model, Q, QuerySet
from django.utils.timezone import is_naive

COUNT_CAP = 1000  # counts are exact up to this; above it they read "1000+"
NUMBERED_PAGES = 5  # pages 1..5 are offered by number (cheap offsets); deeper pages by cursor
MAX_CURSOR = 512  # longer cursor text is not one of ours


# -- capped counts --------------------------------------------------------------------------------


class CappedCount(int):
    """A count exact up to its cap: an int (the cap when capped) that prints "1000+" when capped.

    `CappedCount(n, cap)` of n rows read: capped when n > cap (a LIMIT cap + 1 read more than cap).
    `capped=True` marks a count known to be at least its value (e.g. a sum of parts one of which is
    capped). Templates print it as str(); the "+" is lost if a number filter formats it."""

    capped: bool
    cap: int

    def __new__(cls, value: int, cap: int = COUNT_CAP, *, capped: bool = False) -> CappedCount:
        obj = super().__new__(cls, min(int(value), cap))
        obj.capped = capped or value > cap
        obj.cap = cap
        return obj

    @property
    def exact(self) -> bool:
        return not self.capped

    def __str__(self) -> str:
        return f"{int(self)}+" if self.capped else str(int(self))

    def __repr__(self) -> str:
        return f"CappedCount({self})"


def capped_sum(counts: Sequence[CappedCount], cap: int = COUNT_CAP) -> CappedCount:
    """The count of the union of disjoint parts counted apart: capped when any part was."""
    return CappedCount(sum(int(c) for c in counts), cap, capped=any(c.capped for c in counts))


def _as_parts(parts: QuerySet | Sequence[QuerySet]) -> list[QuerySet]:
    return [parts] if isinstance(parts, QuerySet) else list(parts)


def capped_counts(
    groups: Mapping[str, QuerySet | Sequence[QuerySet]],
    cap: int = COUNT_CAP,
    orderings: Mapping[str, Sequence[str]] | None = None,
) -> dict[str, CappedCount]:
    """For each key, how many rows its queryset(s) hold together, exact up to `cap`: ONE query, each
    part a `(SELECT COUNT(*) FROM (… LIMIT cap + 1))` subquery, so none reads more than cap + 1 index
    entries. `orderings[key]`: count in the list's order, so the planner walks the list's own index (an
    unordered LIMIT may pick a sequential scan that, for recent rows at the end of the table, reads all
    of it); without one the subquery has no ORDER BY (the planner picks the narrowest index range)."""
    orderings = orderings or {}
    selects: list[str] = []
    params: list[Any] = []
    names: list[str] = []
    alias = None
    for name, group in groups.items():
        for part in _as_parts(group):
            if part.query.is_empty():
                continue
            alias = alias or part.db
            capped = part.order_by(*orderings.get(name, ())).values("pk")[: cap + 1]
            try:
                # The part's own database (a replica under core.db.replica_view), not the default's.
                sql, part_params = capped.query.get_compiler(using=capped.db).as_sql()
            except EmptyResultSet:  # a filter that can match nothing (e.g. pk__in=[])
                continue
            selects.append(f"(SELECT COUNT(*) FROM ({sql}) AS capped_{len(selects)})")
            params.extend(part_params)
            names.append(name)
    totals = dict.fromkeys(groups, 0)
    if selects:
        with connections[alias or "default"].cursor() as cursor:
            cursor.execute("SELECT " + ", ".join(selects), params)
            row = cursor.fetchone()
        for name, value in zip(names, row, strict=True):
            totals[name] += value
    return {name: CappedCount(total, cap) for name, total in totals.items()}


def capped_count(
    parts: QuerySet | Sequence[QuerySet], cap: int = COUNT_CAP, ordering: Sequence[str] = ()
) -> CappedCount:
    """capped_counts of one list (one queryset or disjoint parts)."""
    return capped_counts({"n": parts}, cap, {"n": ordering})["n"]


# -- cursors --------------------------------------------------------------------------------------


def _columns(ordering: Sequence[str]) -> list[tuple[str, bool]]:
    """(attribute, descending) of each ordering column."""
    return [(term.lstrip("-"), term.startswith("-")) for term in ordering]


def _model_field(model: type[Model], name: str) -> Any:
    return model._meta.pk if name == "pk" else model._meta.get_field(name)


def _plain(value: Any) -> Any:
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    return value


def encode_cursor(values: Sequence[Any]) -> str:
    """An opaque cursor naming a place in an ordering by the ordering's column values."""
    raw = json.dumps([_plain(v) for v in values], separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def cursor_of(row: Any, ordering: Sequence[str]) -> str:
    return encode_cursor([getattr(row, name) for name, _desc in _columns(ordering)])


def decode_cursor(text: str | None, model: type[Model], ordering: Sequence[str]) -> list[Any] | None:
    """The ordering values a cursor names, each parsed and validated by its model field; None when the
    cursor is absent or not one of this ordering's (then the caller shows page 1)."""
    if not text or len(text) > MAX_CURSOR:
        return None
    try:
        values = json.loads(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))
        columns = _columns(ordering)
        if not isinstance(values, list) or len(values) != len(columns):
            return None
        parsed = []
        for (name, _desc), value in zip(columns, values, strict=True):
            if value is None or isinstance(value, list | dict):
                return None
            if isinstance(value, str) and "\x00" in value:  # PostgreSQL refuses NUL in text
                return None
            model_field = _model_field(model, name)
            value = model_field.to_python(value)
            model_field.run_validators(value)  # e.g. an integer out of the column's range
            if value is None or (isinstance(value, datetime.datetime) and settings.USE_TZ and is_naive(value)):
                return None  # our cursors carry aware datetimes
            parsed.append(value)
    except (ValueError, TypeError, OverflowError, binascii.Error, ValidationError, FieldDoesNotExist):
        return None  # UnicodeDecodeError and json's errors are ValueErrors
    return parsed


def seek_q(ordering: Sequence[str], values: Sequence[Any], *, backward: bool = False) -> Q:
    """Rows after (backward: before) the row whose ordering columns hold `values`:
    a >= va AND (a > va OR (a = va AND b > vb) …), with < for descending columns (and backward)."""
    columns = _columns(ordering)
    q = Q()
    for i in range(len(columns) - 1, -1, -1):
        name, desc = columns[i]
        term = Q(**{f"{name}__{'lt' if desc != backward else 'gt'}": values[i]})
        if i < len(columns) - 1:
            term |= Q(**{name: values[i]}) & q
        q = term
    # The bound on the first column alone, as an AND term an index range starts from (the OR above is
    # only a filter to PostgreSQL and SQLite): the range starts at the key and only its ties are filtered.
    name, desc = columns[0]
    return Q(**{f"{name}__{'lte' if desc != backward else 'gte'}": values[0]}) & q


# -- reading rows ---------------------------------------------------------------------------------


def _sort_key(ordering: Sequence[str]) -> Any:
    """The ordering as a Python sort key (numbers, dates and ids compare as the database does)."""
    columns = _columns(ordering)

    def compare(a: Any, b: Any) -> int:
        for name, desc in columns:
            x, y = getattr(a, name), getattr(b, name)
            if x != y:
                smaller = -1 if x < y else 1
                return -smaller if desc else smaller
        return 0

    return functools.cmp_to_key(compare)


def _reverse(ordering: Sequence[str]) -> list[str]:
    return [term[1:] if term.startswith("-") else f"-{term}" for term in ordering]


def _rows(part: QuerySet, ordering: Sequence[str], start: int, stop: int, condition: Q | None = None) -> list[Any]:
    """Rows start..stop of `part` in `ordering`, as a deferred join in ONE query: the ids from an index
    range in a LIMIT subquery (the table alone: the index walk stops after `stop` entries, and a filter
    the index does not cover sorts narrow ids, not joined rows), then those rows by primary key with the
    part's select_related, deferred fields and prefetches (not annotations). One query joining every
    related table before the LIMIT lets the planner sort the whole scope. The outer query has no ORDER BY
    (the planner would walk the order index to meet the few ids) and should join few tables (beyond
    join_collapse_limit PostgreSQL joins the whole table before meeting the ids): the rows are sorted
    here."""
    narrowed = part.filter(condition) if condition is not None else part
    ids = narrowed.order_by(*ordering).values("pk")[start:stop]
    rows = part.model._base_manager.using(part.db).filter(pk__in=ids).order_by()
    rows.query.select_related = part.query.select_related
    rows.query.deferred_loading = part.query.deferred_loading
    rows = rows.prefetch_related(*part._prefetch_related_lookups)  # type: ignore[attr-defined]
    return sorted(rows, key=_sort_key(ordering))


def _merged(parts: list[QuerySet], ordering: Sequence[str], n: int, condition: Q | None = None) -> list[Any]:
    """The first `n` rows of the union of the disjoint `parts` in `ordering` (n from each at most)."""
    if len(parts) == 1:
        return _rows(parts[0], ordering, 0, n, condition)
    key = _sort_key(ordering)
    return list(heapq.merge(*(_rows(p, ordering, 0, n, condition) for p in parts), key=key))[:n]


def first_rows(parts: QuerySet | Sequence[QuerySet], ordering: Sequence[str], n: int) -> list[Any]:
    """The first `n` rows of a list (one queryset or disjoint parts) in `ordering`."""
    return _merged(_as_parts(parts), ordering, n)


# -- the page -------------------------------------------------------------------------------------


@dataclass
class KeysetPage:
    """A page for the templates (core/_pagination.html), with Django's Page API where it overlaps
    (object_list, number, has_next, has_previous, has_other_pages, paginator.count, paginator.num_pages)."""

    object_list: list[Any]
    count: CappedCount
    per_page: int
    number: int | None  # the page number when reached by number, None when reached by cursor
    has_next: bool
    has_previous: bool
    next_query: str = ""  # "page=3" or "after=<cursor>" ("" on the last page)
    previous_query: str = ""  # "page=2" or "before=<cursor>" ("" on the first)
    numbers: list[int] = field(default_factory=list)  # the numbered pages offered as links
    tab_counts: dict[str, CappedCount] = field(default_factory=dict)  # other counts read with the page's

    @property
    def rows(self) -> list[Any]:
        return self.object_list

    @property
    def paginator(self) -> KeysetPage:
        return self

    @property
    def count_label(self) -> str:
        """The count as text: "1000+" past the cap (a number filter would drop the "+")."""
        return str(self.count)

    @property
    def num_pages(self) -> int | None:
        """Known only while the count is exact."""
        if self.count.capped:
            return None
        return max(1, -(-int(self.count) // self.per_page))

    def has_other_pages(self) -> bool:
        return self.has_next or self.has_previous


def _page_number(page: str | int | None, count: CappedCount, per_page: int) -> int:
    try:
        number = max(1, int(page or 1))
    except (TypeError, ValueError):
        number = 1
    # Like Paginator.get_page, past the end reads the last page; a capped count bounds the offset by the
    # cap (an OFFSET never reads more rows than a count does).
    return min(number, max(1, -(-int(count) // per_page)))


def page_params(request) -> dict[str, str | None]:
    """A list page's page=, after= and before= from its query string, as keyset_page takes them."""
    return {name: request.GET.get(name) for name in ("page", "after", "before")}


def keyset_page(
    parts: QuerySet | Sequence[QuerySet],
    ordering: Sequence[str],
    *,
    page: str | int | None = None,
    after: str | None = None,
    before: str | None = None,
    per_page: int = 20,
    numbered_pages: int = NUMBERED_PAGES,
    count_cap: int = COUNT_CAP,
    count: CappedCount | None = None,
) -> KeysetPage:
    """The page a request asks for: ?after= / ?before= (a cursor), else ?page=N (first pages by number;
    older links to deeper numbered pages still open). `parts`: one queryset or disjoint querysets whose
    union is the list, all of one model. `count`: the list's capped count when the caller has it already
    (a tab's count, read in one query with the others); else it is read here."""
    parts = _as_parts(parts)
    model = parts[0].model if parts else None
    if count is None:
        count = capped_count(parts, count_cap, ordering)
    parts = [part for part in parts if not part.query.is_empty()]
    result = None
    if after and model is not None and (values := decode_cursor(after, model, ordering)) is not None:
        rows = _merged(parts, ordering, per_page + 1, seek_q(ordering, values))
        if rows:  # else a stale cursor: page 1
            result = KeysetPage(rows[:per_page], count, per_page, None, len(rows) > per_page, True)
    elif before and model is not None and (values := decode_cursor(before, model, ordering)) is not None:
        rows = _merged(parts, _reverse(ordering), per_page + 1, seek_q(ordering, values, backward=True))
        if len(rows) > per_page:  # else the walk back reached the start: page 1
            result = KeysetPage(list(reversed(rows[:per_page])), count, per_page, None, True, True)
    if result is None:
        number = _page_number(page if not (after or before) else 1, count, per_page)
        offset = (number - 1) * per_page
        if len(parts) == 1:
            window = _rows(parts[0], ordering, offset, offset + per_page + 1)
        else:
            window = _merged(parts, ordering, offset + per_page + 1)[offset:]
        result = KeysetPage(window[:per_page], count, per_page, number, len(window) > per_page, number > 1)
    last_numbered = numbered_pages if count.capped else min(numbered_pages, result.num_pages or 1)
    result.numbers = list(range(1, last_numbered + 1)) if last_numbered > 1 else []
    rows, shown = result.object_list, result.number
    if rows and result.has_next:
        if shown is not None and shown < numbered_pages:
            result.next_query = f"page={shown + 1}"
        else:
            result.next_query = f"after={cursor_of(rows[-1], ordering)}"
    if result.has_previous:
        if shown is not None:
            result.previous_query = f"page={shown - 1}"
        elif rows:
            result.previous_query = f"before={cursor_of(rows[0], ordering)}"
    return result
