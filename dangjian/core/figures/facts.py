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


SUBJECTS: dict[str, Subject] = {}
_BY_MODEL: dict[type[models.Model], Subject] = {}


def register(subject: Subject) -> Subject:
    if len(subject.counts) > FACT_COUNTS:
        raise ValueError(f"facts {subject.name}: more than {FACT_COUNTS} counters")
    known = SUBJECTS.get(subject.name)
    if known is not None and type(known) is not type(subject):
        raise ValueError(f"facts subject {subject.name!r} declared twice")
    SUBJECTS[subject.name] = subject
    _BY_MODEL[subject.model] = subject
    return subject


def subject_of_model(model: type[models.Model]) -> Subject | None:
    return _BY_MODEL.get(model)


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


def spread(subject: Subject, applied: Mapping[str, Any], sign: int, into: dict[Key, list[int]]) -> None:
    """Add `sign` × an encoded part to every (day, node, dim) it counts at: its node and every ancestor,
    the total and each dimension value kept at that depth."""
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
    elif mark is None:
        FactMark.objects.create(subject=subject.name, object_id=obj.pk, day=part.day, applied=new)
    else:
        FactMark.objects.filter(pk=mark.pk).update(day=part.day, applied=new)


def record_pk(subject: Subject, pk: int) -> None:
    obj = subject.model._default_manager.filter(pk=pk).first()
    if obj is not None:
        record(subject, obj)


def upsert(subject_name: str, deltas: Mapping[Key, list[int]], *, chunk: int = 200) -> None:
    """Add each delta to its fact row (created at zero when missing): one INSERT ... ON CONFLICT per
    chunk, rows in key order (so concurrent writers lock them in the same order)."""
    keys = sorted(k for k, v in deltas.items() if any(v))
    if not keys:
        return
    used = [slot for i, slot in enumerate(MEASURE_SLOTS) if any(deltas[k][i] for k in keys)]
    qn = connection.ops.quote_name
    table = qn(DailyFact._meta.db_table)
    columns = ["subject", "day", "area_path", "depth", "dim", *MEASURE_SLOTS]
    sets = ", ".join(f"{qn(s)} = {table}.{qn(s)} + excluded.{qn(s)}" for s in used)
    row_sql = "(" + ", ".join(["%s"] * len(columns)) + ")"
    with connection.cursor() as cursor:
        for start in range(0, len(keys), chunk):
            part = keys[start : start + chunk]
            params: list[Any] = []
            for day, path, dim in part:
                params.extend((subject_name, day, path, len(path) // STEP, dim, *deltas[(day, path, dim)]))
            sql = (
                f"INSERT INTO {table} ({', '.join(qn(c) for c in columns)}) VALUES "
                + ", ".join([row_sql] * len(part))
                + f" ON CONFLICT ({qn('subject')}, {qn('area_path')}, {qn('dim')}, {qn('day')}) DO UPDATE SET {sets}"
            )
            cursor.execute(sql, params)


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
) -> Recomputed:
    """The facts and marks the source rows of the days day_from..day_to (None: unbounded) make now."""
    now = now or timezone.now()
    out = Recomputed({}, {})
    rows_of = source_rows(subject, day_from, day_to, lock=lock)
    for rows in _chunks(rows_of, subject.cohort_field, subject.fields):
        extras = subject.extras([r["pk"] for r in rows])
        for row in rows:
            part = subject.part(row, extras.get(row["pk"]), now)
            applied = encode(subject, part)
            if applied is None:
                continue
            spread(subject, applied, 1, out.facts)
            out.marks[row["pk"]] = (part.day, applied)
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


def _insert_result(subject: Subject, result: Recomputed, *, ranged: bool) -> None:
    if ranged:
        # A row of the days may still be marked under another day (its cohort field changed by hand).
        pks = list(result.marks)
        for start in range(0, len(pks), 5000):
            FactMark.objects.filter(subject=subject.name, object_id__in=pks[start : start + 5000]).delete()
    fact_rows = (
        (subject.name, day, path, len(path) // STEP, dim, *values)
        for (day, path, dim), values in result.facts.items()
        if any(values)
    )
    _insert(DailyFact, ["subject", "day", "area_path", "depth", "dim", *MEASURE_SLOTS], fact_rows)
    mark_rows = ((subject.name, pk, day, json.dumps(a)) for pk, (day, a) in result.marks.items())
    _insert(FactMark, ["subject", "object_id", "day", "applied"], mark_rows)


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
        with transaction.atomic():
            _clear(subject, since, until)
        span = _cohort_span(subject, since, until)
        written = 0
        day = span[0] if span else None
        while span is not None and day is not None and day <= span[1]:
            end = min(day + datetime.timedelta(days=window_days - 1), span[1])
            gc.disable()  # a window's many small lists would make every collection walk them all
            try:
                with transaction.atomic():
                    result = recompute(subject, day, end, now=now)
                    _insert_result(subject, result, ranged=since is not None or until is not None)
            finally:
                gc.enable()
            written += sum(1 for v in result.facts.values() if any(v))
            day = end + datetime.timedelta(days=1)
        out[name] = written
    return out


def reconcile(
    day: datetime.date,
    subject_names: Iterable[str] | None = None,
    *,
    repair: bool = True,
    now: datetime.datetime | None = None,
) -> list[Drift]:
    """Recompute one cohort day from raw rows, compare with the stored facts, log every difference
    and (with `repair`) replace the day's facts with the recomputation. The day's source rows are
    locked meanwhile, so no step changes them between the reading and the writing."""
    drift: list[Drift] = []
    for name in subject_names or sorted(SUBJECTS):
        subject = SUBJECTS[name]
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


# -- the hooks -------------------------------------------------------------------------------------
def _on_step(sender: Any, obj: Any = None, **kwargs: Any) -> None:
    subject = subject_of_model(sender)
    if subject is not None and obj is not None:
        record(subject, obj)


def _on_created(sender: Any, instance: Any, created: bool = False, raw: bool = False, **kwargs: Any) -> None:
    if not created or raw:
        return
    subject = subject_of_model(sender)
    if subject is not None:
        record(subject, instance, created=True)


def forget(subject: Subject, pk: int) -> None:
    """Take a deleted source row's part out of the facts (and its mark with it)."""
    mark = FactMark.objects.filter(subject=subject.name, object_id=pk).first()
    if mark is None:
        return
    deltas: dict[Key, list[int]] = {}
    spread(subject, mark.applied, -1, deltas)
    upsert(subject.name, deltas)
    mark.delete()


def _on_deleted(sender: Any, instance: Any, **kwargs: Any) -> None:
    subject = subject_of_model(sender)
    if subject is not None:
        forget(subject, instance.pk)


def connect() -> None:
    """Connect the write path to the step signal and to the creation of every subject's rows (called
    once the apps' facts.py are imported)."""
    from django.db.models.signals import post_delete, post_save

    from dangjian.core.workflow import step_taken

    step_taken.connect(_on_step, dispatch_uid="facts.step")
    for subject in SUBJECTS.values():
        post_save.connect(_on_created, sender=subject.model, dispatch_uid=f"facts.created.{subject.name}")
        post_delete.connect(_on_deleted, sender=subject.model, dispatch_uid=f"facts.deleted.{subject.name}")
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
