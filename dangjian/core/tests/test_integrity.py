"""The integrity registry (core/integrity.py), the `integrity` command and the figures check: a clean demo
district passes every check, and each kind of defect planted in it is found."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command
from django.utils import timezone

from dangjian.core import integrity
from dangjian.core.models import DailyFact

APPS = {"cases", "demands", "registration", "centers", "orgs", "timebank", "points", "core"}


def codes(results, check: str) -> set[str]:
    return {f.code for r in results if r.check.name == check for f in r.findings}


def test_every_app_declares_its_checks():
    names = {c.name for c in integrity.checks()}
    assert {c.app for c in integrity.checks()} >= APPS
    for name in ("cases.workflow", "demands.workflow", "demands.settlement", "timebank.journals", "core.facts"):
        assert name in names
    assert {c.app for c in integrity.checks(["timebank"])} == {"timebank"}


def test_a_check_that_raises_is_reported_and_the_others_still_run(db, monkeypatch):
    def broken(options):
        raise RuntimeError("boom")

    monkeypatch.setitem(integrity.CHECKS, "core.zz_broken", integrity.Check("core.zz_broken", "broken", broken))
    results = {r.check.name: r for r in integrity.run(["core"])}
    assert results["core.zz_broken"].error == "RuntimeError: boom"
    assert not results["core.zz_broken"].ok
    assert results["core.facts"].ok


def test_the_demo_district_is_clean_and_planted_defects_are_found(demo):
    results = integrity.run()
    assert [r.as_dict() for r in results if not r.ok] == []

    out = io.StringIO()
    call_command("integrity", "--json", stdout=out)
    report = json.loads(out.getvalue())
    assert report["ok"] is True and report["count"] == 0
    assert {c["check"] for c in report["checks"]} == {c.name for c in integrity.checks()}

    # A figures row changed behind the store's back.
    fact = DailyFact.objects.filter(subject="cases", dim="").order_by("-day", "area_path").first()
    DailyFact.objects.filter(pk=fact.pk).update(c0=fact.c0 + 1)
    days = (timezone.localdate() - fact.day).days + 1
    found = integrity.run(["core"], options=integrity.Options(days=days))
    assert codes(found, "core.facts") == {"facts_drift"}
    drift = next(r for r in found if r.check.name == "core.facts").findings
    assert any(f.detail["stored"] == fact.c0 + 1 and f.detail["expected"] == fact.c0 for f in drift)

    out = io.StringIO()
    with pytest.raises(SystemExit) as exited:
        call_command("integrity", "--only", "core", "--days", str(days), stdout=out)
    assert exited.value.code == 1
    assert "项问题" in out.getvalue() and "facts_drift" in out.getvalue()


def test_the_command_refuses_an_unknown_app(db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("integrity", "--only", "nosuchapp", stdout=io.StringIO())


def test_the_nightly_task_logs_and_counts_findings(db, caplog):
    from dangjian.core.tasks import nightly_integrity

    assert set(nightly_integrity.call_local().values()) == {0}
    # A figure with no raw row behind it.
    DailyFact.objects.create(subject="cases", day=timezone.localdate(), area_path="0001", depth=1, dim="", c0=1)
    with caplog.at_level("WARNING", logger="dangjian.integrity"):
        counts = nightly_integrity.call_local()
    assert counts["core.facts"] >= 1
    assert "core.facts" in caplog.text
