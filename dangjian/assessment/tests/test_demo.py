"""The demo district's assessment: both schemes of the year, the committees' ranking published, the
branches' sheets partly in, dy_member owing the 述职 of their branches; every automatic score equals its
metric recomputed now from the live figures (and those figures equal the rows: the store agrees with
them); totals and the workflow's log hold (the integrity checks)."""

import random

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from dangjian.accounts.models import User
from dangjian.assessment import integrity, metrics
from dangjian.assessment.models import Scheme, SchemeKind, Score, Sheet, SheetStatus, Source
from dangjian.core.figures import facts
from dangjian.core.integrity import CHECKS, Options
from dangjian.orgs.models import OrgOfficer


def test_the_demo_has_a_published_ranking_and_reports_owed(demo):
    year = timezone.localdate().year
    duty = Scheme.objects.get(year=year, kind=SchemeKind.RESPONSIBILITY)
    model = Scheme.objects.get(year=year, kind=SchemeKind.MODEL_BRANCH)
    assert duty.published_at is not None
    published = list(duty.sheets.order_by("rank", "id"))
    assert published and all(s.status == SheetStatus.PUBLISHED and s.rank for s in published)
    assert [s.rank for s in published][0] == 1 and published[0].total >= published[-1].total
    assert all(s.grade == duty.grade_of(s.total) for s in published)
    statuses = set(model.sheets.values_list("status", flat=True))
    assert {SheetStatus.DRAFT, SheetStatus.REPORTED, SheetStatus.SCORED} <= statuses
    led = OrgOfficer.objects.filter(user__username="dy_member").values_list("org_id", flat=True)
    assert set(model.sheets.filter(org_id__in=led).values_list("status", flat=True)) == {SheetStatus.DRAFT}
    client = Client()
    client.force_login(User.objects.get(username="dy_member"))
    home = client.get(reverse("dashboard:home")).content.decode()
    assert "待提交的述职" in home


def test_every_automatic_score_is_its_metric_recomputed(demo):
    # the measures the metrics read agree with the rows (others, like "late", move with the clock)
    read = {
        "cases": {"received", "returned", "closed", "closed_on_time", "rated", "satisfied"},
        "demands": {"accepted", "done"},
        "orglife_obligations": {"due", "held"},
    }
    for name, measures in read.items():
        subject = facts.SUBJECTS[name]
        drift = facts.differences(subject, facts.stored(subject, None, None), facts.recompute(subject).facts)
        assert [d for d in drift if d.measure in measures] == []
    rng = random.Random(7)
    autos = list(
        Score.objects.filter(item__source=Source.AUTO, sheet__status__in=[SheetStatus.DRAFT, SheetStatus.REPORTED])
        .select_related("item", "sheet__org__area", "sheet__department__area", "sheet__scheme")
        .order_by("pk")
    )
    assert autos
    for score in rng.sample(autos, min(40, len(autos))):
        result = metrics.evaluate(score.item.metric, score.sheet.subject, score.sheet.scheme.year, score.item.weight)
        assert (score.points, score.explanation) == (result.score, result.explanation), score.item.metric
    assert any("→" in s.explanation and "分" in s.explanation for s in autos)
    assert Score.objects.filter(item__metric="cases_on_time").exclude(explanation__contains="办结事件 0 件").exists()
    # a department's automatic items are recomputed too (the one left unscored is still open)
    left = Sheet.objects.get(department__name="香洲区消防救援大队", scheme__kind=SchemeKind.DEPARTMENT)
    for score in Score.objects.filter(sheet=left, item__source=Source.AUTO).select_related("item"):
        result = metrics.evaluate(score.item.metric, left.department, left.scheme.year, score.item.weight)
        assert (score.points, score.explanation) == (result.score, result.explanation), score.item.metric


def test_the_demo_street_chief_appraised_the_departments(demo):
    scheme = Scheme.objects.get(year=timezone.localdate().year, kind=SchemeKind.DEPARTMENT)
    published = list(scheme.sheets.filter(status=SheetStatus.PUBLISHED).order_by("rank", "id"))
    assert published and [s.rank for s in published][0] == 1
    assert all(s.chief_scores.filter(chief__username="jd_admin").exists() for s in published)
    assert scheme.sheets.filter(department__name="香洲区消防救援大队", status=SheetStatus.DRAFT).exists()
    assert (
        Score.objects.filter(sheet__scheme=scheme, item__metric="dept_on_time")
        .exclude(explanation__contains="办结事件 0 件")
        .exists()
    )  # the demo's cases reach the departments
    client = Client()
    client.force_login(User.objects.get(username="bm_staff"))
    mine = scheme.sheets.get(department__name="香洲区城市管理和综合执法局")
    page = client.get(reverse("assessment:sheet", args=[mine.public_id]))
    assert page.status_code == 200 and "街长评分" in page.content.decode()
    other = scheme.sheets.exclude(pk=mine.pk).first()
    assert client.get(reverse("assessment:sheet", args=[other.public_id])).status_code == 404


def test_the_demo_sheets_pass_the_integrity_checks(demo):
    options = Options()
    assert list(integrity.totals(options)) == []
    assert list(integrity.scores(options)) == []
    assert list(CHECKS["assessment.workflow"].fn(options)) == []
    assert Sheet.objects.filter(status=SheetStatus.PUBLISHED).count() > 0


def test_the_demo_draw_redraws_from_its_seed_and_its_findings_move(demo):
    from dangjian.assessment.models import Draw, FindingStatus
    from dangjian.assessment.services import inspection

    draw = Draw.objects.get()
    stored = [(p.org_id, p.inspector_id) for p in draw.picks.order_by("position")]
    assert len(stored) == 4 and [(o.pk, i.pk) for o, i in inspection.redraw(draw)] == stored
    statuses = list(draw.picks.order_by("position").values_list("findings__status", flat=True))
    assert set(statuses) == {FindingStatus.OPEN, FindingStatus.RECTIFIED, FindingStatus.VERIFIED}
    assert list(CHECKS["assessment.finding.workflow"].fn(Options())) == []
