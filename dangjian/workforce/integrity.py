"""What must hold of the workforce (core.integrity): the declared step-up workflow; each session's stored
head count equals its attendances; each worker's yearly training hours equal their attendances; a placed
worker's grade lies inside their post's range; an approved proposal left its worker at or above its
grade."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from django.db.models import Count, DecimalField, F, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce, ExtractYear
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dangjian.core import integrity
from dangjian.core.integrity import Finding, Options, finding, rows

from .models import Attendance, Session, TrainingYear, Worker
from .workflow import STEPUP_FLOW

integrity.register_workflow(STEPUP_FLOW)


@integrity.register("workforce.session_counts", gettext_lazy("培训场次签到人数与签到记录一致"))
def session_counts(options: Options) -> Iterator[Finding]:
    n = (
        Attendance.objects.filter(session=OuterRef("pk"))
        .order_by()
        .values("session")
        .annotate(c=Count("pk"))
        .values("c")
    )
    qs = Session.objects.annotate(n=Coalesce(Subquery(n), 0)).exclude(attended=F("n"))
    for row in rows(qs, "attended", "n"):
        yield finding(
            Session,
            row,
            "session_count_drift",
            _("签到人数记为 %(a)s，签到记录 %(n)s 条。") % {"a": row["attended"], "n": row["n"]},
        )


@integrity.register("workforce.training_hours", gettext_lazy("年度培训学时与签到记录一致"))
def training_hours(options: Options) -> Iterator[Finding]:
    base = (
        Attendance.objects.filter(worker=OuterRef("worker_id"))
        .annotate(y=ExtractYear("session__starts_at"))
        .filter(y=OuterRef("year"))
        .order_by()
        .values("worker")
    )
    hours = base.annotate(h=Sum("hours")).values("h")
    qs = TrainingYear.objects.annotate(
        h=Coalesce(Subquery(hours, output_field=DecimalField()), Decimal(0), output_field=DecimalField())
    ).exclude(hours=F("h"))
    for row in rows(qs, "hours", "h"):
        yield finding(
            TrainingYear,
            row,
            "training_hours_drift",
            _("记 %(a)s 学时，签到记录合计 %(h)s 学时。") % {"a": row["hours"], "h": row["h"]},
        )


@integrity.register("workforce.grade_in_range", gettext_lazy("社区工作者的等级在其岗位的等级范围内"))
def grade_in_range(options: Options) -> Iterator[Finding]:
    qs = Worker.objects.filter(post__isnull=False).filter(
        Q(grade__lt=F("post__min_grade")) | Q(grade__gt=F("post__max_grade"))
    )
    for row in rows(qs, "grade"):
        yield finding(Worker, row, "grade_out_of_range", _("等级 %(g)s 不在岗位的等级范围内。") % {"g": row["grade"]})
