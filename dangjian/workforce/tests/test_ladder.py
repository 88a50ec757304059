"""The ladder's arithmetic at its boundaries: entry grades with education credits, the N-year rule, the
post's top grade, and the pay of a grade with its subsidies."""

import datetime
from decimal import Decimal

from dangjian.workforce.ladder import LadderTable, full_years

D = datetime.date


def test_full_years_count_whole_years_only():
    assert full_years(D(2021, 1, 1), D(2024, 1, 1)) == 3
    assert full_years(D(2021, 1, 2), D(2024, 1, 1)) == 2
    assert full_years(D(2024, 6, 1), D(2024, 1, 1)) == 0


def test_entry_grade_adds_the_education_credit_within_the_post(ladder):
    t = LadderTable.load(ladder)
    worker, head = t.posts["worker"], t.posts["head"]
    assert t.entry_grade(worker, "below") == 1
    assert t.entry_grade(worker, "college") == 1
    assert t.entry_grade(worker, "bachelor") == 2
    assert t.entry_grade(worker, "master") == 3
    assert t.entry_grade(head, "master") == 9


def test_step_up_needs_n_full_years_at_the_grade(ladder):
    t = LadderTable.load(ladder)
    post = t.posts["worker"]
    assert t.step_up(post, 5, D(2021, 1, 2), "bachelor", D(2024, 1, 1)) is None  # 2 years 364 days
    assert t.step_up(post, 5, D(2021, 1, 1), "bachelor", D(2024, 1, 1)) == 6  # exactly 3 years


def test_education_credit_takes_years_off_the_rule(ladder):
    t = LadderTable.load(ladder)
    post = t.posts["worker"]
    assert t.required_years("master") == 2
    assert t.step_up(post, 5, D(2022, 1, 1), "master", D(2024, 1, 1)) == 6
    assert t.step_up(post, 5, D(2022, 1, 1), "bachelor", D(2024, 1, 1)) is None


def test_no_step_up_at_the_top_of_the_post(ladder):
    t = LadderTable.load(ladder)
    post = t.posts["worker"]
    assert t.step_up(post, 11, D(2010, 1, 1), "below", D(2024, 1, 1)) == 12
    assert t.step_up(post, 12, D(2010, 1, 1), "below", D(2024, 1, 1)) is None
    assert t.clamp(post, 14) == 12
    assert t.clamp(t.posts["head"], 3) == 7


def test_pay_at_the_grade_boundaries_and_the_dual_role_subsidy(ladder):
    t = LadderTable.load(ladder)
    flags = {"kind": "professional", "is_committee": False, "dual_role": False}
    assert t.monthly(1, **flags) == Decimal("3000.00")
    assert t.monthly(12, **flags) == Decimal("4100.00")
    assert t.monthly(18, **flags) == Decimal("4700.00")
    assert t.monthly(8, kind="secretary", is_committee=True, dual_role=False) == Decimal("3700.00")
    # 001: a secretary who is also director is paid 300 元 more (3,800 → 4,100).
    assert t.monthly(9, kind="secretary", is_committee=True, dual_role=True) == Decimal("4100.00")
    assert t.grade_pay(99) == Decimal("4700.00")  # a grade past the table is paid as the top one
