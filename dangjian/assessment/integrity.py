"""What must hold of assessment's rows (manage.py integrity): the sheet workflow's states and log, each
sheet's total equal to the sum of its scores, and a score within its item's weight. Each is one query."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from django.db.models import DecimalField, F, OuterRef, Subquery, Sum
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dangjian.core import integrity
from dangjian.core.integrity import Finding, Options, finding, rows

from .models import Score, Sheet
from .workflow import FINDING_FLOW, FLOW

integrity.register_workflow(FLOW)

POINTS = DecimalField(max_digits=8, decimal_places=1)
TENTH = Decimal("0.1")


@integrity.register("assessment.totals", gettext_lazy("考核评分表的总分等于各项得分之和"))
def totals(options: Options) -> Iterator[Finding]:
    summed = (
        Score.objects.filter(sheet_id=OuterRef("pk"))
        .order_by()
        .values("sheet_id")
        .annotate(t=Sum("points"))
        .values("t")
    )
    qs = Sheet.objects.annotate(summed=Subquery(summed, output_field=POINTS))
    # compared in Python: SQLite sums decimals as floats
    for row in rows(qs, "total", "summed"):
        want = Decimal(str(row["summed"] or 0)).quantize(TENTH)
        if row["total"] != want:
            yield finding(
                Sheet, row, "total_mismatch", _("总分 %(t)s 与各项得分之和 %(s)s 不符") % {"t": row["total"], "s": want}
            )


@integrity.register("assessment.scores", gettext_lazy("考核项目得分不超过分值"))
def scores(options: Options) -> Iterator[Finding]:
    for row in rows(Score.objects.filter(points__gt=F("item__weight")), "points", "sheet_id", "item_id"):
        yield finding(Score, row, "above_weight", _("得分超过该项分值"), sheet=row["sheet_id"], item=row["item_id"])


integrity.register_workflow(FINDING_FLOW)
