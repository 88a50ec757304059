"""The import engine: what every importer shares — the check (header, rows, bulk resolving, preview),
the update mode's matching and diffing, the audit rows written alongside the data.

The check is a pass over the rows (each cell validated on its own, in memory) followed by a
few bulk lookups for the whole file (names, duplicates against the database), in chunks:
never a query per row. Nothing is written while checking. `write` runs inside the caller's
transaction and hands the rows to the app's own services, which write in batches.

Audit decision: an import writes ONE 导入 audit row for the job, which names every row it created
(primary-key ranges per model, kept machine-readable on the job as `ImportJob.written` and shown in
the audit row's changes); no 新增 row per object. "Who imported member X?" is answered by
`selectors.import_of(member)` (the done job whose ranges hold its pk; that job's 导入 audit row has
object_id = the job's public_id). An update-mode import still writes one 修改 row per changed
record, since each holds that record's own before/after values. ID numbers and mobiles are never
copied into audit rows.

Each app declares its importers (`<app>/importers.py`) and registers them in its
AppConfig.ready with `dangjian.imports.registry.register`.
"""

from __future__ import annotations

import contextlib
import datetime
import gc
import itertools
import pickle
import uuid
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _

from dangjian.audit.models import Action, AuditEvent
from dangjian.core.scoping import Scope

from . import inserts
from .conf import setting
from .models import ImportMode
from .resolvers import chunked
from .rows import EXAMPLE_MARK, Column, Problem, Problems, RowReader, normalize_header
from .workbook import Sheet, is_blank, text

ProgressFn = Callable[[float], None]
PARSED_VERSION = 1  # bump when what parse() returns changes: stored parses of older checks are then ignored


