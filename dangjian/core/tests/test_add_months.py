import datetime

import pytest

from dangjian.core.periods import add_months

D = datetime.date


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (D(2026, 1, 31), 1, D(2026, 2, 28)),  # no 31 February: the month's last day
        (D(2024, 1, 31), 1, D(2024, 2, 29)),
        (D(2026, 3, 31), -1, D(2026, 2, 28)),  # backwards (the cockpit's "same day last month")
        (D(2026, 12, 7), 1, D(2027, 1, 7)),
        (D(2026, 1, 1), -1, D(2025, 12, 1)),  # first days stay first days (dues months, org-life periods)
        (D(2026, 12, 7), -12, D(2025, 12, 7)),
        (D(2024, 2, 29), 12, D(2025, 2, 28)),
    ],
)
def test_add_months_keeps_the_day_or_the_months_last(day, months, expected):
    assert add_months(day, months) == expected
