"""Automatic scores recomputed from the underlying records: org life's obligations (through the store of
facts they feed), a weak organization flagged in the subtree, and nothing due (no deduction); each score
keeps the figures it came from."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from dangjian.assessment import metrics
from dangjian.assessment.models import Score, Source
from dangjian.assessment.services import sheets
from dangjian.orglife.models import Obligation
from dangjian.orgs.weak.services import weak_case_flag

pytestmark = pytest.mark.django_db


def _obligation(org, kind, month, due, held):
    year = timezone.localdate().year
    start = datetime.date(year, month, 1)
    end = (start + datetime.timedelta(days=32)).replace(day=1) - datetime.timedelta(days=1)
    return Obligation.objects.create(
        org=org, area_path=org.area.path, kind=kind, period_start=start, period_end=end, due=due, held=held,
        cohort_at=timezone.make_aware(datetime.datetime.combine(start, datetime.time.min)),
    )  # fmt: skip


def _score(sheet, metric):
    return Score.objects.get(sheet=sheet, item__source=Source.AUTO, item__metric=metric)


def test_org_life_is_read_from_the_store_and_scored_by_weight(world, cast, sheet):
    _obligation(world.eb, "committee", 1, 1, 1)
    _obligation(world.eb, "committee", 2, 1, 0)
    _obligation(world.ub, "lecture", 1, 1, 1)
    _obligation(world.eb3, "committee", 1, 1, 0)  # another community: not 婆石社区's
    sheets.sheet_recompute(actor=cast.district, sheet=sheet)
    score = _score(sheet, "orglife_meetings")
    assert score.points == Decimal("10.0")  # 15 × 2 / 3
    assert score.explanation == "辖区支部组织生活应开 3 次，已开 2 次 → 10.0 分"
    # one more meeting held: recomputed from the new record
    _obligation(world.ub, "committee", 1, 1, 1)
    sheets.sheet_recompute(actor=cast.district, sheet=sheet)
    score = _score(sheet, "orglife_meetings")
    assert score.points == Decimal("11.3") and "应开 4 次，已开 3 次" in score.explanation
    sheet.refresh_from_db()
    assert sheet.total == sum(s.points or 0 for s in Score.objects.filter(sheet=sheet))


def test_a_weak_organization_in_the_subtree_costs_the_item(world, cast, sheet):
    sheets.sheet_recompute(actor=cast.district, sheet=sheet)
    assert _score(sheet, "weak_org").points == Decimal("10.0")
    weak_case_flag(actor=None, org=world.eb, reasons=[], other_reason="班子不健全")
    sheets.sheet_recompute(actor=cast.district, sheet=sheet)
    score = _score(sheet, "weak_org")
    assert score.points == Decimal("0.0")
    assert score.explanation == "年内列入软弱涣散 1 个，年末未摘帽 1 个 → 0.0 分"
    other = sheet.scheme.sheets.get(org=world.cc3)
    sheets.sheet_recompute(actor=cast.district, sheet=other)
    assert _score(other, "weak_org").points == Decimal("10.0")  # 海虹's tree has none


def test_nothing_due_deducts_nothing_and_says_so(world, cast, sheet):
    result = metrics.evaluate("cases_on_time", world.cc1, timezone.localdate().year, Decimal("15"))
    assert result.score == Decimal("15.0")
    assert result.explanation == "办结事件 0 件，按期办结 0 件（无应完成事项，不扣分）→ 15.0 分"


def test_every_default_metric_is_registered():
    from dangjian.assessment.rules import DEFAULT_ITEMS

    keys = {row[4] for rows in DEFAULT_ITEMS.values() for row in rows if row[3] == Source.AUTO}
    assert keys <= set(metrics.METRICS)
    assert set(metrics.METRICS) == {
        "orglife_meetings", "cases_on_time", "demands_done", "covenants_kept", "funds_spent", "weak_org",
        "dept_response", "dept_on_time", "dept_satisfaction",
    }  # fmt: skip
    assert {k for k, _label in metrics.choices("department")} == {"dept_response", "dept_on_time", "dept_satisfaction"}


def test_points_round_half_up_to_a_tenth():
    assert metrics.points(Decimal("15"), metrics.Measure(2, 3, "")) == Decimal("10.0")
    assert metrics.points(Decimal("10"), metrics.Measure(5, 6, "")) == Decimal("8.3")
    assert metrics.points(Decimal("10"), metrics.Measure(7, 6, "")) == Decimal("10.0")  # capped at the weight
