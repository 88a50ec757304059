from decimal import Decimal

import pytest
from django.template import Context, Template

from dangjian.core.money import fen, yuan, yuan_text


@pytest.mark.parametrize(
    ("amount", "expected"),
    [(Decimal("12.34"), 1234), ("0.005", 1), ("0.004", 0), (None, 0), ("", 0), (7, 700), (Decimal("-1.235"), -124)],
)
def test_fen_rounds_half_up(amount, expected):
    assert fen(amount) == expected


def test_yuan_is_fen_back_with_two_decimals():
    assert yuan(1234) == Decimal("12.34") and str(yuan(100)) == "1.00" and yuan(fen("963.13")) == Decimal("963.13")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (Decimal("38000"), "38,000.00"),
        ("9631300.5", "9,631,300.50"),
        (Decimal("-1234.567"), "-1,234.57"),
        (0, "0.00"),
        (None, ""),
        ("", ""),
        ("abc", ""),
    ],
)
def test_yuan_text_groups_thousands_whatever_the_locale(value, expected):
    assert yuan_text(value) == expected


def test_template_filter_is_the_same_function(settings):
    settings.LANGUAGE_CODE = "zh-hans"
    out = Template("{% load money %}{{ a|yuan }} {{ b|yuan }}").render(Context({"a": Decimal("100000"), "b": None}))
    assert out == "100,000.00 "
