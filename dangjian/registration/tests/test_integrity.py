"""The registrations' integrity checks (registration/integrity.py): declared state and log."""

from __future__ import annotations

from dangjian.core.testing import integrity_findings as found
from dangjian.registration.models import Registration


def test_registration_defects_are_found(demo):
    assert found("registration") == {}
    first, second = Registration.objects.order_by("pk")[:2]
    Registration.objects.filter(pk=first.pk).update(status="nowhere")
    second.log.all().delete()
    workflow = found("registration.workflow")
    assert workflow["undeclared_status"] == {first.pk}
    assert workflow["log_status_mismatch"] == {first.pk}
    assert workflow["missing_creation_log"] == {second.pk}
