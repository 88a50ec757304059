"""The demo's clock: run a service as if it were a moment in the past.

The demo is built through the services in time order, each step at its planned moment, so every
row a step writes (its log row, its audit row, its timestamps, the deadline it computes, the number
of the day) reads as it would have in life. Only the demo builders use this; it holds no state
beyond the `with` block.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from contextlib import contextmanager
from unittest import mock


@contextmanager
def clock(at: datetime.datetime) -> Iterator[None]:
    """Within the block, django.utils.timezone.now() (auto_now fields, services) returns `at`."""
    with mock.patch("django.utils.timezone.now", return_value=at):
        yield
