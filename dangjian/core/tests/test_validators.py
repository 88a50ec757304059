import datetime

import pytest
from django.core.exceptions import ValidationError

from dangjian.core.validators import (
    citizen_id_check_char,
    citizen_id_sex,
    credit_code_check_char,
    mask_citizen_id,
    validate_citizen_id,
    validate_credit_code,
    validate_mobile,
)

# The example in GB 11643-1999, appendix: 11010519491231002X.
STANDARD_ID = "11010519491231002X"


def with_check(first17: str) -> str:
    return first17 + citizen_id_check_char(first17)


@pytest.mark.parametrize(
    "value", [STANDARD_ID, "11010519491231002x", with_check("44040219900101123"), with_check("44040220000229001")]
)
def test_it_accepts_valid_id_numbers(value):
    assert validate_citizen_id(value) == value.upper()


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("110105194912310021", "校验位错误（应为 X）"),  # the standard's example with a wrong check char
        ("11010519491231002", "18 位"),
        ("1101051949123100AX", "18 位"),
        ("990105194912310028", "省级行政区划"),
        ("110105194902300025", "不存在"),  # 30 February
        ("110105209912310025", "不合理"),  # born in the future
    ],
)
def test_it_refuses_bad_id_numbers_saying_why(value, message):
    with pytest.raises(ValidationError) as exc:
        validate_citizen_id(value, today=datetime.date(2026, 11, 21))
    assert message in exc.value.messages[0]


def test_id_check_characters_and_sex():
    assert citizen_id_check_char("11010519491231002") == "X"
    assert citizen_id_sex(STANDARD_ID) == "female"  # 17th digit 2
    assert citizen_id_sex(with_check("44040219900101123")) == "male"
    assert mask_citizen_id(STANDARD_ID) == "110105********002X"


# The example in GB 32100-2015, and codes built here with their check character.
@pytest.mark.parametrize(
    "value", ["91350100M000100Y43", "91440402MA4UX0AB1" + credit_code_check_char("91440402MA4UX0AB1")]
)
def test_it_accepts_valid_credit_codes(value):
    assert validate_credit_code(value) == value


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("91350100M000100Y44", "校验位错误（应为 3）"),
        ("91350100M000100Y4", "18 位"),
        ("91350100M0001O0Y43", "不允许的字符：O"),
        ("9135A100M000100Y43", "行政区划代码"),
    ],
)
def test_it_refuses_bad_credit_codes_saying_why(value, message):
    with pytest.raises(ValidationError) as exc:
        validate_credit_code(value)
    assert message in exc.value.messages[0]


def test_credit_check_character():
    assert credit_code_check_char("91350100M000100Y4") == "3"


def test_mobile_numbers():
    assert validate_mobile("138 1234 5678") == "13812345678"
    assert validate_mobile("+8613812345678") == "13812345678"
    for bad in ("12812345678", "1381234567", "abc"):
        with pytest.raises(ValidationError):
            validate_mobile(bad)
