"""The console backends: what `make run`, the demo and the tests send through.

Each message is one line on stdout and one JSON line appended to VAR_DIR/outbox.log (the browser test
reads a verification code from it). Nothing leaves the machine.
"""

from __future__ import annotations

import json
import os
import uuid
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from . import Backend

CHANNEL_LABELS = {"sms": "短信", "wechat": "微信"}


def outbox_path() -> Path:
    return Path(settings.VAR_DIR) / "outbox.log"


def read_outbox() -> list[dict]:
    """Every message the console backends wrote, oldest first (tests and the demo read it)."""
    try:
        lines = outbox_path().read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        return []
    return [json.loads(line) for line in lines if line.strip()]


class ConsoleBackend(Backend):
    def send(self, *, address: str, template: str, params: dict[str, str], text: str, idempotency_key: str) -> str:
        message_id = f"console-{uuid.uuid4().hex[:16]}"
        record = {
            "id": message_id,
            "at": timezone.now().isoformat(),
            "channel": self.channel,
            "address": address,
            "template": template,
            "params": params,
            "text": text,
            "idempotency_key": idempotency_key,
        }
        line = json.dumps(record, ensure_ascii=False) + "\n"
        # One write on an O_APPEND descriptor: lines from concurrent workers never interleave.
        fd = os.open(outbox_path(), os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            os.write(fd, line.encode("utf-8"))
        finally:
            os.close(fd)
        print(f"[{CHANNEL_LABELS.get(self.channel, self.channel)}] → {address}: {text}", flush=True)
        return message_id


class ConsoleSmsBackend(ConsoleBackend):
    channel = "sms"


class ConsoleWechatBackend(ConsoleBackend):
    channel = "wechat"
