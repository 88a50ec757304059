"""Settings for the Open311 throughput bench's gunicorn: production settings plus the ceiling URL.

Used only by bench/open311_throughput.py (gunicorn runs with --pythonpath bench)."""

from dangjian.settings import *  # noqa: F403

ROOT_URLCONF = "open311_urls"
