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
    target, template = var_dir / default_sqlite, os.environ.get("BENCH_SQLITE_TEMPLATE", "")
    if "DATABASE_URL" not in os.environ and template and Path(template).exists() and not target.exists():
        import shutil

        shutil.copyfile(template, target)  # `make bench`: start from a migrated empty database
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


# --- Sizes: every bench accepts --size small|city|province ---------------------------------------
SIZES = ("small", "city", "province")


def add_size_argument(parser, default: str = "small") -> None:
    """`--size small|city|province`: small runs in seconds on SQLite (`make bench`); city and province
    are the sizes of design.md, meant for PostgreSQL."""
    parser.add_argument("--size", choices=SIZES, default=default, help="data size (default: %(default)s)")


def sized(size: str, small, city, province):
    """The value for `size` among the three given."""
    return {"small": small, "city": city, "province": province}[size]


# --- Pages through gunicorn on loopback, signed in, DEBUG off ------------------------------------
class Server:
    """`with Server() as server:` runs gunicorn on a free loopback port against the bench database
    (DEBUG off), and `server.session(username, password)` returns a signed-in requests-like session;
    `server.time_page(session, path, calls)` returns the per-call wall times in ms of GET path (the
    status must be 200)."""

    def __init__(self, workers: int = 1) -> None:
        self.workers = workers
        self.process = None
        self.port = 0

    def __enter__(self) -> Server:
        import socket
        import subprocess
        import time

        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        env = dict(os.environ, DEBUG="0", DANGJIAN_HTTPS="0", DJANGO_SETTINGS_MODULE="dangjian.settings")
        env.setdefault("SECRET_KEY", "bench-only-secret-key-not-for-production-0123456789")
        env["ALLOWED_HOSTS"] = "127.0.0.1,localhost"
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "dangjian.wsgi",
                "-b",
                f"127.0.0.1:{self.port}",
                "-w",
                str(self.workers),
                "--log-level",
                "warning",
            ],
            cwd=REPO,
            env=env,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return self
            except OSError:
                time.sleep(0.2)
        self.__exit__()
        raise RuntimeError("gunicorn did not start")

    def __exit__(self, *exc) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(10)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def session(self, username: str, password: str):
        import re
        import urllib.request
        from http.cookiejar import CookieJar
        from urllib.parse import urlencode

        jar = CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        html = opener.open(self.base + "/accounts/login/").read().decode()
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
        data = urlencode({"csrfmiddlewaretoken": token, "username": username, "password": password}).encode()
        request = urllib.request.Request(self.base + "/accounts/login/", data=data, headers={"Referer": self.base})
        opener.open(request).read()
        if not any(c.name == "sessionid" for c in jar):
            raise RuntimeError(f"could not sign in as {username}")
        return opener

    def time_page(self, opener, path: str, calls: int) -> list[float]:
        import time

        times = []
        for _ in range(calls):
            start = time.perf_counter()
            with opener.open(self.base + path) as response:
                response.read()
                if response.status != 200:
                    raise RuntimeError(f"{path}: HTTP {response.status}")
            times.append((time.perf_counter() - start) * 1000)
        return times


def page_query_count(user, path):
    """How many SQL queries the page takes, counted in this process (Django's test client, DEBUG off),
    the second time the signed-in user opens it."""
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    if "testserver" not in settings.ALLOWED_HOSTS:
        settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    client = Client()
    client.force_login(user)
    client.get(path)
    with CaptureQueriesContext(connection) as ctx:
        status = client.get(path).status_code
    return len(ctx.captured_queries) if status == 200 else f"not measured (status {status})"
