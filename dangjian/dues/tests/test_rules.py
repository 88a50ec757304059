"""The bracket table at every boundary (upper bounds inclusive, 中组发〔2008〕3号) and as data per district."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from dangjian.dues import rules
from dangjian.dues.models import Bracket, PayCategory

D = Decimal
S, R = PayCategory.SALARIED, PayCategory.RETIRED


@pytest.mark.parametrize(
    ("category", "pay", "expected"),
    [
        (S, "0", "0.00"),
        (S, "2999.99", "15.00"),
        (S, "3000", "15.00"),  # 3000元以下（含3000元）: 0.5 %
        (S, "3000.01", "30.00"),  # above 3000: 1 %
        (S, "5000", "50.00"),  # 含5000元: 1 %
        (S, "5000.01", "75.00"),  # 1.5 %
        (S, "10000", "150.00"),  # 含10000元: 1.5 %
        (S, "10000.01", "200.00"),  # 2 %
        (S, "25000", "500.00"),
        (S, "3333.33", "33.33"),
        (S, "4321.50", "43.22"),  # rounded half up to the fen
        (R, "5000", "25.00"),  # retirees: 5000 inclusive 0.5 %
        (R, "5000.01", "50.00"),  # above: 1 %
        (R, "2000", "10.00"),
        (PayCategory.STUDENT, None, "0.20"),
        (PayCategory.UNEMPLOYED, None, "0.20"),
        (PayCategory.SUBSISTENCE, None, "0.20"),
        (PayCategory.FARMER, None, "0.20"),
    ],
)
def test_it_computes_the_default_brackets_at_their_boundaries(category, pay, expected):
    amount = rules.monthly_amount(rules.DEFAULT_TABLE, category, D(pay) if pay is not None else None)
    assert amount == D(expected)


def test_it_lets_a_farmer_choose_between_the_bounds():
    assert rules.monthly_amount(rules.DEFAULT_TABLE, PayCategory.FARMER, None, D("0.5")) == D("0.50")
    assert rules.monthly_amount(rules.DEFAULT_TABLE, PayCategory.FARMER, None, D("1")) == D("1.00")
    # Outside the bounds the minimum applies (the form refuses it before).
    assert rules.monthly_amount(rules.DEFAULT_TABLE, PayCategory.FARMER, None, D("5")) == D("0.20")


def test_it_refuses_a_rated_category_without_pay():
    with pytest.raises(ValidationError):
        rules.monthly_amount(rules.DEFAULT_TABLE, S, None)


def test_a_districts_own_table_applies_from_its_month(world):
    table = rules.install_defaults(district=world.district, effective_from=datetime.date(2026, 7, 1))
    Bracket.objects.filter(rules=table, category=S, up_to=D("3000")).update(rate=D("0.8"))
    before = rules.table_for(world.district.pk, datetime.date(2026, 6, 1))
    after = rules.table_for(world.district.pk, datetime.date(2026, 7, 1))
    assert before.rules_id is None  # the defaults
    assert after.rules_id == table.pk
    assert rules.monthly_amount(before, S, D("3000")) == D("15.00")
    assert rules.monthly_amount(after, S, D("3000")) == D("24.00")
    assert rules.monthly_amount(after, S, D("3000.01")) == D("30.00")


def test_months_add_across_years():
    assert rules.add_months(datetime.date(2026, 12, 1), 1) == datetime.date(2027, 1, 1)
    assert rules.add_months(datetime.date(2026, 1, 1), -1) == datetime.date(2025, 12, 1)
