"""The soak bench's own deployment pieces: a PostgreSQL cluster, a Redis, gunicorn and the Huey consumer.

The machine's shared PostgreSQL (5432) and Redis (6379) are never touched: the soak creates a cluster of
its own (`pg_createcluster 15 soak --port PORT`, Debian tooling, trust auth on loopback) and a Redis of
its own (`redis-server --port PORT --appendonly yes --appendfsync everysec`, data under var/), so that
`--faults` may restart them. Each piece is a small class the fault injector drives.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PG_VERSION = os.environ.get("SOAK_PG_VERSION", "15")
PG_CLUSTER = "soak"


def run(*command: str, check: bool = True) -> subprocess.CompletedProcess:
    return subprocess.run(command, check=check, capture_output=True, text=True)


class Postgres:
    """The soak's own cluster: created (and started) when missing; restart = `pg_ctlcluster ... restart`."""

    def __init__(self, port: int) -> None:
        self.port = port

    def _status(self) -> str:
        out = run("pg_lsclusters", "--no-header", check=False).stdout
        for row in out.splitlines():
            parts = row.split()
            if len(parts) >= 4 and parts[0] == PG_VERSION and parts[1] == PG_CLUSTER:
                if int(parts[2]) != self.port:
                    raise SystemExit(f"cluster {PG_VERSION}/{PG_CLUSTER} exists on port {parts[2]}, not {self.port}")
                return parts[3]
        return ""

    def ensure(self) -> None:
        status = self._status()
        if not status:
            # Trust on loopback and the socket: a bench-only cluster, never the machine's shared one.
            run(
                "pg_createcluster", PG_VERSION, PG_CLUSTER, "--port", str(self.port),
                "--", "--auth-host=trust", "--auth-local=trust",
            )  # fmt: skip
            status = "down"
        if status != "online":
            run("pg_ctlcluster", PG_VERSION, PG_CLUSTER, "start")
        self.wait()

    def url(self, name: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{name}"

    def wait(self, timeout: float = 60) -> None:
        import psycopg

        deadline = time.monotonic() + timeout
        while True:
            try:
                with psycopg.connect(self.url("postgres"), connect_timeout=2):
                    return
            except psycopg.OperationalError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.3)

    def create_database(self, name: str, fresh: bool) -> None:
        import psycopg

        with psycopg.connect(self.url("postgres"), autocommit=True) as conn:
            exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
            if exists and fresh:
                conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
                exists = None
            if not exists:
                conn.execute(f'CREATE DATABASE "{name}"')

    def restart(self) -> None:
        run("pg_ctlcluster", PG_VERSION, PG_CLUSTER, "restart", "-m", "fast")


class Redis:
    """The soak's own Redis with the persistence production uses (append-only file, fsync every second)."""

    def __init__(self, port: int, data_dir: Path) -> None:
        self.port = port
        self.data_dir = data_dir
        self.process: subprocess.Popen | None = None

    def url(self, db: int = 0) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"

    def _ping(self) -> bool:
        done = run("redis-cli", "-p", str(self.port), "ping", check=False)
        return done.stdout.strip() == "PONG"

    def ensure(self) -> None:
        if shutil.which("redis-server") is None:
            raise SystemExit("redis-server is not installed")
        if self._ping():
            return  # already running on that port (ours from an earlier run)
        self.start()

    def start(self) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.process = subprocess.Popen(
            [
                "redis-server", "--port", str(self.port), "--bind", "127.0.0.1",
                "--appendonly", "yes", "--appendfsync", "everysec",
                "--dir", str(self.data_dir), "--save", "", "--loglevel", "warning",
            ],
            stdout=subprocess.DEVNULL,
        )  # fmt: skip
        deadline = time.monotonic() + 20
        while not self._ping():
            if time.monotonic() > deadline:
                raise SystemExit("redis-server did not start")
            time.sleep(0.1)

    def restart(self) -> None:
        """As `systemctl restart redis` would: SHUTDOWN (the append-only file is flushed), start again."""
        run("redis-cli", "-p", str(self.port), "shutdown", check=False)
        if self.process is not None:
            self.process.wait(20)
        else:
            deadline = time.monotonic() + 20
            while self._ping() and time.monotonic() < deadline:
                time.sleep(0.1)
        self.start()

    def stop(self) -> None:
        run("redis-cli", "-p", str(self.port), "shutdown", check=False)
        if self.process is not None:
            self.process.wait(20)


