"""The soak: a district's morning of signed-in users of every role, optionally with faults, then a reconciliation.

    .venv/bin/python bench/soak.py --size small                   # `make bench`: 20 users, 2 minutes, SQLite
    .venv/bin/python bench/soak.py --users 200 --minutes 30       # the morning (the default), PostgreSQL + Redis
    .venv/bin/python bench/soak.py --users 200 --minutes 30 --faults

What runs, all on loopback: gunicorn (`--workers` sync workers, DEBUG off, the flags of
deploy/systemd/dangjian-web.service) and the Huey consumer
(`manage.py run_huey`, restarted by this process when it dies, as systemd's Restart=always would), on
PostgreSQL and Redis of the bench's own: a cluster `pg_createcluster 15 soak --port --pg-port` (55432)
and `redis-server --port --redis-port` (6390) with the production persistence (`--appendonly yes
--appendfsync everysec`, data under $DANGJIAN_VAR_DIR/soak-redis), both created when missing; the
machine's shared PostgreSQL and Redis are never touched. `--size small` runs on SQLite (the Huey queue in
a SQLite file) unless `--pg` is given. The database is dangjian_soak (`--fresh` drops it first), with the
demo district and `--users` accounts in the demo's proportions (bench/soak_db.py).

The users are Locust users run as a library in a process of their own (bench/soak_load.py): residents
file cases and wishes and rate them, members claim and finish, workers accept, publish and dispatch,
departments take and close, admins read figures and export; think time between actions; a phone's
retries (the same body and idempotency key) when a request gets no answer or a 5xx.

`--faults`: at random moments (seeded by `--seed`), one at a time and each kind in turn: SIGKILL a
gunicorn worker, kill -9 the Huey consumer and start it again, restart Redis, restart PostgreSQL
(`pg_ctlcluster 15 soak restart -m fast`). Each is printed with its time and how long until /healthz
answered 200 again (and, for the consumer, until its heartbeat task ran again).

At the end: requests, errors, p50/p95/p99 per page kind, the faults, then (after the queue drained) the
reconciliation (bench/soak_db.py check): every write the clients were told succeeded exists exactly once,
the claims and steps have their log rows, and `manage.py integrity --json`. Exits 1 when it finds any.
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import threading
import time
from pathlib import Path

from _setup import REPO, add_size_argument, line, sized
from soak_services import Consumer, Gunicorn, Postgres, Redis, app_env, health, wait_healthy

DB_NAME = "dangjian_soak"
FAULTS = ("gunicorn worker SIGKILL", "huey consumer kill -9 + restart", "redis restart", "postgresql restart")


class Supervisor(threading.Thread):
    """Starts the consumer again when it exits, as systemd (Restart=always, RestartSec=1) would."""

    def __init__(self, consumer: Consumer) -> None:
        super().__init__(daemon=True)
        self.consumer, self.stopping = consumer, threading.Event()
        self.lock = threading.Lock()
        self.revived = 0

    def run(self) -> None:
        while not self.stopping.wait(1.0):
            with self.lock:
                if not self.consumer.alive():
                    self.revived += 1
                    self.consumer.start()


def heartbeat(base: str) -> str:
    """The consumer's last heartbeat as /healthz tells it (checks.consumer, or checks.queue before)."""
    _status, body = health(base)
    checks = body.get("checks", {})
    return (
        (checks.get("consumer") or {}).get("last_heartbeat") or (checks.get("queue") or {}).get("last_heartbeat") or ""
    )


def inject(kind: str, *, server: Gunicorn, consumer: Consumer, supervisor: Supervisor, pg, redis, rng) -> str:
    """Do one fault; returns what was done."""
    if kind == FAULTS[0]:
        pids = server.worker_pids()
        if not pids:
            return "no worker to kill"
        pid = rng.choice(pids)
        server.kill_worker(pid)
        return f"killed worker pid {pid}"
    if kind == FAULTS[1]:
        with supervisor.lock:
            old = consumer.process.pid if consumer.process else 0
            consumer.kill_and_restart()
        return f"killed consumer pid {old}, started {consumer.process.pid}"
    if kind == FAULTS[2]:
        redis.restart()
        return "redis-cli shutdown, redis-server started again"
    pg.restart()
    return "pg_ctlcluster restart -m fast"


