"""Writing many new rows of one model at bulk speed, inside the caller's transaction.

`insert(model, rows)` takes plain dicts (field name or attname → value; no model instances are
built), fills what the model would fill itself (defaults such as a fresh public_id, auto_now and
auto_now_add timestamps), and writes them with COPY on PostgreSQL or one prepared INSERT run over
every row on SQLite. It returns the primary keys of the rows in order: on PostgreSQL they are taken
from the table's sequence first (and sent with the rows), on SQLite they follow from the last rowid
(the write lock is held for the whole transaction, so a batch's rowids are consecutive).

Like `bulk_create`, it sends no signals and calls no `save()`: the caller is a service that knows
everything the rows need. A database refusal (a unique number recorded meanwhile) is raised as
Django's `IntegrityError`/`DatabaseError`, so the import's transaction rolls back as a whole.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from django.db import connection, models
from django.utils import timezone

from dangjian.core.db import pk_runs

# Values the database drivers take as they are; other fields go through the field's own conversion.
_PLAIN_TYPES = {
    "AutoField",
    "BigAutoField",
    "SmallAutoField",
    "BigIntegerField",
    "BooleanField",
    "CharField",
    "ForeignKey",
    "IntegerField",
    "OneToOneField",
    "PositiveBigIntegerField",
    "PositiveIntegerField",
    "PositiveSmallIntegerField",
    "SlugField",
    "SmallIntegerField",
    "TextField",
}
# ...and, on PostgreSQL (psycopg adapts them), these too.
_PLAIN_ON_POSTGRES = {"DateField", "DateTimeField", "UUIDField"}


def _converter(field: models.Field) -> Callable[[Any], Any] | None:
    internal = field.get_internal_type()
    if internal in _PLAIN_TYPES or (connection.vendor == "postgresql" and internal in _PLAIN_ON_POSTGRES):
        return None
    if connection.vendor == "sqlite" and internal == "DateField":
        return lambda value: value.isoformat()  # what DatabaseOperations.adapt_datefield_value gives
    if connection.vendor == "sqlite" and internal == "UUIDField":
        return lambda value: value.hex  # no native UUID: char(32)
    converted: dict[Any, Any] = {}  # e.g. the one timestamp every row shares: converted once

    def convert(value: Any) -> Any:
        try:
            return converted[value]
        except (KeyError, TypeError):  # unseen, or unhashable (JSON)
            out = field.get_db_prep_save(value, connection)
        if len(converted) < 64:
            with contextlib.suppress(TypeError):
                converted[value] = out
        return out

    return convert


def _filler(field: models.Field, now: Any) -> Callable[[], Any]:
    """What the model itself would put in `field` when a row leaves it out."""
    if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
        return lambda: now
    if field.has_default() and callable(field.default):
        return field.default  # e.g. uuid.uuid4: one per row
    value = field.get_default()
    return lambda: value


def pk_ranges(pks: Iterable[int]) -> list[list[int]]:
    """Primary keys as [[first, last], ...]: what an import keeps to name every row it wrote."""
    return [[a, b] for a, b in pk_runs(pks)]


def ranges_text(ranges: Iterable[Sequence[int]]) -> str:
    """[[1, 5], [9, 9]] → "1–5, 9" (for the audit row people read)."""
    return ", ".join(str(a) if a == b else f"{a}–{b}" for a, b in ranges)


def in_ranges(pk: int, ranges: Iterable[Sequence[int]]) -> bool:
    return any(first <= pk <= last for first, last in ranges)


def insert(model: type[models.Model], rows: Sequence[dict[str, Any]]) -> list[int]:
    """Insert `rows` (dicts by field name or attname) as new rows of `model`; their primary keys."""
    if not rows:
        return []
    pk_field = model._meta.pk
    fields = [f for f in model._meta.concrete_fields if f is not pk_field]
    now = timezone.now()
    plans = []
    for field in fields:
        # "org" or "org_id" in a row: the attname wins (ids are what an import resolves).
        keys = (field.attname, field.name) if field.attname != field.name else (field.name,)
        plans.append((keys, _filler(field, now), _converter(field)))
    values: list[tuple[Any, ...]] = []
    for row in rows:
        out = []
        for keys, fill, convert in plans:
            for key in keys:
                if key in row:
                    value = row[key]
                    break
            else:
                value = fill()
            out.append(value if convert is None or value is None else convert(value))
        values.append(tuple(out))
    if connection.vendor == "postgresql":
        columns = [str(f.column) for f in fields]
        return _copy(model, columns, values)
    return _insert_many(model, [str(f.column) for f in fields], values)


def _copy(model: type[models.Model], columns: list[str], values: list[tuple]) -> list[int]:
    """The pks taken from the table's sequence (one round trip), then every row in one COPY."""
    table, pk_column, quote = model._meta.db_table, str(model._meta.pk.column), connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [table, pk_column, len(values)],
        )
        pks = [pk for (pk,) in cursor.fetchall()]
        sql = f"COPY {quote(table)} ({', '.join(quote(c) for c in [pk_column, *columns])}) FROM STDIN"
        with connection.wrap_database_errors, cursor.cursor.copy(sql) as copy:
            for pk, row in zip(pks, values, strict=True):
                copy.write_row((pk, *row))
    return pks


def _insert_many(model: type[models.Model], columns: list[str], values: list[tuple]) -> list[int]:
    quote = connection.ops.quote_name
    names = ", ".join(quote(c) for c in columns)
    sql = f"INSERT INTO {quote(model._meta.db_table)} ({names}) VALUES ({', '.join(['%s'] * len(columns))})"
    with connection.cursor() as cursor:
        cursor.executemany(sql, values)
        cursor.execute("SELECT last_insert_rowid()")
        last = cursor.fetchone()[0]
    return list(range(last - len(values) + 1, last + 1))
