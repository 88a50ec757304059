"""The weak organisations' integrity checks (orgs/integrity.py): declared state and log."""

from __future__ import annotations

from dangjian.core.testing import integrity_findings as found
from dangjian.orgs.models import WeakOrgCase
from dangjian.orgs.weak.workflow import FLOW


def test_weak_case_defects_are_found(demo):
    assert found("orgs") == {}
    first, second = WeakOrgCase.objects.order_by("pk")[:2]
    # (the database refuses an undeclared status here: a CHECK constraint)
    other = next(code for code in FLOW.states if code != first.status)
    WeakOrgCase.objects.filter(pk=first.pk).update(status=other)
    second.log.all().delete()
    workflow = found("orgs.workflow")
    assert workflow["log_status_mismatch"] == {first.pk}
    assert workflow["missing_creation_log"] == {second.pk}
