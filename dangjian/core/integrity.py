"""The integrity checks: is every row in a valid state, does every ledger balance, do the figures agree?

An app declares its checks in its `integrity.py` (autodiscovered the first time the checks are read,
like the facts subjects): `register(...)` a function that takes the run's `Options` and yields
`Finding`s, or `register_workflow(flow)` for the checks every workflow gets from its declaration
(core/workflow.py): the status is a declared state, the row has exactly one creation log row
(from_status ""), and its last log row's target is its status. Core declares the figures store's check
(its facts agree with a recomputation from raw rows).

`run()` runs them (all, or one app's) and returns a `Result` per check: how many findings, and the
first `limit` of them. Every check reads in bounded memory: an SQL aggregate or a query iterated in
chunks, never a list of every row. Nothing is repaired: the operator reads the findings (the
`integrity` management command, the nightly task in core/tasks.py) and acts.
"""

from __future__ import annotations

import datetime
import logging
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db import models
from django.db.models import Count, F, OuterRef, Q, Subquery, Window
from django.db.models.functions import Lag
from django.utils import timezone
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .workflow import Workflow

log = logging.getLogger("dangjian.integrity")

LIMIT = 100  # findings kept per check (the count is always complete)


@dataclass(frozen=True)
class Finding:
    """One defect: a code (stable, English), a message (Chinese), the row it is about, and details."""

    code: str
    message: str
    model: str = ""  # "cases.case"
    pk: int | None = None
    public_id: str = ""
    detail: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "message": self.message,
            "model": self.model,
            "pk": self.pk,
            "public_id": self.public_id,
            "detail": {k: _plain(v) for k, v in self.detail.items()},
        }


def _plain(value: Any) -> Any:
    """A detail value as JSON can hold it."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return str(value)


@dataclass(frozen=True)
class Options:
    days: int = 2  # the figures check: how many cohort days back from today
    now: datetime.datetime | None = None


CheckFn = Callable[[Options], Iterable[Finding]]


@dataclass(frozen=True)
class Check:
    name: str  # "cases.workflow": the app's label, a dot, what it checks
    label: Any  # what the summary line calls it (Chinese, lazy)
    fn: CheckFn

    @property
    def app(self) -> str:
        return self.name.split(".", 1)[0]


@dataclass
class Result:
    check: Check
    count: int = 0
    findings: list[Finding] = field(default_factory=list)
    error: str = ""  # the check itself failed (counted as a finding)
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return self.count == 0 and not self.error

    def as_dict(self) -> dict[str, Any]:
        return {
            "check": self.check.name,
            "app": self.check.app,
            "label": str(self.check.label),
            "ok": self.ok,
            "count": self.count,
            "error": self.error,
            "seconds": round(self.seconds, 3),
            "findings": [f.as_dict() for f in self.findings],
        }


CHECKS: dict[str, Check] = {}
_discovered = False


def register(name: str, label: Any) -> Callable[[CheckFn], CheckFn]:
    """Decorator: `fn(options)` yields the findings of the check `name` ("app.what")."""

    def wrap(fn: CheckFn) -> CheckFn:
        CHECKS[name] = Check(name, label, fn)
        return fn

    return wrap


def checks(only: Iterable[str] | None = None) -> list[Check]:
    """The registered checks, in name order; `only`: those of these apps (or these check names)."""
    global _discovered
    if not _discovered:
        autodiscover_modules("integrity")
        _discovered = True
    wanted = set(only or ())
    return [c for name, c in sorted(CHECKS.items()) if not wanted or c.app in wanted or name in wanted]


def run(only: Iterable[str] | None = None, *, options: Options | None = None, limit: int = LIMIT) -> list[Result]:
    """Run the checks; a check that raises is reported as failed, and the others still run."""
    options = options or Options()
    results = []
    for check in checks(only):
        result = Result(check)
        started = time.monotonic()
        try:
            for finding in check.fn(options):
                result.count += 1
                if len(result.findings) < limit:
                    result.findings.append(finding)
        except Exception as exc:  # noqa: BLE001 - one broken check must not hide the others
            log.exception("integrity check %s failed", check.name)
            result.error = f"{type(exc).__name__}: {exc}"
        result.seconds = time.monotonic() - started
        results.append(result)
    return results


# -- helpers for the apps' checks -----------------------------------------------------------------------
def label_of(model: type[models.Model]) -> str:
    return model._meta.label_lower


def public_id_of(obj: Any) -> str:
    value = obj.get("public_id") if isinstance(obj, Mapping) else getattr(obj, "public_id", None)
    return str(value) if value else ""


def has_field(model: type[models.Model], name: str) -> bool:
    return any(f.name == name for f in model._meta.concrete_fields)


def rows(qs: models.QuerySet, *fields: str, chunk: int = 2000) -> Iterator[dict[str, Any]]:
    """The rows of `qs` as dicts of `fields` (pk and public_id where the model has one), streamed."""
    names = ["pk", *(["public_id"] if has_field(qs.model, "public_id") else []), *fields]
    yield from qs.order_by("pk").values(*names).iterator(chunk_size=chunk)


def finding(model: type[models.Model], row: Mapping[str, Any], code: str, message: str, **detail: Any) -> Finding:
    return Finding(code, message, label_of(model), row.get("pk"), public_id_of(row), detail)


# -- what every workflow gets from its declaration ------------------------------------------------------
def workflow_findings(flow: Workflow) -> Iterator[Finding]:
    """A workflow's rows: the status is declared, one creation log row, each log row starts where the one
    before it ended, and the last log row's target is the status. Each is one query (the last target is
    a correlated subquery on the log's foreign key index; the chain a window over the log)."""
    model, log_model, fk, status = flow.model, flow.log_model, flow.log_fk, flow.status_field
    declared = sorted(flow.states)
    for row in rows(model._default_manager.exclude(**{f"{status}__in": declared}), status):
        yield finding(
            model,
            row,
            "undeclared_status",
            _("状态「%(s)s」不是工作流声明的状态") % {"s": row[status]},
            status=row[status],
        )
    logs = log_model._default_manager.filter(**{fk: OuterRef("pk")})
    created = logs.filter(from_status="").order_by().values(fk).annotate(n=Count("pk")).values("n")
    qs = model._default_manager.annotate(n_created=Subquery(created[:1])).filter(
        Q(n_created__isnull=True) | Q(n_created__gt=1)
    )
    for row in rows(qs, status, "n_created"):
        if not row["n_created"]:
            yield finding(model, row, "missing_creation_log", _("缺少登记（第一条）流转记录"), status=row[status])
        else:
            yield finding(
                model,
                row,
                "duplicate_creation_log",
                _("有 %(n)d 条登记流转记录（应为 1 条），疑似重复写入") % {"n": row["n_created"]},
                count=row["n_created"],
            )
    before = Window(Lag("to_status"), partition_by=[F(f"{fk}_id")], order_by=[F("at").asc(), F("pk").asc()])
    broken = log_model._default_manager.annotate(before=before).exclude(from_status="").exclude(from_status=F("before"))
    for step in broken.values("pk", f"{fk}_id", "step", "from_status", "before").iterator(chunk_size=2000):
        yield Finding(
            "log_chain_broken",
            _("流转记录「%(step)s」的原状态「%(f)s」与上一条记录的目标状态「%(b)s」不符")
            % {"step": flow.step_label(step["step"]), "f": step["from_status"], "b": step["before"]},
            label_of(model),
            step[f"{fk}_id"],
            "",
            {"log_id": step["pk"], "step": step["step"], "from_status": step["from_status"], "before": step["before"]},
        )
    last = logs.order_by("-at", "-pk").values("to_status")[:1]
    qs = model._default_manager.annotate(last_target=Subquery(last)).filter(last_target__isnull=False)
    qs = qs.exclude(last_target=F(status))
    for row in rows(qs, status, "last_target"):
        yield finding(
            model,
            row,
            "log_status_mismatch",
            _("最后一条流转记录的目标状态「%(t)s」与当前状态「%(s)s」不符")
            % {"t": row["last_target"], "s": row[status]},
            status=row[status],
            last_target=row["last_target"],
        )


