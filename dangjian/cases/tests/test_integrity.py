"""The cases' integrity checks (cases/integrity.py): each planted defect is found, on the demo district."""

from __future__ import annotations

import uuid

from django.utils import timezone

from dangjian.cases.models import Case, CaseLog, Whistle
from dangjian.cases.workflow import CASE_FLOW
from dangjian.core import integrity
from dangjian.core.testing import integrity_findings as found


def test_case_defects_are_found(demo):
    assert found("cases") == {}
    closed, open_, other, dup_a, dup_b, skipped = (
        Case.objects.filter(status__in=CASE_FLOW.statuses(is_done=True)).order_by("pk")[:1].get(),
        *Case.objects.filter(status__in=CASE_FLOW.statuses(is_open=True)).order_by("pk")[:5],
    )
    # A status no state declares, written around the workflow.
    Case.objects.filter(pk=open_.pk).update(status="lost")
    # A missing creation log row, and a duplicated one.
    CaseLog.objects.filter(case=other, from_status="").delete()
    first = CaseLog.objects.filter(case=dup_a, from_status="").get()
    CaseLog.objects.create(case=dup_a, at=first.at, step=first.step, from_status="", to_status=first.to_status)
    # The last log row's target differs from the status.
    last = CaseLog.objects.filter(case=dup_b).order_by("-at", "-pk").first()
    CaseLog.objects.create(case=dup_b, at=last.at, step="note", from_status=dup_b.status, to_status="rejected")
    # A step logged from a status the case was not in (a lost step between two rows).
    last = CaseLog.objects.filter(case=skipped).order_by("-at", "-pk").first()
    lost = CaseLog.objects.create(case=skipped, at=last.at, step="note", from_status="merged", to_status=skipped.status)
    # A retried report written twice (no client: the unique constraint does not see it).
    Case.objects.filter(pk__in=[dup_a.pk, dup_b.pk]).update(idempotency_key="retry-1", client=None)
    # A finished case without its closing time.
    Case.objects.filter(pk=closed.pk).update(closed_at=None)

    workflow = found("cases.workflow")
    assert workflow["undeclared_status"] == {open_.pk}
    assert open_.pk in workflow["log_status_mismatch"]
    assert workflow["missing_creation_log"] == {other.pk}
    assert workflow["duplicate_creation_log"] == {dup_a.pk}
    assert dup_b.pk in workflow["log_status_mismatch"]
    assert workflow["log_chain_broken"] == {skipped.pk}
    assert skipped.pk not in workflow["log_status_mismatch"]
    chain = next(f for r in integrity.run(["cases.workflow"]) for f in r.findings if f.code == "log_chain_broken")
    assert chain.detail["log_id"] == lost.pk
    assert set(found("cases.idempotency")) == {"duplicate_idempotency_key"}
    assert found("cases.closing") == {"closed_without_closed_at": {closed.pk}}


def test_whistle_defects_are_found(demo):
    assert found("cases.whistles") == {}
    whistle = Whistle.objects.filter(closed_at__isnull=True, summonses__isnull=False).order_by("pk").first()
    # Every department acted, but the whistle was not ended.
    whistle.summonses.update(acted_at=timezone.now())
    assert found("cases.whistles") == {"whistle_not_closed": {whistle.pk}}
    # Ended while a department has not acted.
    Whistle.objects.filter(pk=whistle.pk).update(closed_at=timezone.now())
    whistle.summonses.filter(pk=whistle.summonses.order_by("pk").first().pk).update(acted_at=None)
    assert found("cases.whistles") == {"whistle_closed_early": {whistle.pk}}
    # Two unfinished whistles of one case at one level (a retried blow written twice).
    Whistle.objects.filter(pk=whistle.pk).update(closed_at=None)
    twin = Whistle.objects.get(pk=whistle.pk)
    twin.pk, twin.public_id = None, uuid.uuid4()
    twin.save()
    assert set(found("cases.whistles")) == {"duplicate_open_whistle"}