def app_env(extra: dict[str, str]) -> dict[str, str]:
    env = dict(os.environ, **extra)
    env.update(DEBUG="0", DANGJIAN_HTTPS="0", DJANGO_SETTINGS_MODULE="dangjian.settings")
    env.setdefault("SECRET_KEY", "bench-only-secret-key-not-for-production-0123456789")
    env["ALLOWED_HOSTS"] = "127.0.0.1,localhost"
    return env


class Gunicorn:
    """gunicorn with `workers` sync workers; kill_worker() SIGKILLs one of them (the master re-forks)."""

    def __init__(self, port: int, workers: int, env: dict[str, str], log: Path) -> None:
        self.port, self.workers, self.env, self.log = port, workers, env, log
        self.process: subprocess.Popen | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        # Django's own log (tracebacks of 500s while a piece is down) goes beside gunicorn's, not to the bench.
        self._out = open(self.log.with_suffix(".out"), "a")  # noqa: SIM115 - open while gunicorn runs
        self.process = subprocess.Popen(
            [
                sys.executable, "-m", "gunicorn", "dangjian.wsgi", "-b", f"127.0.0.1:{self.port}",
                "-w", str(self.workers), "--timeout", "60", "--graceful-timeout", "30", "--log-level", "warning",
                "--max-requests", "5000", "--max-requests-jitter", "500",
                "--error-logfile", str(self.log),
            ],
            cwd=REPO,
            env=self.env,
            stdout=self._out,
            stderr=subprocess.STDOUT,
        )  # fmt: skip
        if not wait_healthy(self.base, 60, any_status=True):
            self.stop()
            raise SystemExit("gunicorn did not answer within 60 s")

    def worker_pids(self) -> list[int]:
        assert self.process is not None
        children = run("pgrep", "-P", str(self.process.pid), check=False).stdout.split()
        return [int(p) for p in children]

    def kill_worker(self, pid: int) -> None:
        os.kill(pid, signal.SIGKILL)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.process.kill()


class Consumer:
    """`manage.py run_huey` under a supervisor of our own: kill_and_restart() is kill -9, then a fresh start
    as systemd (Restart=always) would do it."""

    def __init__(self, env: dict[str, str], log: Path) -> None:
        self.env, self.log = env, log
        self.process: subprocess.Popen | None = None
        self.restarts = 0

    def start(self) -> None:
        with open(self.log, "a") as out:
            self.process = subprocess.Popen(
                [sys.executable, "manage.py", "run_huey"], cwd=REPO, env=self.env, stdout=out, stderr=out,
                start_new_session=True,
            )  # fmt: skip

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def kill_and_restart(self) -> None:
        assert self.process is not None
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(10)
        self.restarts += 1
        self.start()

    def stop(self) -> None:
        if self.alive():
            assert self.process is not None
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)


def health(base: str) -> tuple[int, dict]:
    """(status, body) of GET /healthz; (0, {}) when nothing answers."""
    try:
        with urllib.request.urlopen(base + "/healthz", timeout=5) as response:
            return response.status, json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as exc:
        try:
            return exc.code, json.loads(exc.read() or b"{}")
        except ValueError:
            return exc.code, {}
    except (OSError, ValueError):
        return 0, {}


def wait_healthy(base: str, timeout: float, any_status: bool = False, consumer: bool = False) -> float | None:
    """Poll /healthz every 0.2 s until it answers 200 (any status with any_status; and the queue's consumer
    alive with consumer); the seconds it took, or None on timeout."""
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        status, body = health(base)
        answered = (any_status and status) or status == 200
        if answered and (not consumer or body.get("checks", {}).get("queue", {}).get("consumer_alive")):
            return time.monotonic() - start
        time.sleep(0.2)
    return None
