"""The automatic metrics an item may be scored by: a registry of functions `(subject, year) -> Measure`
(the subject a Party organization, or a department for the 街长评议 metrics at the end)
(what was due and what was done, worded with the figures), turned into points by `evaluate`:
score = weight × done / due, and the explanation names the figures, e.g.
"组织生活应开 12 次，已开 10 次 → 8.3 分".

Every metric reads the store of facts (`core.figures.facts`, by subject name) or another app's own
read functions over one organization's rows (an index range), never the rows of a whole table. The
figures of an organization are those of its area (a community committee: its community; a working
committee: its subdistrict); a branch's org life is its own calendar.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dangjian.core.figures import facts
from dangjian.orgs.models import BRANCHES, PartyOrg

TENTH = Decimal("0.1")


@dataclass(frozen=True)
class Measure:
    done: Decimal | int
    due: Decimal | int
    text: str  # the figures, without the points: "组织生活应开 12 次，已开 10 次"

    @property
    def ratio(self) -> Decimal:
        if not self.due:
            return Decimal(1)  # nothing was due: nothing to deduct
        return min(Decimal(1), max(Decimal(0), Decimal(self.done) / Decimal(self.due)))


@dataclass(frozen=True)
class MetricResult:
    score: Decimal
    explanation: str


ORG, DEPARTMENT = "org", "department"


@dataclass(frozen=True)
class Metric:
    key: str
    label: Any
    fn: Callable[[Any, int], Measure]
    subject: str = ORG  # what it measures: a Party organization or a department (街长评议)


METRICS: dict[str, Metric] = {}


def register(key: str, label: Any, *, subject: str = ORG) -> Callable[[Callable[..., Measure]], Callable[..., Measure]]:
    def add(fn: Callable[..., Measure]) -> Callable[..., Measure]:
        if key in METRICS and METRICS[key].fn is not fn:
            raise ValueError(f"metric {key!r} registered twice")
        METRICS[key] = Metric(key, label, fn, subject)
        return fn

    return add


def subject_of(scheme_kind: str) -> str:
    return DEPARTMENT if scheme_kind == "department" else ORG


def choices(scheme_kind: str | None = None) -> list[tuple[str, str]]:
    """The metrics an item of a scheme of `scheme_kind` may name (all when None)."""
    want = subject_of(scheme_kind) if scheme_kind else None
    return [(m.key, str(m.label)) for m in METRICS.values() if want is None or m.subject == want]


def points(weight: Decimal, measure: Measure) -> Decimal:
    return (Decimal(weight) * measure.ratio).quantize(TENTH, rounding=ROUND_HALF_UP)


def evaluate(key: str, subject: Any, year: int, weight: Decimal) -> MetricResult:
    """The item's points for `subject` (an organization or a department) in `year` and where they came from."""
    measure = METRICS[key].fn(subject, year)
    score = points(weight, measure)
    if not measure.due:
        text = _("%(m)s（无应完成事项，不扣分）→ %(s)s 分") % {"m": measure.text, "s": score}
    else:
        text = _("%(m)s → %(s)s 分") % {"m": measure.text, "s": score}
    return MetricResult(score, text)


@dataclass(frozen=True)
class Year:
    """A calendar year as the figures store reads a period."""

    date_from: datetime.date
    date_to: datetime.date

    @classmethod
    def of(cls, year: int) -> Year:
        return cls(datetime.date(year, 1, 1), datetime.date(year, 12, 31))


def _subject(name: str) -> facts.Subject:
    return facts.SUBJECTS[name]


def _path(org: PartyOrg) -> str:
    return org.area.path


@register("orglife_meetings", gettext_lazy("组织生活应开与已开（三会一课等）"))
def orglife_meetings(org: PartyOrg, year: int) -> Measure:
    if org.org_type in BRANCHES:
        from dangjian.orglife.selectors import branch_calendar

        due = held = 0
        for row in branch_calendar(org, year):
            for cell in row.cells:
                # periods ended (met or behind) and those already met; a period still open and unmet is not yet due
                if cell.state in ("met", "behind"):
                    due += cell.due
                    held += min(cell.held, cell.due)
        return Measure(held, due, _("组织生活应开 %(d)s 次，已开 %(h)s 次") % {"d": due, "h": held})
    m = facts.total(_subject("orglife_obligations"), _path(org), Year.of(year))
    due, held = m["due"], m["held"]
    return Measure(held, due, _("辖区支部组织生活应开 %(d)s 次，已开 %(h)s 次") % {"d": due, "h": held})