def fault_loop(args, stop: threading.Event, results: list, **pieces) -> None:
    rng = random.Random(args.seed)
    kinds = [k for k in FAULTS if (k != FAULTS[2] or pieces["redis"]) and (k != FAULTS[3] or pieces["pg"])]
    total = args.minutes * 60
    # Spread the faults over the run, leaving its first and last tenth quiet; each kind in turn.
    count = max(len(kinds), int(total // args.fault_every))
    start = time.monotonic()
    moments = sorted(rng.uniform(total * 0.1, total * 0.85) for _ in range(count))
    order = []
    while len(order) < count:
        batch = kinds[:]
        rng.shuffle(batch)
        order += batch
    base = pieces["server"].base
    for at, kind in zip(moments, order, strict=False):
        if stop.wait(max(0.0, start + at - time.monotonic())):
            return
        before = heartbeat(base) if kind == FAULTS[1] else ""
        t = time.strftime("%H:%M:%S")
        began = time.monotonic()
        done = inject(kind, rng=rng, **pieces)
        took = time.monotonic() - began
        back = wait_healthy(base, 180)
        text = f"at {t} (+{began - start:.0f} s): {done} (took {took:.1f} s); /healthz 200 " + (
            f"{took + back:.1f} s after the fault began" if back is not None else "not within 180 s"
        )
        if kind == FAULTS[1]:
            # The consumer is back when its minute heartbeat task has run again.
            t0 = time.monotonic()
            while time.monotonic() - t0 < 150 and heartbeat(base) in ("", before):
                time.sleep(1)
            beat = heartbeat(base)
            text += (
                f"; its heartbeat task ran again {time.monotonic() - began:.0f} s after the fault began"
                if beat not in ("", before)
                else "; no heartbeat within 150 s"
            )
        results.append((kind, text))
        line(f"fault · {kind}", text)


def wait_queue_drained(base: str, timeout: float) -> int:
    deadline = time.monotonic() + timeout
    pending = -1
    while time.monotonic() < deadline:
        _status, body = health(base)
        pending = (body.get("checks", {}).get("queue", {}) or {}).get("pending", -1)
        if pending == 0:
            return 0
        time.sleep(2)
    return pending


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_size_argument(parser, default="city")  # without --size: the morning, on PostgreSQL
    parser.add_argument("--users", type=int, default=0, help="signed-in users (default: small 20, else 200)")
    parser.add_argument("--minutes", type=float, default=0, help="length of the load (default: small 2, else 30)")
    parser.add_argument("--faults", action="store_true", help="kill and restart pieces during the run")
    parser.add_argument("--fault-every", type=float, default=150, help="about one fault per this many seconds")
    parser.add_argument("--pg", action="store_true", help="PostgreSQL + Redis also at --size small")
    parser.add_argument("--pg-port", type=int, default=55432, help="the bench's own PostgreSQL cluster port")
    parser.add_argument("--redis-port", type=int, default=6390, help="the bench's own Redis port")
    parser.add_argument(
        "--workers", type=int, default=5, help="gunicorn sync workers (default 5: 2 x cores + 1, deploy/)"
    )
    parser.add_argument("--port", type=int, default=8390)
    parser.add_argument("--think", type=float, nargs=2, default=None, help="think time between actions (s)")
    parser.add_argument("--fresh", action="store_true", help="drop the soak database first")
    parser.add_argument("--seed", type=int, default=22)
    args = parser.parse_args()
    args.users = args.users or sized(args.size, 20, 200, 200)
    args.minutes = args.minutes or sized(args.size, 2, 30, 30)
    think = args.think or ((2.0, 6.0) if args.size == "small" else (5.0, 15.0))

    var = Path(os.environ.get("DANGJIAN_VAR_DIR", REPO / "var"))
    var.mkdir(parents=True, exist_ok=True)
    run_id = time.strftime("%Y%m%d%H%M%S")
    run_dir = var / f"soak-{run_id}"
    run_dir.mkdir()
    line("command", " ".join([os.path.basename(sys.executable), *sys.argv]))
    extra: dict[str, str] = {"HUEY_NAME": "dangjian-soak", "LOG_LEVEL": "WARNING"}
    pg = redis = None
    if args.pg or args.size != "small" or os.environ.get("DATABASE_URL", "").startswith("postgres"):
        pg = Postgres(args.pg_port)
        pg.ensure()
        pg.create_database(DB_NAME, fresh=args.fresh)
        redis = Redis(args.redis_port, var / "soak-redis")
        redis.ensure()
        extra.update(DATABASE_URL=pg.url(DB_NAME), REDIS_URL=redis.url(0))
        line("database", f"postgresql (own cluster {args.pg_port}) {DB_NAME}; redis {args.redis_port} appendonly")
    else:
        sqlite = var / "bench_soak.sqlite3"
        if args.fresh and sqlite.exists():
            sqlite.unlink()
        extra.update(DATABASE_URL=f"sqlite:///{sqlite}", HUEY_FILE="soak-huey.sqlite3")
        line("database", f"sqlite {sqlite}; huey in a sqlite file")
    env = app_env(extra)
    os.environ.update(extra)
    accounts = run_dir / "accounts.json"
    t0 = time.monotonic()
    subprocess.run(
        [sys.executable, str(REPO / "bench" / "soak_db.py"), "setup", "--users", str(args.users), "--accounts",
         str(accounts)], check=True, env={**os.environ, "DEBUG": "1"},
    )  # fmt: skip
    line("set-up (migrate, demo district when missing, accounts)", f"{time.monotonic() - t0:.0f}", "s")

    server = Gunicorn(args.port, args.workers, env, run_dir / "gunicorn.log")
    consumer = Consumer(env, run_dir / "huey.log")
    consumer.start()
    server.start()
    supervisor = Supervisor(consumer)
    supervisor.start()
    line("server", f"gunicorn {args.workers} sync workers on {server.base}, DEBUG off; huey consumer supervised")
    line(
        "load", f"{args.users} users for {args.minutes:g} min, think {think[0]:g}-{think[1]:g} s, cpus {os.cpu_count()}"
    )
    stop, faults = threading.Event(), []
    injector = None
    if args.faults:
        pieces = {"server": server, "consumer": consumer, "supervisor": supervisor, "pg": pg, "redis": redis}
        injector = threading.Thread(target=fault_loop, args=(args, stop, faults), kwargs=pieces, daemon=True)
        injector.start()
    writes = run_dir / "writes.jsonl"
    try:
        load = subprocess.run(
            [sys.executable, str(REPO / "bench" / "soak_load.py"), "--host", server.base, "--accounts", str(accounts),
             "--seconds", str(args.minutes * 60), "--log", str(writes), "--think", *map(str, think), "--run", run_id],
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )  # fmt: skip
        stop.set()
        if injector is not None:
            injector.join(200)
        line("load process exit status", load.returncode)
        for kind in FAULTS:
            done = [text for k, text in faults if k == kind]
            if args.faults:
                line(f"faults · {kind}", len(done))
        line("consumer restarts by the supervisor (after it died)", supervisor.revived)
        pending = wait_queue_drained(server.base, 300)
        line("queue pending after the run (waited for it to drain, up to 300 s)", pending)
    finally:
        supervisor.stopping.set()
        server.stop()
        consumer.stop()
    check = subprocess.run(
        [sys.executable, str(REPO / "bench" / "soak_db.py"), "check", "--log", str(writes), "--run", run_id],
        env={**env, "DEBUG": "0"},
    )
    line("run directory (accounts, write log, gunicorn and huey logs)", run_dir)
    sys.exit(check.returncode or (1 if load.returncode else 0))


if __name__ == "__main__":
    main()
