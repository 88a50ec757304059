"""What co-building adds to the figures store (core.figures.facts), read by the figures page and the bench.

- boards (a stock): joint boards, and the meetings they owe a year under the district's rules;
- meetings (the engine's meetings owned by co-building; cohort: the day they sit): called, held (closed
  or minutes frozen) by kind, and the member-unit representatives signed in at held joint meetings;
- matters (cohort: the day raised): raised, where each went, solved (its task done, its case or demand
  done, or closed with a reason); by source (meeting, visit, liaison: 挂点收集 collected vs solved);
- visits (cohort: the day visited): each way, and those under a covenant;
- liaison visits (cohort: the check-in day);
- tasks handed to units (cohort: the day handed): handed, done, cancelled;
- covenants (a stock): covenants and their yearly obligations, the "due" side of fulfilment;
- estates (a stock): estates by governance: with a branch, a red owners' committee, a property company,
  none (by 四管 mode), the 五有 complete, served by a company with its own Party branch.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any

from django.db.models import Count
from django.utils import timezone

from dangjian.cases.models import Case
from dangjian.cases.workflow import CASE_FLOW
from dangjian.core.figures import facts
from dangjian.core.tree import STEP
from dangjian.demands.models import Demand
from dangjian.demands.workflow import DEMAND_FLOW
from dangjian.meetings.models import Meeting, MeetingStatus

from .models import (
    FIVE_HAVES,
    Covenant,
    Direction,
    DistrictRules,
    EstateGovernance,
    JointBoard,
    LiaisonVisit,
    ManagementMode,
    Matter,
    MeetingKind,
    Outcome,
    Seat,
    TaskStatus,
    UnitTask,
    Visit,
)

COMMUNITY_DEPTH = 3
HELD = frozenset({MeetingStatus.CLOSED, MeetingStatus.FROZEN})
CASE_DONE = CASE_FLOW.statuses(is_done=True)
DEMAND_DONE = DEMAND_FLOW.statuses(is_done=True)
DEFAULT_RULES = DistrictRules()


def _day(value: Any) -> datetime.date:
    return value if type(value) is datetime.date else timezone.localdate(value)


class BoardFacts(facts.Subject):
    name = "cobuilding.boards"
    model = JointBoard
    stock = True
    cohort_field = "created_at"
    counts = ("boards", "meetings_due_year")
    fields = ("created_at", "area_path", "level")

    def extras(self, pks: list[int]) -> dict[int, Any]:
        paths = dict(JointBoard.objects.filter(pk__in=pks).values_list("pk", "area_path"))
        rules = {r.district.path: r for r in DistrictRules.objects.select_related("district").filter(
            district__path__in={p[:STEP] for p in paths.values()})}  # fmt: skip
        return {pk: rules.get(path[:STEP], DEFAULT_RULES) for pk, path in paths.items()}

    def part(self, row: Mapping[str, Any], extra: Any, now: datetime.datetime) -> facts.Part | None:
        rules = extra if extra is not None else DEFAULT_RULES
        return facts.Part(
            day=_day(row["created_at"]),
            area_path=row["area_path"],
            counts={"boards": 1, "meetings_due_year": rules.meetings_due(row["level"])},
        )

    def follows(self) -> list[facts.Follow]:
        def boards_of_district(values: Mapping[str, Any]) -> list[int]:
            from dangjian.territory.models import Area

            path = Area.objects.filter(pk=values["district_id"]).values_list("path", flat=True).first()
            return (
                list(JointBoard.objects.filter(area_path__startswith=path).values_list("pk", flat=True)) if path else []
            )

        return [
            facts.Follow(
                DistrictRules,
                ("district_id", "district_meetings", "subdistrict_meetings", "community_meetings"),
                boards_of_district,
            )
        ]


class MeetingFacts(facts.Subject):
    name = "cobuilding.meetings"
    model = Meeting
    cohort_field = "starts_at"
    counts = ("called", "held", "joint_held", "estate_held", "committee_held", "units_present")
    fields = ("starts_at", "area_path", "status", "owner_key")

    def source(self):
        return Meeting.objects.filter(owner_key__startswith="cobuilding.")

    def extras(self, pks: list[int]) -> dict[int, Any]:
        return dict(
            Seat.objects.filter(comeeting__meeting_id__in=pks, unit__isnull=False, attendee__signed_in_at__isnull=False)
            .values_list("comeeting__meeting_id")
            .annotate(n=Count("pk"))
            .order_by()
            .values_list("comeeting__meeting_id", "n")
        )

    def part(self, row: Mapping[str, Any], extra: Any, now: datetime.datetime) -> facts.Part | None:
        key = row["owner_key"] or ""
        if not key.startswith("cobuilding."):
            return None
        kind = key.split(".", 1)[1].split(":", 1)[0]
        held = row["status"] in HELD
        return facts.Part(
            day=_day(row["starts_at"]),
            area_path=row["area_path"],
            counts={
                "called": 1,
                "held": int(held),
                "joint_held": int(held and kind == MeetingKind.JOINT),
                "estate_held": int(held and kind == MeetingKind.ESTATE),
                "committee_held": int(held and kind == MeetingKind.COMMITTEE),
                "units_present": (extra or 0) if held and kind == MeetingKind.JOINT else 0,
            },
        )


def matter_solved(matters: list[tuple[int, str, Any]]) -> dict[int, bool]:
    """Whether each matter (pk, outcome, target public id) is solved: closed with a reason, or its
    task, case or demand done."""
    wanted: dict[str, set[Any]] = {Outcome.CASE: set(), Outcome.DEMAND: set(), Outcome.TASK: set()}
    for _pk, outcome, target in matters:
        if outcome in wanted and target is not None:
            wanted[outcome].add(target)
    done: set[Any] = set()
    if wanted[Outcome.CASE]:
        done |= set(
            Case.objects.filter(public_id__in=wanted[Outcome.CASE], status__in=CASE_DONE).values_list(
                "public_id", flat=True
            )
        )
    if wanted[Outcome.DEMAND]:
        done |= set(
            Demand.objects.filter(public_id__in=wanted[Outcome.DEMAND], status__in=DEMAND_DONE).values_list(
                "public_id", flat=True
            )
        )
    if wanted[Outcome.TASK]:
        done |= set(
            UnitTask.objects.filter(public_id__in=wanted[Outcome.TASK], status=TaskStatus.DONE).values_list(
                "public_id", flat=True
            )
        )
    return {pk: outcome == Outcome.CLOSED or target in done for pk, outcome, target in matters}


class MatterFacts(facts.Subject):
    name = "cobuilding.matters"
    model = Matter
    cohort_field = "raised_at"
    counts = ("raised", "open", "case", "demand", "project", "task", "closed", "solved")
    dims = {"source": COMMUNITY_DEPTH}
    fields = ("raised_at", "area_path", "outcome", "comeeting_id", "visit_id")
    extras_when_created = True  # a liaison's problem is created with its case

    def extras(self, pks: list[int]) -> dict[int, Any]:
        return matter_solved(list(Matter.objects.filter(pk__in=pks).values_list("pk", "outcome", "target_id")))

    def part(self, row: Mapping[str, Any], extra: Any, now: datetime.datetime) -> facts.Part | None:
        outcome = row["outcome"]
        source = "meeting" if row["comeeting_id"] else "visit" if row["visit_id"] else "liaison"
        return facts.Part(
            day=_day(row["raised_at"]),
            area_path=row["area_path"],
            dims=(f"source:{source}",),
            counts={"raised": 1, **{o: int(outcome == o) for o in Outcome.values}, "solved": int(bool(extra))},
        )


class VisitFacts(facts.Subject):
    name = "cobuilding.visits"
    model = Visit
    cohort_field = "visited_at"
    counts = ("unit_visits", "area_visits", "under_covenant")
    fields = ("visited_at", "visited_on", "area_path", "direction", "covenant_id")

    def part(self, row: Mapping[str, Any], extra: Any, now: datetime.datetime) -> facts.Part | None:
        return facts.Part(
            day=row["visited_on"],
            area_path=row["area_path"],
            counts={
                "unit_visits": int(row["direction"] == Direction.UNIT_TO_AREA),
                "area_visits": int(row["direction"] == Direction.AREA_TO_UNIT),
                "under_covenant": int(row["covenant_id"] is not None),
            },
        )


class LiaisonVisitFacts(facts.Subject):
    name = "cobuilding.lvisits"
    model = LiaisonVisit
    cohort_field = "visited_at"
    counts = ("visits", "located")
    fields = ("visited_at", "area_path", "lat")

    def part(self, row: Mapping[str, Any], extra: Any, now: datetime.datetime) -> facts.Part | None:
        return facts.Part(
            day=_day(row["visited_at"]),
            area_path=row["area_path"],
            counts={"visits": 1, "located": int(row["lat"] is not None)},
        )


class TaskFacts(facts.Subject):
    name = "cobuilding.tasks"
    model = UnitTask
    cohort_field = "created_at"
    counts = ("handed", "done", "cancelled")
    fields = ("created_at", "area_path", "status")

    def part(self, row: Mapping[str, Any], extra: Any, now: datetime.datetime) -> facts.Part | None:
        return facts.Part(
            day=_day(row["created_at"]),
            area_path=row["area_path"],
            counts={
                "handed": 1,
                "done": int(row["status"] == TaskStatus.DONE),
                "cancelled": int(row["status"] == TaskStatus.CANCELLED),
            },
        )


class CovenantFacts(facts.Subject):
    name = "cobuilding.covenants"
    model = Covenant
    stock = True
    cohort_field = "created_at"
    counts = ("covenants", "meetings", "unit_visits", "area_visits", "projects", "hours")
    fields = ("created_at", "area_path", "meetings", "unit_visits", "area_visits", "projects", "hours")

    def part(self, row: Mapping[str, Any], extra: Any, now: datetime.datetime) -> facts.Part | None:
        return facts.Part(
            day=_day(row["created_at"]),
            area_path=row["area_path"],
            counts={"covenants": 1, **{k: row[k] for k in self.counts[1:]}},
        )


class EstateFacts(facts.Subject):
    name = "cobuilding.estates"
    model = EstateGovernance
    stock = True
    cohort_field = "updated_at"
    counts = ("estates", "with_branch", "with_committee", "red_committee", "with_company", "without_company",
              "five_haves", "company_branch")  # fmt: skip
    dims = {"mode": COMMUNITY_DEPTH}
    fields = ("updated_at", "area_path", "mode", "branch_id", "owners_committee", "committee_has_org",
              "company_id", *(k for k, _label in FIVE_HAVES))  # fmt: skip

    def extras(self, pks: list[int]) -> dict[int, Any]:
        return dict(EstateGovernance.objects.filter(pk__in=pks).values_list("pk", "company__branch_id"))

    def part(self, row: Mapping[str, Any], extra: Any, now: datetime.datetime) -> facts.Part | None:
        company = row["mode"] == ManagementMode.COMPANY
        return facts.Part(
            day=_day(row["updated_at"]),
            area_path=row["area_path"],
            dims=(f"mode:{row['mode']}",),
            counts={
                "estates": 1,
                "with_branch": int(row["branch_id"] is not None),
                "with_committee": int(bool(row["owners_committee"])),
                "red_committee": int(bool(row["owners_committee"]) and row["committee_has_org"]),
                "with_company": int(company),
                "without_company": int(not company),
                "five_haves": int(not company and all(row[k] for k, _label in FIVE_HAVES)),
                "company_branch": int(company and extra is not None),
            },
        )


BOARDS = facts.register(BoardFacts())
MEETINGS = facts.register(MeetingFacts())
MATTERS = facts.register(MatterFacts())
VISITS = facts.register(VisitFacts())
LIAISON_VISITS = facts.register(LiaisonVisitFacts())
TASKS = facts.register(TaskFacts())
COVENANTS = facts.register(CovenantFacts())
ESTATES = facts.register(EstateFacts())