@register("cases_on_time", gettext_lazy("接诉即办按期办结"))
def cases_on_time(org: PartyOrg, year: int) -> Measure:
    m = facts.total(_subject("cases"), _path(org), Year.of(year))
    closed, on_time = m["closed"], m["closed_on_time"]
    return Measure(on_time, closed, _("办结事件 %(c)s 件，按期办结 %(o)s 件") % {"c": closed, "o": on_time})


@register("demands_done", gettext_lazy("群众需求办结"))
def demands_done(org: PartyOrg, year: int) -> Measure:
    m = facts.total(_subject("demands"), _path(org), Year.of(year))
    accepted, done = m["accepted"], m["done"]
    return Measure(done, accepted, _("受理群众需求 %(a)s 件，已办结 %(d)s 件") % {"a": accepted, "d": done})


@register("covenants_kept", gettext_lazy("共建契约履约"))
def covenants_kept(org: PartyOrg, year: int) -> Measure:
    from dangjian.cobuilding.fulfilment import fulfilment
    from dangjian.cobuilding.selectors import covenants_in

    rows = fulfilment(list(covenants_in(_path(org))), year)
    kept = sum(1 for r in rows if r.kept)
    return Measure(kept, len(rows), _("共建契约 %(n)s 份，全部履约 %(k)s 份") % {"n": len(rows), "k": kept})


def _yuan(fen: int) -> str:
    return f"{Decimal(fen) / 100:,.2f}"


@register("funds_spent", gettext_lazy("服务群众经费使用"))
def funds_spent(org: PartyOrg, year: int) -> Measure:
    path = _path(org)
    alloc = facts.stock_cells(_subject("fund_alloc"), path, dim_prefix="fy:", on=datetime.date(year, 12, 31))
    allocated = sum(m.amount for (_p, dim), m in alloc.items() if dim.endswith(f".{year}"))
    flows = _subject("funds")
    span = Year.of(year)
    spent = (
        facts.total(flows, path, span, dim="flow:payment").amount
        - facts.total(flows, path, span, dim="flow:refund").amount
    )
    return Measure(
        max(spent, 0),
        allocated,
        _("下拨经费 %(a)s 元，已支出 %(s)s 元") % {"a": _yuan(allocated), "s": _yuan(max(spent, 0))},
    )


@register("weak_org", gettext_lazy("软弱涣散党组织整顿"))
def weak_org(org: PartyOrg, year: int) -> Measure:
    """Full marks when no organization in the subtree is weak at the year's end; half when one was listed
    in the year and delisted by its end; none while one is still listed."""
    from dangjian.orgs.weak.selectors import weak_status_in

    listed, still = weak_status_in(org, year)
    if still:
        done = 0
    elif listed:
        done = 1
    else:
        done = 2
    return Measure(done, 2, _("年内列入软弱涣散 %(l)s 个，年末未摘帽 %(s)s 个") % {"l": listed, "s": still})


# -- 街长评议驻街部门: a department's cases (the store's `department:<id>` dimension of `cases`, at the
# department's own area: every case it took part in, dispatched to it or summoned by a whistle).


def _department_cases(department: Any, year: int) -> Any:
    return facts.total(_subject("cases"), department.area.path, Year.of(year), dim=f"department:{department.pk}")


@register("dept_response", gettext_lazy("派单响应（签收承办、未退回）"), subject=DEPARTMENT)
def dept_response(department: Any, year: int) -> Measure:
    """Of the cases the department took part in, those never sent back (the store counts a case returned
    by its receiver at least once; it keeps no time-to-sign counter)."""
    m = _department_cases(department, year)
    received, returned = m["received"], m["returned"]
    taken = max(received - returned, 0)
    return Measure(
        taken,
        received,
        _("派至本部门事件 %(n)s 件，退回 %(r)s 件，签收承办 %(t)s 件") % {"n": received, "r": returned, "t": taken},
    )


@register("dept_on_time", gettext_lazy("按期办结"), subject=DEPARTMENT)
def dept_on_time(department: Any, year: int) -> Measure:
    m = _department_cases(department, year)
    closed, on_time = m["closed"], m["closed_on_time"]
    return Measure(on_time, closed, _("本部门办结事件 %(c)s 件，按期办结 %(o)s 件") % {"c": closed, "o": on_time})


@register("dept_satisfaction", gettext_lazy("回访满意度"), subject=DEPARTMENT)
def dept_satisfaction(department: Any, year: int) -> Measure:
    m = _department_cases(department, year)
    rated, satisfied = m["rated"], m["satisfied"]
    return Measure(
        satisfied,
        rated,
        _("回访评价 %(r)s 件，满意或基本满意 %(s)s 件") % {"r": rated, "s": satisfied},
    )
