"""core.locks: one run of a periodic task at a time, and a lock that a dead holder cannot keep.

On PostgreSQL the lock is a session advisory lock, on SQLite a file flock; the same tests run on both.
"""

from __future__ import annotations

import importlib
import os
import signal
import subprocess
import sys
import threading
import time

import pytest
from django.conf import settings
from django.db import connection, connections
from huey.contrib.djhuey import HUEY

from dangjian.core import locks

pytestmark = pytest.mark.django_db(transaction=True)


def in_thread(target, *args):
    """Run target in a thread of its own (its own database connection, closed at its end)."""
    out: dict = {}

    def run():
        try:
            out["value"] = target(*args)
        except BaseException as exc:  # noqa: BLE001 - handed back to the test
            out["error"] = exc
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    return thread, out


def test_two_runs_at_once_do_the_work_once():
    entered, release = threading.Event(), threading.Event()
    done: list[str] = []

    @locks.single_run(name="test:two-at-once")
    def work(label):
        done.append(label)
        if label == "first":
            entered.set()
            assert release.wait(30)
        return f"{label} done"

    thread, first = in_thread(work, "first")
    assert entered.wait(30)
    # While the first run holds the lock, a second run (another thread, another connection) skips.
    assert work("second") == locks.SKIPPED
    release.set()
    thread.join(30)
    assert first == {"value": "first done"} and done == ["first"]
    # Once the first run is over, the next one runs.
    assert work("third") == "third done" and done == ["first", "third"]


def test_a_real_periodic_task_skips_while_another_run_holds_its_lock(world):
    from dangjian.cases import tasks

    name = tasks.case_deadline_scan.func.__wrapped__.lock_name
    holding, release = threading.Event(), threading.Event()

    def hold():
        with locks.held(name) as acquired:
            holding.set()
            assert release.wait(30)
            return acquired

    thread, out = in_thread(hold)
    assert holding.wait(30)
    assert tasks.case_deadline_scan.call_local() == locks.SKIPPED
    release.set()
    thread.join(30)
    assert out == {"value": True}
    assert isinstance(tasks.case_deadline_scan.call_local(), dict)  # free again: it scans


def test_every_periodic_task_of_the_project_takes_a_lock():
    from django.apps import apps
    from django.utils.module_loading import module_has_submodule

    for app in apps.get_app_configs():  # what the consumer autodiscovers
        if app.name.startswith("dangjian.") and module_has_submodule(app.module, "tasks"):
            importlib.import_module(f"{app.name}.tasks")
    names = []
    for task_class in HUEY._registry._periodic_tasks:
        wrapper = getattr(sys.modules[task_class.__module__], task_class.__name__)
        func = wrapper.func
        while not hasattr(func, "lock_name") and hasattr(func, "__wrapped__"):
            func = func.__wrapped__
        assert hasattr(func, "lock_name"), f"{task_class.__module__}.{task_class.__name__} has no @single_run"
        names.append(func.lock_name)
    assert len(names) >= 10 and len(set(names)) == len(names)


def test_a_lock_whose_connection_is_closed_is_free_again():
    name = "test:closed-holder"
    holding, closed = threading.Event(), threading.Event()

    def hold_then_close():
        with locks.held(name) as acquired:
            holding.set()
            connection.close()  # the holder's connection ends while it holds the lock
            closed.set()
            return acquired

    thread, out = in_thread(hold_then_close)
    assert holding.wait(30) and closed.wait(30)
    thread.join(30)
    assert out == {"value": True}
    assert eventually_free(name)


def test_a_lock_held_by_a_killed_process_is_free_again():
    """A worker killed with SIGKILL while it holds the lock (no finally, no unlock) leaves it free."""
    name = "test:killed-holder"
    db = connection.settings_dict
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="dangjian.settings", DANGJIAN_VAR_DIR=str(settings.VAR_DIR))
    if connection.vendor == "postgresql":
        password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
        env["DATABASE_URL"] = f"postgres://{db['USER']}{password}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"
    code = (
        "import django, sys, time; django.setup()\n"
        "from dangjian.core import locks\n"
        f"with locks.held({name!r}) as acquired:\n"
        "    print('held' if acquired else 'busy', flush=True)\n"
        "    time.sleep(600)\n"
    )
    child = subprocess.Popen([sys.executable, "-c", code], env=env, stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout.readline().strip() == "held"
        assert not locks.is_free(name)  # another process holds it
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait(30)
    assert eventually_free(name)


def eventually_free(name: str) -> bool:
    """The database notices a dropped connection a moment after the process is gone: ask for up to
    ten seconds (this is the only wait; nothing is asserted about how long it takes)."""
    for _ in range(100):
        if locks.is_free(name):
            return True
        time.sleep(0.1)
    return False
