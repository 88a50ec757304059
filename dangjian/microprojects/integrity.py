"""What must hold of 民生微实事 (core.integrity): the declared workflow; a project's stored counts
equal its votes, claims and notes; a project past 评议 has a passed review meeting; one accepted has
acceptance photos; the money a project records equals its commitment in the funds ledger."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from django.db.models import Count, Exists, F, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dangjian.core import integrity
from dangjian.core.integrity import Finding, Options, finding, rows

from . import budget
from .facts import ACCEPTED, REVIEWED
from .models import Claim, NoteKind, ProgressNote, Project, ProjectPhoto, ReviewMeeting, SatisfactionVote, Verdict
from .workflow import PROJECT_FLOW

integrity.register_workflow(PROJECT_FLOW)


def _count(model, **filters):
    qs = model.objects.filter(project=OuterRef("pk"), **filters).order_by().values("project")
    return Coalesce(Subquery(qs.annotate(c=Count("pk")).values("c")), 0)


@integrity.register("microprojects.counts", gettext_lazy("民生微实事的评价、认领、进展计数与明细一致"))
def counts(options: Options) -> Iterator[Finding]:
    qs = Project.objects.annotate(
        v=_count(SatisfactionVote),
        s=_count(SatisfactionVote, verdict__in=[Verdict.SATISFIED, Verdict.BASIC]),
        c=_count(Claim),
        n=_count(ProgressNote),
    ).exclude(votes_count=F("v"), satisfied_count=F("s"), claims_count=F("c"), notes_count=F("n"))
    for row in rows(qs, "votes_count", "satisfied_count", "claims_count", "notes_count", "v", "s", "c", "n"):
        yield finding(
            Project,
            row,
            "counts",
            _("记录评价 %(a)s（满意 %(b)s）、认领 %(c)s、进展 %(d)s；明细 %(v)s（%(s)s）、%(cc)s、%(n)s")
            % {
                "a": row["votes_count"],
                "b": row["satisfied_count"],
                "c": row["claims_count"],
                "d": row["notes_count"],
                "v": row["v"],
                "s": row["s"],
                "cc": row["c"],
                "n": row["n"],
            },
        )


@integrity.register("microprojects.procedure", gettext_lazy("民生微实事按程序办理：评议通过才报审，验收有照片"))
def procedure(options: Options) -> Iterator[Finding]:
    passed = Exists(ReviewMeeting.objects.filter(project=OuterRef("pk"), passed=True))
    qs = Project.objects.filter(status__in=REVIEWED).filter(~passed).filter(Q(log__step="pass_review"))
    for row in rows(qs.distinct(), "title"):
        yield finding(Project, row, "review_without_meeting", _("已过评议环节，但没有通过的评议会议"))
    photos = Exists(ProjectPhoto.objects.filter(project=OuterRef("pk"), kind=NoteKind.ACCEPTANCE))
    for row in rows(Project.objects.filter(status__in=ACCEPTED).filter(~photos), "title"):
        yield finding(Project, row, "accepted_without_photos", _("已验收，但没有验收照片"))


@integrity.register("microprojects.money", gettext_lazy("民生微实事项目记录的立项、支付金额与资金台账一致"))
def money(options: Options) -> Iterator[Finding]:
    qs = Project.objects.filter(budget_committed__gt=0)
    for row in rows(qs, "budget_committed", "amount_paid"):
        holder = Project(public_id=row["public_id"])
        ledger = budget.summary(holder)
        if Decimal(ledger.committed) != row["budget_committed"] or Decimal(ledger.spent) != row["amount_paid"]:
            yield finding(
                Project,
                row,
                "money",
                _("项目记录立项 %(a)s 元、已付 %(b)s 元；资金台账承诺 %(c)s 元、已付 %(d)s 元")
                % {"a": row["budget_committed"], "b": row["amount_paid"], "c": ledger.committed, "d": ledger.spent},
            )
