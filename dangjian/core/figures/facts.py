"""The figures store: daily facts every figures page reads instead of raw rows.

An app declares a `Subject` in its `facts.py` (autodiscovered by CoreConfig.ready, like navigation.py):
the model, the field that puts a row in a cohort day (received_at, submitted_at), the names of its
counters, the dimensions it is broken down by (department, category, channel, kind...) and `part`:
what one row, as it is now, adds to the facts (a `Part`: its day, its node, its dimension values,
its counts, one amount and at most one duration). Nothing else about meaning lives here.

The write path. A created row (post_save, created) and every workflow step (core.workflow.step_taken,
sent inside take_step's transaction) call `record(subject, obj)`: the row's Part now, minus what the
row last added (its FactMark), is added to DailyFact in one upsert (`INSERT ... ON CONFLICT DO UPDATE
SET c = c + excluded.c`, the same SQL on SQLite and PostgreSQL), in the writer's transaction. A Part
is added at the row's node and at every ancestor, in total and per dimension value, so a node's figures
are a sum over (days × its children): the cost follows the period and the number of children, never
the number of rows.

What bypasses the signals (bulk generators, an import with bulk_create, a fix in the shell) is covered
by `rebuild` (the `facts` management command) and by the nightly `reconcile` of yesterday, which
recomputes a day from raw rows, reports every difference and repairs it.

Stocks. A subject declared with `stock = True` counts what exists as of a date (resident units and
whether they are organized or covered; members by status; members registered at home, 双报到), not what
happened on a cohort day. Its part is still what a row adds as it is now, but a change is recorded as
the difference on the day the change happens (+1 under a node when a unit enters a state, −1 when it
leaves: a row's part is spread at today's date, whatever its own day), so the stock of a node on date D
is the sum of its rows' deltas up to D. Every save of the row (not only steps) records it, and a
subject's `follows()` names the other models whose writes change its parts (a member's workplace
changes the unit's members on record; a district's rule changes its units' thresholds). To keep a
reading bounded, `snapshot` (nightly, and after a rebuild) stores under `<name>@m` the stock as of the
first day of each month; a reading adds one snapshot row and at most a month of daily deltas per
(node, dimension). A stock's history cannot be recomputed from raw rows (they keep no history):
`rebuild` puts each row's current part on its own day (`cohort_field`, e.g. created_at: what exists
now is counted from when it was created), and `reconcile` compares the stored stock as of today with
the raw rows now and writes any difference as a correcting delta on today, keeping the history.

Durations (e.g. hours from received to closed) are counted in fixed histogram buckets (BUCKET_EDGES);
medians and percentiles are read from the buckets by linear interpolation inside the bucket that holds
the rank: an approximation whose error is bounded by the bucket's width, which the pages say.
"""

from __future__ import annotations

import bisect
import datetime
import gc
import json
import logging
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, models, transaction
from django.db.models import Max, Min, Q, Sum
from django.utils import timezone

from dangjian.core.models import BUCKET_SLOTS, COUNT_SLOTS, FACT_COUNTS, MEASURE_SLOTS, DailyFact, FactMark
from dangjian.core.scoping import scope_for
from dangjian.core.tree import STEP, subtree_q

log = logging.getLogger("dangjian.facts")

# Upper edges of the duration buckets, in hours: bucket i holds [edge i-1, edge i), the last one is open.
BUCKET_EDGES: tuple[float, ...] = (1, 2, 4, 8, 12, 24, 36, 48, 72, 96, 120, 168, 240, 360, 720)
assert len(BUCKET_EDGES) + 1 == len(BUCKET_SLOTS)

SLOT_INDEX = {slot: i for i, slot in enumerate(MEASURE_SLOTS)}
AMOUNT_INDEX = SLOT_INDEX["amount"]
BUCKET0_INDEX = SLOT_INDEX["b0"]
WIDTH = len(MEASURE_SLOTS)


def bucket_of(hours: float) -> int:
    """The bucket a duration of `hours` falls in."""
    return bisect.bisect_right(BUCKET_EDGES, hours)


def bucket_bounds(index: int) -> tuple[float, float | None]:
    """[lower, upper) of a bucket in hours (upper None for the last, open one)."""
    lower = BUCKET_EDGES[index - 1] if index > 0 else 0.0
    upper = BUCKET_EDGES[index] if index < len(BUCKET_EDGES) else None
    return float(lower), (float(upper) if upper is not None else None)


def percentile(buckets: Iterable[int], q: float) -> float | None:
    """The q-quantile (0 < q < 1) of the durations counted in `buckets`, interpolated linearly inside
    the bucket that holds the rank q·n (the lower edge for the last, open bucket); None when empty."""
    counts = list(buckets)
    n = sum(counts)
    if n <= 0:
        return None
    rank = q * n
    before = 0
    for index, c in enumerate(counts):
        if c > 0 and before + c >= rank:
            lower, upper = bucket_bounds(index)
            if upper is None:
                return lower
            return lower + (upper - lower) * max(rank - before, 0) / c
        before += c
    return bucket_bounds(len(counts) - 1)[0]  # pragma: no cover - negative counts only (drift)


# -- declarations -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Part:
    """What one source row adds to the facts."""

    day: datetime.date
    area_path: str
    dims: tuple[str, ...] = ()  # "department:12", "channel:web" (the kind before the colon)
    counts: Mapping[str, int] = field(default_factory=dict)  # by the subject's counter names
    amount: int = 0
    hours: float | None = None  # a duration, counted in its bucket


