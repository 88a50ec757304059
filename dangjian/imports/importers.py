"""What each kind of import reads, how it checks a row, and how it writes the rows.

The check is a pass over the rows (each cell validated on its own, in memory) followed by a
few bulk lookups for the whole file (names, duplicates against the database), in chunks:
never a query per row. Nothing is written while checking. `write` runs inside the caller's
transaction and writes with bulk_create in batches.

Audit decision: every imported object gets its own audit row (action 新增, written in bulk in
the same transaction, naming the import job), plus one 导入 row for the job with its counts.
ID numbers and mobiles are never copied into audit rows.
"""

from __future__ import annotations

import datetime
import itertools
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, cast

from django.core.exceptions import ValidationError
from django.db import models, reset_queries
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl.utils import get_column_letter

from dangjian.accounts.roles import Role
from dangjian.audit.models import Action, AuditEvent
from dangjian.core.scoping import Scope
from dangjian.core.text import mask_mobile, pinyin_initials
from dangjian.core.tree import ancestor_paths
from dangjian.core.validators import (
    citizen_id_birth_date,
    citizen_id_sex,
    mask_citizen_id,
    validate_citizen_id,
    validate_credit_code,
    validate_mobile,
)
from dangjian.orgs.models import OrgType, PartyOrg
from dangjian.people.models import Household, Member, MemberCategory, MemberStatus, Resident, ResidentTag
from dangjian.territory.models import Area, Building, Estate, Level
from dangjian.units.models import ResidentUnit, UnitKind

from .conf import setting
from .models import ImportMode
from .workbook import Sheet, compact, is_blank, parse_date, split_list, split_qualified, text

EXAMPLE_MARK = "【示例】"
LOOKUP_CHUNK = 500
ProgressFn = Callable[[float], None]


def _noop(_fraction: float) -> None:
    return None


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    required: bool = False
    help: str = ""
    choices: tuple[str, ...] = ()
    kind: str = "text"  # text | date | int | citizen_id | mobile | credit_code | list
    width: int = 14
    aliases: tuple[str, ...] = ()
    examples: tuple[Any, Any] = ("", "")
    in_template: bool = True  # the record code comes from our exports, not the blank template

    @property
    def personal(self) -> str:
        return self.kind if self.kind in {"citizen_id", "mobile"} else ""

    def mask(self, value: Any) -> str:
        shown = text(value)
        if self.kind == "citizen_id":
            return mask_citizen_id(shown)
        if self.kind == "mobile":
            return mask_mobile(shown)
        return shown[:100]


def normalize_header(value: Any) -> str:
    out = compact(value)
    for mark in ("*", "＊", "（必填）", "(必填)", "（选填）", "(选填)"):
        out = out.replace(mark, "")
    return out


# -- errors ---------------------------------------------------------------------------------------
@dataclass
class Problem:
    row: int
    column_index: int  # 0-based position in the sheet; -1 for the whole row or file
    column_name: str
    value: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "row": self.row,
            "column": get_column_letter(self.column_index + 1) if self.column_index >= 0 else "",
            "column_name": self.column_name,
            "value": self.value,
            "message": self.message,
        }


class Problems:
    """Every problem found, by row and column. All are counted; the caller stores the first ones."""

    def __init__(self, columns: dict[str, Column]):
        self.columns = columns
        self.positions: dict[str, int] = {}
        self.items: list[Problem] = []
        self.bad_rows: set[int] = set()

    def add(self, row: int, key: str | None, value: Any, message: str) -> None:
        column = self.columns.get(key or "")
        self.items.append(
            Problem(
                row=row,
                column_index=self.positions.get(key or "", -1),
                column_name=column.header if column else "",
                value=column.mask(value) if column else text(value)[:100],
                message=message,
            )
        )
        self.bad_rows.add(row)

    def sorted(self) -> list[Problem]:
        return sorted(self.items, key=lambda p: (p.row, p.column_index))


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

    @property
    def error_count(self) -> int:
        return len(self.problems)


