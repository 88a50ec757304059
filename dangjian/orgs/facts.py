"""What the organization register adds to the figures store (core.figures.facts): two stocks, placed on
the territory tree (an organization's `area`), read by the cockpit.

- "orgs.orgs": every organization not closed, one count for its type's group: committees (区委, 街道党工委,
  社区党委/大党委, 临时党委), general branches, branches (党支部, 联合党支部, 小区党支部, 临时党支部; estate
  and joint branches also counted on their own), party groups (党小组, 楼宇党小组) and 党员中心户;
  "orgs" is the 党组织 proper: committees, general branches and branches (001: 2,400 多个党支部; 000:
  近 2000 个党组织; 001: 小区党支部 201 个).
- "orgs.weak": every case of the weak-organization register (软弱涣散整顿): cases, open ones (flagged,
  rectifying, applied for delisting), those rectifying (an approved plan) and delisted (摘帽). Stocks as
  of a date: "delisted" on a date is every delisting up to it (000: 61 个全部摘帽; 004: 整顿了 13 个).

An organization's or a case's own save records it (a stock follows every save, and the case's steps);
an organization's move is recorded by `orgs.services` (facts.record_bulk(PartyOrg, ...)); an area's
move by `territory.services.area_move` (facts.record_bulk(Area, ...): the Follow below).
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any

from django.utils import timezone

from dangjian.core.figures import facts
from dangjian.territory.models import Area

from .models import OrgType, PartyOrg, WeakCaseStatus, WeakOrgCase

T = OrgType
ORG_GROUPS: dict[str, str] = {
    T.DISTRICT_COMMITTEE: "committees",
    T.WORKING_COMMITTEE: "committees",
    T.COMMUNITY_COMMITTEE: "committees",
    T.EXPANDED_COMMITTEE: "committees",
    T.TEMP_COMMITTEE: "committees",
    T.GENERAL_BRANCH: "general_branches",
    T.BRANCH: "branches",
    T.JOINT_BRANCH: "branches",
    T.ESTATE_BRANCH: "branches",
    T.TEMP_BRANCH: "branches",
    T.PARTY_GROUP: "party_groups",
    T.BUILDING_GROUP: "party_groups",
    T.HUB_HOUSEHOLD: "hub_households",
}
PARTY_ORGS = frozenset({"committees", "general_branches", "branches"})
OPEN = frozenset({WeakCaseStatus.FLAGGED, WeakCaseStatus.RECTIFYING, WeakCaseStatus.APPLIED})
RECTIFYING = frozenset({WeakCaseStatus.RECTIFYING, WeakCaseStatus.APPLIED})


def org_counts(org_type: str) -> dict[str, int]:
    group = ORG_GROUPS[org_type]
    return {
        "orgs": int(group in PARTY_ORGS),
        group: 1,
        "estate_branches": int(org_type == T.ESTATE_BRANCH),
        "joint_branches": int(org_type == T.JOINT_BRANCH),
    }


class OrgFacts(facts.Subject):
    name = "orgs.orgs"
    model = PartyOrg
    stock = True
    cohort_field = "created_at"
    counts = (
        "orgs",
        "committees",
        "general_branches",
        "branches",
        "estate_branches",
        "joint_branches",
        "party_groups",
        "hub_households",
    )
    fields = ("created_at", "org_type", "closed_on", "area__path")

    def part(self, row: Mapping[str, Any], extra: Any, now: datetime.datetime) -> facts.Part | None:
        if row["closed_on"] is not None or not row["area__path"] or row["org_type"] not in ORG_GROUPS:
            return None
        return facts.Part(
            day=timezone.localdate(row["created_at"] or now),
            area_path=row["area__path"],
            counts=org_counts(row["org_type"]),
        )

    def follows(self) -> list[facts.Follow]:
        return [facts.Follow(Area, ("path",), _orgs_of_area)]


def _orgs_of_area(values: Mapping[str, Any]) -> list[int]:
    return list(PartyOrg.objects.filter(area_id=values["pk"]).values_list("pk", flat=True))


class WeakFacts(facts.Subject):
    name = "orgs.weak"
    model = WeakOrgCase
    stock = True
    cohort_field = "flagged_at"
    counts = ("cases", "open", "rectifying", "delisted")
    fields = ("flagged_at", "status", "org__area__path")

    def part(self, row: Mapping[str, Any], extra: Any, now: datetime.datetime) -> facts.Part | None:
        path = row["org__area__path"]
        if not path:
            return None
        status = row["status"]
        return facts.Part(
            day=timezone.localdate(row["flagged_at"] or now),
            area_path=path,
            counts={
                "cases": 1,
                "open": int(status in OPEN),
                "rectifying": int(status in RECTIFYING),
                "delisted": int(status == WeakCaseStatus.DELISTED),
            },
        )

    def follows(self) -> list[facts.Follow]:
        return [
            facts.Follow(PartyOrg, ("area_id",), _cases_of_org),
            facts.Follow(Area, ("path",), _cases_of_area),
        ]


def _cases_of_org(values: Mapping[str, Any]) -> list[int]:
    return list(WeakOrgCase.objects.filter(org_id=values["pk"]).values_list("pk", flat=True))


def _cases_of_area(values: Mapping[str, Any]) -> list[int]:
    return list(WeakOrgCase.objects.filter(org__area_id=values["pk"]).values_list("pk", flat=True))


ORGS = facts.register(OrgFacts())
WEAK = facts.register(WeakFacts())
