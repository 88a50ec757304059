"""双随机 (random inspection): the draw itself, a pure function of its candidates and its seed, so that
a logged seed draws the same sample again."""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import Any, TypeVar

T = TypeVar("T")
U = TypeVar("U")


def draw_sample(orgs: Sequence[T], inspectors: Sequence[U], *, seed: int, k: int, m: int) -> list[tuple[T, U]]:
    """`k` organizations and `m` inspectors drawn by `random.Random(seed)` from candidates given in a
    stable order; each organization is paired with the drawn inspectors in turn."""
    rng = random.Random(seed)
    chosen = rng.sample(list(orgs), min(k, len(orgs)))
    team = rng.sample(list(inspectors), min(m, len(inspectors)))
    if not team:
        return []
    return [(org, team[i % len(team)]) for i, org in enumerate(chosen)]


def stable(rows: Sequence[Any], key: str = "pk") -> list[Any]:
    return sorted(rows, key=lambda r: getattr(r, key))
