"""The integrity checks of meetings and deliberation: clean after real writes, and each finds its
planted defect."""

import uuid

import pytest

from dangjian.core import integrity
from dangjian.deliberation.models import Council, ResolutionLink, Run, RunStatus
from dangjian.meetings.models import AgendaItem

pytestmark = pytest.mark.django_db


def _codes(results, name):
    return {f.code for r in results if r.check.name == name for f in r.findings}


def test_the_checks_are_clean_and_find_planted_defects(world, council, published):
    results = integrity.run(["deliberation", "meetings"])
    assert [r.check.name for r in results if not r.ok] == []
    Council.objects.filter(pk=council.pk).update(party_count=1)
    Run.objects.filter(pk=published.pk).update(matter_count=9, status=RunStatus.CLOSED)
    AgendaItem.objects.filter(hands_for__isnull=False).update(hands_for=99)
    ResolutionLink.objects.create(matter=published.matters.get(), target_kind="case", target_id=uuid.uuid4())
    results = integrity.run(["deliberation", "meetings"])
    assert _codes(results, "deliberation.council_counts") == {"council_counts"}
    assert _codes(results, "deliberation.run_totals") == {"run_totals"}
    assert _codes(results, "deliberation.procedure") == {"closed_without_disclosure"}
    assert _codes(results, "meetings.hands") == {"hands_over_roster"}
    assert _codes(results, "deliberation.links") == {"missing_target"}
    assert "log_status_mismatch" in _codes(results, "deliberation.run.workflow")
