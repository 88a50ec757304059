"""Reads of the workforce and their scoping: everything through visible_to (404 for missing and out of
scope alike); the figures from the figures store; the pay bill of a table (the what-if view)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet

from dangjian.core.figures import facts
from dangjian.core.tree import STEP
from dangjian.territory.models import Area, Level

from .facts import WORKERS
from .ladder import LadderTable
from .models import (
    Course,
    Ladder,
    LadderStatus,
    ReserveCandidate,
    Session,
    StepUpProposal,
    StepUpRun,
    TrainingYear,
    Worker,
    WorkerKind,
)

WORKER_ORDER = ("area_path", "name", "id")
PROPOSAL_ORDER = ("area_path", "id")
RESERVE_ORDER = ("-added_on", "-id")
COURSE_ORDER = ("-year", "name", "id")
HOURS_ORDER = ("-hours", "-id")


# -- the register ---------------------------------------------------------------------------------------
def workers(user: Any, *, q: str = "", kind: str = "", active: bool = True) -> QuerySet[Worker]:
    qs = Worker.objects.visible_to(user).filter(active=active).select_related("area", "post")
    if kind in WorkerKind.values:
        qs = qs.filter(kind=kind)
    if q.strip():
        qs = qs.filter(Q(name__icontains=q.strip()) | Q(title__icontains=q.strip()))
    return qs


def worker_get(user: Any, public_id: Any) -> Worker:
    return Worker.objects.select_related("area", "post", "user", "member").get_for_user(user, public_id)


def communities(user: Any) -> QuerySet[Area]:
    return Area.objects.visible_to(user).filter(level__in=[Level.COMMUNITY, Level.SUBDISTRICT]).order_by("path")


# -- ladders and step-ups ------------------------------------------------------------------------------
def ladders(user: Any) -> QuerySet[Ladder]:
    return Ladder.objects.visible_to(user).select_related("district").order_by("area_path", "status", "-effective_from")


def ladder_get(user: Any, public_id: Any) -> Ladder:
    return Ladder.objects.select_related("district", "based_on").get_for_user(user, public_id)


def active_ladder_for(path: str) -> Ladder | None:
    return Ladder.objects.filter(area_path=path[:STEP], status=LadderStatus.ACTIVE).first()


def runs(user: Any) -> QuerySet[StepUpRun]:
    return StepUpRun.objects.visible_to(user).select_related("district", "ladder").order_by("-year", "area_path")


def run_get(user: Any, public_id: Any) -> StepUpRun:
    return StepUpRun.objects.select_related("district", "ladder").get_for_user(user, public_id)


def proposals(user: Any, run: StepUpRun, status: str = "") -> QuerySet[StepUpProposal]:
    qs = StepUpProposal.objects.visible_to(user).filter(run=run).select_related("worker__area", "post")
    return qs.filter(status=status) if status else qs


def proposal_get(user: Any, public_id: Any) -> StepUpProposal:
    return StepUpProposal.objects.select_related("worker", "run").get_for_user(user, public_id)


# -- reserve pool and training --------------------------------------------------------------------------
def candidates(user: Any, *, q: str = "", status: str = "") -> QuerySet[ReserveCandidate]:
    qs = ReserveCandidate.objects.visible_to(user).select_related("community")
    if status:
        qs = qs.filter(status=status)
    if q.strip():
        qs = qs.filter(name__icontains=q.strip())
    return qs


def candidate_get(user: Any, public_id: Any) -> ReserveCandidate:
    return ReserveCandidate.objects.select_related("community").get_for_user(user, public_id)


def courses(user: Any, *, year: int | None = None) -> QuerySet[Course]:
    qs = Course.objects.visible_to(user).select_related("area")
    return qs.filter(year=year) if year else qs


def course_get(user: Any, public_id: Any) -> Course:
    return Course.objects.select_related("area").get_for_user(user, public_id)


def session_get(user: Any, public_id: Any) -> Session:
    """A session of a course the user sees (404 otherwise)."""
    session = Session.objects.select_related("course__area").filter(public_id=public_id).first()
    if session is None:
        from django.http import Http404

        raise Http404
    course_get(user, session.course.public_id)
    return session


def training_years(user: Any, year: int) -> QuerySet[TrainingYear]:
    return TrainingYear.objects.visible_to(user).filter(year=year).select_related("worker__area")


# -- figures ------------------------------------------------------------------------------------------
def _share(part: int, whole: int) -> Decimal | None:
    return (Decimal(part * 100) / whole).quantize(Decimal("0.1")) if whole else None


@dataclass
class WorkforceRow:
    name: str
    url: str
    m: Any
    under40: int = 0
    under40_college_committee: int = 0

    def __getitem__(self, key: str) -> int:
        return self.m[key]

    @property
    def born_1980_share(self) -> Decimal | None:
        return _share(self.m["born_1980"], self.m["workers"])

    @property
    def bachelor_share(self) -> Decimal | None:
        return _share(self.m["bachelor"], self.m["workers"])

    @property
    def college_share(self) -> Decimal | None:
        return _share(self.m["college"], self.m["workers"])

    @property
    def dual_role_share(self) -> Decimal | None:
        return _share(self.m["dual_role"], self.m["secretaries"])

    @property
    def placed_share(self) -> Decimal | None:
        return _share(self.m["placed"], self.m["workers"])

    @property
    def committee_young_share(self) -> Decimal | None:
        return _share(self.under40_college_committee, self.m["committee"])


def _young(cells: dict, path: str, on: datetime.date) -> tuple[int, int]:
    """(under 40, under 40 with 大专+ in the two committees) at `path`, by birth year: age as of `on`'s
    year (born after on.year − 40)."""
    young = young_committee = 0
    for (cell_path, dim), m in cells.items():
        if cell_path == path and int(dim.split(":", 1)[1]) > on.year - 40:
            young += m["workers"]
            young_committee += m["committee_college"]
    return young, young_committee


def workforce_figures(node: Area, children: list[tuple[Area, str]], on: datetime.date) -> tuple[WorkforceRow, list]:
    """The node's figures and each child's as of the end of `on`: four indexed queries, however many
    workers (the stock and its birth-year dimension, at the node and at its children)."""
    day = facts.stock_day(WORKERS, on)
    total = facts.stock_total(WORKERS, node.path, on=day)
    paths = [child.path for child, _url in children]
    cells = facts.stock_cells(WORKERS, node.path, on=day, paths=paths) if paths else {}
    empty = facts.empty(WORKERS)
    born = {}
    if len(node.path) // STEP <= 3:
        born = facts.stock_cells(WORKERS, node.path, on=day, paths=[node.path, *paths], dim_prefix="born:")
    head = WorkforceRow(node.name, "", total, *_young(born, node.path, on))
    rows = [
        WorkforceRow(child.name, url, cells.get((child.path, ""), empty), *_young(born, child.path, on))
        for child, url in children
    ]
    return head, rows


# -- the pay bill (what-if) ---------------------------------------------------------------------------------
@dataclass
class Bill:
    name: str
    path: str
    workers: int = 0
    current: Decimal = Decimal(0)
    draft: Decimal = Decimal(0)
    by_post: dict[str, int] = field(default_factory=dict)

    @property
    def change(self) -> Decimal:
        return self.draft - self.current

    @property
    def change_share(self) -> Decimal | None:
        return (self.change * 100 / self.current).quantize(Decimal("0.1")) if self.current else None


def pay_bill(current: Ladder, draft: Ladder, *, under: str) -> tuple[Bill, list[Bill]]:
    """Next year's pay bill (12 months at each worker's post and grade, plus subsidies) under the table in
    force and under a draft, per community (or subdistrict) under `under` and in total. One grouped
    query over the placed workers (by place, post, grade and what the subsidies look at), then priced
    per group: the draft's post of the same code, the grade brought inside its range."""
    now_table, new_table = LadderTable.load(current), LadderTable.load(draft)
    groups = (
        Worker.objects.filter(active=True, post__ladder=current, area_path__startswith=under)
        .values("area_path", "post_id", "grade", "kind", "is_committee", "dual_role")
        .annotate(n=Count("id"))
        .order_by()
    )
    bills: dict[str, Bill] = {}
    total = Bill("", under)
    for g in groups:
        post = now_table.posts_by_pk[g["post_id"]]
        flags = {"kind": g["kind"], "is_committee": g["is_committee"], "dual_role": g["dual_role"]}
        now_month = now_table.monthly(g["grade"], **flags)
        new_post = new_table.posts.get(post.code)
        new_month = new_table.monthly(new_table.clamp(new_post, g["grade"]), **flags) if new_post else now_month
        bill = bills.setdefault(g["area_path"], Bill("", g["area_path"]))
        for b in (bill, total):
            b.workers += g["n"]
            b.current += now_month * 12 * g["n"]
            b.draft += new_month * 12 * g["n"]
            b.by_post[post.name] = b.by_post.get(post.name, 0) + g["n"]
    names = dict(Area.objects.filter(path__in=list(bills)).values_list("path", "name"))
    rows = sorted(bills.values(), key=lambda b: b.path)
    for b in rows:
        b.name = names.get(b.path, b.path)
    return total, rows
