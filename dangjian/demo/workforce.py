"""Demo 社区工作者队伍 (a DEMO_EXTENSIONS step)."""

from __future__ import annotations

import random
from typing import Any


def build(rng: random.Random, built: Any) -> None:
    """Filled in by the 社区工作者队伍 work."""
