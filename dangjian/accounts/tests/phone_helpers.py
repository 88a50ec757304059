"""Shared by the phone-code, password-reset and sign-up tests: a clock the test moves, the console
outbox in a temporary folder, and reading the last code sent to a number."""

from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from dangjian.notifications import channels
from dangjian.notifications.channels.console import read_outbox


class Clock:
    def __init__(self):
        self.now = timezone.make_aware(datetime(2026, 12, 1, 9, 0, 0))

    def __call__(self):
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@pytest.fixture
def outbox(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    settings.NOTIFY_BACKENDS = {}
    channels._backend.cache_clear()
    return tmp_path / "outbox.log"


@pytest.fixture
def clock(monkeypatch):
    clock = Clock()
    monkeypatch.setattr(timezone, "now", clock)
    return clock


def last_code(mobile: str) -> str:
    sent = [m for m in read_outbox() if m["address"] == mobile]
    assert sent, f"no code was sent to {mobile}"
    return sent[-1]["params"]["code"]
