"""What must hold of org life's rows (manage.py integrity): the record workflow's states and log, each
obligation's held count equal to the records held in its period, a held record's attendance within its
roster, and a guidance's uptake count equal to its uptake rows. Each is one SQL query."""

from __future__ import annotations

from collections.abc import Iterator

from django.db.models import Count, F, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dangjian.core import integrity
from dangjian.core.integrity import Finding, Options, finding, rows

from .models import Guidance, MeetingRecord, Obligation, RecordStatus
from .workflow import FLOW

integrity.register_workflow(FLOW)


@integrity.register("orglife.obligations", gettext_lazy("组织生活应开事项的已开次数与会议记录一致"))
def obligations(options: Options) -> Iterator[Finding]:
    held = (
        MeetingRecord.objects.filter(
            org_id=OuterRef("org_id"),
            kind=OuterRef("kind"),
            status=RecordStatus.HELD,
            starts_at__date__gte=OuterRef("period_start"),
            starts_at__date__lte=OuterRef("period_end"),
        )
        .order_by()
        .values("org_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    qs = Obligation.objects.annotate(records=Coalesce(Subquery(held, output_field=IntegerField()), 0)).exclude(
        held=F("records")
    )
    for row in rows(qs, "held", "records", "kind", "period_start"):
        yield finding(
            Obligation,
            row,
            "held_mismatch",
            _("已开次数 %(h)s 与已召开的会议记录 %(n)s 条不符") % {"h": row["held"], "n": row["records"]},
            kind=row["kind"],
            period_start=str(row["period_start"]),
        )


@integrity.register("orglife.records", gettext_lazy("组织生活记录的出勤与指引落实"))
def records(options: Options) -> Iterator[Finding]:
    bad = MeetingRecord.objects.filter(status=RecordStatus.HELD, present_count__gt=F("due_count"))
    for row in rows(bad, "present_count", "due_count"):
        yield finding(MeetingRecord, row, "present_above_due", _("实到人数超过应到人数"))
    guidance = Guidance.objects.annotate(n=Count("uptakes")).exclude(n=F("uptake_count"))
    for row in rows(guidance, "uptake_count", "n"):
        yield finding(
            Guidance,
            row,
            "uptake_mismatch",
            _("已落实支部数 %(u)s 与落实记录 %(n)s 条不符") % {"u": row["uptake_count"], "n": row["n"]},
        )