class RowReader:
    """Reads and validates the cells of one row; every problem goes to `problems` at its column."""

    def __init__(
        self,
        row: int,
        cells: dict[str, Any],
        problems: Problems,
        columns: dict[str, Column],
        today: datetime.date,
        keep_masked: bool = False,
    ):
        self.row, self.cells, self.problems, self.columns, self.today = row, cells, problems, columns, today
        self.keep_masked = keep_masked

    def masked(self, key: str) -> bool:
        """In update mode, a cell our export masked (110105********002X) means "leave it as it is"."""
        return self.keep_masked and "*" in text(self.cells.get(key))

    def error(self, key: str, message: str) -> None:
        self.problems.add(self.row, key, self.cells.get(key), message)

    def raw(self, key: str) -> Any:
        return self.cells.get(key)

    def blank(self, key: str) -> bool:
        return is_blank(self.cells.get(key))

    def _required(self, key: str) -> bool:
        """True when the cell is empty (and reports it if the column is required)."""
        if self.blank(key):
            if self.columns[key].required:
                self.error(key, _("「%(col)s」必填。") % {"col": self.columns[key].header})
            return True
        return False

    def text(self, key: str, *, max_length: int) -> str:
        if self._required(key):
            return ""
        value = text(self.cells[key])
        if len(value) > max_length:
            self.error(key, _("不能超过 %(n)s 个字（现有 %(m)s 个）。") % {"n": max_length, "m": len(value)})
            return ""
        return value

    def name(self, key: str, *, max_length: int) -> str:
        """A name of a person or a place: spaces inside are typing slips and are dropped."""
        value = self.text(key, max_length=max_length * 2)
        value = compact(value)
        if len(value) > max_length:
            self.error(key, _("不能超过 %(n)s 个字（现有 %(m)s 个）。") % {"n": max_length, "m": len(value)})
            return ""
        return value

    def date(self, key: str) -> datetime.date | None:
        if self._required(key):
            return None
        try:
            value = parse_date(self.cells[key])
        except ValueError as exc:
            self.error(key, str(exc))
            return None
        if value > self.today:
            self.error(key, _("日期 %(d)s 晚于今天。") % {"d": value.isoformat()})
            return None
        if value.year < 1900:
            self.error(key, _("日期 %(d)s 不合理。") % {"d": value.isoformat()})
            return None
        return value

    def choice(self, key: str, mapping: Mapping[str, str]) -> str:
        if self._required(key):
            return ""
        value = compact(self.cells[key])
        if value not in mapping:
            allowed = "、".join(self.columns[key].choices)
            self.error(key, _("「%(v)s」不是允许的值，应为：%(allowed)s。") % {"v": value, "allowed": allowed})
            return ""
        return mapping[value]

    def number_stored_text(self, key: str) -> bool:
        """Long codes typed into a number cell lose their last digits in Excel: refuse them."""
        value = self.cells.get(key)
        if isinstance(value, (int, float)) and not isinstance(value, bool) and len(str(int(value))) > 15:
            self.error(
                key,
                _("%(what)s被 Excel 存成了数字，末几位可能已丢失。请把该列设为“文本”格式后重新填写。")
                % {"what": self.columns[key].header},
            )
            return True
        return False

    def citizen_id(self, key: str) -> str | None:
        """The checked number; None for a masked cell kept in update mode."""
        if self.masked(key):
            return None
        if self._required(key) or self.number_stored_text(key):
            return ""
        try:
            return validate_citizen_id(compact(self.cells[key]))
        except ValidationError as exc:
            self.error(key, exc.messages[0])
            return ""

    def mobile(self, key: str) -> str | None:
        """The checked number; None for a masked cell kept in update mode."""
        if self.masked(key):
            return None
        if self._required(key):
            return ""
        try:
            return validate_mobile(compact(self.cells[key]))
        except ValidationError as exc:
            self.error(key, exc.messages[0])
            return ""

    def credit_code(self, key: str) -> str:
        if self._required(key) or self.number_stored_text(key):
            return ""
        try:
            return validate_credit_code(compact(self.cells[key]))
        except ValidationError as exc:
            self.error(key, exc.messages[0])
            return ""

    def integer(self, key: str, *, default: int = 0, maximum: int = 10_000_000) -> int:
        if self._required(key):
            return default
        value = self.cells[key]
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if not isinstance(value, int) or isinstance(value, bool):
            raw = compact(value).replace(",", "").replace("，", "")
            if not raw.isdigit():
                self.error(key, _("应为不小于 0 的整数。"))
                return default
            value = int(raw)
        if value < 0 or value > maximum:
            self.error(key, _("应为 0 到 %(max)s 之间的整数。") % {"max": maximum})
            return default
        return value


# -- resolving names in bulk ----------------------------------------------------------------------
@dataclass
class Candidate:
    pk: int
    name: str
    anc_paths: list[str]  # ancestor paths whose names may qualify it, root first
    data: dict[str, Any] = field(default_factory=dict)
    label: str = ""


def chunked(items: Iterable[Any], size: int = LOOKUP_CHUNK) -> Iterator[list[Any]]:
    chunk: list[Any] = []
    for item in items:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _is_subsequence(needles: list[str], haystack: list[str]) -> bool:
    it = iter(haystack)
    return all(any(n == h for h in it) for n in needles)


class NameResolver:
    """Names (optionally qualified: '上级/名称') → one candidate in scope, or a Chinese error.

    `fetch(names)` returns the candidates in scope with those names (one query per chunk of
    names); ancestor names, needed only to qualify or to list same-named candidates, come from
    one more query on `ancestor_model`.
    """

    def __init__(self, *, fetch: Callable[[list[str]], Iterable[Candidate]], ancestor_model: type[models.Model], noun):
        self.fetch, self.ancestor_model, self.noun = fetch, ancestor_model, noun

    def resolve(self, values: Iterable[str]) -> dict[str, Candidate | str]:
        wanted = {value: split_qualified(value) for value in set(values) if value}
        by_name: dict[str, list[Candidate]] = defaultdict(list)
        for chunk in chunked(sorted({name for _q, name in wanted.values()})):
            for candidate in self.fetch(chunk):
                by_name[candidate.name].append(candidate)
        needs_ancestors = [
            c for value, (qualifiers, name) in wanted.items() for c in by_name.get(name, ()) if qualifiers
        ] + [c for cands in by_name.values() if len(cands) > 1 for c in cands]
        names = self._ancestor_names({p for c in needs_ancestors for p in c.anc_paths})
        out: dict[str, Candidate | str] = {}
        for value, (qualifiers, name) in wanted.items():
            candidates = by_name.get(name, [])
            if qualifiers:
                candidates = [
                    c for c in candidates if _is_subsequence(qualifiers, [names.get(p, "") for p in c.anc_paths])
                ]
            if len(candidates) == 1:
                out[value] = candidates[0]
            elif not candidates:
                out[value] = _("在您的管辖范围内未找到%(noun)s「%(v)s」。") % {"noun": self.noun, "v": value}
            else:
                shown = [self._label(c, names) for c in candidates[:5]]
                more = _("等 %(n)s 个") % {"n": len(candidates)} if len(candidates) > 5 else ""
                out[value] = _("%(noun)s「%(v)s」有重名：%(list)s%(more)s。请写成「上级名称/%(name)s」以区分。") % {
                    "noun": self.noun,
                    "v": value,
                    "list": "、".join(shown),
                    "more": more,
                    "name": name,
                }
        return out

    def _ancestor_names(self, paths: set[str]) -> dict[str, str]:
        names: dict[str, str] = {}
        for chunk in chunked(sorted(paths)):
            names.update(self.ancestor_model._default_manager.filter(path__in=chunk).values_list("path", "name"))
        return names

    @staticmethod
    def _label(candidate: Candidate, names: dict[str, str]) -> str:
        above = [names[p] for p in candidate.anc_paths[-2:] if p in names]
        return "/".join([*above, candidate.name])


def scoped(model: type[models.Model], scope: Scope) -> models.QuerySet:
    qs = model._default_manager.all()
    return qs if scope.everything else qs.filter(model.scope_q(scope))  # type: ignore[attr-defined]


