"""What must hold of deliberation (core.integrity): both declared workflows; each council's stored
representative counts equal its active representatives; a run's stored matters and amount equal its
matters; a closed run has both disclosures; a run past a stage has that stage's passed meeting; a
resolution's link names a case or demand that exists."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from django.db.models import Count, DecimalField, Exists, F, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dangjian.cases.models import Case
from dangjian.core import integrity
from dangjian.core.integrity import Finding, Options, finding, rows
from dangjian.demands.models import Demand
from dangjian.microprojects.models import Project

from .models import (
    Council,
    Disclosure,
    DisclosureKind,
    LinkTarget,
    Matter,
    Representative,
    ResolutionLink,
    Run,
    RunMeeting,
    RunStatus,
    Stage,
)
from .workflow import RUN_FLOW, TOPIC_FLOW

integrity.register_workflow(TOPIC_FLOW)
integrity.register_workflow(RUN_FLOW)


@integrity.register("deliberation.council_counts", gettext_lazy("议事会代表人数与党员人数与代表名册一致"))
def council_counts(options: Options) -> Iterator[Finding]:
    active = Representative.objects.filter(council=OuterRef("pk"), active=True).order_by().values("council")
    qs = Council.objects.annotate(
        n=Coalesce(Subquery(active.annotate(c=Count("pk")).values("c")), 0),
        p=Coalesce(Subquery(active.filter(is_party_member=True).annotate(c=Count("pk")).values("c")), 0),
    ).exclude(reps_count=F("n"), party_count=F("p"))
    for row in rows(qs, "reps_count", "party_count", "n", "p"):
        yield finding(
            Council,
            row,
            "council_counts",
            _("记录代表 %(a)s 人（党员 %(b)s），名册在任 %(n)s 人（党员 %(p)s）")
            % {"a": row["reps_count"], "b": row["party_count"], "n": row["n"], "p": row["p"]},
        )


@integrity.register("deliberation.run_totals", gettext_lazy("四议两公开事项数和金额与事项明细一致"))
def run_totals(options: Options) -> Iterator[Finding]:
    matters = Matter.objects.filter(run=OuterRef("pk")).order_by().values("run")
    money = DecimalField(max_digits=16, decimal_places=2)
    qs = Run.objects.annotate(
        n=Coalesce(Subquery(matters.annotate(c=Count("pk")).values("c")), 0),
        total=Coalesce(Subquery(matters.annotate(s=Sum("amount")).values("s")), Value(Decimal(0)), output_field=money),
    ).exclude(matter_count=F("n"), amount_total=F("total"))
    for row in rows(qs, "matter_count", "amount_total", "n", "total"):
        yield finding(
            Run,
            row,
            "run_totals",
            _("记录 %(a)s 个事项 %(b)s 元，明细 %(n)s 个 %(t)s 元")
            % {"a": row["matter_count"], "b": row["amount_total"], "n": row["n"], "t": row["total"]},
        )


@integrity.register(
    "deliberation.procedure", gettext_lazy("四议两公开按程序办理：办结的有两次公开，过了环节的有通过的会议")
)
def procedure(options: Options) -> Iterator[Finding]:
    for kind in DisclosureKind.values:
        has = Exists(Disclosure.objects.filter(run=OuterRef("pk"), kind=kind))
        for row in rows(Run.objects.filter(status=RunStatus.CLOSED).filter(~has), "title"):
            yield finding(
                Run, row, "closed_without_disclosure", _("已办结但缺少「%(k)s」") % {"k": DisclosureKind(kind).label}
            )
    passed = {
        stage: Exists(RunMeeting.objects.filter(run=OuterRef("pk"), stage=stage, passed=True)) for stage in Stage.values
    }
    beyond_review = [
        RunStatus.RESOLVING,
        RunStatus.RESOLVED,
        RunStatus.IMPLEMENTING,
        RunStatus.RESULT_PUBLISHED,
        RunStatus.CLOSED,
    ]
    # A run resolved directly (a kind outside the list) has no meetings at all; one past the members'
    # meeting must have passed it.
    qs = Run.objects.filter(status__in=beyond_review).filter(~passed[Stage.REVIEW]).filter(Q(log__step="pass_review"))
    for row in rows(qs.distinct(), "title"):
        yield finding(Run, row, "stage_without_meeting", _("已过党员大会审议环节，但没有通过的党员大会"))


@integrity.register("deliberation.links", gettext_lazy("议事决议转办的事件、需求和项目都存在"))
def links(options: Options) -> Iterator[Finding]:
    for kind, model in ((LinkTarget.CASE, Case), (LinkTarget.DEMAND, Demand), (LinkTarget.PROJECT, Project)):
        exists = Exists(model.objects.filter(public_id=OuterRef("target_id")))
        for row in rows(ResolutionLink.objects.filter(target_kind=kind).filter(~exists), "target_id"):
            yield finding(
                ResolutionLink,
                row,
                "missing_target",
                _("转办的%(k)s %(id)s 不存在") % {"k": LinkTarget(kind).label, "id": row["target_id"]},
            )
