"""What must hold of member development (core.integrity): the declared workflow; a probationary or
full member in the pipeline has the member record of that category; each stage's dates follow the
statutory order (activist at least the district's months before candidate is checked by the steps)."""

from __future__ import annotations

from collections.abc import Iterator

from django.db.models import F, Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dangjian.core import integrity
from dangjian.core.integrity import Finding, Options, finding, rows
from dangjian.people.models import MemberCategory

from .models import Recruit, Stage
from .workflow import RECRUIT_FLOW

integrity.register_workflow(RECRUIT_FLOW)

ADMITTED = [Stage.PROBATIONARY, Stage.PENDING_CONVERSION, Stage.FULL]


@integrity.register("recruitment.member_record", gettext_lazy("预备党员和转正的发展对象都有相应类别的党员档案"))
def member_record(options: Options) -> Iterator[Finding]:
    for row in rows(Recruit.objects.filter(status__in=ADMITTED, member__isnull=True), "name"):
        yield finding(Recruit, row, "no_member", _("已被批准为预备党员，但没有党员档案"))
    wrong = Q(status=Stage.FULL) & ~Q(member__category=MemberCategory.FULL)
    wrong |= Q(status__in=[Stage.PROBATIONARY, Stage.PENDING_CONVERSION]) & ~Q(
        member__category=MemberCategory.PROBATIONARY
    )
    for row in rows(Recruit.objects.filter(member__isnull=False).filter(wrong), "name", "status"):
        yield finding(
            Recruit,
            row,
            "member_category",
            _("党员档案的类别与发展阶段「%(s)s」不符") % {"s": Stage(row["status"]).label},
        )


@integrity.register("recruitment.dates", gettext_lazy("发展党员各环节日期先后有序"))
def dates(options: Options) -> Iterator[Finding]:
    checks = [
        ("activist_before_candidate", Q(candidate_on__lt=F("activist_on"))),
        ("candidate_before_plan", Q(planned_on__lt=F("candidate_on"))),
        ("plan_before_admit", Q(admitted_on__lt=F("planned_on"))),
        ("admit_before_approve", Q(approved_on__lt=F("admitted_on"))),
        ("admit_before_probation_end", Q(probation_ends_on__lte=F("admitted_on"))),
    ]
    for code, bad in checks:
        for row in rows(Recruit.objects.filter(bad), "name"):
            yield finding(Recruit, row, code, _("环节日期先后颠倒（%(c)s）") % {"c": code})
