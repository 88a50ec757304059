"""Grades from a scheme's thresholds (data per scheme), at and around each boundary; ranks share a place
on equal totals."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from dangjian.assessment.models import Grade, Scheme
from dangjian.assessment.services.schemes import ranks

D = Decimal


@pytest.mark.parametrize(
    ("total", "grade"),
    [
        ("100", Grade.GOOD), ("90", Grade.GOOD), ("89.9", Grade.FAIR), ("80", Grade.FAIR), ("79.9", Grade.PASS),
        ("60", Grade.PASS), ("59.9", Grade.POOR), ("0", Grade.POOR),
    ],
)  # fmt: skip
def test_it_grades_by_the_default_thresholds(total, grade):
    assert Scheme().grade_of(D(total)) == grade


def test_a_scheme_sets_its_own_thresholds():
    scheme = Scheme(good_from=D("95"), fair_from=D("85"), pass_from=D("70"))
    assert [scheme.grade_of(D(t)) for t in ("95", "94.9", "85", "84.9", "70", "69.9")] == [
        Grade.GOOD, Grade.FAIR, Grade.FAIR, Grade.PASS, Grade.PASS, Grade.POOR,
    ]  # fmt: skip


@pytest.mark.django_db
def test_the_database_refuses_thresholds_out_of_order(world, scheme):
    scheme.fair_from = D("95")
    with pytest.raises(IntegrityError), transaction.atomic():
        scheme.save()


def test_equal_totals_share_a_rank():
    assert ranks([(1, D("88")), (2, D("92")), (3, D("88")), (4, D("70"))]) == {2: 1, 1: 2, 3: 2, 4: 4}


def test_the_default_lists_weigh_a_hundred_points():
    from dangjian.assessment.rules import default_items

    for kind in ("responsibility", "model_branch"):
        assert sum(row["weight"] for row in default_items(kind)) == 100


def test_an_unknown_kind_is_refused(db):
    from dangjian.assessment.services.schemes import scheme_create
    from dangjian.territory.services import area_create

    district = area_create(actor=None, level="district", name="测试区", parent=None)
    with pytest.raises(ValidationError):
        scheme_create(actor=None, district=district, year=2026, kind="nope")
