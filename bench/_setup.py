"""Shared set-up for the benchmark scripts: Django on a benchmark database of its own.

DATABASE_URL is honoured when the caller sets it; otherwise each script uses its own SQLite
file under var/, never the development database.
"""

from __future__ import annotations

import math
import os
import statistics
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def setup_django(default_sqlite: str) -> str:
    """Point DATABASE_URL at var/<default_sqlite> unless set, then django.setup(). Returns the URL."""
    if str(REPO) not in sys.path:
        sys.path.insert(0, str(REPO))
    var_dir = Path(os.environ.get("DANGJIAN_VAR_DIR", REPO / "var"))
    var_dir.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{var_dir / default_sqlite}")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dangjian.settings")
    import django

    django.setup()
    return os.environ["DATABASE_URL"]


def quiet_debug() -> None:
    """Stop Django's DEBUG query log (it wraps every cursor and keeps every SQL text) while timing."""
    from django.conf import settings

    settings.DEBUG = False


def describe_db() -> str:
    from django.db import connection

    vendor = connection.vendor
    name = connection.settings_dict["NAME"]
    if vendor == "sqlite":
        import sqlite3

        return f"sqlite {sqlite3.sqlite_version} {name}"
    with connection.cursor() as cursor:
        cursor.execute("show server_version")
        version = cursor.fetchone()[0]
    return f"{vendor} {version} {name}"


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0-100) by the nearest-rank method."""
    ordered = sorted(values)
    rank = max(1, min(len(ordered), math.ceil(q / 100 * len(ordered))))
    return ordered[rank - 1]


def median(values: list[float]) -> float:
    return statistics.median(values)


def line(label: str, value: object, unit: str = "") -> None:
    """One figure per line: `label: value unit`."""
    print(f"{label}: {value}{(' ' + unit) if unit else ''}", flush=True)
