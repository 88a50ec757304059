"""The notices' integrity checks (core/integrity.py): declared state and log; receipts agree with the
notice's counters; a withdrawn notice collects no receipt or signature after it was withdrawn; no
fan-out is left stuck half-way."""

from __future__ import annotations

import datetime
from collections.abc import Iterator

from django.db.models import Count, F, IntegerField, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dangjian.core import integrity
from dangjian.core.integrity import Finding, Options, finding, rows

from .models import Notice, NoticeReceipt, NoticeStatus
from .workflow import FLOW

integrity.register_workflow(FLOW)

# A fan-out not finished this long after its last batch is stuck (the sweep re-queues after minutes).
STUCK_AFTER = datetime.timedelta(hours=1)


def _count(**filters) -> Coalesce:
    qs = NoticeReceipt.objects.filter(notice=OuterRef("pk"), **filters).order_by().values("notice")
    return Coalesce(Subquery(qs.annotate(n=Count("pk")).values("n")[:1]), 0, output_field=IntegerField())


@integrity.register("notices.receipts", gettext_lazy("通知签收记录与计数一致"))
def receipts(options: Options) -> Iterator[Finding]:
    counted = Notice.objects.annotate(
        n_all=_count(), n_read=_count(read_at__isnull=False), n_signed=_count(signed_at__isnull=False)
    ).exclude(Q(recipient_count=F("n_all")) & Q(read_count=F("n_read")) & Q(signed_count=F("n_signed")))
    for row in rows(counted, "recipient_count", "n_all", "read_count", "n_read", "signed_count", "n_signed"):
        yield finding(
            Notice,
            row,
            "counts_mismatch",
            _("接收 %(a)s/%(b)s、已读 %(c)s/%(d)s、签收 %(e)s/%(f)s（记录数/计数）不一致")
            % {
                "a": row["n_all"],
                "b": row["recipient_count"],
                "c": row["n_read"],
                "d": row["read_count"],
                "e": row["n_signed"],
                "f": row["signed_count"],
            },
        )
    drafts = Notice.objects.filter(status=NoticeStatus.DRAFT, receipts__isnull=False).distinct()
    for row in rows(drafts, "title"):
        yield finding(Notice, row, "draft_with_receipts", _("草稿已有签收记录"))


@integrity.register("notices.withdrawn", gettext_lazy("已撤回通知不再送达、不再签收"))
def withdrawn(options: Options) -> Iterator[Finding]:
    late = NoticeReceipt.objects.filter(notice__status=NoticeStatus.WITHDRAWN).filter(
        Q(delivered_at__gt=F("notice__withdrawn_at")) | Q(signed_at__gt=F("notice__withdrawn_at"))
    )
    notices = Notice.objects.filter(pk__in=late.values("notice_id"))
    for row in rows(notices, "title", "withdrawn_at"):
        yield finding(Notice, row, "receipt_after_withdrawal", _("撤回后仍有送达或签收记录"))


@integrity.register("notices.fanout", gettext_lazy("通知送达没有中途停止"))
def fanout(options: Options) -> Iterator[Finding]:
    now = options.now or timezone.now()
    stuck = Notice.objects.filter(
        status=NoticeStatus.PUBLISHED, fanout_done_at__isnull=True, updated_at__lt=now - STUCK_AFTER
    )
    for row in rows(stuck, "title", "recipient_count", "fanout_total"):
        yield finding(
            Notice,
            row,
            "fanout_stuck",
            _("送达停在 %(n)s/%(t)s，已超过一小时没有进展") % {"n": row["recipient_count"], "t": row["fanout_total"]},
        )