class Subject:
    """One kind of source row the facts count. Subclass it in the app's facts.py and `register` it."""

    name = ""  # "cases": the key of its facts
    model: type[models.Model]
    cohort_field = ""  # the datetime field whose local date is the row's cohort day
    counts: tuple[str, ...] = ()  # counter names, in slot order (c0, c1, ...)
    amount = ""  # what `amount` means, where the subject uses it
    durations = False  # whether parts carry a duration (histogram buckets)
    # dimension kind -> the deepest depth it is kept at (None: every depth). A kind kept only down to
    # the community keeps the grid rows small.
    dims: Mapping[str, int | None] = {}
    fields: tuple[str, ...] = ()  # the attnames `part` reads from a row

    def part(self, row: Mapping[str, Any], extra: Any, now: datetime.datetime) -> Part | None:
        """What `row` (its `fields`) adds now; None when it is not counted at all."""
        raise NotImplementedError

    extras_when_created = False  # whether a row's linked rows may exist when its post_save runs

    def extras(self, pks: list[int]) -> dict[int, Any]:
        """What `part` needs besides the row's own columns (e.g. linked departments), per pk."""
        return {}

    def source(self) -> models.QuerySet:
        return self.model._default_manager.all()

    stock = False  # a stock: changes are recorded on the day they happen (see the module docstring)

    def follows(self) -> list[Follow]:
        """Other models whose saves and deletions change this (stock) subject's parts."""
        return []

    def touches(self) -> list[tuple[type[models.Model], Any]]:
        """(model, fn): a created row of `model` refreshes the source row whose pk fn(row) gives
        (None: none); for writers that change a source row without a workflow step."""
        return []

    def slot(self, name: str) -> str:
        return COUNT_SLOTS[self.counts.index(name)]

    def used_slots(self) -> tuple[str, ...]:
        slots = list(COUNT_SLOTS[: len(self.counts)])
        if self.amount:
            slots.append("amount")
        if self.durations:
            slots.extend(BUCKET_SLOTS)
        return tuple(slots)


@dataclass(frozen=True)
class Follow:
    """A model whose writes change a stock subject's parts: `pks(values)` gives the source rows to
    record again from a row's values (`fields`, its pk as "pk"), called with the row as it was before
    the write (read from the database) and as it is after (for a deletion: before only)."""

    model: type[models.Model]
    fields: tuple[str, ...]
    pks: Any  # Callable[[Mapping[str, Any]], Iterable[int]]


SUBJECTS: dict[str, Subject] = {}
_BY_MODEL: dict[type[models.Model], list[Subject]] = {}
SNAPSHOT = "@m"  # the key of a stock subject's monthly snapshots: f"{name}@m"


def register(subject: Subject) -> Subject:
    if len(subject.counts) > FACT_COUNTS:
        raise ValueError(f"facts {subject.name}: more than {FACT_COUNTS} counters")
    known = SUBJECTS.get(subject.name)
    if known is not None and type(known) is not type(subject):
        raise ValueError(f"facts subject {subject.name!r} declared twice")
    SUBJECTS[subject.name] = subject
    known_for_model = [s for s in _BY_MODEL.get(subject.model, []) if s.name != subject.name]
    _BY_MODEL[subject.model] = [*known_for_model, subject]
    return subject


def subject_of_model(model: type[models.Model]) -> Subject | None:
    found = _BY_MODEL.get(model)
    return found[0] if found else None


def subjects_of_model(model: type[models.Model]) -> list[Subject]:
    return _BY_MODEL.get(model, [])


# -- a part as measures -----------------------------------------------------------------------------
def encode(subject: Subject, part: Part | None) -> dict[str, Any] | None:
    """A part as the JSON a FactMark keeps: day, path, dimensions and the non-zero measure slots."""
    if part is None:
        return None
    measures: dict[str, int] = {}
    for name, value in part.counts.items():
        if value:
            measures[subject.slot(name)] = int(value)
    if part.amount:
        measures["amount"] = int(part.amount)
    if part.hours is not None:
        measures[BUCKET_SLOTS[bucket_of(part.hours)]] = 1
    return {"day": part.day.isoformat(), "path": part.area_path, "dims": sorted(part.dims), "m": measures}


Key = tuple[datetime.date, str, str]  # (day, area_path, dim)


