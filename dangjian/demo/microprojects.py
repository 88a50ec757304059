"""Demo 民生微实事 (a DEMO_EXTENSIONS step)."""

from __future__ import annotations

import random
from typing import Any


def build(rng: random.Random, built: Any) -> None:
    """Filled in by the 民生微实事 work."""
