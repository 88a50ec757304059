"""The documented production setup (deploy/) matches the project: the units start what exists, the
consumer is supervised, and the environment file sets only what the settings read."""

from __future__ import annotations

import importlib
import re
from pathlib import Path

from django.conf import settings

ROOT = Path(settings.BASE_DIR)
DEPLOY = ROOT / "deploy"


def unit(name: str) -> dict[str, list[str]]:
    """A systemd unit's keys (continuation lines joined); a key may repeat."""
    text = (DEPLOY / "systemd" / name).read_text().replace("\\\n", " ")
    keys: dict[str, list[str]] = {}
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith(("#", "[")) and "=" in line:
            key, value = line.split("=", 1)
            keys.setdefault(key, []).append(value.strip())
    return keys


def test_the_web_unit_serves_the_projects_wsgi_application_and_restarts():
    web = unit("dangjian-web.service")
    start = web["ExecStart"][0].split()
    assert start[0] == web["WorkingDirectory"][0] + "/.venv/bin/gunicorn"
    module, attribute = start[1].split(":")
    assert callable(getattr(importlib.import_module(module), attribute))
    assert web["Restart"] == ["always"] and "--workers" in start
    assert "${WEB_WORKERS}" in start


def test_the_worker_unit_runs_the_consumer_supervised_and_stops_it_gracefully():
    worker = unit("dangjian-worker.service")
    start = worker["ExecStart"][0].split()
    assert start[0] == worker["WorkingDirectory"][0] + "/.venv/bin/python"
    assert start[1:] == ["manage.py", "run_huey"] and (ROOT / "manage.py").exists()
    assert worker["Restart"] == ["always"]
    assert worker["KillSignal"] == ["SIGINT"]  # huey's graceful stop; SIGTERM stops at once
    assert worker["EnvironmentFile"] == unit("dangjian-web.service")["EnvironmentFile"]


def test_the_environment_example_sets_only_what_the_settings_or_the_units_read():
    settings_text = (ROOT / "dangjian" / "settings.py").read_text()
    units_text = "".join(p.read_text() for p in (DEPLOY / "systemd").glob("*.service"))
    names = re.findall(r"^([A-Z_]+)=", (DEPLOY / "dangjian.env.example").read_text(), re.M)
    assert {"DATABASE_URL", "REDIS_URL", "HUEY_NAME", "SECRET_KEY_FILE", "ALLOWED_HOSTS"} <= set(names)
    for name in names:
        assert f'"{name}"' in settings_text or "${" + name + "}" in units_text or name == "DJANGO_SETTINGS_MODULE"
