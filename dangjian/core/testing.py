"""Helpers for tests that need real concurrency (imported by tests only)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from django.db import connection


def run_at_once(*jobs: Callable[[], Any], timeout: float = 60) -> list[tuple[str, Any]]:
    """Run the jobs in threads released together, each on its own database connection.

    Returns ("ok", value) or ("error", exception) per job, in order: the loser's refusal is usually
    what a test looks at."""
    barrier = threading.Barrier(len(jobs))
    results: list[Any] = [None] * len(jobs)

    def runner(i: int, job: Callable[[], Any]) -> None:
        try:
            barrier.wait(timeout=10)
            results[i] = ("ok", job())
        except Exception as exc:
            results[i] = ("error", exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=runner, args=(i, job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    return results