_WORKFLOW_CHECKS: dict[str, str] = {}  # workflow name -> its check's name


def register_workflow(flow: Workflow, label: Any = None) -> None:
    """Register the declaration's checks for `flow` as "<app>.workflow" (or "<app>.<model>.workflow"
    for an app's second workflow)."""
    app, _sep, model = flow.name.partition(".")
    name = _WORKFLOW_CHECKS.get(flow.name)
    if name is None:
        taken = f"{app}.workflow" in _WORKFLOW_CHECKS.values()
        name = _WORKFLOW_CHECKS[flow.name] = f"{app}.{model}.workflow" if taken else f"{app}.workflow"
    text = label or gettext_lazy("%(m)s状态与流转记录") % {"m": flow.model._meta.verbose_name}
    register(name, text)(lambda options: workflow_findings(flow))


# -- the figures store -------------------------------------------------------------------------------------
@register("core.facts", gettext_lazy("统计数据与原始数据一致"))
def facts_findings(options: Options) -> Iterator[Finding]:
    """The stored facts of the last `days` cohort days (and every stock as of now) equal a recomputation
    from raw rows; nothing is repaired (the nightly facts check repairs)."""
    from .figures import facts

    now = options.now or timezone.now()
    today = timezone.localdate(now)
    flows = [s for s in sorted(facts.SUBJECTS) if not facts.SUBJECTS[s].stock]
    stocks = [s for s in sorted(facts.SUBJECTS) if facts.SUBJECTS[s].stock]
    drift = []
    for back in range(max(options.days, 0)):
        day = today - datetime.timedelta(days=back)
        if flows:
            drift.extend(facts.reconcile(day, flows, repair=False, now=now))
    for name in stocks:
        drift.extend(facts.reconcile_stock(facts.SUBJECTS[name], repair=False, now=now))
    for d in drift:
        yield Finding(
            "facts_drift",
            _("统计数据「%(s)s」%(day)s %(m)s：存储值 %(a)d，重算值 %(b)d")
            % {"s": d.subject, "day": d.day.isoformat(), "m": d.measure, "a": d.stored, "b": d.expected},
            "core.dailyfact",
            None,
            "",
            d.as_dict(),
        )