def spread(
    subject: Subject,
    applied: Mapping[str, Any],
    sign: int,
    into: dict[Key, list[int]],
    day: datetime.date | None = None,
) -> None:
    """Add `sign` × an encoded part to every (day, node, dim) it counts at: its node and every ancestor,
    the total and each dimension value kept at that depth. `day` (a stock's change day) overrides the
    part's own day."""
    if day is None:
        day = datetime.date.fromisoformat(applied["day"]) if isinstance(applied["day"], str) else applied["day"]
    path = applied["path"]
    measures = [(SLOT_INDEX[slot], sign * value) for slot, value in applied["m"].items()]
    dims = [(d, subject.dims.get(d.split(":", 1)[0])) for d in applied["dims"]]
    for depth in range(1, len(path) // STEP + 1):
        node = path[: depth * STEP]
        for dim, deepest in (("", None), *dims):
            if deepest is not None and depth > deepest:
                continue
            key = (day, node, dim)
            acc = into.get(key)
            if acc is None:
                acc = into[key] = [0] * WIDTH
            for index, value in measures:
                acc[index] += value


def _row_values(subject: Subject, obj: models.Model) -> dict[str, Any]:
    return {name: getattr(obj, name) for name in subject.fields}


# -- the write path -------------------------------------------------------------------------------
def record(subject: Subject, obj: models.Model, *, now: datetime.datetime | None = None, created: bool = False) -> None:
    """Bring the facts of one source row up to date with the row as it is (call it inside the
    writer's transaction, after the row is written). A row just `created` has no mark yet (a deleted
    row's mark goes with it) and no linked rows unless the subject says so."""
    if subject.stock:
        record_rows(subject, [obj.pk], now=now)
        return
    now = now or timezone.now()
    extra = subject.extras([obj.pk]).get(obj.pk) if not created or subject.extras_when_created else None
    part = subject.part(_row_values(subject, obj), extra, now)
    new = encode(subject, part)
    mark = None if created else FactMark.objects.filter(subject=subject.name, object_id=obj.pk).first()
    old = mark.applied if mark is not None else None
    if old == new:
        return
    deltas: dict[Key, list[int]] = {}
    if old:
        spread(subject, old, -1, deltas)
    if new:
        spread(subject, new, 1, deltas)
    upsert(subject.name, deltas)
    if new is None:
        if mark is not None:
            mark.delete()
        return
    assert part is not None  # a part encodes to None only when there is none
    if mark is None:
        FactMark.objects.create(subject=subject.name, object_id=obj.pk, day=part.day, applied=new)
    else:
        FactMark.objects.filter(pk=mark.pk).update(day=part.day, applied=new)


def record_rows(subject: Subject, pks: Iterable[int], *, now: datetime.datetime | None = None) -> int:
    """Bring the (stock) facts of many source rows up to date with the rows as the database holds them
    now, their changes spread on today's date: rows read in one query, their extras in the subject's,
    their marks in one, the deltas in one upsert per 200 fact rows. A pk whose row is gone is forgotten.
    Returns the number of rows whose part changed."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    pks = sorted({int(pk) for pk in pks if pk is not None})
    changed = 0
    for start in range(0, len(pks), 2000):
        chunk = pks[start : start + 2000]
        rows = {r["pk"]: r for r in subject.source().filter(pk__in=chunk).values("pk", *subject.fields)}
        extras = subject.extras(list(rows)) if rows else {}
        marks = {m.object_id: m for m in FactMark.objects.filter(subject=subject.name, object_id__in=chunk)}
        deltas: dict[Key, list[int]] = {}
        creates, updates, deletes = [], [], []
        for pk in chunk:
            row = rows.get(pk)
            part = subject.part(row, extras.get(pk), now) if row is not None else None
            new = encode(subject, part)
            mark = marks.get(pk)
            old = mark.applied if mark is not None else None
            if old == new:
                continue
            changed += 1
            if old:
                spread(subject, old, -1, deltas, day=today if subject.stock else None)
            if new:
                spread(subject, new, 1, deltas, day=today if subject.stock else None)
            if new is None:
                if mark is not None:
                    deletes.append(mark.pk)
                continue
            assert part is not None
            if mark is None:
                creates.append(FactMark(subject=subject.name, object_id=pk, day=part.day, applied=new))
            else:
                mark.day, mark.applied = part.day, new
                updates.append(mark)
        upsert(subject.name, deltas)
        if deletes:
            FactMark.objects.filter(pk__in=deletes).delete()
        if creates:
            FactMark.objects.bulk_create(creates)
        if updates:
            FactMark.objects.bulk_update(updates, ["day", "applied"])
    return changed


def record_bulk(model: type[models.Model], pks: Iterable[int]) -> None:
    """After a bulk write of `model` rows that sent no signals (bulk_create, an import, update()):
    record every stock subject of the model for those rows and every row a subject follows them to
    (call it in the writer's transaction). Flows are left to their own writers and the nightly check."""
    pks = list(pks)
    for subject in subjects_of_model(model):
        if subject.stock:
            record_rows(subject, pks)
    for subject in SUBJECTS.values():
        for follow in subject.follows():
            if follow.model is model:
                reached: set[int] = set()
                for start in range(0, len(pks), 5000):
                    chunk = model._default_manager.filter(pk__in=pks[start : start + 5000])
                    for values in chunk.values("pk", *follow.fields):
                        reached.update(pk for pk in follow.pks(values) if pk is not None)
                record_rows(subject, reached)


def record_pk(subject: Subject, pk: int) -> None:
    obj = subject.model._default_manager.filter(pk=pk).first()
    if obj is not None:
        record(subject, obj)


def upsert(subject_name: str, deltas: Mapping[Key, list[int]], *, chunk: int = 200) -> None:
    """Add each delta to its fact row (created at zero when missing): one INSERT ... ON CONFLICT per
    chunk, rows in key order (so concurrent writers lock them in the same order).

    On PostgreSQL the rows travel as one array per column (`unnest`) and only the measures that change
    are named: the statement's text depends on which measures move, not on the number of rows, so the
    driver parses it once (psycopg caches statements of at most 50 parameters) and a case's ten fact
    rows cost six parameters instead of 420."""
    keys = sorted(k for k, v in deltas.items() if any(v))
    if not keys:
        return
    used = [(i, slot) for i, slot in enumerate(MEASURE_SLOTS) if any(deltas[k][i] for k in keys)]
    qn = connection.ops.quote_name
    table = qn(DailyFact._meta.db_table)
    conflict = f"ON CONFLICT ({qn('subject')}, {qn('area_path')}, {qn('dim')}, {qn('day')}) DO UPDATE SET " + ", ".join(
        f"{qn(s)} = {table}.{qn(s)} + excluded.{qn(s)}" for _i, s in used
    )
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            names = ", ".join(qn(c) for c in ("subject", "day", "area_path", "depth", "dim", *MEASURE_SLOTS))
            moving = {i for i, _s in used}
            measures = ", ".join(f"v{i}" if i in moving else "0" for i in range(WIDTH))
            arrays = ", ".join(["%s::date[]", "%s::text[]", "%s::text[]", *("%s::bigint[]" for _ in used)])
            sql = (
                f"INSERT INTO {table} ({names}) SELECT %s, d, p, length(p) / {STEP}, m, {measures}"
                f" FROM unnest({arrays}) AS t(d, p, m, {', '.join(f'v{i}' for i, _s in used)}) {conflict}"
            )
            for start in range(0, len(keys), chunk):
                part = keys[start : start + chunk]
                cursor.execute(
                    sql,
                    [
                        subject_name,
                        [k[0] for k in part],
                        [k[1] for k in part],
                        [k[2] for k in part],
                        *([deltas[k][i] for k in part] for i, _s in used),
                    ],
                )
            return
        columns = ["subject", "day", "area_path", "depth", "dim", *MEASURE_SLOTS]
        row_sql = "(" + ", ".join(["%s"] * len(columns)) + ")"
        for start in range(0, len(keys), chunk):
            part = keys[start : start + chunk]
            params: list[Any] = []
            for day, path, dim in part:
                params.extend((subject_name, day, path, len(path) // STEP, dim, *deltas[(day, path, dim)]))
            cursor.execute(
                f"INSERT INTO {table} ({', '.join(qn(c) for c in columns)}) VALUES "
                + ", ".join([row_sql] * len(part))
                + f" {conflict}",
                params,
            )


# -- recomputing from raw rows ------------------------------------------------------------------------
def _day_bounds(day_from: datetime.date | None, day_to: datetime.date | None) -> dict[str, datetime.datetime]:
    tz = timezone.get_current_timezone()
    out = {}
    if day_from is not None:
        out["gte"] = datetime.datetime.combine(day_from, datetime.time.min, tzinfo=tz)
    if day_to is not None:
        out["lt"] = datetime.datetime.combine(day_to + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz)
    return out


def source_rows(
    subject: Subject, day_from: datetime.date | None = None, day_to: datetime.date | None = None, *, lock: bool = False
) -> models.QuerySet:
    qs = subject.source()
    for lookup, value in _day_bounds(day_from, day_to).items():
        qs = qs.filter(**{f"{subject.cohort_field}__{lookup}": value})
    return qs.select_for_update() if lock else qs


def _chunks(qs: models.QuerySet, order: str, fields: tuple[str, ...], size: int = 5000) -> Iterator[list[dict]]:
    """The rows in (order, pk) pages of `size`, by keyset: each page one range of the cohort index."""
    last = None
    while True:
        page = qs.order_by(order, "pk")
        if last is not None:
            page = page.filter(Q(**{f"{order}__gt": last[order]}) | Q(**{order: last[order], "pk__gt": last["pk"]}))
        rows = list(page.values("pk", *fields)[:size])
        if not rows:
            return
        yield rows
        last = rows[-1]


@dataclass
class Recomputed:
    facts: dict[Key, list[int]]
    marks: dict[int, tuple[datetime.date, dict[str, Any]]]


def recompute(
    subject: Subject,
    day_from: datetime.date | None = None,
    day_to: datetime.date | None = None,
    *,
    now: datetime.datetime | None = None,
    lock: bool = False,
    sink: Any = None,
) -> Recomputed:
    """The facts and marks the source rows of the days day_from..day_to (None: unbounded) make now.
    With `sink`, the marks go to sink(marks) a page of rows at a time instead of into the result."""
    now = now or timezone.now()
    out = Recomputed({}, {})
    rows_of = source_rows(subject, day_from, day_to, lock=lock)
    for rows in _chunks(rows_of, subject.cohort_field, subject.fields):
        extras = subject.extras([r["pk"] for r in rows])
        marks = out.marks if sink is None else {}
        for row in rows:
            part = subject.part(row, extras.get(row["pk"]), now)
            applied = encode(subject, part)
            if applied is None or part is None:
                continue
            spread(subject, applied, 1, out.facts)
            marks[row["pk"]] = (part.day, applied)
        if sink is not None:
            sink(marks)
    return out


def stored(subject: Subject, day_from: datetime.date | None, day_to: datetime.date | None) -> dict[Key, list[int]]:
    qs = DailyFact.objects.filter(subject=subject.name)
    if day_from is not None:
        qs = qs.filter(day__gte=day_from)
    if day_to is not None:
        qs = qs.filter(day__lte=day_to)
    out: dict[Key, list[int]] = {}
    for row in qs.values_list("day", "area_path", "dim", *MEASURE_SLOTS).iterator(chunk_size=5000):
        out[(row[0], row[1], row[2])] = list(row[3:])
    return out


@dataclass(frozen=True)
class Drift:
    subject: str
    day: datetime.date
    area_path: str
    dim: str
    measure: str  # the counter's name, "amount" or a bucket slot
    stored: int
    expected: int

    def as_dict(self) -> dict[str, Any]:
        return {
            "subject": self.subject,
            "day": self.day.isoformat(),
            "area_path": self.area_path,
            "dim": self.dim,
            "measure": self.measure,
            "stored": self.stored,
            "expected": self.expected,
        }


def differences(subject: Subject, have: Mapping[Key, list[int]], want: Mapping[Key, list[int]]) -> list[Drift]:
    names = {slot: subject.counts[i] for i, slot in enumerate(COUNT_SLOTS[: len(subject.counts)])}
    zero = [0] * WIDTH
    out = []
    for key in sorted(set(have) | set(want)):
        a, b = have.get(key, zero), want.get(key, zero)
        for i, slot in enumerate(MEASURE_SLOTS):
            if a[i] != b[i]:
                out.append(Drift(subject.name, key[0], key[1], key[2], names.get(slot, slot), a[i], b[i]))
    return out


def _clear(subject: Subject, day_from: datetime.date | None, day_to: datetime.date | None) -> None:
    if subject.stock:
        DailyFact.objects.filter(subject=subject.name + SNAPSHOT).delete()
    facts = DailyFact.objects.filter(subject=subject.name)
    marks = FactMark.objects.filter(subject=subject.name)
    if day_from is not None:
        facts, marks = facts.filter(day__gte=day_from), marks.filter(day__gte=day_from)
    if day_to is not None:
        facts, marks = facts.filter(day__lte=day_to), marks.filter(day__lte=day_to)
    facts.delete()  # no signals, no relations: one DELETE each
    marks.delete()


def _write(subject: Subject, result: Recomputed, day_from: datetime.date | None, day_to: datetime.date | None) -> None:
    """Replace the subject's facts and marks of the days with `result`."""
    _clear(subject, day_from, day_to)
    _insert_result(subject, result, ranged=day_from is not None or day_to is not None)


def _insert_marks(subject: Subject, marks: Mapping[int, tuple[datetime.date, Any]], *, ranged: bool) -> None:
    if ranged:
        # A row of the days may still be marked under another day (its cohort field changed by hand).
        pks = list(marks)
        for start in range(0, len(pks), 5000):
            FactMark.objects.filter(subject=subject.name, object_id__in=pks[start : start + 5000]).delete()
    mark_rows = ((subject.name, pk, day, json.dumps(a)) for pk, (day, a) in marks.items())
    _insert(FactMark, ["subject", "object_id", "day", "applied"], mark_rows)


def _insert_result(subject: Subject, result: Recomputed, *, ranged: bool) -> None:
    _insert_marks(subject, result.marks, ranged=ranged)
    fact_rows = (
        (subject.name, day, path, len(path) // STEP, dim, *values)
        for (day, path, dim), values in result.facts.items()
        if any(values)
    )
    _insert(DailyFact, ["subject", "day", "area_path", "depth", "dim", *MEASURE_SLOTS], fact_rows)


def _insert(model: type[models.Model], columns: list[str], rows: Iterable[tuple], *, batch: int = 5000) -> None:
    """Insert many rows fast: COPY on PostgreSQL, executemany elsewhere (bulk_create prepares every
    value of every field in Python, which costs more than the database's work here)."""
    qn = connection.ops.quote_name
    table = qn(model._meta.db_table)
    names = ", ".join(qn(c) for c in columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        sql = f"INSERT INTO {table} ({names}) VALUES ({', '.join(['%s'] * len(columns))})"
        pending: list[tuple] = []
        for row in rows:
            pending.append(row)
            if len(pending) >= batch:
                cursor.executemany(sql, pending)
                pending = []
        if pending:
            cursor.executemany(sql, pending)


def _cohort_span(
    subject: Subject, day_from: datetime.date | None, day_to: datetime.date | None
) -> tuple[datetime.date, datetime.date] | None:
    field_name = subject.cohort_field
    span = source_rows(subject, day_from, day_to).aggregate(first=Min(field_name), last=Max(field_name))
    if span["first"] is None:
        return None
    return timezone.localdate(span["first"]), timezone.localdate(span["last"])


def rebuild(
    subject_names: Iterable[str] | None = None,
    *,
    since: datetime.date | None = None,
    until: datetime.date | None = None,
    now: datetime.datetime | None = None,
    window_days: int = 31,
) -> dict[str, int]:
    """Recompute the facts of the subjects (default: all) from raw rows, for the cohort days
    since..until (default: all), replacing what was stored; `window_days` at a time, each window in
    a transaction of its own (memory stays bounded by a window's rows). Run it when the writers are
    quiet: a step taken on a row of a window while that window is recomputed may be lost (the
    nightly check repairs yesterday; `--check --day D --repair` any day). Returns the fact rows
    written per subject."""
    out = {}
    for name in subject_names or sorted(SUBJECTS):
        subject = SUBJECTS[name]
        if subject.stock:
            if since is not None or until is not None:
                raise ValueError(f"facts {name}: a stock is rebuilt whole (its history is its deltas), not by days")
            out[name] = _rebuild_stock(subject, now=now)
            continue
        with transaction.atomic():
            _clear(subject, since, until)
        span = _cohort_span(subject, since, until)
        ranged = since is not None or until is not None

        def sink(marks: Mapping[int, Any], _subject: Subject = subject, _ranged: bool = ranged) -> None:
            _insert_marks(_subject, marks, ranged=_ranged)

        written = 0
        day = span[0] if span else None
        while span is not None and day is not None and day <= span[1]:
            end = min(day + datetime.timedelta(days=window_days - 1), span[1])
            gc.disable()  # a window's many small lists would make every collection walk them all
            try:
                with transaction.atomic():
                    result = recompute(subject, day, end, now=now, sink=sink)
                    _insert_result(subject, result, ranged=False)
            finally:
                gc.enable()
            written += sum(1 for v in result.facts.values() if any(v))
            day = end + datetime.timedelta(days=1)
        if subject.stock:
            snapshot(subject, now=now)
        out[name] = written
    return out


def _rebuild_stock(
    subject: Subject, *, now: datetime.datetime | None = None, page: int = 5000, flush_at: int = 200_000
) -> int:
    """A stock from raw rows: every row as it is now, counted from its own day (cohort_field), read a
    page of pks at a time (its marks copied in at once), the fact rows summed in memory and written by
    COPY at the end, or added by upsert whenever they grow past `flush_at` keys (memory stays bounded
    whatever the number of days), then the monthly snapshots. Returns the fact rows stored."""
    now = now or timezone.now()
    with transaction.atomic():
        _clear(subject, None, None)
    last = 0
    deltas: dict[Key, list[int]] = {}
    flushed = False
    while True:
        with transaction.atomic():
            rows = list(subject.source().filter(pk__gt=last).order_by("pk").values("pk", *subject.fields)[:page])
            if not rows:
                break
            last = rows[-1]["pk"]
            extras = subject.extras([r["pk"] for r in rows])
            marks: dict[int, tuple[datetime.date, Any]] = {}
            for row in rows:
                part = subject.part(row, extras.get(row["pk"]), now)
                applied = encode(subject, part)
                if applied is not None and part is not None:
                    spread(subject, applied, 1, deltas)
                    marks[row["pk"]] = (part.day, applied)
            _insert_marks(subject, marks, ranged=False)
            if len(deltas) >= flush_at:
                upsert(subject.name, deltas)
                deltas, flushed = {}, True
    with transaction.atomic():
        if flushed:
            upsert(subject.name, deltas)
        else:  # the subject's facts are empty: one COPY
            _insert_result(subject, Recomputed(deltas, {}), ranged=False)
    snapshot(subject, now=now)
    return DailyFact.objects.filter(subject=subject.name).count()


def reconcile(
    day: datetime.date,
    subject_names: Iterable[str] | None = None,
    *,
    repair: bool = True,
    now: datetime.datetime | None = None,
) -> list[Drift]:
    """Recompute one cohort day from raw rows, compare with the stored facts, log every difference
    and (with `repair`) replace the day's facts with the recomputation. The day's source rows are
    locked meanwhile, so no step changes them between the reading and the writing. A stock subject
    is checked whole, as of now (reconcile_stock), whatever the day."""
    drift: list[Drift] = []
    for name in subject_names or sorted(SUBJECTS):
        subject = SUBJECTS[name]
        if subject.stock:
            drift.extend(reconcile_stock(subject, repair=repair, now=now))
            continue
        with transaction.atomic():
            result = recompute(subject, day, day, now=now, lock=repair)
            found = differences(subject, stored(subject, day, day), result.facts)
            if found:
                log.warning("facts drift: %s %s: %d differences", name, day, len(found))
                for d in found[:50]:
                    log.warning("facts drift: %s", d.as_dict())
                if repair:
                    _write(subject, result, day, day)
        drift.extend(found)
    return drift


# -- stocks: checking, snapshots --------------------------------------------------------------------
def _stored_stock(subject: Subject, day: datetime.date) -> dict[Key, list[int]]:
    """The stored stock as of the end of `day` per (node, dim), keyed (day, node, dim): the sum of
    every delta up to the day (the check reads them all rather than trust a snapshot)."""
    qs = DailyFact.objects.filter(subject=subject.name, day__lte=day).order_by()
    rows = qs.values_list("area_path", "dim").annotate(*(Sum(slot) for slot in MEASURE_SLOTS))
    return {(day, r[0], r[1]): [int(v or 0) for v in r[2:]] for r in rows.iterator(chunk_size=5000)}


def reconcile_stock(subject: Subject, *, repair: bool = True, now: datetime.datetime | None = None) -> list[Drift]:
    """Compare a stock subject's stored stock as of today with the raw rows as they are now, log every
    difference and (with `repair`) write it as a correcting delta on today and set every row's mark to
    its part now (a mark for a row that is gone is dropped). The rows are read a page at a time by pk
    and not locked: a write committed during the check may show as a difference that the next
    check takes back."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    want: dict[Key, list[int]] = {}
    with transaction.atomic():
        last = 0
        while True:
            rows = list(subject.source().filter(pk__gt=last).order_by("pk").values("pk", *subject.fields)[:5000])
            if not rows:
                break
            last = rows[-1]["pk"]
            pks = [r["pk"] for r in rows]
            extras = subject.extras(pks)
            marks = dict(
                FactMark.objects.filter(subject=subject.name, object_id__in=pks).values_list("object_id", "applied")
            )
            stale: dict[int, tuple[datetime.date, Any] | None] = {}
            for row in rows:
                part = subject.part(row, extras.get(row["pk"]), now)
                applied = encode(subject, part)
                if applied is not None:
                    spread(subject, applied, 1, want, day=today)
                if marks.get(row["pk"]) != applied:
                    stale[row["pk"]] = (part.day, applied) if applied is not None and part is not None else None
            if repair and stale:
                FactMark.objects.filter(subject=subject.name, object_id__in=list(stale)).delete()
                _insert_marks(subject, {pk: v for pk, v in stale.items() if v is not None}, ranged=False)
        if repair:
            gone = FactMark.objects.filter(subject=subject.name).exclude(object_id__in=subject.source().values("pk"))
            gone.delete()
        have = _stored_stock(subject, today)
        found = differences(subject, have, want)
        if found:
            log.warning("facts drift: %s (stock) %s: %d differences", subject.name, today, len(found))
            for d in found[:50]:
                log.warning("facts drift: %s", d.as_dict())
            if repair:
                zero = [0] * WIDTH
                upsert(
                    subject.name,
                    {
                        k: [w - h for w, h in zip(want.get(k, zero), have.get(k, zero), strict=True)]
                        for k in set(want) | set(have)
                    },
                )
    return found


def _month(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def _next_month(day: datetime.date) -> datetime.date:
    return (day.replace(day=1) + datetime.timedelta(days=32)).replace(day=1)


def snapshot(subject: Subject, *, now: datetime.datetime | None = None) -> int:
    """Store the stock as of the first day of every month up to the current one that has no snapshot
    yet: the previous month's snapshot plus that month's deltas, one INSERT ... SELECT per month, and a
    marker row (node "") saying the month is done. Run nightly and after a rebuild; a reading never
    writes (it uses the latest snapshot there is). Returns the months written."""
    if not subject.stock:
        return 0
    snap = subject.name + SNAPSHOT
    target = _month(timezone.localdate(now or timezone.now()))
    latest = DailyFact.objects.filter(subject=snap, area_path="", dim="").aggregate(d=Max("day"))["d"]
    if latest is None:
        first = DailyFact.objects.filter(subject=subject.name).aggregate(d=Min("day"))["d"]
        if first is None:
            return 0
        month, previous = _next_month(first), None
    else:
        month, previous = _next_month(latest), latest
    qn = connection.ops.quote_name
    table = qn(DailyFact._meta.db_table)
    slots = ", ".join(qn(s) for s in MEASURE_SLOTS)
    sums = ", ".join(f"SUM({qn(s)})" for s in MEASURE_SLOTS)
    columns = f"{qn('subject')}, {qn('day')}, {qn('area_path')}, {qn('depth')}, {qn('dim')}, {slots}"
    written = 0
    with transaction.atomic(), connection.cursor() as cursor:
        while month <= target:
            params: list[Any]
            if previous is None:
                where, params = f"{qn('subject')} = %s AND {qn('day')} < %s", [subject.name, month]
            else:
                where = (
                    f"({qn('subject')} = %s AND {qn('day')} >= %s AND {qn('day')} < %s) "
                    f"OR ({qn('subject')} = %s AND {qn('day')} = %s AND {qn('area_path')} <> '')"
                )
                params = [subject.name, previous, month, snap, previous]
            cursor.execute(
                f"INSERT INTO {table} ({columns}) SELECT %s, %s, {qn('area_path')}, {qn('depth')}, {qn('dim')}, "
                f"{sums} FROM {table} WHERE {where} GROUP BY {qn('area_path')}, {qn('depth')}, {qn('dim')}",
                [snap, month, *params],
            )
            _insert(
                DailyFact,
                ["subject", "day", "area_path", "depth", "dim", *MEASURE_SLOTS],
                [(snap, month, "", 0, "", *([0] * WIDTH))],
            )
            previous, month = month, _next_month(month)
            written += 1
    return written


# -- the hooks -------------------------------------------------------------------------------------
def _on_step(sender: Any, obj: Any = None, **kwargs: Any) -> None:
    if obj is None:
        return
    for subject in subjects_of_model(sender):
        record(subject, obj)
    for subject in SUBJECTS.values():  # a step is an update(): the rows a followed model reaches
        for follow in subject.follows():
            if follow.model is sender:
                values = {name: getattr(obj, name) for name in follow.fields}
                record_rows(subject, follow.pks({**values, "pk": obj.pk}))


def _on_created(sender: Any, instance: Any, created: bool = False, raw: bool = False, **kwargs: Any) -> None:
    if raw:
        return
    for subject in subjects_of_model(sender):
        if subject.stock:
            record_rows(subject, [instance.pk])  # a stock follows every save, not only steps
        elif created:
            record(subject, instance, created=True)


def forget(subject: Subject, pk: int) -> None:
    """Take a deleted source row's part out of the facts (and its mark with it)."""
    mark = FactMark.objects.filter(subject=subject.name, object_id=pk).first()
    if mark is None:
        return
    deltas: dict[Key, list[int]] = {}
    spread(subject, mark.applied, -1, deltas, day=timezone.localdate() if subject.stock else None)
    upsert(subject.name, deltas)
    mark.delete()


def _on_deleted(sender: Any, instance: Any, **kwargs: Any) -> None:
    for subject in subjects_of_model(sender):
        forget(subject, instance.pk)


_PENDING = "_facts_follow_pks"


def _follow_before(follow: Follow, subject: Subject, instance: Any, *, deleting: bool) -> None:
    """Before a write of a followed row: the source rows its state before the write reaches."""
    if instance.pk is None:
        return
    values: dict[str, Any] | None
    if deleting:
        values = {name: getattr(instance, name) for name in follow.fields}
    else:
        values = follow.model._default_manager.filter(pk=instance.pk).values(*follow.fields).first()
        if values is None:
            return
    pending = instance.__dict__.setdefault(_PENDING, {})
    pending.setdefault(subject.name, set()).update(follow.pks({**values, "pk": instance.pk}))


def _follow_after(follow: Follow, subject: Subject, instance: Any, *, deleted: bool) -> None:
    pks = set(instance.__dict__.get(_PENDING, {}).pop(subject.name, ()))
    if not deleted:
        pks.update(follow.pks({**{name: getattr(instance, name) for name in follow.fields}, "pk": instance.pk}))
    if pks:
        record_rows(subject, pks)


def connect() -> None:
    """Connect the write path to the step signal and to the creation of every subject's rows (called
    once the apps' facts.py are imported)."""
    from django.db.models.signals import post_delete, post_save, pre_delete, pre_save

    from dangjian.core.workflow import step_taken

    step_taken.connect(_on_step, dispatch_uid="facts.step")
    for model in _BY_MODEL:
        post_save.connect(_on_created, sender=model, dispatch_uid=f"facts.created.{model._meta.label}")
        post_delete.connect(_on_deleted, sender=model, dispatch_uid=f"facts.deleted.{model._meta.label}")
    for subject in SUBJECTS.values():
        for k, follow in enumerate(subject.follows()):
            uid = f"facts.follow.{subject.name}.{k}"

            def before_save(sender: Any, instance: Any, raw: bool = False, _f=follow, _s=subject, **kw: Any) -> None:
                if not raw:
                    _follow_before(_f, _s, instance, deleting=False)

            def after_save(sender: Any, instance: Any, raw: bool = False, _f=follow, _s=subject, **kw: Any) -> None:
                if not raw:
                    _follow_after(_f, _s, instance, deleted=False)

            def before_delete(sender: Any, instance: Any, _f=follow, _s=subject, **kw: Any) -> None:
                _follow_before(_f, _s, instance, deleting=True)

            def after_delete(sender: Any, instance: Any, _f=follow, _s=subject, **kw: Any) -> None:
                _follow_after(_f, _s, instance, deleted=True)

            pre_save.connect(before_save, sender=follow.model, weak=False, dispatch_uid=uid + ".pre_save")
            post_save.connect(after_save, sender=follow.model, weak=False, dispatch_uid=uid + ".post_save")
            pre_delete.connect(before_delete, sender=follow.model, weak=False, dispatch_uid=uid + ".pre_delete")
            post_delete.connect(after_delete, sender=follow.model, weak=False, dispatch_uid=uid + ".post_delete")
        for model, fn in subject.touches():

            def touched(sender: Any, instance: Any, created: bool = False, raw: bool = False, _s=subject, _fn=fn,
                        **kwargs: Any) -> None:  # fmt: skip
                if created and not raw:
                    pk = _fn(instance)
                    if pk is not None:
                        record_pk(_s, pk)

            post_save.connect(touched, sender=model, weak=False, dispatch_uid=f"facts.touch.{subject.name}.{model}")


# -- reading -------------------------------------------------------------------------------------
@dataclass
class Measures:
    """Summed facts: counters by name, the amount, the duration buckets."""

    subject: Subject
    values: dict[str, int]

    def __getitem__(self, name: str) -> int:
        return self.values.get(self.subject.slot(name)) or 0

    @property
    def amount(self) -> int:
        return self.values.get("amount") or 0

    @property
    def buckets(self) -> list[int]:
        return [self.values.get(slot) or 0 for slot in BUCKET_SLOTS]

    def percentile(self, q: float) -> float | None:
        return percentile(self.buckets, q)

    def minus(self, other: Measures) -> Measures:
        return Measures(self.subject, {k: (v or 0) - (other.values.get(k) or 0) for k, v in self.values.items()})

    def any(self) -> bool:
        return any(self.values.values())


def empty(subject: Subject) -> Measures:
    return Measures(subject, dict.fromkeys(subject.used_slots(), 0))


def readable_path(user: Any, path: str) -> str | None:
    """The part of the node at `path` ("" : everything) the user may read figures of: the node when it
    lies in their territorial scope, their own node when it lies under it, else None. Facts carry
    no row-level scope, so figures are read only for whole subtrees the user sees."""
    scope = scope_for(user)
    if scope.everything:
        return path
    own = scope.area_path or ""
    if not own:
        return None
    if path.startswith(own):
        return path
    if own.startswith(path):
        return own
    return None


def _sums(subject: Subject) -> dict[str, Sum]:
    return {slot: Sum(slot) for slot in subject.used_slots()}


def _facts(subject: Subject, period: Any, dim: str = "") -> models.QuerySet:
    return DailyFact.objects.filter(
        subject=subject.name, dim=dim, day__gte=period.date_from, day__lte=period.date_to
    ).order_by()


def _measures(subject: Subject, values: Mapping[str, Any]) -> Measures:
    return Measures(subject, {slot: values.get(slot) or 0 for slot in subject.used_slots()})


def _at(qs: models.QuerySet, path: str) -> models.QuerySet:
    """Rows of the node `path` ("" : every root, i.e. everything)."""
    return qs.filter(area_path=path) if path else qs.filter(depth=1)


def total(subject: Subject, path: str, period: Any, dim: str = "") -> Measures:
    """The facts of the node at `path` for the period (one row per day is summed)."""
    return _measures(subject, _at(_facts(subject, period, dim), path).aggregate(**_sums(subject)))


def children(
    subject: Subject, path: str, period: Any, dim: str = "", node_total: Measures | None = None, *, within: str = ""
) -> dict:
    """Per child of the node at `path`, keyed by the child's path; what is placed on the node itself
    (its total less its children's) under the node's own path when there is any. `within` (a node
    under `path`) limits the reading to that subtree: its figures are its child's."""
    depth = len(path) // STEP + 1
    if within and within != path:
        node_total = node_total if node_total is not None else total(subject, within, period, dim)
        if len(within) > len(path) + STEP:
            return {within[: depth * STEP]: node_total} if node_total.any() else {}
        path = within
    qs = _facts(subject, period, dim).filter(depth=depth)
    if path:
        qs = qs.filter(subtree_q("area_path", path))
    rows = qs.values("area_path").annotate(**_sums(subject))
    out = {row["area_path"]: _measures(subject, row) for row in rows}
    if path and len(path) // STEP + 1 == depth:
        node_total = node_total if node_total is not None else total(subject, path, period, dim)
        rest = node_total
        for m in out.values():
            rest = rest.minus(m)
        if rest.any():
            out[path] = rest
    return out


def by_dim(subject: Subject, path: str, period: Any, kind: str) -> dict[str, Measures]:
    """Per value of one dimension kind at the node, keyed by the value (after "kind:")."""
    qs = DailyFact.objects.filter(
        subject=subject.name, dim__startswith=f"{kind}:", day__gte=period.date_from, day__lte=period.date_to
    ).order_by()
    rows = _at(qs, path).values("dim").annotate(**_sums(subject))
    return {row["dim"].split(":", 1)[1]: _measures(subject, row) for row in rows}


def by_area(subject: Subject, path: str, depths: Iterable[int], period: Any, dim: str = "") -> dict[str, Measures]:
    """Per node of the given depths under `path` (e.g. every grid), keyed by the node's path."""
    qs = _facts(subject, period, dim).filter(depth__in=list(depths))
    if path:
        qs = qs.filter(subtree_q("area_path", path))
    return {row["area_path"]: _measures(subject, row) for row in qs.values("area_path").annotate(**_sums(subject))}


def per_day(subject: Subject, path: str, period: Any, names: Iterable[str], dim: str = "") -> dict:
    """{day: {name: count}} for the node, for the trend."""
    names = list(names)
    qs = _at(_facts(subject, period, dim), path)
    rows = qs.values("day").annotate(**{n: Sum(subject.slot(n)) for n in names})
    return {row["day"]: {n: row[n] or 0 for n in names} for row in rows}


# -- reading stocks ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class StockDay:
    """A stock reading's date and the snapshot it starts from (None: from the first delta)."""

    on: datetime.date
    since: datetime.date | None


def stock_day(subject: Subject, on: datetime.date | None = None) -> StockDay:
    """The latest monthly snapshot at or before `on` (default today): one indexed look-up of its
    marker; pass the result to several readings of the same date to look it up once."""
    on = on or timezone.localdate()
    since = (
        DailyFact.objects.filter(subject=subject.name + SNAPSHOT, area_path="", dim="", day__lte=on)
        .order_by("-day")
        .values_list("day", flat=True)
        .first()
    )
    return StockDay(on, since)


def _stock_facts(subject: Subject, on: datetime.date | StockDay | None) -> models.QuerySet:
    """The rows whose sum is the stock as of the end of `on`: the latest monthly snapshot at or before
    it and the deltas from that snapshot's day to `on`."""
    snap = subject.name + SNAPSHOT
    day = on if isinstance(on, StockDay) else stock_day(subject, on)
    on, since = day.on, day.since
    if since is None:
        return DailyFact.objects.filter(subject=subject.name, day__lte=on).order_by()
    return DailyFact.objects.filter(
        Q(subject=subject.name, day__gte=since, day__lte=on) | Q(subject=snap, day=since)
    ).order_by()


def stock_cells(
    subject: Subject,
    path: str,
    *,
    on: datetime.date | StockDay | None = None,
    children: bool = False,
    depth: int | None = None,
    paths: Iterable[str] | None = None,
    dim: str = "",
    dim_prefix: str | None = None,
) -> dict[tuple[str, str], Measures]:
    """A stock as of the end of `on` (a date, default today, or a StockDay), keyed (node path, dim): at
    the node itself ("" : every root), or (`children`) at each of its children (or at each node of
    `depth` under it, or at each of the nodes `paths`); the total (dim "") by default, or every value
    of one dimension kind (`dim_prefix`, e.g. "kind:"). One query, and one for the snapshot unless
    `on` is a StockDay."""
    qs = _stock_facts(subject, on)
    qs = qs.filter(dim__startswith=dim_prefix) if dim_prefix is not None else qs.filter(dim=dim)
    if paths is not None:
        qs = qs.filter(area_path__in=list(paths))
    elif children or depth is not None:
        qs = qs.filter(depth=depth if depth is not None else len(path) // STEP + 1)
        if path:
            qs = qs.filter(subtree_q("area_path", path))
    else:
        qs = _at(qs, path)
    rows = qs.values("area_path", "dim").annotate(**_sums(subject))
    return {(row["area_path"], row["dim"]): _measures(subject, row) for row in rows}


def stock_total(subject: Subject, path: str, *, on: datetime.date | StockDay | None = None, dim: str = "") -> Measures:
    """A stock at one node ("" : everything) as of the end of `on` (default today)."""
    return _measures(subject, _at(_stock_facts(subject, on).filter(dim=dim), path).aggregate(**_sums(subject)))
