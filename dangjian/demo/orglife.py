"""Demo 组织生活 (a DEMO_EXTENSIONS step)."""

from __future__ import annotations

import random
from typing import Any


def build(rng: random.Random, built: Any) -> None:
    """Filled in by the 组织生活 work."""
