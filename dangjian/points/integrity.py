"""The points' integrity checks (core/integrity.py): every stored running total (PointTotal, per member,
year and category, and across categories) equals the sum of the member's ledger entries, and a
reversal is the mirror of what it reverses."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from django.db.models import F, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dangjian.core import integrity
from dangjian.core.integrity import Finding, Options, finding, rows

from .models import PointEntry, PointTotal

ZERO = Decimal(0)


def _entries_sum(**where):
    summed = (
        PointEntry.objects.filter(member=OuterRef("member"), year=OuterRef("year"), **where)
        .order_by()
        .values("member")
        .annotate(s=Sum("points"))
        .values("s")
    )
    return Coalesce(Subquery(summed[:1]), ZERO, output_field=PointTotal._meta.get_field("points"))


@integrity.register("points.totals", gettext_lazy("积分累计与明细一致"))
def totals(options: Options) -> Iterator[Finding]:
    per_category = PointTotal.objects.filter(category__isnull=False).annotate(
        entries=_entries_sum(category=OuterRef("category"))
    )
    overall = PointTotal.objects.filter(category__isnull=True).annotate(entries=_entries_sum())
    for qs in (per_category, overall):
        for row in rows(qs.exclude(points=F("entries")), "member_id", "year", "category_id", "points", "entries"):
            yield finding(
                PointTotal,
                row,
                "total_mismatch",
                _("积分累计 %(t)s 与明细合计 %(e)s 不符") % {"t": row["points"], "e": row["entries"]},
                member_id=row["member_id"],
                year=row["year"],
                category_id=row["category_id"],
                total=row["points"],
                entries=row["entries"],
            )
    # Entries with no total at all (a total is written with the first entry of a member's year).
    total_of = PointTotal.objects.filter(member=OuterRef("member"), year=OuterRef("year"), category__isnull=True)
    untotalled = (
        PointEntry.objects.order_by()
        .values("member_id", "year")
        .annotate(s=Sum("points"), t=Subquery(total_of.values("pk")[:1]))
        .filter(t__isnull=True)
        .exclude(s=0)
    )
    for group in untotalled.iterator(chunk_size=2000):
        yield Finding(
            "missing_total",
            _("党员 %(m)s 的 %(y)s 年度积分明细合计 %(s)s，但没有累计")
            % {"m": group["member_id"], "y": group["year"], "s": group["s"]},
            integrity.label_of(PointTotal),
            None,
            "",
            {"member_id": group["member_id"], "year": group["year"], "entries": group["s"]},
        )


@integrity.register("points.reversals", gettext_lazy("积分冲正与原记录相抵"))
def reversals(options: Options) -> Iterator[Finding]:
    bad = PointEntry.objects.filter(reverses__isnull=False).filter(
        ~Q(points=-F("reverses__points")) | ~Q(member=F("reverses__member"))
    )
    for row in rows(bad, "points", "reverses_id"):
        yield finding(
            PointEntry, row, "reversal_mismatch", _("冲正记录与被冲正的记录不相抵"), reverses_id=row["reverses_id"]
        )