def community_resolver(queryset: models.QuerySet) -> NameResolver:
    def fetch(names: list[str]) -> Iterable[Candidate]:
        for pk, name, path in queryset.filter(level=Level.COMMUNITY, name__in=names).values_list("pk", "name", "path"):
            yield Candidate(pk=pk, name=name, anc_paths=ancestor_paths(path), data={"path": path})

    return NameResolver(fetch=fetch, ancestor_model=Area, noun=_("社区"))


# -- the importers --------------------------------------------------------------------------------
@dataclass
class Writer:
    """Who is writing, for the audit rows written in bulk alongside the data."""

    actor: Any
    actor_name: str
    role: str
    job_public_id: str
    batch_size: int
    progress: ProgressFn = _noop
    audit_rows: int = 0

    def audit(
        self, entries: Iterable[tuple[models.Model, str, dict[str, Any], str]], action: str = Action.CREATE
    ) -> None:
        """One 新增 (or 修改) row per (object, its label, its changes, its area path)."""
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


class Importer:
    kind: str = ""
    title: str = ""  # the data sheet's name, and what the rows are called
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
    def check(self, content: bytes, *, progress: ProgressFn = _noop) -> CheckResult:
        result = CheckResult()
        problems = Problems(self.by_key)
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
                return result
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
                return result
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
    def update(
        self, rows: list[dict[str, Any]], writer: Writer, *, own: tuple[str, ...], links: tuple[str, ...]
    ) -> int:
        """Update mode's write: each row's `record` (matched by resolve) gets the cells that differ;
        a masked personal cell (None) is kept. One 修改 audit row per changed record; returns their count."""
        changed = 0
        entries = []
        for done, r in enumerate(rows, start=1):
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
                setattr(record, key, value)
            self.updated(record, diff)
            record.save()
            changed += 1
            entries.append((record, record.name, changes, r.get("area_path", "")))
            writer.progress(done / len(rows))
        writer.audit(entries, action=Action.UPDATE)
        return changed

    def updated(self, record: models.Model, diff: dict[str, Any]) -> None:
        """Fields that follow from the changed ones (pinyin from a name...)."""

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


def _apply(problems: Problems, row: dict[str, Any], key: str, resolved: dict[str, Candidate | str]) -> Candidate | None:
    value = row.get(key)
    if not value or row.get(f"{key}_kept"):
        return None
    found = resolved.get(value)
    if isinstance(found, Candidate):
        return found
    problems.add(row["_row"], key, value, str(found))
    return None


MEMBER_CATEGORY = {"正式党员": MemberCategory.FULL, "正式": MemberCategory.FULL}
MEMBER_CATEGORY |= {"预备党员": MemberCategory.PROBATIONARY, "预备": MemberCategory.PROBATIONARY}
MEMBER_STATUS = {
    "在职": MemberStatus.IN_SERVICE,
    "退休": MemberStatus.RETIRED,
    "流动": MemberStatus.FLOATING,
    "流动党员": MemberStatus.FLOATING,
    "口袋": MemberStatus.POCKET,
    "口袋党员": MemberStatus.POCKET,
}
ADULT_AGE = 18
MEMBER_LINKS = ("org", "workplace", "home_community", "home_estate")
MEMBER_OWN = ("name", "category", "joined_on", "confirmed_on", "status", "mobile", "id_number")
# Groups and hub households sit inside a branch; a member's relationship is held by the branch.
NOT_HOLDING_TYPES = {OrgType.PARTY_GROUP, OrgType.BUILDING_GROUP, OrgType.HUB_HOUSEHOLD}


def _plain(value: Any) -> Any:
    """A value as an audit row's changes hold it (JSON: dates as ISO text)."""
    return value.isoformat() if isinstance(value, datetime.date) else value


