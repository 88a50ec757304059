"""The cases' integrity checks (core/integrity.py): state and log, retried writes, closing times."""

from __future__ import annotations

from collections.abc import Iterator

from django.db.models import Count, Exists, OuterRef
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dangjian.core import integrity
from dangjian.core.integrity import Finding, Options, finding, rows

from .models import Case, Summons, Whistle
from .workflow import CASE_FLOW

integrity.register_workflow(CASE_FLOW)


@integrity.register("cases.idempotency", gettext_lazy("事件无重复写入（幂等键）"))
def idempotency(options: Options) -> Iterator[Finding]:
    """No two cases share (client, idempotency_key): a retried report made one case (the database's
    unique constraint says so too; this finds rows written around it, e.g. before it existed)."""
    dupes = (
        Case.objects.exclude(idempotency_key="")
        .order_by()
        .values("client_id", "idempotency_key")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
    )
    for row in dupes.iterator(chunk_size=2000):
        yield Finding(
            "duplicate_idempotency_key",
            _("同一客户端的幂等键「%(k)s」对应 %(n)d 个事件") % {"k": row["idempotency_key"], "n": row["n"]},
            integrity.label_of(Case),
            None,
            "",
            {"client_id": row["client_id"], "idempotency_key": row["idempotency_key"], "count": row["n"]},
        )


@integrity.register("cases.closing", gettext_lazy("事件办结时间"))
def closing(options: Options) -> Iterator[Finding]:
    """A case whose work is done (a state declared is_done) has its closing time; an open one has none
    (reopening clears it)."""
    done = sorted(CASE_FLOW.statuses(is_done=True))
    open_ = sorted(CASE_FLOW.statuses(is_open=True))
    for row in rows(Case.objects.filter(status__in=done, closed_at__isnull=True), "status"):
        yield finding(Case, row, "closed_without_closed_at", _("已办结的事件缺少办结时间"), status=row["status"])
    for row in rows(Case.objects.filter(status__in=open_, closed_at__isnull=False), "status", "closed_at"):
        yield finding(
            Case,
            row,
            "open_with_closed_at",
            _("办理中的事件却有办结时间"),
            status=row["status"],
            closed_at=row["closed_at"],
        )


@integrity.register("cases.whistles", gettext_lazy("吹哨与部门报到"))
def whistles(options: Options) -> Iterator[Finding]:
    """A whistle ends (closed_at) exactly when every summoned department has acted
    (cases/whistle/services.py), and a case has at most one unfinished whistle per level."""
    pending = Summons.objects.filter(whistle=OuterRef("pk"), acted_at__isnull=True)
    summoned = Summons.objects.filter(whistle=OuterRef("pk"))
    early = Whistle.objects.filter(closed_at__isnull=False).filter(Exists(pending))
    for row in rows(early, "case_id", "level"):
        yield finding(Whistle, row, "whistle_closed_early", _("吹哨已结束，但仍有部门未处置"), case_id=row["case_id"])
    unclosed = Whistle.objects.filter(closed_at__isnull=True).filter(Exists(summoned), ~Exists(pending))
    for row in rows(unclosed, "case_id", "level"):
        yield finding(Whistle, row, "whistle_not_closed", _("各部门均已处置，吹哨却未结束"), case_id=row["case_id"])
    twice = (
        Whistle.objects.filter(closed_at__isnull=True)
        .order_by()
        .values("case_id", "level")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
    )
    for group in twice.iterator(chunk_size=2000):
        yield Finding(
            "duplicate_open_whistle",
            _("事件 %(c)s 在同一层级有 %(n)d 个未结束的吹哨") % {"c": group["case_id"], "n": group["n"]},
            integrity.label_of(Whistle),
            None,
            "",
            {"case_id": group["case_id"], "level": group["level"], "count": group["n"]},
        )