def _noop(_fraction: float) -> None:
    return None


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """Reading or writing a large sheet makes many objects that are kept (the rows) and none in
    cycles: the cycle collector's passes over them are pure cost (about a tenth of a check)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@dataclass
class CheckResult:
    header_row: int = 0
    rows: list[dict[str, Any]] = field(default_factory=list)  # the rows without problems, resolved
    total_rows: int = 0
    skipped_examples: int = 0
    problems: list[Problem] = field(default_factory=list)
    error_rows: int = 0
    preview_columns: list[str] = field(default_factory=list)
    preview_rows: list[list[str]] = field(default_factory=list)
    # The rows as read and parsed, before resolving (pickled, compressed): kept with the upload of a
    # clean check, so that the import's re-check does not read the sheet again. None otherwise.
    parsed_rows: bytes | None = None

    @property
    def error_count(self) -> int:
        return len(self.problems)


@dataclass
class Writer:
    """Who is writing, and what the import has written so far (for its one 导入 audit row)."""

    actor: Any
    actor_name: str
    role: str
    job_public_id: str
    batch_size: int
    progress: ProgressFn = _noop
    audit_rows: int = 0
    created: dict[str, list[int]] = field(default_factory=dict)  # model label → pks written

    def insert(self, model: type[models.Model], rows: list[dict[str, Any]]) -> list[int]:
        """New rows of `model` at bulk speed (COPY on PostgreSQL), recorded as created by this import."""
        pks = inserts.insert(model, rows)
        self.created.setdefault(model._meta.label_lower, []).extend(pks)
        return pks

    def audit(
        self, entries: Iterable[tuple[models.Model, str, dict[str, Any], str]], action: str = Action.CREATE
    ) -> None:
        """Services report what they wrote as (object, its label, its changes, its area path). New
        objects are only named (their pks go into the import's one 导入 row); each changed object
        gets its own 修改 row with its before/after values."""
        if action == Action.CREATE:
            for obj, _label, _changes, _area_path in entries:
                self.created.setdefault(obj._meta.label_lower, []).append(obj.pk)
            return
        events = [
            AuditEvent(
                actor=self.actor,
                actor_name=self.actor_name,
                role=self.role,
                action=action,
                object_type=obj._meta.label_lower,
                object_id=str(obj.public_id),  # type: ignore[attr-defined]
                object_repr=label[:200],
                changes={**changes, "import_job": [None, self.job_public_id]},
                area_path=area_path,
            )
            for obj, label, changes, area_path in entries
        ]
        AuditEvent.objects.bulk_create(events, batch_size=self.batch_size)
        self.audit_rows += len(events)


@dataclass
class RecordChange:
    """One record an update-mode import changes: its new values and the audit row's changes."""

    record: Any
    values: dict[str, Any]  # field (or foreign key "<name>_id") → new value
    changes: dict[str, list[Any]]  # field → [before, after], personal values masked
    area_path: str


class Importer:
    kind: str = ""
    position: int = 100  # where the kind is listed on the import page
    title: str = ""  # the data sheet's name
    label: Any = ""  # what the rows are called on the pages (a lazy translation)
    columns: list[Column] = []
    allowed_roles: frozenset[str] = frozenset()
    preview_keys: list[str] = []

    def __init__(self, scope: Scope, mode: str = ImportMode.CREATE):
        self.scope = scope
        self.updating = mode == ImportMode.UPDATE
        self.by_key = {c.key: c for c in self.columns}
        self.template_columns = [c for c in self.columns if c.in_template]

    # -- headers ------------------------------------------------------------------------------
    def header_lookup(self) -> dict[str, str]:
        lookup = {}
        for column in self.columns:
            for name in (column.header, *column.aliases):
                lookup[normalize_header(name)] = column.key
        return lookup

    def find_header(self, first_rows: list[tuple[int, tuple[Any, ...]]]) -> tuple[int, dict[str, int]] | None:
        """The header row: the first of the opening rows naming at least two of our columns."""
        lookup = self.header_lookup()
        for number, values in first_rows:
            positions: dict[str, int] = {}
            for index, value in enumerate(values):
                key = lookup.get(normalize_header(value))
                if key and key not in positions:
                    positions[key] = index
            if len(positions) >= 2:
                return number, positions
        return None

    # -- the check -------------------------------------------------------------------------------
    def check(self, content: bytes, *, progress: ProgressFn = _noop, parsed_rows: bytes | None = None) -> CheckResult:
        """Read and check every row, then resolve names and duplicates in bulk.

        `parsed_rows` is the `result.parsed_rows` of an earlier clean check of the same file: the
        sheet is then not read again (reading and parsing depend only on the file), while names and
        duplicates are resolved afresh against the database as it is now.
        """
        with gc_paused():  # the parse, its stored copy, the resolving: many objects kept, no cycles
            return self._check(content, progress, parsed_rows)

    def _check(self, content: bytes, progress: ProgressFn, parsed_rows: bytes | None) -> CheckResult:
        result = CheckResult()
        problems = Problems(self.by_key)
        loaded = self._load_parsed(parsed_rows)
        if loaded is not None:
            result.header_row, problems.positions, result.total_rows, result.skipped_examples, parsed = loaded
            header_row = result.header_row
        else:
            read = self._read(content, result, problems, progress)
            if read is None:
                return result
            header_row, parsed = read
            if parsed and not problems.items:
                result.parsed_rows = self._dump_parsed(header_row, problems.positions, result, parsed)
        progress(0.8)
        if not parsed:
            problems.add(header_row, None, "", _("表中没有数据行（示例行不计）。"))
        else:
            self.resolve(parsed, problems)
        progress(0.98)
        result.problems = problems.sorted()
        result.error_rows = len(problems.bad_rows)
        result.rows = [row for row in parsed if row["_row"] not in problems.bad_rows]
        result.preview_columns = [_("行号"), *[self.by_key[k].header for k in self.preview_keys]]
        for row in result.rows[: setting("IMPORT_PREVIEW_ROWS")]:
            result.preview_rows.append([str(row["_row"]), *[self.display(row, k) for k in self.preview_keys]])
        progress(1.0)
        return result

    def _read(
        self, content: bytes, result: CheckResult, problems: Problems, progress: ProgressFn
    ) -> tuple[int, list[dict[str, Any]]] | None:
        """The sheet read and every row parsed (cells checked one by one); None without a usable header."""
        today = timezone.localdate()
        parsed: list[dict[str, Any]] = []
        with Sheet(content, self.title) as sheet:
            rows = sheet.rows()
            opening = []
            for item in rows:
                opening.append(item)
                if len(opening) >= 10:
                    break
            found = self.find_header(opening)
            if found is None:
                headers = "、".join(c.header for c in self.columns if c.required)
                problems.add(
                    1,
                    None,
                    "",
                    _("没有找到表头。第一行应为列名（至少包括：%(h)s），请使用下载的模板。") % {"h": headers},
                )
                result.problems = problems.sorted()
                result.error_rows = 1
                return None
            header_row, positions = found
            result.header_row = header_row
            problems.positions = positions
            missing = [c.header for c in self.columns if c.required and c.key not in positions]
            if missing:
                problems.add(
                    header_row, None, "", _("缺少必填列：%(cols)s。请使用下载的模板。") % {"cols": "、".join(missing)}
                )
                result.problems = problems.sorted()
                result.error_rows = 1
                return None
            first_key = self.columns[0].key
            body = (item for item in itertools.chain(opening, rows) if item[0] > header_row)
            for number, values in body:
                cells = {key: values[index] if index < len(values) else None for key, index in positions.items()}
                if all(is_blank(v) for v in cells.values()):
                    continue
                if text(cells.get(first_key)).startswith(EXAMPLE_MARK):
                    result.skipped_examples += 1
                    continue
                result.total_rows += 1
                row = self.parse(RowReader(number, cells, problems, self.by_key, today, keep_masked=self.updating))
                row["_row"] = number
                parsed.append(row)
                if result.total_rows % 2000 == 0:
                    progress(0.8 * sheet.fraction_read)
        return header_row, parsed

    def _dump_parsed(
        self, header_row: int, positions: dict[str, int], result: CheckResult, parsed: list[dict[str, Any]]
    ) -> bytes:
        state: tuple[Any, ...] = (PARSED_VERSION, self.kind, self.updating, header_row, positions)
        state += (result.total_rows, result.skipped_examples, parsed)
        return zlib.compress(pickle.dumps(state, protocol=pickle.HIGHEST_PROTOCOL), 1)

    def _load_parsed(self, blob: bytes | None) -> tuple[int, dict[str, int], int, int, list[dict[str, Any]]] | None:
        if not blob:
            return None
        # Written by our own check (ImportUpload.parsed_rows), never by the uploader.
        state = pickle.loads(zlib.decompress(blob))  # noqa: S301
        if state[:3] != (PARSED_VERSION, self.kind, self.updating):
            return None
        return state[3:]

    def display(self, row: dict[str, Any], key: str) -> str:
        value = row.get(f"{key}_label", row.get(key))
        if isinstance(value, datetime.date):
            return value.isoformat()
        column = self.by_key[key]
        return column.mask(value) if column.personal else text(value if value is not None else "")

    def parse(self, r: RowReader) -> dict[str, Any]:
        raise NotImplementedError

    def resolve(self, rows: list[dict[str, Any]], problems: Problems) -> None:
        raise NotImplementedError

    def write(self, rows: list[dict[str, Any]], writer: Writer) -> dict[str, int]:
        raise NotImplementedError

    # -- update mode --------------------------------------------------------------------------------
    def changed_records(
        self, rows: list[dict[str, Any]], *, own: tuple[str, ...], links: tuple[str, ...]
    ) -> list[RecordChange]:
        """Update mode: what each row's `record` (matched by resolve) would change — the cells that
        differ; a masked personal cell (None) is kept. Nothing is set or saved here: the app's
        service applies the changes (and writes one 修改 audit row per changed record)."""
        out = []
        for r in rows:
            record = r["record"]
            new: dict[str, Any] = {key: r[key] for key in own if not (r[key] is None and self.by_key[key].personal)}
            new.update({f"{key}_id": r.get(f"{key}_id") for key in links})
            diff = {k: v for k, v in new.items() if getattr(record, k) != v}
            if not diff:
                continue
            changes: dict[str, list[Any]] = {}
            for key, value in diff.items():
                if key.endswith("_id"):
                    before = getattr(record, key[:-3])
                    label = getattr(before, "name", str(before)) if before else None
                    changes[key[:-3]] = [label, r.get(key[:-3]) or None]
                elif self.by_key[key].personal:
                    column = self.by_key[key]
                    changes[key] = [column.mask(getattr(record, key)), column.mask(value)]
                else:
                    changes[key] = [_plain(getattr(record, key)), _plain(value)]
            out.append(RecordChange(record=record, values=diff, changes=changes, area_path=r.get("area_path", "")))
        return out

    def match_records(
        self, rows: list[dict[str, Any]], problems: Problems, *, visible: models.QuerySet, key: str | None, noun: str
    ) -> None:
        """Update mode: set each row's `record`, found in `visible` (the uploader's scope) by the record
        code our exports carry, else by the row's `key` (ID number, credit code). Unmatched rows are errors."""
        model = visible.model
        header = self.by_key[key].header if key else ""
        codes = {record_code(r["code"]) for r in rows if r["code"]} - {""}
        values = {r[key] for r in rows if r[key]} if key else set()
        by_code: dict[str, Any] = {}
        for chunk in chunked(sorted(codes)):
            by_code.update((str(o.public_id), o) for o in visible.filter(public_id__in=chunk))
        by_value: dict[str, Any] = {}
        for chunk in chunked(sorted(values)):
            # Every record holding a value, in scope or not: a number may not move onto a second record.
            assert key is not None  # values is empty without a key
            by_value.update((getattr(o, key), o) for o in model._default_manager.filter(**{f"{key}__in": chunk}))
        in_scope = {o.pk: o for o in visible.filter(pk__in=[o.pk for o in by_value.values()])}
        first_row: dict[int, int] = {}
        for row in rows:
            value = row[key] if key else ""
            if row["code"]:
                record = by_code.get(record_code(row["code"]))
                if record is None:
                    message = _("记录编号「%(c)s」不存在或不在您的管辖范围内。") % {"c": row["code"][:40]}
                    problems.add(row["_row"], "code", row["code"], message)
                    continue
                other = by_value.get(value) if value else None
                if other is not None and other.pk != record.pk:
                    message = _("该%(h)s属于另一个已登记的%(n)s。") % {"h": header, "n": noun}
                    problems.add(row["_row"], key, value, message)
                    continue
            elif value:
                found = by_value.get(value)
                record = in_scope.get(found.pk) if found is not None else None
                if record is None:
                    message = _(
                        "您管辖范围内没有这个%(h)s的%(n)s。“更新”方式只修改已有%(n)s，新%(n)s请用“新增”方式导入。"
                    ) % {"h": header, "n": noun}
                    problems.add(row["_row"], key, value, message)
                    continue
            else:
                message = (
                    _("没有记录编号，%(h)s又已隐去或为空，无法找到要更新的%(n)s：请保留导出表中的“记录编号”列。")
                    if key
                    else _("没有记录编号，无法找到要更新的%(n)s：请保留导出表中的“记录编号”列。")
                ) % {"h": header, "n": noun}
                problems.add(row["_row"], "code", "", message)
                continue
            if record.pk in first_row:
                message = _("与第 %(r)s 行是同一个%(n)s。") % {"r": first_row[record.pk], "n": noun}
                problems.add(row["_row"], "code", row["code"], message)
                continue
            first_row[record.pk] = row["_row"]
            row["record"] = record

    # -- template ---------------------------------------------------------------------------------
    def template_options(self) -> list[tuple[str, list[str]]]:
        """Named lists of values in the uploader's scope, for the template's 可选值 sheet."""
        return []

    def template_dropdowns(self) -> dict[str, str]:
        """Column key → the 可选值 list name its dropdown uses."""
        return {}

    def notes(self) -> list[str]:
        return []


def _plain(value: Any) -> Any:
    """A value as an audit row's changes hold it (JSON: dates as ISO text)."""
    return value.isoformat() if isinstance(value, datetime.date) else value


# The record's own code, which our exports carry in their last column: what update mode matches on
# when the ID number is masked (and the only key of records without one).
CODE_COLUMN = Column(
    "code",
    "记录编号",
    False,
    "本系统导出时带出，用于“更新”方式找到原记录；新增时留空",
    width=38,
    aliases=("编号",),
    in_template=False,
)


def record_code(value: str) -> str:
    """A record code as typed, or "" when it cannot be one (a UUID)."""
    try:
        return str(uuid.UUID(value))
    except ValueError:
        return ""