def _add_years(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


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


class MemberImporter(Importer):
    kind = "members"
    title = "党员"
    allowed_roles = frozenset({Role.DISTRICT_ADMIN, Role.SUBDISTRICT_ADMIN, Role.COMMUNITY_WORKER})
    columns = [
        Column("name", "姓名", True, "最多 50 字", width=10, examples=("【示例】张三", "【示例】李四")),
        Column(
            "id_number",
            "身份证号",
            True,
            "18 位居民身份证号，末位可为 X；校验位和出生日期都会核对。请保持“文本”格式",
            kind="citizen_id",
            width=22,
            aliases=("身份证号码", "公民身份号码"),
            examples=("44040219800101001X", "440402199203150023"),
        ),
        Column(
            "mobile",
            "手机号",
            False,
            "11 位手机号",
            kind="mobile",
            width=14,
            aliases=("手机", "联系电话", "电话"),
            examples=("13800138000", ""),
        ),
        Column(
            "category",
            "党员类别",
            True,
            "正式党员 或 预备党员",
            choices=("正式党员", "预备党员"),
            aliases=("类别",),
            examples=("正式党员", "预备党员"),
        ),
        Column(
            "joined_on",
            "入党日期",
            True,
            "如 2005-07-01、2005/7/1，或 Excel 日期；须年满 18 周岁",
            kind="date",
            aliases=("入党时间",),
            examples=(datetime.date(2005, 7, 1), datetime.date(2024, 6, 28)),
        ),
        Column(
            "confirmed_on",
            "转正日期",
            False,
            "正式党员可填；预备党员不填",
            kind="date",
            aliases=("转正时间",),
            examples=(datetime.date(2006, 7, 1), ""),
        ),
        Column(
            "status",
            "状态",
            True,
            "在职、退休、流动 或 口袋",
            choices=("在职", "退休", "流动", "口袋"),
            aliases=("党员状态",),
            examples=("在职", "退休"),
        ),
        Column(
            "org",
            "所在党组织",
            False,
            "组织全称，须在您的管辖范围内；重名时写成“上级组织/组织名称”。口袋党员可不填，其余必填",
            width=26,
            aliases=("党组织", "所在支部"),
            examples=("中珠新村小区党支部", "婆石社区大党委/中珠新村小区党支部"),
        ),
        Column("home_community", "居住社区", False, "社区名称；口袋党员未填所在党组织时必填", width=14),
        Column("home_estate", "居住小区", False, "须在所填居住社区内", width=14),
        Column("workplace", "工作单位", False, "驻区单位名称，须在您的管辖范围内；不是驻区单位时留空", width=20),
        CODE_COLUMN,
    ]
    preview_keys = [
        "name",
        "id_number",
        "mobile",
        "category",
        "joined_on",
        "confirmed_on",
        "status",
        "org",
        "home_community",
        "home_estate",
        "workplace",
    ]

    def __init__(self, scope: Scope, mode: str = ImportMode.CREATE):
        super().__init__(scope, mode=mode)
        # Translated once per check, not once per row.
        self.labels = {
            "category": {k: str(v) for k, v in MemberCategory.choices},
            "status": {k: str(v) for k, v in MemberStatus.choices},
        }

    def parse(self, r: RowReader) -> dict[str, Any]:
        row: dict[str, Any] = {
            "name": r.name("name", max_length=50),
            "id_number": r.citizen_id("id_number"),
            "mobile": r.mobile("mobile"),
            "category": r.choice("category", MEMBER_CATEGORY),
            "joined_on": r.date("joined_on"),
            "confirmed_on": r.date("confirmed_on"),
            "status": r.choice("status", MEMBER_STATUS),
            "org": r.text("org", max_length=300),
            "home_community": r.text("home_community", max_length=200),
            "home_estate": r.text("home_estate", max_length=100),
            "workplace": r.text("workplace", max_length=300),
            "code": r.text("code", max_length=40),
        }
        birth = citizen_id_birth_date(row["id_number"]) if row["id_number"] else None
        joined, confirmed = row["joined_on"], row["confirmed_on"]
        if birth and joined and joined < _add_years(birth, ADULT_AGE):
            r.error("joined_on", _("入党日期 %(d)s 早于年满 18 周岁（出生于 %(b)s）。") % {"d": joined, "b": birth})
        if row["category"] == MemberCategory.PROBATIONARY and confirmed:
            r.error("confirmed_on", _("预备党员不应填写转正日期。"))
        if joined and confirmed and confirmed < joined:
            r.error("confirmed_on", _("转正日期早于入党日期。"))
        if row["status"] and row["status"] != MemberStatus.POCKET and not row["org"]:
            r.error("org", _("「所在党组织」必填（只有口袋党员可以不填）。"))
        if row["status"] == MemberStatus.POCKET and not row["org"] and not row["home_community"]:
            r.error("home_community", _("口袋党员未填所在党组织时，请填写居住社区。"))
        if row["home_estate"] and r.blank("home_community"):
            r.error("home_estate", _("填写居住小区时，请同时填写居住社区。"))
        for key in ("category", "status"):
            if row[key]:
                row[f"{key}_label"] = self.labels[key][row[key]]
        return row

    def resolve(self, rows: list[dict[str, Any]], problems: Problems) -> None:
        scope = self.scope
        if self.updating:
            self.match_existing(rows, problems)
        orgs_qs = scoped(PartyOrg, scope)

        def fetch_orgs(names: list[str]) -> Iterable[Candidate]:
            for pk, name, path, area_path, org_type in orgs_qs.filter(name__in=names).values_list(
                "pk", "name", "path", "area__path", "org_type"
            ):
                yield Candidate(pk, name, ancestor_paths(path), {"area_path": area_path, "org_type": org_type})

        orgs = NameResolver(fetch=fetch_orgs, ancestor_model=PartyOrg, noun=_("党组织")).resolve(
            r["org"] for r in rows if r["org"] and not r.get("org_kept")
        )
        communities = community_resolver(scoped(Area, scope)).resolve(
            r["home_community"] for r in rows if r["home_community"] and not r.get("home_community_kept")
        )
        units = unit_resolver(scope).resolve(
            r["workplace"] for r in rows if r["workplace"] and not r.get("workplace_kept")
        )
        for row in rows:
            if org := _apply(problems, row, "org", orgs):
                if org.data["org_type"] in NOT_HOLDING_TYPES:
                    problems.add(
                        row["_row"],
                        "org",
                        row["org"],
                        _("「%(o)s」是%(t)s；党员的组织关系应在党支部、党总支或党委。")
                        % {"o": org.name, "t": OrgType(org.data["org_type"]).label},
                    )
                else:
                    row["org_id"], row["area_path"] = org.pk, org.data["area_path"]
            if community := _apply(problems, row, "home_community", communities):
                row["home_community_id"] = community.pk
                row.setdefault("area_path", community.data["path"])
            if unit := _apply(problems, row, "workplace", units):
                row["workplace_id"] = unit.pk
        # Estates: by name within the row's (resolved) community.
        pairs = {
            (r["home_community_id"], r["home_estate"])
            for r in rows
            if r["home_estate"] and "home_community_id" in r and not r.get("home_estate_kept")
        }
        estates = _estates_by_name(pairs)
        for row in rows:
            if row["home_estate"] and "home_community_id" in row and not row.get("home_estate_kept"):
                estate_id = estates.get((row["home_community_id"], row["home_estate"]))
                if estate_id is None:
                    problems.add(
                        row["_row"],
                        "home_estate",
                        row["home_estate"],
                        _("社区「%(c)s」里没有小区「%(e)s」。") % {"c": row["home_community"], "e": row["home_estate"]},
                    )
                else:
                    row["home_estate_id"] = estate_id
        # The same person twice in the file, and people already on record.
        first_row: dict[str, int] = {}
        for row in rows:
            number = row["id_number"]
            if not number:
                continue
            if number in first_row:
                problems.add(
                    row["_row"], "id_number", number, _("与第 %(n)s 行的身份证号重复。") % {"n": first_row[number]}
                )
            else:
                first_row[number] = row["_row"]
        if self.updating:
            return  # matched above: updating a member on record is the point
        visible = scoped(Member, scope)
        by_number = {r["id_number"]: r for r in rows if r["id_number"]}
        for chunk in chunked(sorted(by_number)):
            existing = dict(Member.objects.filter(id_number__in=chunk).values_list("id_number", "pk"))
            if not existing:
                continue
            seen = {
                m.id_number: m
                for m in visible.filter(pk__in=existing.values()).select_related("home_community", "org__area")
            }
            for number in existing:
                member = seen.get(number)
                if member is not None:
                    where = member.home_community or (member.org.area if member.org else None)
                    who = f"{member.name}，{where}" if where else member.name
                    message = _(
                        "身份证号已存在于党员库（%(who)s）。“新增”方式不修改已有党员；要修改请改用“更新”方式导入。"
                    ) % {"who": who}
                else:
                    message = _("身份证号已存在于党员库（该党员不在您的管辖范围内，如需转入请办理组织关系转接）。")
                problems.add(by_number[number]["_row"], "id_number", number, message)

    def match_existing(self, rows: list[dict[str, Any]], problems: Problems) -> None:
        """Update mode: each row's member in the uploader's scope, by record code, else by ID number."""
        visible = scoped(Member, self.scope).select_related("org__area", "workplace", "home_community", "home_estate")
        self.match_records(rows, problems, visible=visible, key="id_number", noun=_("党员"))
        for row in rows:
            member = row.get("record")
            if member is None:
                continue
            # A cell still naming what the member is linked to now is left as it is, even when that
            # organization or unit lies outside the uploader's scope (a member living here, working there).
            for key in MEMBER_LINKS:
                current = getattr(member, key)
                if current is not None and row[key] == current.name:
                    row[f"{key}_id"], row[f"{key}_kept"] = current.pk, True
            if row.get("org_kept"):
                row["area_path"] = member.org.area.path if member.org.area else ""
            elif row.get("home_community_kept"):
                row.setdefault("area_path", member.home_community.path)

    def updated(self, record: models.Model, diff: dict[str, Any]) -> None:
        member = cast(Member, record)
        if "name" in diff:
            member.pinyin = pinyin_initials(member.name)
        if "id_number" in diff and member.id_number:
            member.sex = citizen_id_sex(member.id_number)
            member.birth_date = citizen_id_birth_date(member.id_number)

    def write(self, rows: list[dict[str, Any]], writer: Writer) -> dict[str, int]:
        if self.updating:
            changed = self.update(rows, writer, own=MEMBER_OWN, links=MEMBER_LINKS)
            return {"members_updated": changed, "members_unchanged": len(rows) - changed}
        pinyin: dict[str, str] = {}
        done = 0
        for chunk in chunked(rows, writer.batch_size):
            members = []
            for r in chunk:
                name = r["name"]
                if name not in pinyin:
                    pinyin[name] = pinyin_initials(name)
                members.append(
                    Member(
                        name=name,
                        pinyin=pinyin[name],
                        sex=citizen_id_sex(r["id_number"]),
                        birth_date=citizen_id_birth_date(r["id_number"]),
                        id_number=r["id_number"],
                        mobile=r["mobile"],
                        category=r["category"],
                        joined_on=r["joined_on"],
                        confirmed_on=r["confirmed_on"],
                        status=r["status"],
                        org_id=r.get("org_id"),
                        workplace_id=r.get("workplace_id"),
                        home_community_id=r.get("home_community_id"),
                        home_estate_id=r.get("home_estate_id"),
                    )
                )
            Member.objects.bulk_create(members, batch_size=writer.batch_size)
            writer.audit(
                (
                    m,
                    m.name,
                    {
                        "name": [None, m.name],
                        "category": [None, m.category],
                        "status": [None, m.status],
                        "org": [None, r.get("org") or None],
                        "home_community": [None, r.get("home_community") or None],
                    },
                    r.get("area_path", ""),
                )
                for m, r in zip(members, chunk, strict=True)
            )
            done += len(chunk)
            writer.progress(done / len(rows))
            reset_queries()
        return {"members": done}

    def template_options(self) -> list[tuple[str, list[str]]]:
        orgs = scoped(PartyOrg, self.scope).order_by("path").values_list("name", flat=True)
        communities = scoped(Area, self.scope).filter(level=Level.COMMUNITY).order_by("path").values_list("name")
        units = scoped(ResidentUnit, self.scope).order_by("name").values_list("name", flat=True)
        limit = setting("IMPORT_TEMPLATE_OPTIONS") + 1
        return [
            (_("党组织"), list(orgs[:limit])),
            (_("社区"), [c for (c,) in communities[:limit]]),
            (_("驻区单位"), list(units[:limit])),
        ]

    def template_dropdowns(self) -> dict[str, str]:
        return {"org": _("党组织"), "home_community": _("社区"), "workplace": _("驻区单位")}

    def notes(self) -> list[str]:
        return [
            _("“新增”方式只新增党员：身份证号已在党员库中的行会被列为错误，不会修改已有党员。"),
            _("“更新”方式修改已有党员：按“记录编号”（导出表最后一列）或身份证号找到原记录；带 * 的隐去内容保持不变。"),
            _("性别和出生日期由身份证号得出，无需填写。"),
        ]


def _estates_by_name(pairs: set[tuple[int, str]]) -> dict[tuple[int, str], int]:
    out: dict[tuple[int, str], int] = {}
    community_ids = sorted({c for c, _n in pairs})
    names = sorted({n for _c, n in pairs})
    for ids in chunked(community_ids):
        for names_chunk in chunked(names):
            rows = Estate.objects.filter(community_id__in=ids, name__in=names_chunk).values_list(
                "community_id", "name", "pk"
            )
            out.update({(c, n): pk for c, n, pk in rows})
    return out


def unit_resolver(scope: Scope) -> NameResolver:
    qs = scoped(ResidentUnit, scope)

    def fetch(names: list[str]) -> Iterable[Candidate]:
        for pk, name, cpath in qs.filter(name__in=names).values_list("pk", "name", "community__path"):
            yield Candidate(pk, name, [*ancestor_paths(cpath), cpath])

    return NameResolver(fetch=fetch, ancestor_model=Area, noun=_("驻区单位"))


TAG_LABELS = {str(label): value for value, label in ResidentTag.choices}


class ResidentImporter(Importer):
    kind = "residents"
    title = "居民"
    allowed_roles = frozenset({Role.DISTRICT_ADMIN, Role.SUBDISTRICT_ADMIN, Role.COMMUNITY_WORKER, Role.GRID_WORKER})
    columns = [
        Column(
            "community",
            "社区",
            True,
            "社区名称，须在您的管辖范围内；重名时写成“街道/社区”",
            aliases=("所在社区",),
            examples=("【示例】婆石社区", "【示例】婆石社区"),
        ),
        Column(
            "estate",
            "小区",
            False,
            "楼栋所在小区；楼栋不属于小区时留空",
            aliases=("所在小区",),
            examples=("中珠新村", "中珠新村"),
        ),
        Column(
            "building", "楼栋", True, "楼栋名称，如 1栋；网格员只能导入本网格的楼栋", width=10, examples=("1栋", "1栋")
        ),
        Column(
            "room",
            "门牌/房号",
            True,
            "如 101、2单元302；该户不存在时自动新建",
            width=12,
            aliases=("门牌号", "房号", "门牌", "房间号"),
            examples=("101", "101"),
        ),
        Column("name", "姓名", True, "最多 50 字", width=10, examples=("王五", "赵六")),
        Column(
            "mobile",
            "电话",
            False,
            "11 位手机号",
            kind="mobile",
            aliases=("手机号", "联系电话", "手机"),
            examples=("13900139000", ""),
        ),
        Column(
            "tags",
            "标签",
            False,
            "可多个，用“、”分隔：" + "、".join(TAG_LABELS),
            kind="list",
            width=22,
            aliases=("居民标签",),
            examples=("独居老人", "退役军人、残疾人"),
        ),
        CODE_COLUMN,
    ]
    preview_keys = ["community", "estate", "building", "room", "name", "mobile", "tags"]

    def parse(self, r: RowReader) -> dict[str, Any]:
        row: dict[str, Any] = {
            "community": r.text("community", max_length=200),
            "estate": r.name("estate", max_length=100),
            "building": r.name("building", max_length=100),
            "room": r.name("room", max_length=30),
            "name": r.name("name", max_length=50),
            "mobile": r.mobile("mobile"),
            "tags": [],
            "tags_label": "",
            "code": r.text("code", max_length=40),
        }
        if not r.blank("tags"):
            labels = split_list(r.raw("tags"))
            unknown = [label for label in labels if label not in TAG_LABELS]
            if unknown:
                r.error(
                    "tags",
                    _("标签「%(t)s」不是允许的值，应为：%(allowed)s（多个用“、”分隔）。")
                    % {"t": "、".join(unknown), "allowed": "、".join(TAG_LABELS)},
                )
            else:
                row["tags"] = list(dict.fromkeys(TAG_LABELS[label] for label in labels))
                row["tags_label"] = "、".join(dict.fromkeys(labels))
        return row

    def community_queryset(self) -> models.QuerySet:
        if self.scope.area_level == Level.GRID and self.scope.area_path:
            return Area.objects.filter(path__in=ancestor_paths(self.scope.area_path))
        return scoped(Area, self.scope)

    def resolve(self, rows: list[dict[str, Any]], problems: Problems) -> None:
        communities = community_resolver(self.community_queryset()).resolve(
            r["community"] for r in rows if r["community"]
        )
        for row in rows:
            if community := _apply(problems, row, "community", communities):
                row["community_id"], row["community_path"] = community.pk, community.data["path"]
        ready = [r for r in rows if "community_id" in r and r["building"]]
        estates = _estates_by_name({(r["community_id"], r["estate"]) for r in ready if r["estate"]})
        for row in ready:
            if row["estate"]:
                row["estate_id"] = estates.get((row["community_id"], row["estate"]))
                if row["estate_id"] is None:
                    problems.add(
                        row["_row"],
                        "estate",
                        row["estate"],
                        _("社区「%(c)s」里没有小区「%(e)s」。") % {"c": row["community"], "e": row["estate"]},
                    )
        # Buildings the user may see, by (community, name); the estate (when given) picks among them.
        buildings: dict[tuple[int, str], list[tuple[int, int | None, str]]] = defaultdict(list)
        community_ids = sorted({r["community_id"] for r in ready})
        names = sorted({r["building"] for r in ready})
        qs = scoped(Building, self.scope)
        for ids in chunked(community_ids):
            for chunk in chunked(names):
                for pk, cid, name, estate_id, grid_path in qs.filter(community_id__in=ids, name__in=chunk).values_list(
                    "pk", "community_id", "name", "estate_id", "grid__path"
                ):
                    buildings[(cid, name)].append((pk, estate_id, grid_path or ""))
        in_grid = _("（或不在您负责的网格内）") if self.scope.area_level == Level.GRID else ""
        for row in ready:
            if row["estate"] and row.get("estate_id") is None:
                continue
            found = buildings.get((row["community_id"], row["building"]), [])
            if row["estate"]:
                found = [b for b in found if b[1] == row["estate_id"]]
            place = row["community"] + (row["estate"] or "")
            if len(found) == 1:
                row["building_id"] = found[0][0]
                row["area_path"] = found[0][2] or row["community_path"]
            elif not found:
                problems.add(
                    row["_row"],
                    "building",
                    row["building"],
                    _("在「%(p)s」未找到楼栋「%(b)s」%(g)s。") % {"p": place, "b": row["building"], "g": in_grid},
                )
            else:
                problems.add(
                    row["_row"],
                    "estate",
                    row["estate"],
                    _("社区「%(c)s」有多个小区都有「%(b)s」，请填写小区。")
                    % {"c": row["community"], "b": row["building"]},
                )
        placed = [r for r in rows if "building_id" in r and r["room"]]
        households: dict[tuple[int, str], int] = {}
        for ids in chunked(sorted({r["building_id"] for r in placed})):
            for building_id, room, pk in Household.objects.filter(building_id__in=ids).values_list(
                "building_id", "room", "pk"
            ):
                households[(building_id, room)] = pk
        existing_names: set[tuple[int, str]] = set()
        for ids in chunked(sorted(set(households.values()))):
            existing_names.update(Resident.objects.filter(household_id__in=ids).values_list("household_id", "name"))
        first_row: dict[tuple[int, str, str], int] = {}
        for row in placed:
            household_id = households.get((row["building_id"], row["room"]))
            row["household_id"] = household_id
            if not row["name"]:
                continue
            key = (row["building_id"], row["room"], row["name"])
            where = f"{row['estate'] or ''}{row['building']} {row['room']}"
            row["household"] = where
            if key in first_row:
                problems.add(
                    row["_row"],
                    "name",
                    row["name"],
                    _("与第 %(n)s 行重复（同一户、同一姓名）。") % {"n": first_row[key]},
                )
            else:
                first_row[key] = row["_row"]
            if self.updating and household_id is None:
                message = _("该户（%(w)s）尚未登记；“更新”方式不新建户，请先用“新增”方式导入。") % {"w": where}
                problems.add(row["_row"], "room", row["room"], message)
            elif not self.updating and household_id is not None and (household_id, row["name"]) in existing_names:
                problems.add(
                    row["_row"],
                    "name",
                    row["name"],
                    _("该户（%(w)s）已有居民「%(n)s」。") % {"w": where, "n": row["name"]},
                )

        if self.updating:
            visible = scoped(Resident, self.scope).select_related("household__building")
            self.match_records(rows, problems, visible=visible, key=None, noun=_("居民"))

    def write(self, rows: list[dict[str, Any]], writer: Writer) -> dict[str, int]:
        if self.updating:
            changed = self.update(rows, writer, own=("name", "mobile", "tags"), links=("household",))
            return {"residents_updated": changed, "residents_unchanged": len(rows) - changed}
        # Households first: one per (building, room) not on record yet.
        new_keys = list(dict.fromkeys((r["building_id"], r["room"]) for r in rows if r["household_id"] is None))
        created: dict[tuple[int, str], int] = {}
        where = {(r["building_id"], r["room"]): (r["area_path"], (r["estate"] or "") + r["building"]) for r in rows}
        for chunk in chunked(new_keys, writer.batch_size):
            households = [Household(building_id=b, room=room) for b, room in chunk]
            Household.objects.bulk_create(households, batch_size=writer.batch_size)
            created.update({(h.building_id, h.room): h.pk for h in households})
            writer.audit(
                (
                    h,
                    f"{where[(h.building_id, h.room)][1]} {h.room}",
                    {"building": [None, where[(h.building_id, h.room)][1]], "room": [None, h.room]},
                    where[(h.building_id, h.room)][0],
                )
                for h in households
            )
        done = 0
        for chunk in chunked(rows, writer.batch_size):
            residents = [
                Resident(
                    household_id=r["household_id"] or created[(r["building_id"], r["room"])],
                    name=r["name"],
                    mobile=r["mobile"],
                    tags=r["tags"],
                )
                for r in chunk
            ]
            Resident.objects.bulk_create(residents, batch_size=writer.batch_size)
            writer.audit(
                (
                    x,
                    x.name,
                    {
                        "name": [None, x.name],
                        "household": [None, f"{r['building']} {r['room']}"],
                        "tags": [None, x.tags],
                    },
                    r["area_path"],
                )
                for x, r in zip(residents, chunk, strict=True)
            )
            done += len(chunk)
            writer.progress(done / len(rows))
            reset_queries()
        return {"residents": done, "households_created": len(created)}

    def template_options(self) -> list[tuple[str, list[str]]]:
        limit = setting("IMPORT_TEMPLATE_OPTIONS") + 1
        buildings = (
            scoped(Building, self.scope)
            .order_by("community__path", "estate__name", "name")
            .values_list("community__name", "estate__name", "name")[:limit]
        )
        return [(_("楼栋（社区/小区/楼栋）"), ["/".join(p for p in parts if p) for parts in buildings])]

    def notes(self) -> list[str]:
        return [
            _("“可选值”表列出了您可以导入的楼栋（社区/小区/楼栋）。"),
            _("同一户、同一姓名的居民已在系统中时，该行会被列为错误，不会重复新增。"),
        ]


UNIT_KIND = {str(label): value for value, label in UnitKind.choices}
UNIT_KIND_LABELS = {value: label for label, value in UNIT_KIND.items()}
UNIT_OWN = ("name", "kind", "credit_code", "address", "staff_count", "member_count", "instructor")


class UnitImporter(Importer):
    kind = "units"
    title = "驻区单位"
    allowed_roles = frozenset({Role.DISTRICT_ADMIN, Role.SUBDISTRICT_ADMIN, Role.COMMUNITY_WORKER})
    columns = [
        Column(
            "name",
            "名称",
            True,
            "单位全称，最多 150 字",
            width=26,
            aliases=("单位名称",),
            examples=("【示例】珠海市某某科技有限公司", "【示例】某某小学"),
        ),
        Column(
            "kind",
            "类型",
            True,
            "、".join(UNIT_KIND),
            choices=tuple(UNIT_KIND),
            aliases=("单位类型",),
            examples=("非公企业", "学校"),
        ),
        Column(
            "credit_code",
            "统一社会信用代码",
            False,
            "18 位，校验位会核对；请保持“文本”格式",
            kind="credit_code",
            width=22,
            aliases=("信用代码", "社会信用代码"),
            examples=("91440400MA4UJ8X16J", "12440400455860317A"),
        ),
        Column(
            "community",
            "所在社区",
            True,
            "社区名称，须在您的管辖范围内；重名时写成“街道/社区”",
            aliases=("社区",),
            examples=("婆石社区", "婆石社区"),
        ),
        Column("address", "地址", False, "最多 200 字", width=24, examples=("迎宾南路 1000 号", "")),
        Column(
            "staff_count",
            "从业人员数",
            False,
            "整数，不填为 0",
            kind="int",
            width=10,
            aliases=("从业人数", "职工人数"),
            examples=(56, 80),
        ),
        Column(
            "member_count",
            "党员人数",
            False,
            "整数，不填为 0",
            kind="int",
            width=10,
            aliases=("党员数",),
            examples=(4, 12),
        ),
        Column("instructor", "党建指导员", False, "姓名，最多 50 字", width=10, examples=("陈红", "")),
        CODE_COLUMN,
    ]
    preview_keys = ["name", "kind", "credit_code", "community", "address", "staff_count", "member_count", "instructor"]

    def parse(self, r: RowReader) -> dict[str, Any]:
        row: dict[str, Any] = {
            "name": r.text("name", max_length=150),
            "kind": r.choice("kind", UNIT_KIND),
            "credit_code": r.credit_code("credit_code"),
            "community": r.text("community", max_length=200),
            "address": r.text("address", max_length=200),
            "staff_count": r.integer("staff_count"),
            "member_count": r.integer("member_count"),
            "instructor": r.name("instructor", max_length=50),
            "code": r.text("code", max_length=40),
        }
        if row["kind"]:
            row["kind_label"] = UNIT_KIND_LABELS[row["kind"]]
        if row["member_count"] and row["staff_count"] and row["member_count"] > row["staff_count"]:
            r.error("member_count", _("党员人数不能多于从业人员数。"))
        return row

    def resolve(self, rows: list[dict[str, Any]], problems: Problems) -> None:
        communities = community_resolver(scoped(Area, self.scope)).resolve(
            r["community"] for r in rows if r["community"]
        )
        for row in rows:
            if community := _apply(problems, row, "community", communities):
                row["community_id"], row["area_path"] = community.pk, community.data["path"]
        first_code: dict[str, int] = {}
        first_name: dict[tuple[int, str], int] = {}
        for row in rows:
            if row["credit_code"]:
                if row["credit_code"] in first_code:
                    problems.add(
                        row["_row"],
                        "credit_code",
                        row["credit_code"],
                        _("与第 %(n)s 行的统一社会信用代码重复。") % {"n": first_code[row["credit_code"]]},
                    )
                else:
                    first_code[row["credit_code"]] = row["_row"]
            if row["name"] and "community_id" in row:
                key = (row["community_id"], row["name"])
                if key in first_name:
                    problems.add(
                        row["_row"],
                        "name",
                        row["name"],
                        _("与第 %(n)s 行重复（同一社区、同一名称）。") % {"n": first_name[key]},
                    )
                else:
                    first_name[key] = row["_row"]
        if self.updating:
            visible = scoped(ResidentUnit, self.scope).select_related("community")
            self.match_records(rows, problems, visible=visible, key="credit_code", noun=_("单位"))
            return
        visible = scoped(ResidentUnit, self.scope)
        by_code = {r["credit_code"]: r for r in rows if r["credit_code"]}
        for chunk in chunked(sorted(by_code)):
            existing = dict(ResidentUnit.objects.filter(credit_code__in=chunk).values_list("credit_code", "pk"))
            names = dict(visible.filter(pk__in=existing.values()).values_list("pk", "name"))
            for code, pk in existing.items():
                who = names.get(pk)
                message = (
                    _("统一社会信用代码已登记（%(n)s）。") % {"n": who}
                    if who
                    else _("统一社会信用代码已登记在其他辖区的单位名下。")
                )
                problems.add(by_code[code]["_row"], "credit_code", code, message)
        by_name = {(r["community_id"], r["name"]): r for r in rows if "community_id" in r and r["name"]}
        for ids in chunked(sorted({c for c, _n in by_name})):
            for chunk in chunked(sorted({n for _c, n in by_name})):
                for cid, name in ResidentUnit.objects.filter(community_id__in=ids, name__in=chunk).values_list(
                    "community_id", "name"
                ):
                    clash = by_name.get((cid, name))
                    if clash is not None:
                        problems.add(
                            clash["_row"], "name", name, _("社区「%(c)s」已有同名单位。") % {"c": clash["community"]}
                        )

    def updated(self, record: models.Model, diff: dict[str, Any]) -> None:
        unit = cast(ResidentUnit, record)
        if "name" in diff:
            unit.pinyin = pinyin_initials(unit.name)

    def write(self, rows: list[dict[str, Any]], writer: Writer) -> dict[str, int]:
        if self.updating:
            changed = self.update(rows, writer, own=UNIT_OWN, links=("community",))
            return {"units_updated": changed, "units_unchanged": len(rows) - changed}
        done = 0
        for chunk in chunked(rows, writer.batch_size):
            units = [
                ResidentUnit(
                    name=r["name"],
                    pinyin=pinyin_initials(r["name"]),
                    kind=r["kind"],
                    credit_code=r["credit_code"],
                    community_id=r["community_id"],
                    address=r["address"],
                    staff_count=r["staff_count"],
                    member_count=r["member_count"],
                    instructor=r["instructor"],
                )
                for r in chunk
            ]
            ResidentUnit.objects.bulk_create(units, batch_size=writer.batch_size)
            writer.audit(
                (
                    u,
                    u.name,
                    {"name": [None, u.name], "kind": [None, u.kind], "community": [None, r["community"]]},
                    r["area_path"],
                )
                for u, r in zip(units, chunk, strict=True)
            )
            done += len(chunk)
            writer.progress(done / len(rows))
            reset_queries()
        return {"units": done}

    def template_options(self) -> list[tuple[str, list[str]]]:
        limit = setting("IMPORT_TEMPLATE_OPTIONS") + 1
        communities = (
            scoped(Area, self.scope).filter(level=Level.COMMUNITY).order_by("path").values_list("name", flat=True)
        )
        return [(_("社区"), list(communities[:limit]))]

    def template_dropdowns(self) -> dict[str, str]:
        return {"community": _("社区")}


IMPORTERS: dict[str, type[Importer]] = {
    MemberImporter.kind: MemberImporter,
    ResidentImporter.kind: ResidentImporter,
    UnitImporter.kind: UnitImporter,
}


def importer_for(kind: str, scope: Scope, mode: str = ImportMode.CREATE) -> Importer:
    return IMPORTERS[kind](scope, mode)


def kinds_for_role(role: str) -> list[str]:
    return [kind for kind, cls in IMPORTERS.items() if role == "superuser" or role in cls.allowed_roles]
